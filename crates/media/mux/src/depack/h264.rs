//! H.264 over RTP (RFC 6184, packetization mode 1) through `hikari_codec::Depacketizer`.
//! A frame (access unit) is the NAL units of one timestamp, stored as an MP4 sample:
//! 4-byte big-endian length + NAL unit. Access unit delimiters and filler are left out;
//! SPS and PPS stay in band, and the last ones seen are put in front of an IDR frame that
//! came without them. A frame with an IDR slice is a keyframe (an IDR frame before any
//! SPS/PPS is not decodable and counts as a delta frame).

use super::{PayloadFormat, Verdict};
use crate::error::MuxError;
use hikari_codec::Depacketizer;

/// The longest NAL unit reassembled from FU-A fragments.
const MAX_NAL: usize = super::MAX_FRAME;
/// Parameter sets longer than this are not kept (real ones are tens of bytes).
const MAX_PARAMETER_SET: usize = 1024;

/// NAL unit types used here.
pub(crate) mod nal {
    /// A coded slice of an IDR picture.
    pub const IDR: u8 = 5;
    /// Sequence parameter set.
    pub const SPS: u8 = 7;
    /// Picture parameter set.
    pub const PPS: u8 = 8;
    /// Access unit delimiter.
    pub const AUD: u8 = 9;
    /// Filler data.
    pub const FILLER: u8 = 12;
}

/// The H.264 payload format.
#[derive(Debug)]
pub(crate) struct H264 {
    depack: Depacketizer,
    nals: Vec<Vec<u8>>,
    sps: Vec<u8>,
    pps: Vec<u8>,
    has_sps: bool,
    has_pps: bool,
    has_idr: bool,
    has_slice: bool,
}

impl Default for H264 {
    fn default() -> Self {
        Self {
            depack: Depacketizer::new(MAX_NAL),
            nals: Vec::new(),
            sps: Vec::new(),
            pps: Vec::new(),
            has_sps: false,
            has_pps: false,
            has_idr: false,
            has_slice: false,
        }
    }
}

/// The NAL units of an MP4 sample (4-byte lengths); stops at a length past the end.
pub(crate) fn sample_nals(sample: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = sample;
    std::iter::from_fn(move || {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = u32::from_be_bytes(*len) as usize;
        let nal = tail.get(..len)?;
        rest = &tail[len..];
        Some(nal)
    })
}

fn put_nal(frame: &mut Vec<u8>, nal: &[u8]) {
    frame.extend_from_slice(&(nal.len() as u32).to_be_bytes());
    frame.extend_from_slice(nal);
}

impl PayloadFormat for H264 {
    const VIDEO: bool = true;
    const ONE_PACKET_FRAMES: bool = false;

    fn parse(&mut self, payload: &[u8], frame: &mut Vec<u8>) -> Result<bool, MuxError> {
        // Everything but the continuation of a fragmented NAL unit can begin an access unit.
        let start = !(payload.first().is_some_and(|h| h & 0x1f == 28) && payload.get(1).is_some_and(|f| f & 0x80 == 0));
        self.nals.clear();
        self.depack.push(payload, &mut self.nals)?;
        for nal in &self.nals {
            let Some(&header) = nal.first() else { continue };
            match header & 0x1f {
                nal::AUD | nal::FILLER => continue,
                nal::SPS if nal.len() <= MAX_PARAMETER_SET => {
                    self.sps.clear();
                    self.sps.extend_from_slice(nal);
                    self.has_sps = true;
                }
                nal::PPS if nal.len() <= MAX_PARAMETER_SET => {
                    self.pps.clear();
                    self.pps.extend_from_slice(nal);
                    self.has_pps = true;
                }
                nal::IDR => (self.has_idr, self.has_slice) = (true, true),
                1..=4 => self.has_slice = true,
                _ => {}
            }
            put_nal(frame, nal);
        }
        Ok(start)
    }

    fn finish(&mut self, frame: &mut Vec<u8>) -> Result<Verdict, MuxError> {
        if !self.has_slice {
            return Ok(Verdict::Skip);
        }
        if !self.has_idr {
            return Ok(Verdict::Delta);
        }
        if self.sps.is_empty() || self.pps.is_empty() {
            return Ok(Verdict::Delta);
        }
        if !(self.has_sps && self.has_pps) {
            let mut with = Vec::with_capacity(frame.len() + self.sps.len() + self.pps.len() + 8);
            put_nal(&mut with, &self.sps);
            put_nal(&mut with, &self.pps);
            with.extend_from_slice(frame);
            *frame = with;
        }
        Ok(Verdict::Key(None))
    }

    fn clear(&mut self) {
        (self.has_sps, self.has_pps, self.has_idr, self.has_slice) = (false, false, false, false);
    }

    fn reset(&mut self) {
        self.depack.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stap_a_then_fu_a_make_one_sample() {
        let mut h = H264::default();
        let mut frame = Vec::new();
        // STAP-A: AUD, SPS, PPS.
        let stap = [24, 0, 2, 9, 0xf0, 0, 3, 0x67, 1, 2, 0, 2, 0x68, 3];
        assert!(h.parse(&stap, &mut frame).expect("stap"));
        assert!(h.parse(&[0x7c, 0x85, 0xaa], &mut frame).expect("fu start"));
        assert!(!h.parse(&[0x7c, 0x45, 0xbb], &mut frame).expect("fu end"));
        assert_eq!(h.finish(&mut frame).ok(), Some(Verdict::Key(None)));
        assert_eq!(frame, [0, 0, 0, 3, 0x67, 1, 2, 0, 0, 0, 2, 0x68, 3, 0, 0, 0, 3, 0x65, 0xaa, 0xbb]);
        assert_eq!(sample_nals(&frame).count(), 3);
        h.clear();
        // An IDR alone gets the kept parameter sets in front.
        let mut idr = Vec::new();
        h.parse(&[0x65, 0xcc], &mut idr).expect("idr");
        assert_eq!(h.finish(&mut idr).ok(), Some(Verdict::Key(None)));
        assert_eq!(sample_nals(&idr).map(|n| n[0] & 0x1f).collect::<Vec<_>>(), [7, 8, 5]);
    }

    #[test]
    fn garbage_is_an_error_and_params_alone_are_skipped() {
        let mut h = H264::default();
        let mut frame = Vec::new();
        assert!(h.parse(&[], &mut frame).is_err());
        assert!(h.parse(&[0x80], &mut frame).is_err());
        assert!(h.parse(&[24, 0, 9, 1], &mut frame).is_err());
        assert!(h.parse(&[0x7c, 0x05, 1], &mut frame).is_err()); // continuation without start
        h.parse(&[0x67, 1, 2], &mut frame).expect("sps");
        assert_eq!(h.finish(&mut frame).ok(), Some(Verdict::Skip));
        h.clear();
        let mut idr = Vec::new();
        let mut fresh = H264::default();
        fresh.parse(&[0x65, 1], &mut idr).expect("idr");
        assert_eq!(fresh.finish(&mut idr).ok(), Some(Verdict::Delta)); // no SPS/PPS yet
    }
}
