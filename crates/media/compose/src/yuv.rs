//! Colours: [`Yuv`], in BT.601 limited range.

/// A colour in BT.601 limited range (Y 16..=235, U and V 16..=240), what encoders assume
/// for untagged SD/HD video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Yuv {
    /// Luma.
    pub y: u8,
    /// Blue-difference chroma.
    pub u: u8,
    /// Red-difference chroma.
    pub v: u8,
}

impl Yuv {
    /// Black.
    pub const BLACK: Yuv = Yuv { y: 16, u: 128, v: 128 };

    /// Converts 8-bit sRGB to BT.601 limited range with the usual integer approximation
    /// (Y = 16 + (66R + 129G + 25B) / 256, and likewise for U and V).
    pub fn from_rgb(r: u8, g: u8, b: u8) -> Yuv {
        let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
        let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
        let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
        let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
        Yuv { y: clamp_u8(y), u: clamp_u8(u), v: clamp_u8(v) }
    }
}

fn clamp_u8(v: i32) -> u8 {
    u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX)
}
