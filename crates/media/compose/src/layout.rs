//! Where each video goes on the canvas: LiveKit's default composite layouts, as its egress
//! template (livekit/egress, template-default/src/Room.tsx) arranges them.
//!
//! The template picks the layout from its name, switches "grid" to "speaker" while a screen
//! share is published, and puts the screen share (else the active speaker) in the main area.
//! [`tiles`] computes the same arrangement as rectangles on a fixed canvas. Every rectangle
//! has even coordinates and sizes (I420 subsamples chroma by two), lies inside the canvas
//! and overlaps no other.

use crate::yuv::Yuv;

/// At most this many tiles are shown; the grid keeps the first sources in order.
pub const MAX_TILES: usize = 16;

/// The arrangement of a composite canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// Every video in a near-square grid; becomes [`Layout::Speaker`] while a screen share is
    /// present.
    #[default]
    Grid,
    /// One main video (the screen share, else the active speaker) and the others in a
    /// column on the right.
    Speaker,
    /// Only the main video, filling the canvas.
    SingleSpeaker,
}

/// A layout name as the egress API carries it: `grid`, `speaker` or `single-speaker`,
/// optionally followed by `-light` or `-dark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LayoutName {
    /// The arrangement.
    pub layout: Layout,
    /// Light theme (white background) rather than the default dark one.
    pub light: bool,
}

/// The base names and their layouts, longest first so `single-speaker` is not read as
/// `speaker` by a suffix match.
const BASES: [(&str, Layout); 3] = [("single-speaker", Layout::SingleSpeaker), ("speaker", Layout::Speaker), ("grid", Layout::Grid)];

impl LayoutName {
    /// Reads a layout name. An empty or unknown name is a dark grid, as LiveKit's template
    /// falls back to its grid for a name it does not know; use [`known`] to refuse a typo.
    pub fn parse(s: &str) -> LayoutName {
        Self::parse_known(s).unwrap_or_default()
    }

    fn parse_known(s: &str) -> Option<LayoutName> {
        let (base, light) = match s.strip_suffix("-light") {
            Some(base) => (base, true),
            None => (s.strip_suffix("-dark").unwrap_or(s), false),
        };
        let layout = BASES.iter().find(|(name, _)| *name == base)?.1;
        Some(LayoutName { layout, light })
    }

    /// The canvas background: LiveKit's near-black dark theme, or a near-white light one.
    pub fn background(&self) -> Yuv {
        if self.light { Yuv::from_rgb(0xf0, 0xf0, 0xf0) } else { Yuv::from_rgb(0x11, 0x11, 0x11) }
    }
}

/// Whether `s` is one of the layout names [`LayoutName::parse`] understands (so an API can
/// refuse a typo instead of silently recording a grid).
pub fn known(s: &str) -> bool {
    LayoutName::parse_known(s).is_some()
}

/// A rectangle on the canvas, in pixels. [`tiles`] only produces even values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Rect {
    /// One past the right edge, without overflow.
    pub fn right(&self) -> u64 {
        u64::from(self.x) + u64::from(self.w)
    }

    /// One past the bottom edge, without overflow.
    pub fn bottom(&self) -> u64 {
        u64::from(self.y) + u64::from(self.h)
    }

    /// Whether the rectangle covers no pixel.
    pub fn is_empty(&self) -> bool {
        self.w == 0 || self.h == 0
    }

    /// Whether the two rectangles share at least one pixel.
    pub fn overlaps(&self, other: &Rect) -> bool {
        !self.is_empty()
            && !other.is_empty()
            && u64::from(self.x) < other.right()
            && u64::from(other.x) < self.right()
            && u64::from(self.y) < other.bottom()
            && u64::from(other.y) < self.bottom()
    }
}

/// One video the job can show. `key` is whatever id the job gives the video track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VideoSource {
    /// The job's id for the video track.
    pub key: u64,
    /// A screen share (wins the main area) rather than a camera.
    pub screen_share: bool,
}

/// Where one video goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    /// The [`VideoSource::key`] of the video.
    pub key: u64,
    /// Its area on the canvas. The video is scaled into it keeping its aspect ratio.
    pub rect: Rect,
}

/// Rounds down to even.
fn even(v: u64) -> u32 {
    u32::try_from(v & !1).unwrap_or(u32::MAX - 1)
}

/// The gap between tiles: 8 px at 720p, scaled with the canvas, even.
fn gap(w: u32, h: u32) -> u32 {
    even(u64::from(w.min(h)) / 90)
}

