//! VP9 over RTP (RFC 9628), flexible and non-flexible descriptors. The descriptor is
//! stripped; B begins a layer frame. The layer frames of one picture (spatial layers
//! with one timestamp) are joined into a superframe, as VP9 in WebM stores them. A
//! picture is a keyframe when its first frame's uncompressed header says so; the size is
//! the scalability structure's largest layer, else the keyframe header's size.

use super::{PayloadFormat, Verdict};
use crate::error::MuxError;

const WHAT: &str = "VP9 payload descriptor";
/// A superframe holds at most 8 frames.
const MAX_LAYER_FRAMES: usize = 8;

/// The VP9 payload format.
#[derive(Debug, Default)]
pub(crate) struct Vp9 {
    /// Where each layer frame of the picture in progress begins.
    starts: Vec<usize>,
    /// The largest spatial layer of the last scalability structure.
    ss_size: Option<(u32, u32)>,
}

/// What a VP9 payload descriptor says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Vp9Descriptor {
    /// B: the first packet of a layer frame.
    pub begin: bool,
    /// The largest layer size of a scalability structure with sizes, if any.
    pub ss_size: Option<(u32, u32)>,
    /// The length of the descriptor; the VP9 bitstream follows.
    pub len: usize,
}

/// Parses the payload descriptor at the head of `payload`.
pub(crate) fn descriptor(payload: &[u8]) -> Result<Vp9Descriptor, MuxError> {
    let mut at = 0usize;
    let mut next = || {
        let b = payload.get(at).copied().ok_or(MuxError::Truncated(WHAT));
        at += 1;
        b
    };
    let b0 = next()?;
    let (i, p, l, f, begin, v) = (b0 & 0x80 != 0, b0 & 0x40 != 0, b0 & 0x20 != 0, b0 & 0x10 != 0, b0 & 0x08 != 0, b0 & 0x02 != 0);
    if i && next()? & 0x80 != 0 {
        next()?; // 15-bit picture ID
    }
    if l {
        next()?; // TID, U, SID, D
        if !f {
            next()?; // TL0PICIDX
        }
    }
    if f && p {
        let mut diffs = 0;
        while next()? & 0x01 != 0 {
            diffs += 1;
            if diffs == 3 {
                return Err(MuxError::Invalid { what: WHAT, why: "more than 3 reference indices" });
            }
        }
    }
    let mut ss_size = None;
    if v {
        let ss = next()?;
        let layers = usize::from(ss >> 5) + 1;
        if ss & 0x10 != 0 {
            for _ in 0..layers {
                let w = u32::from(u16::from_be_bytes([next()?, next()?]));
                let h = u32::from(u16::from_be_bytes([next()?, next()?]));
                if w > 0 && h > 0 && ss_size.is_none_or(|(sw, sh)| w * h > sw * sh) {
                    ss_size = Some((w, h));
                }
            }
        }
        if ss & 0x08 != 0 {
            for _ in 0..next()? {
                let refs = (next()? >> 2) & 0x03;
                for _ in 0..refs {
                    next()?;
                }
            }
        }
    }
    if payload.len() <= at {
        return Err(MuxError::Truncated("VP9 payload (no bitstream after the descriptor)"));
    }
    Ok(Vp9Descriptor { begin, ss_size, len: at })
}

/// Reads bits, most significant first.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn bits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self.data.get(self.pos / 8)?;
            v = v << 1 | u32::from(byte >> (7 - self.pos % 8) & 1);
            self.pos += 1;
        }
        Some(v)
    }
}

/// From a frame's uncompressed header: whether it is a keyframe, and a keyframe's size.
/// `None` when the header is not a VP9 one.
pub(crate) fn frame_header(frame: &[u8]) -> Option<(bool, Option<(u32, u32)>)> {
    let mut r = Bits { data: frame, pos: 0 };
    if r.bits(2)? != 2 {
        return None; // frame_marker
    }
    let profile = r.bits(1)? | r.bits(1)? << 1;
    if profile == 3 {
        r.bits(1)?;
    }
    if r.bits(1)? == 1 {
        return Some((false, None)); // show_existing_frame
    }
    if r.bits(1)? != 0 {
        return Some((false, None)); // frame_type: non-key
    }
    r.bits(2)?; // show_frame, error_resilient_mode
    if r.bits(24)? != 0x49_83_42 {
        return None;
    }
    if profile >= 2 {
        r.bits(1)?; // ten_or_twelve_bit
    }
    let color_space = r.bits(3)?;
    if color_space != 7 {
        r.bits(1)?; // color_range
        if profile == 1 || profile == 3 {
            r.bits(3)?; // subsampling_x, subsampling_y, reserved_zero
        }
    } else if profile == 1 || profile == 3 {
        r.bits(1)?; // reserved_zero
    }
    let w = r.bits(16)? + 1;
    let h = r.bits(16)? + 1;
    Some((true, Some((w, h))))
}

