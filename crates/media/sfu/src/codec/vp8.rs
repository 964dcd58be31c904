//! The VP8 RTP payload descriptor (RFC 7741, section 4.2), read without allocating.
//!
//! ```text
//!       0 1 2 3 4 5 6 7
//!      +-+-+-+-+-+-+-+-+
//!      |X|R|N|S|R| PID | (required)
//!      +-+-+-+-+-+-+-+-+
//! X:   |I|L|T|K| RSV   | (optional)
//!      +-+-+-+-+-+-+-+-+
//! I:   |M| PictureID   | (optional; M set: 15-bit PictureID, one more octet)
//!      +-+-+-+-+-+-+-+-+
//! L:   |   TL0PICIDX   | (optional)
//!      +-+-+-+-+-+-+-+-+
//! T/K: |TID|Y| KEYIDX  | (optional)
//!      +-+-+-+-+-+-+-+-+
//! ```
//!
//! Rewriting the PictureID and TL0PICIDX of a forwarded packet goes through str0m's
//! `Vp8Patch` ([`patch`]), applied while str0m copies the payload into the datagram it
//! encrypts: the shared payload is never copied per leg.

use str0m::rtp::{Vp8Descriptor as Str0mVp8, Vp8Patch};

/// The fields of one packet's VP8 payload descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vp8Descriptor {
    /// N: the frame is not used as a reference.
    pub non_reference: bool,
    /// S: the packet starts a VP8 partition.
    pub start: bool,
    /// The partition index (0 to 7).
    pub partition: u8,
    /// The PictureID, 7 or 15 bits.
    pub picture_id: Option<u16>,
    /// Whether the PictureID is the 15-bit form.
    pub long_picture_id: bool,
    /// TL0PICIDX: the running index of temporal-layer-0 frames.
    pub tl0_pic_idx: Option<u8>,
    /// TID: the temporal layer, when the T bit is set.
    pub tid: Option<u8>,
    /// Y: the frame depends only on temporal-layer-0 frames (a layer sync point).
    pub layer_sync: bool,
    /// KEYIDX, when the K bit is set.
    pub key_idx: Option<u8>,
    /// The descriptor's length: where the VP8 payload header starts.
    pub header_len: usize,
    /// The packet starts a keyframe (S set, partition 0, and the payload header's P bit clear).
    pub keyframe: bool,
}

impl Vp8Descriptor {
    /// Whether the packet starts a frame (S set in partition 0).
    pub fn starts_frame(&self) -> bool {
        self.start && self.partition == 0
    }

    /// The temporal layer, 0 when the descriptor names none.
    pub fn temporal(&self) -> u8 {
        self.tid.unwrap_or(0)
    }
}

/// Reads the payload descriptor of a VP8 RTP payload; `None` when it is truncated (no byte
/// of VP8 data follows the descriptor).
pub fn parse(payload: &[u8]) -> Option<Vp8Descriptor> {
    let mut d = Vp8Descriptor::default();
    let first = *payload.first()?;
    d.non_reference = first & 0x20 != 0;
    d.start = first & 0x10 != 0;
    d.partition = first & 0x07;
    let mut at = 1;
    if first & 0x80 != 0 {
        let ext = *payload.get(at)?;
        at += 1;
        if ext & 0x80 != 0 {
            let b = *payload.get(at)?;
            at += 1;
            if b & 0x80 != 0 {
                let low = *payload.get(at)?;
                at += 1;
                d.picture_id = Some(u16::from(b & 0x7f) << 8 | u16::from(low));
                d.long_picture_id = true;
            } else {
                d.picture_id = Some(u16::from(b));
            }
        }
        if ext & 0x40 != 0 {
            d.tl0_pic_idx = Some(*payload.get(at)?);
            at += 1;
        }
        if ext & 0x30 != 0 {
            let b = *payload.get(at)?;
            at += 1;
            if ext & 0x20 != 0 {
                d.tid = Some(b >> 6);
                d.layer_sync = b & 0x20 != 0;
            }
            if ext & 0x10 != 0 {
                d.key_idx = Some(b & 0x1f);
            }
        }
    }
    let header = *payload.get(at)?;
    d.header_len = at;
    d.keyframe = d.starts_frame() && header & 0x01 == 0;
    Some(d)
}