/// Arranges `sources` on a `canvas` (width, height) for the layout `name`. `speaker` is the
/// key of the active speaker's video, if any. Tiles follow the order of `sources` (the main
/// video first in the speaker layouts). Zero sources, or a canvas too small for any tile,
/// give no tile.
pub fn tiles(name: LayoutName, canvas: (u32, u32), sources: &[VideoSource], speaker: Option<u64>) -> Vec<Tile> {
    let (w, h) = (even(u64::from(canvas.0)), even(u64::from(canvas.1)));
    if sources.is_empty() || w == 0 || h == 0 {
        return Vec::new();
    }
    let has_share = sources.iter().any(|s| s.screen_share);
    match name.layout {
        Layout::Grid if !has_share => grid(w, h, sources),
        Layout::Grid | Layout::Speaker => speaker_layout(w, h, sources, speaker),
        Layout::SingleSpeaker => {
            let main = main_index(sources, speaker);
            sources.get(main).map(|s| vec![Tile { key: s.key, rect: Rect { x: 0, y: 0, w, h } }]).unwrap_or_default()
        }
    }
}

/// The main video: the first screen share, else the active speaker, else the first source.
fn main_index(sources: &[VideoSource], speaker: Option<u64>) -> usize {
    sources.iter().position(|s| s.screen_share).or_else(|| speaker.and_then(|k| sources.iter().position(|s| s.key == k))).unwrap_or(0)
}

/// The speaker layout: the main video on the left, the others in a column of 16:9 tiles
/// about a fifth of the width on the right, in order, as many as fit; the rest are not
/// shown, except the active speaker, which takes the last visible slot.
fn speaker_layout(w: u32, h: u32, sources: &[VideoSource], speaker: Option<u64>) -> Vec<Tile> {
    let main = main_index(sources, speaker);
    let Some(main_key) = sources.get(main).map(|s| s.key) else { return Vec::new() };
    let mut others: Vec<u64> = sources.iter().enumerate().filter(|&(i, _)| i != main).map(|(_, s)| s.key).collect();
    let gap = gap(w, h);
    let strip_w = even(u64::from(w) / 5);
    let tile_h = even(u64::from(strip_w) * 9 / 16);
    let fit = if tile_h == 0 { 0 } else { (u64::from(h) + u64::from(gap)) / (u64::from(tile_h) + u64::from(gap)) };
    let main_w = w.saturating_sub(strip_w).saturating_sub(gap);
    let count = usize::try_from(fit).unwrap_or(usize::MAX).min(MAX_TILES - 1).min(sources.len().saturating_sub(1));
    if count == 0 || main_w == 0 {
        return vec![Tile { key: main_key, rect: Rect { x: 0, y: 0, w, h } }];
    }
    // A hidden active speaker takes the last visible slot, so who talks is always on screen.
    if let Some(pos) = speaker.and_then(|k| others.iter().position(|&o| o == k)).filter(|&p| p >= count) {
        others.swap(count - 1, pos);
    }
    let mut out = Vec::with_capacity(count + 1);
    out.push(Tile { key: main_key, rect: Rect { x: 0, y: 0, w: main_w, h } });
    let n = count as u64;
    let column_h = n * u64::from(tile_h) + (n - 1) * u64::from(gap);
    let y0 = even(u64::from(h).saturating_sub(column_h) / 2);
    let x = w - strip_w;
    for (i, &key) in others.iter().take(count).enumerate() {
        let y = u64::from(y0) + i as u64 * (u64::from(tile_h) + u64::from(gap));
        out.push(Tile { key, rect: Rect { x, y: even(y), w: strip_w, h: tile_h } });
    }
    out
}

/// The grid: up to [`MAX_TILES`] videos, `ceil(sqrt(n))` columns, 16:9 cells separated (and
/// surrounded) by a small gap, the whole grid centered and a partial last row centered.
fn grid(w: u32, h: u32, sources: &[VideoSource]) -> Vec<Tile> {
    let n = sources.len().min(MAX_TILES) as u64;
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1);
    let rows = n.div_ceil(cols);
    let gap = u64::from(gap(w, h));
    let (w64, h64) = (u64::from(w), u64::from(h));
    let cell_w_max = w64.saturating_sub(gap * (cols + 1)) / cols;
    let cell_h_max = h64.saturating_sub(gap * (rows + 1)) / rows;
    let cell_w = u64::from(even(cell_w_max.min(cell_h_max * 16 / 9)));
    let cell_h = u64::from(even(cell_w * 9 / 16));
    if cell_w == 0 || cell_h == 0 {
        return Vec::new();
    }
    let grid_h = rows * cell_h + (rows - 1) * gap;
    let y0 = u64::from(even(h64.saturating_sub(grid_h) / 2));
    let mut out = Vec::with_capacity(n as usize);
    for (i, s) in sources.iter().take(MAX_TILES).enumerate() {
        let (row, col) = (i as u64 / cols, i as u64 % cols);
        let in_row = (n - row * cols).min(cols);
        let row_w = in_row * cell_w + (in_row - 1) * gap;
        let x0 = u64::from(even(w64.saturating_sub(row_w) / 2));
        let x = even(x0 + col * (cell_w + gap));
        let y = even(y0 + row * (cell_h + gap));
        out.push(Tile { key: s.key, rect: Rect { x, y, w: even(cell_w), h: even(cell_h) } });
    }
    out
}

#[cfg(test)]
mod tests;