/// Appends a superframe index for frames of `sizes` bytes (Annex B of the VP9 spec).
fn superframe_index(sizes: &[usize], out: &mut Vec<u8>) {
    let max = sizes.iter().copied().max().unwrap_or(0);
    let mag = match max {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xff_ffff => 3,
        _ => 4,
    };
    let marker = 0xc0 | ((mag - 1) << 3) as u8 | (sizes.len() - 1) as u8;
    out.push(marker);
    for &s in sizes {
        out.extend_from_slice(&(s as u32).to_le_bytes()[..mag]);
    }
    out.push(marker);
}

impl PayloadFormat for Vp9 {
    const VIDEO: bool = true;
    const ONE_PACKET_FRAMES: bool = false;

    fn parse(&mut self, payload: &[u8], frame: &mut Vec<u8>) -> Result<bool, MuxError> {
        let d = descriptor(payload)?;
        if d.ss_size.is_some() {
            self.ss_size = d.ss_size;
        }
        if d.begin {
            if self.starts.len() == MAX_LAYER_FRAMES {
                return Err(MuxError::Invalid { what: WHAT, why: "more than 8 layer frames in one picture" });
            }
            self.starts.push(frame.len());
        }
        frame.extend_from_slice(&payload[d.len..]);
        Ok(d.begin)
    }

    fn finish(&mut self, frame: &mut Vec<u8>) -> Result<Verdict, MuxError> {
        let first_end = self.starts.get(1).copied().unwrap_or(frame.len());
        let (key, size) = frame_header(&frame[..first_end]).ok_or(MuxError::Invalid { what: "VP9 frame", why: "bad uncompressed header" })?;
        if self.starts.len() > 1 {
            let mut sizes = [0usize; MAX_LAYER_FRAMES];
            let n = self.starts.len();
            for (k, s) in self.starts.iter().enumerate() {
                sizes[k] = self.starts.get(k + 1).copied().unwrap_or(frame.len()) - s;
            }
            superframe_index(&sizes[..n], frame);
        }
        Ok(if key { Verdict::Key(self.ss_size.or(size)) } else { Verdict::Delta })
    }

    fn clear(&mut self) {
        self.starts.clear();
    }

    fn reset(&mut self) {
        self.starts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_flexible_descriptor() {
        // I (7-bit), L with TL0PICIDX, B.
        let d = descriptor(&[0xa8, 0x11, 0x00, 0x05, 0x82]).expect("descriptor");
        assert_eq!((d.begin, d.len, d.ss_size), (true, 4, None));
    }

    #[test]
    fn flexible_descriptor_with_ss() {
        // I (15-bit), P, F, B, V; two P_DIFF; SS with 2 layers and sizes, G with one group of 1 ref.
        let p = [0xda, 0x80, 0x01, 0x03, 0x02, 0x38, 0x00, 0xa0, 0x00, 0x78, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01, 0x82];
        let d = descriptor(&p).expect("descriptor");
        assert_eq!((d.begin, d.ss_size, d.len), (true, Some((320, 240)), p.len() - 1));
    }

    #[test]
    fn bad_descriptors_are_errors() {
        assert!(descriptor(&[]).is_err());
        assert!(descriptor(&[0x08]).is_err()); // nothing after
        assert!(descriptor(&[0x88, 0x80]).is_err()); // 15-bit ID cut
        assert!(descriptor(&[0x58, 0x03, 0x03, 0x03, 0x00]).is_err()); // 4 P_DIFFs
        assert!(descriptor(&[0x0a, 0x30, 0x01]).is_err()); // SS sizes cut
    }

    #[test]
    fn keyframe_header_size() {
        // frame_marker 10, profile 0, show_existing 0, key 0, show 1, er 0, sync code, cs 0, range 0, w-1 = 319, h-1 = 239.
        let mut bits = String::from("10 00 0 0 1 0 010010011000001101000010 000 0");
        bits.push_str(&format!("{:016b}{:016b}", 319, 239));
        let bits: Vec<u8> = bits.bytes().filter(|b| *b != b' ').map(|b| b - b'0').collect();
        let bytes: Vec<u8> = bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |a, (i, b)| a | b << (7 - i))).collect();
        assert_eq!(frame_header(&bytes), Some((true, Some((320, 240)))));
        assert_eq!(frame_header(&bytes[..5]), None);
        assert_eq!(frame_header(&[0x86]), Some((false, None))); // inter frame
        assert_eq!(frame_header(&[0x00]), None);
    }

    #[test]
    fn spatial_layers_become_a_superframe() {
        let mut vp9 = Vp9::default();
        let mut frame = Vec::new();
        assert!(vp9.parse(&[0x08, 0x86, 1, 2], &mut frame).expect("layer 0"));
        assert!(vp9.parse(&[0x08, 0x86, 3], &mut frame).expect("layer 1"));
        assert_eq!(vp9.finish(&mut frame).ok(), Some(Verdict::Delta));
        assert_eq!(frame, [0x86, 1, 2, 0x86, 3, 0xc1, 3, 2, 0xc1]);
    }
}