/// The mask of a PictureID of this width.
pub fn picture_id_mask(long: bool) -> u16 {
    if long { 0x7fff } else { 0x7f }
}

/// A patch giving `payload` the PictureID `picture_id` and, when it carries one, the
/// TL0PICIDX `tl0`; `None` when the descriptor cannot take them (then forward unchanged).
pub fn patch(payload: &[u8], picture_id: Option<u16>, tl0: Option<u8>) -> Option<Vp8Patch> {
    let parsed = Str0mVp8::parse(payload).ok()?;
    let mut builder = parsed.patch();
    if let (Some(pid), Some(_)) = (picture_id, parsed.picture_id()) {
        builder = builder.picture_id(pid);
    }
    if let (Some(t), Some(_)) = (tl0, parsed.tl0_pic_idx()) {
        builder = builder.tl0_pic_idx(t);
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_field_of_a_full_descriptor() {
        // X, N, S, PID 0; I L T K; 15-bit PictureID 0x1234; TL0PICIDX 9; TID 2, Y, KEYIDX 5.
        let p = [0xb0, 0xf0, 0x92, 0x34, 0x09, 0xa5, 0x00, 0x9d];
        let d = parse(&p).expect("valid");
        assert!(d.non_reference && d.start && d.starts_frame() && d.long_picture_id && d.layer_sync);
        assert_eq!((d.picture_id, d.tl0_pic_idx, d.tid, d.key_idx, d.header_len), (Some(0x1234), Some(9), Some(2), Some(5), 6));
        assert!(d.keyframe, "P bit of the payload header is clear");
    }

    #[test]
    fn short_picture_id_and_no_extension() {
        let d = parse(&[0x90, 0x80, 0x05, 0x01]).expect("valid");
        assert_eq!((d.picture_id, d.long_picture_id, d.tid, d.temporal(), d.header_len), (Some(5), false, None, 0, 3));
        assert!(!d.keyframe, "inter frame");
        let plain = parse(&[0x10, 0x00]).expect("valid");
        assert_eq!((plain.header_len, plain.picture_id), (1, None));
        assert!(plain.keyframe);
        let middle = parse(&[0x00, 0x00]).expect("valid");
        assert!(!middle.starts_frame() && !middle.keyframe);
    }

    #[test]
    fn truncated_descriptors_are_refused() {
        let full = [0xb0u8, 0xf0, 0x92, 0x34, 0x09, 0xa5, 0x00];
        for n in 0..full.len() {
            assert_eq!(parse(&full[..n]), None, "{n} bytes");
        }
        assert!(parse(&full).is_some());
        // K without T: KEYIDX only, no temporal layer.
        let k = parse(&[0x80, 0x10, 0x1f, 0x00]).expect("valid");
        assert_eq!((k.tid, k.key_idx), (None, Some(0x1f)));
    }

    #[test]
    fn patches_rewrite_picture_id_and_tl0() {
        let p = [0x90u8, 0xe0, 0x92, 0x34, 0x09, 0x40, 0x00];
        let patch = patch(&p, Some(0x0102), Some(7)).expect("fields present");
        let no_fields = patch_of_plain();
        assert!(no_fields.is_some(), "a descriptor without the fields gets an empty patch");
        assert_ne!(Some(patch), no_fields);
        assert_eq!(picture_id_mask(true), 0x7fff);
        assert_eq!(picture_id_mask(false), 0x7f);
        assert!(super::patch(&[0x90], Some(1), None).is_none(), "truncated");
    }

    fn patch_of_plain() -> Option<Vp8Patch> {
        patch(&[0x10, 0x00], Some(3), Some(3))
    }
}
