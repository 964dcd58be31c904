//! Drawing a decoded frame into the canvas. The job's decoders already scale each video to
//! its tile, so the common case is a same-size copy: one slice copy per row and plane. A
//! frame of another size (the tile changed before the decoder caught up) is scaled with a
//! nearest-neighbour sampler, keeping its aspect ratio and letterboxed.

use crate::canvas::{I420, Planes};
use crate::layout::Rect;
use crate::yuv::Yuv;

impl I420 {
    /// Draws the packed I420 frame `src` (`src_w × src_h`, laid out as
    /// [`I420::frame_len`] describes) into `rect`, clipped to the canvas. When the frame has
    /// the size of `rect` its rows are copied; otherwise it is scaled to fit `rect` keeping
    /// its aspect ratio, centered, and the rest of `rect` is painted with `background`.
    /// `rect` is first rounded to even edges and sizes.
    ///
    /// Returns false, drawing nothing, when a size is zero or `src` is shorter than its size
    /// requires; true otherwise (even if `rect` lies outside the canvas).
    pub fn blit(&mut self, src: &[u8], src_w: u32, src_h: u32, rect: Rect, background: Yuv) -> bool {
        if src_w == 0 || src_h == 0 || src.len() < I420::frame_len(src_w, src_h) {
            return false;
        }
        let rect = Rect { x: rect.x & !1, y: rect.y & !1, w: rect.w & !1, h: rect.h & !1 };
        if src_w == rect.w && src_h == rect.h {
            self.copy(src, rect);
        } else {
            self.fill_rect(rect, background);
            self.scale(src, src_w, src_h, fit(src_w, src_h, rect));
        }
        true
    }

    /// Copies a frame of exactly `rect`'s (even) size, row by row.
    fn copy(&mut self, src: &[u8], rect: Rect) {
        // Clipping keeps the top-left corner, so the visible part starts at the source's
        // first row and column.
        let Some(c) = self.clip(rect) else { return };
        let (d, s) = (self.planes(), Planes::new(rect.w, rect.h));
        let (x, y, w, h) = (c.x as usize, c.y as usize, c.w as usize, c.h as usize);
        let data = self.data_mut();
        copy_plane(data, 0, d.w, src, 0, s.w, (x, y, w, h));
        copy_plane(data, d.u(), d.cw, src, s.u(), s.cw, (x / 2, y / 2, w / 2, h / 2));
        copy_plane(data, d.v(), d.cw, src, s.v(), s.cw, (x / 2, y / 2, w / 2, h / 2));
    }

    /// Scales a frame into `inner` (even, inside its tile), clipped to the canvas.
    fn scale(&mut self, src: &[u8], src_w: u32, src_h: u32, inner: Rect) {
        let Some(c) = self.clip(inner) else { return };
        let (d, s) = (self.planes(), Planes::new(src_w, src_h));
        let luma = Area { x: inner.x as usize, y: inner.y as usize, w: inner.w as usize, h: inner.h as usize };
        let chroma = Area { x: luma.x / 2, y: luma.y / 2, w: luma.w / 2, h: luma.h / 2 };
        let (vw, vh) = (c.w as usize, c.h as usize);
        // One column table per call, reused for the three planes.
        let mut cols = Vec::with_capacity(vw);
        let data = self.data_mut();
        let plane = |base, w, h| SrcPlane { base, w, h };
        scale_plane(data, (0, d.w), luma, (vw, vh), src, plane(0, s.w, s.h), &mut cols);
        scale_plane(data, (d.u(), d.cw), chroma, (vw / 2, vh / 2), src, plane(s.u(), s.cw, s.ch), &mut cols);
        scale_plane(data, (d.v(), d.cw), chroma, (vw / 2, vh / 2), src, plane(s.v(), s.cw, s.ch), &mut cols);
    }
}

/// The largest rectangle with the source's aspect ratio inside `rect`, centered, even.
fn fit(src_w: u32, src_h: u32, rect: Rect) -> Rect {
    let (sw, sh, rw, rh) = (u64::from(src_w), u64::from(src_h), u64::from(rect.w), u64::from(rect.h));
    let (w, h) = if sw * rh >= sh * rw { (rw, ((rw * sh + sw / 2) / sw).min(rh) & !1) } else { (((rh * sw + sh / 2) / sh).min(rw) & !1, rh) };
    // w ≤ rect.w and h ≤ rect.h, so every value below fits in a u32.
    let x = u64::from(rect.x) + (((rw - w) / 2) & !1);
    let y = u64::from(rect.y) + (((rh - h) / 2) & !1);
    let narrow = |v: u64| u32::try_from(v).unwrap_or(u32::MAX - 1);
    Rect { x: narrow(x), y: narrow(y), w: narrow(w), h: narrow(h) }
}

/// Copies the top-left `w × h` block of a source plane (rows of `src_stride` bytes from
/// `src_base`) to (`x`, `y`) in a destination plane. Rows out of either buffer are skipped.
fn copy_plane(dst: &mut [u8], dst_base: usize, dst_stride: usize, src: &[u8], src_base: usize, src_stride: usize, area: (usize, usize, usize, usize)) {
    let (x, y, w, h) = area;
    for row in 0..h {
        let d = dst_base + (y + row) * dst_stride + x;
        let s = src_base + row * src_stride;
        if let (Some(to), Some(from)) = (dst.get_mut(d..d + w), src.get(s..s + w)) {
            to.copy_from_slice(from);
        }
    }
}

/// A rectangle in one plane's coordinates.
#[derive(Clone, Copy)]
struct Area {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
}

/// A source plane: where it starts in the frame and its size (rows are `w` bytes).
#[derive(Clone, Copy)]
struct SrcPlane {
    base: usize,
    w: usize,
    h: usize,
}

/// The source index (of `src_len`) under the center of destination index `i` (of
/// `dst_len`, not zero). Computed in 64 bits so no size can overflow.
fn sample(i: usize, dst_len: usize, src_len: usize) -> usize {
    let v = (2 * i as u64 + 1) * src_len as u64 / (2 * dst_len as u64);
    usize::try_from(v).unwrap_or(usize::MAX).min(src_len.saturating_sub(1))
}

/// Nearest-neighbour scales a source plane into `area` of a destination plane (`dst` =
/// base offset and stride), drawing only its visible top-left `visible` (width, height)
/// part. Each destination pixel samples the source pixel under its center.
fn scale_plane(data: &mut [u8], dst: (usize, usize), area: Area, visible: (usize, usize), src: &[u8], plane: SrcPlane, cols: &mut Vec<usize>) {
    let (base, stride) = dst;
    let (vw, vh) = visible;
    if area.w == 0 || area.h == 0 || plane.w == 0 || plane.h == 0 {
        return;
    }
    cols.clear();
    cols.extend((0..vw.min(area.w)).map(|dx| sample(dx, area.w, plane.w)));
    for dy in 0..vh.min(area.h) {
        let sy = sample(dy, area.h, plane.h);
        let s = plane.base + sy * plane.w;
        let d = base + (area.y + dy) * stride + area.x;
        let (Some(from), Some(to)) = (src.get(s..s + plane.w), data.get_mut(d..d + cols.len())) else { continue };
        for (px, &sx) in to.iter_mut().zip(cols.iter()) {
            *px = from.get(sx).copied().unwrap_or(0);
        }
    }
}
