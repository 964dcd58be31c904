//! The composed picture: a planar I420 frame (what ffmpeg calls `yuv420p`) owned in memory,
//! colours in BT.601 limited range, and rectangle fills. Drawing a decoded frame into it is
//! in `blit`.

use crate::layout::Rect;
pub use crate::yuv::Yuv;

/// The largest canvas side, in pixels. Larger sizes are clamped so a bad size cannot ask
/// for gigabytes (8192 × 8192 is 96 MiB).
pub const MAX_SIDE: u32 = 8192;

/// One picture in packed planar I420: the Y plane (`width × height` bytes), then the U and
/// V planes (`width/2 × height/2` bytes each), rows without padding. Width and height are
/// even (odd sizes are rounded down) and at most [`MAX_SIDE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I420 {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// Byte offsets and row lengths of the three planes of a frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planes {
    /// Luma width and height.
    pub w: usize,
    pub h: usize,
    /// Chroma width and height (rounded up, as ffmpeg does for odd sizes).
    pub cw: usize,
    pub ch: usize,
}

impl Planes {
    pub(crate) fn new(w: u32, h: u32) -> Planes {
        let (w, h) = (w as usize, h as usize);
        Planes { w, h, cw: w.div_ceil(2), ch: h.div_ceil(2) }
    }

    /// Offset of the U plane.
    pub(crate) fn u(&self) -> usize {
        self.w * self.h
    }

    /// Offset of the V plane.
    pub(crate) fn v(&self) -> usize {
        self.u() + self.cw * self.ch
    }
}

impl I420 {
    /// A `width × height` picture filled with `fill`. Odd sizes are rounded down to even,
    /// sizes over [`MAX_SIDE`] clamped; a zero size gives an empty picture.
    pub fn new(width: u32, height: u32, fill: Yuv) -> I420 {
        let (width, height) = (width.min(MAX_SIDE) & !1, height.min(MAX_SIDE) & !1);
        let mut frame = I420 { width, height, data: vec![0; I420::frame_len(width, height)] };
        frame.fill(fill);
        frame
    }

    /// Width in pixels (even).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels (even).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed planes, ready to write to an encoder reading `yuv420p`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// Bytes in a packed I420 frame of `w × h`: `w * h * 3 / 2` for even sizes; odd sizes
    /// have chroma planes rounded up, as ffmpeg lays them out. Saturates instead of
    /// overflowing.
    pub fn frame_len(w: u32, h: u32) -> usize {
        let (w, h) = (u64::from(w), u64::from(h));
        let len = w * h + 2 * w.div_ceil(2) * h.div_ceil(2);
        usize::try_from(len).unwrap_or(usize::MAX)
    }

    pub(crate) fn planes(&self) -> Planes {
        Planes::new(self.width, self.height)
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Paints the whole picture with one colour.
    pub fn fill(&mut self, colour: Yuv) {
        let p = self.planes();
        let split = p.u().min(self.data.len());
        let (y, rest) = self.data.split_at_mut(split);
        let (u, v) = rest.split_at_mut((p.cw * p.ch).min(rest.len()));
        y.fill(colour.y);
        u.fill(colour.u);
        v.fill(colour.v);
    }

    /// The part of `rect` inside the picture, with even edges (the left and top edges are
    /// rounded down, the sizes down), or `None` when nothing is left.
    pub(crate) fn clip(&self, rect: Rect) -> Option<Rect> {
        let x = rect.x & !1;
        let y = rect.y & !1;
        if x >= self.width || y >= self.height {
            return None;
        }
        let w = (u64::from(rect.w).min(u64::from(self.width - x)) as u32) & !1;
        let h = (u64::from(rect.h).min(u64::from(self.height - y)) as u32) & !1;
        let clipped = Rect { x, y, w, h };
        (!clipped.is_empty()).then_some(clipped)
    }

    /// Paints `rect` (clipped to the picture) with one colour.
    pub fn fill_rect(&mut self, rect: Rect, colour: Yuv) {
        let Some(r) = self.clip(rect) else { return };
        let p = self.planes();
        let (x, y, w, h) = (r.x as usize, r.y as usize, r.w as usize, r.h as usize);
        fill_plane(&mut self.data, 0, p.w, x, y, w, h, colour.y);
        fill_plane(&mut self.data, p.u(), p.cw, x / 2, y / 2, w / 2, h / 2, colour.u);
        fill_plane(&mut self.data, p.v(), p.cw, x / 2, y / 2, w / 2, h / 2, colour.v);
    }
}

/// Fills a `w × h` block at (`x`, `y`) of the plane starting at `base` with rows of
/// `stride` bytes. Rows that would fall outside `data` are skipped.
#[allow(clippy::too_many_arguments)]
fn fill_plane(data: &mut [u8], base: usize, stride: usize, x: usize, y: usize, w: usize, h: usize, value: u8) {
    for row in y..y + h {
        let start = base + row * stride + x;
        if let Some(line) = data.get_mut(start..start + w) {
            line.fill(value);
        }
    }
}

#[cfg(test)]
mod tests;
