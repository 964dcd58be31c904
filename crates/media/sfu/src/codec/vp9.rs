//! The VP9 RTP payload descriptor (RFC 9628, section 4.2), read without allocating:
//! flexible and non-flexible mode, and the scalability structure's layer count.
//!
//! ```text
//!       0 1 2 3 4 5 6 7
//!      +-+-+-+-+-+-+-+-+
//!      |I|P|L|F|B|E|V|Z| (required)
//!      +-+-+-+-+-+-+-+-+
//! I:   |M| PICTURE ID  | (M set: one more octet, 15 bits)
//! L:   | TID |U| SID |D| (layer indices)
//!      |   TL0PICIDX   | (non-flexible mode only)
//! P,F: | P_DIFF      |N| (up to 3 times, flexible mode only)
//! V:   | SS            | (scalability structure)
//! ```

/// Most reference indices a flexible-mode packet may carry.
const MAX_P_DIFF: usize = 3;

/// The fields of one packet's VP9 payload descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vp9Descriptor {
    /// P: the frame is predicted from an earlier picture.
    pub inter_picture: bool,
    /// F: flexible mode.
    pub flexible: bool,
    /// B: the packet starts a layer frame.
    pub begin: bool,
    /// E: the packet ends a layer frame.
    pub end: bool,
    /// Z: the frame is not used to predict higher spatial layers.
    pub not_upper_reference: bool,
    /// The PictureID (7 or 15 bits).
    pub picture_id: Option<u16>,
    /// TID, 0 without layer indices.
    pub tid: u8,
    /// SID, 0 without layer indices.
    pub sid: u8,
    /// U: a switching-up point to a higher temporal layer.
    pub switching_up: bool,
    /// D: the frame depends on the lower spatial layer of the same picture.
    pub inter_layer: bool,
    /// TL0PICIDX (non-flexible mode).
    pub tl0_pic_idx: Option<u8>,
    /// Spatial layers the scalability structure announces; 0 without one.
    pub spatial_layers: u8,
    /// The descriptor's length.
    pub header_len: usize,
}

impl Vp9Descriptor {
    /// The packet starts a keyframe: the first packet of an intra-only layer frame of the
    /// base spatial layer.
    pub fn keyframe(&self) -> bool {
        !self.inter_picture && self.begin && self.sid == 0
    }

    /// The packet starts a picture (the base spatial layer's first packet).
    pub fn starts_picture(&self) -> bool {
        self.begin && self.sid == 0
    }
}

/// A cursor over the descriptor's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.at.checked_add(n)?;
        if end > self.bytes.len() {
            return None;
        }
        self.at = end;
        Some(())
    }
}

/// Reads the payload descriptor of a VP9 RTP payload; `None` when it is truncated or its
/// lengths lie.
pub fn parse(payload: &[u8]) -> Option<Vp9Descriptor> {
    let mut r = Reader { bytes: payload, at: 0 };
    let first = r.byte()?;
    let mut d = Vp9Descriptor {
        inter_picture: first & 0x40 != 0,
        flexible: first & 0x10 != 0,
        begin: first & 0x08 != 0,
        end: first & 0x04 != 0,
        not_upper_reference: first & 0x01 != 0,
        ..Default::default()
    };
    if first & 0x80 != 0 {
        let b = r.byte()?;
        d.picture_id = Some(if b & 0x80 != 0 { u16::from(b & 0x7f) << 8 | u16::from(r.byte()?) } else { u16::from(b) });
    }
    if first & 0x20 != 0 {
        let b = r.byte()?;
        d.tid = b >> 5;
        d.switching_up = b & 0x10 != 0;
        d.sid = (b >> 1) & 0x07;
        d.inter_layer = b & 0x01 != 0;
        if !d.flexible {
            d.tl0_pic_idx = Some(r.byte()?);
        }
    }
    if d.flexible && d.inter_picture {
        for i in 0.. {
            let b = r.byte()?;
            if b & 0x01 == 0 {
                break;
            }
            if i + 1 >= MAX_P_DIFF {
                return None;
            }
        }
    }
    if first & 0x02 != 0 {
        d.spatial_layers = scalability_structure(&mut r)?;
    }
    d.header_len = r.at;
    Some(d)
}

/// Skips a scalability structure; returns the number of spatial layers it announces.
fn scalability_structure(r: &mut Reader) -> Option<u8> {
    let b = r.byte()?;
    let layers = (b >> 5) + 1;
    if b & 0x10 != 0 {
        // Y: a width and height (16 bits each) per spatial layer.
        r.skip(usize::from(layers) * 4)?;
    }
    if b & 0x08 != 0 {
        // G: the picture group.
        let groups = r.byte()?;
        for _ in 0..groups {
            let g = r.byte()?;
            r.skip(usize::from((g >> 2) & 0x03))?;
        }
    }
    Some(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_flexible_mode_with_layer_indices() {
        // I L B E; PictureID 0x1234 (15 bits); TID 2 U SID 1 D; TL0PICIDX 7.
        let d = parse(&[0xac, 0x92, 0x34, 0x53, 0x07, 0xaa]).expect("valid");
        assert_eq!((d.picture_id, d.tid, d.sid, d.tl0_pic_idx, d.header_len), (Some(0x1234), 2, 1, Some(7), 5));
        assert!(d.switching_up && d.inter_layer && d.begin && d.end && !d.flexible);
        assert!(!d.keyframe(), "an upper spatial layer is no keyframe start");
        let key = parse(&[0xa8, 0x05, 0x00, 0x00, 0xaa]).expect("valid");
        assert!(key.keyframe() && key.starts_picture());
    }

    #[test]
    fn flexible_mode_reference_indices() {
        // I P L F B; PictureID 9; TID 1 SID 0; two P_DIFFs (N set on the first).
        let d = parse(&[0xf8, 0x09, 0x20, 0x03, 0x04, 0xaa]).expect("valid");
        assert_eq!((d.tid, d.sid, d.tl0_pic_idx, d.header_len), (1, 0, None, 5));
        assert!(d.flexible && d.inter_picture && !d.keyframe());
        // Four P_DIFFs is one too many.
        assert_eq!(parse(&[0xf8, 0x09, 0x20, 0x03, 0x03, 0x03, 0x02]), None);
    }

    #[test]
    fn scalability_structure_with_sizes_and_group() {
        // V B, no I or L; SS: 3 layers, Y G; 3 x (w, h); 1 group entry with 2 references.
        let mut p = vec![0x0a, 0x58];
        p.extend_from_slice(&[0; 12]);
        p.extend_from_slice(&[0x01, 0x08, 0x01, 0x02, 0xaa]);
        let d = parse(&p).expect("valid");
        assert_eq!((d.spatial_layers, d.header_len), (3, 18));
        for n in 0..d.header_len {
            assert_eq!(parse(&p[..n]), None, "truncated at {n}");
        }
    }

    #[test]
    fn lying_lengths_never_read_out_of_bounds() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x80]), None, "PictureID promised");
        assert_eq!(parse(&[0x80, 0x80]), None, "15-bit PictureID promised");
        assert_eq!(parse(&[0x20, 0x00]), None, "TL0PICIDX promised");
        assert_eq!(parse(&[0x02, 0xf8, 0x00]), None, "eight sizes promised");
        assert_eq!(parse(&[0x02, 0x08, 0xff, 0x0c]), None, "255 groups promised");
    }
}
