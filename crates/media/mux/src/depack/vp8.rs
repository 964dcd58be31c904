//! VP8 over RTP (RFC 7741). The payload descriptor (X, then I/L/T/K extensions) is
//! stripped; a packet with S = 1 and partition index 0 begins a frame. A frame is a
//! keyframe when the P bit of its first byte is 0; a keyframe's header gives the size.

use super::{PayloadFormat, Verdict};
use crate::error::MuxError;

const WHAT: &str = "VP8 payload descriptor";

/// The VP8 payload format.
#[derive(Debug, Default)]
pub(crate) struct Vp8;

/// What a VP8 payload descriptor says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Vp8Descriptor {
    /// S bit with partition index 0: the first packet of a frame.
    pub start: bool,
    /// The length of the descriptor; the VP8 bitstream follows.
    pub len: usize,
}

/// Parses the payload descriptor at the head of `payload`.
pub(crate) fn descriptor(payload: &[u8]) -> Result<Vp8Descriptor, MuxError> {
    let byte = |i: usize| payload.get(i).copied().ok_or(MuxError::Truncated(WHAT));
    let b0 = byte(0)?;
    let start = b0 & 0x10 != 0 && b0 & 0x07 == 0;
    let mut len = 1;
    if b0 & 0x80 != 0 {
        let x = byte(1)?;
        len = 2;
        if x & 0x80 != 0 {
            len += if byte(len)? & 0x80 != 0 { 2 } else { 1 }; // PictureID, 7 or 15 bits
        }
        if x & 0x40 != 0 {
            len += 1; // TL0PICIDX
        }
        if x & 0x30 != 0 {
            len += 1; // TID/Y/KEYIDX
        }
    }
    if payload.len() <= len {
        return Err(MuxError::Truncated("VP8 payload (no bitstream after the descriptor)"));
    }
    Ok(Vp8Descriptor { start, len })
}

/// A VP8 keyframe's size, from its 10-byte header (frame tag, start code, sizes).
pub(crate) fn keyframe_size(frame: &[u8]) -> Option<(u32, u32)> {
    let header = frame.get(..10)?;
    if frame[0] & 1 != 0 || header[3..6] != [0x9d, 0x01, 0x2a] {
        return None;
    }
    let w = u32::from(u16::from_le_bytes([header[6], header[7]]) & 0x3fff);
    let h = u32::from(u16::from_le_bytes([header[8], header[9]]) & 0x3fff);
    (w > 0 && h > 0).then_some((w, h))
}

impl PayloadFormat for Vp8 {
    const VIDEO: bool = true;
    const ONE_PACKET_FRAMES: bool = false;

    fn parse(&mut self, payload: &[u8], frame: &mut Vec<u8>) -> Result<bool, MuxError> {
        let d = descriptor(payload)?;
        if d.start && !frame.is_empty() {
            return Err(MuxError::Invalid { what: WHAT, why: "a second frame start with the same timestamp" });
        }
        frame.extend_from_slice(&payload[d.len..]);
        Ok(d.start)
    }

    fn finish(&mut self, frame: &mut Vec<u8>) -> Result<Verdict, MuxError> {
        if frame.first().is_some_and(|b| b & 1 == 0) {
            let size = keyframe_size(frame).ok_or(MuxError::Invalid { what: "VP8 keyframe", why: "no start code or zero size" })?;
            Ok(Verdict::Key(Some(size)))
        } else {
            Ok(Verdict::Delta)
        }
    }

    fn clear(&mut self) {}

    fn reset(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_extensions() {
        assert_eq!(descriptor(&[0x10, 0xaa]).ok(), Some(Vp8Descriptor { start: true, len: 1 }));
        assert_eq!(descriptor(&[0x11, 0xaa]).ok(), Some(Vp8Descriptor { start: false, len: 1 })); // partition 1
        // X, I with a 15-bit picture ID, L, T: 1 + 1 + 2 + 1 + 1.
        assert_eq!(descriptor(&[0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0xaa]).ok(), Some(Vp8Descriptor { start: true, len: 6 }));
        // X, I with a 7-bit picture ID, K only.
        assert_eq!(descriptor(&[0x80, 0x90, 0x05, 0x20, 0xaa]).ok(), Some(Vp8Descriptor { start: false, len: 4 }));
    }

    #[test]
    fn truncated_descriptors_are_errors() {
        for bad in [&[][..], &[0x90], &[0x90, 0x80], &[0x90, 0x80, 0x80, 0x01], &[0x10], &[0x90, 0xf0, 0x01, 0x02, 0x03]] {
            assert!(descriptor(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keyframe_header() {
        let key = [0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xff];
        assert_eq!(keyframe_size(&key), Some((320, 240)));
        assert_eq!(keyframe_size(&key[..9]), None);
        let mut bad = key;
        bad[4] = 0;
        assert_eq!(keyframe_size(&bad), None);
        let mut f = key.to_vec();
        assert_eq!(Vp8.finish(&mut f).ok(), Some(Verdict::Key(Some((320, 240)))));
        assert!(Vp8.finish(&mut bad.to_vec()).is_err());
        assert_eq!(Vp8.finish(&mut vec![0x51, 0, 0]).ok(), Some(Verdict::Delta));
    }
}
