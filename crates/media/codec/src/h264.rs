//! H.264 access units → RTP payloads (RFC 6184, packetization-mode 1), for passthrough: a
//! NAL unit that fits goes alone, smaller neighbours share a STAP-A, a bigger one is cut
//! into FU-A fragments. Before every IDR picture the SPS and PPS go in band (browsers need
//! them to start decoding after joining mid-stream). Access unit delimiters, filler data,
//! units of the unspecified types (0, 24–31, which RTP would read as its own) and units with
//! the forbidden bit set are dropped. Pure: no I/O, no clock.

use bytes::{BufMut, Bytes, BytesMut};

/// NAL unit types this module looks at (H.264 table 7-1).
pub mod nal_type {
    /// A slice of an IDR picture.
    pub const IDR: u8 = 5;
    /// Supplemental enhancement information.
    pub const SEI: u8 = 6;
    /// Sequence parameter set.
    pub const SPS: u8 = 7;
    /// Picture parameter set.
    pub const PPS: u8 = 8;
    /// Access unit delimiter (dropped).
    pub const AUD: u8 = 9;
    /// Filler data (dropped).
    pub const FILLER: u8 = 12;
    /// RFC 6184 single-time aggregation packet.
    pub const STAP_A: u8 = 24;
    /// RFC 6184 fragmentation unit.
    pub const FU_A: u8 = 28;
}

/// The smallest payload size a packetizer accepts (smaller values are raised to it).
pub const MIN_PAYLOAD: usize = 16;
/// Parameter sets longer than this are not kept for re-sending (real ones are far smaller).
const MAX_PARAMETER_SET: usize = 4096;

/// The NAL unit type of a NAL unit (its first byte's low five bits); `None` when empty.
pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| b & 0x1f)
}

/// Whether an RTP payload starts a keyframe: an SPS or IDR slice alone, in a STAP-A, or
/// the first fragment of either.
pub fn starts_keyframe(payload: &[u8]) -> bool {
    let key = |t: u8| t == nal_type::IDR || t == nal_type::SPS;
    match nal_unit_type(payload) {
        Some(nal_type::STAP_A) => {
            let mut at = 1usize;
            while let (Some(&hi), Some(&lo)) = (payload.get(at), payload.get(at + 1)) {
                let len = usize::from(hi) << 8 | usize::from(lo);
                match payload.get(at + 2) {
                    Some(&h) if len > 0 && key(h & 0x1f) => return true,
                    Some(_) => at += 2 + len,
                    None => return false,
                }
            }
            false
        }
        Some(nal_type::FU_A) => payload.get(1).is_some_and(|&h| h & 0x80 != 0 && key(h & 0x1f)),
        Some(t) => key(t),
        None => false,
    }
}

/// Cuts access units into RTP payloads of at most `mtu_payload` bytes.
#[derive(Debug, Clone)]
pub struct Packetizer {
    mtu: usize,
    sps: Option<Bytes>,
    pps: Option<Bytes>,
}

impl Packetizer {
    /// A packetizer whose payloads are at most `mtu_payload` bytes (e.g. 1200); values below
    /// [`MIN_PAYLOAD`] are raised to it.
    pub fn new(mtu_payload: usize) -> Self {
        Self { mtu: mtu_payload.max(MIN_PAYLOAD), sps: None, pps: None }
    }

    /// The parameter sets to send before an IDR picture whose access unit lacks them (from
    /// the AVC configuration record: call again when a new one arrives). Parameter sets
    /// found in band replace these.
    pub fn set_parameter_sets(&mut self, sps: Bytes, pps: Bytes) {
        if !sps.is_empty() && sps.len() <= MAX_PARAMETER_SET {
            self.sps = Some(sps);
        }
        if !pps.is_empty() && pps.len() <= MAX_PARAMETER_SET {
            self.pps = Some(pps);
        }
    }

    /// Appends the payloads of one access unit (its NAL units without start codes or length
    /// prefixes, in decoding order) to `out`, in sending order; the last one carries the
    /// RTP marker. Appends nothing for an access unit with no NAL unit left to send.
    pub fn packetize(&mut self, nalus: &[Bytes], out: &mut Vec<Bytes>) {
        let mut list: Vec<&Bytes> = Vec::with_capacity(nalus.len() + 2);
        let (mut has_sps, mut has_pps, mut has_idr) = (false, false, false);
        for nal in nalus {
            if nal.first().is_some_and(|h| h & 0x80 != 0) {
                continue; // forbidden_zero_bit: a damaged unit
            }
            match nal_unit_type(nal) {
                None | Some(0 | nal_type::AUD | nal_type::FILLER | 24..=31) => continue,
                Some(nal_type::SPS) => {
                    has_sps = true;
                    if nal.len() <= MAX_PARAMETER_SET {
                        self.sps = Some(nal.clone());
                    }
                }
                Some(nal_type::PPS) => {
                    has_pps = true;
                    if nal.len() <= MAX_PARAMETER_SET {
                        self.pps = Some(nal.clone());
                    }
                }
                Some(nal_type::IDR) => has_idr = true,
                Some(_) => {}
            }
            list.push(nal);
        }
        let mut prefix: Vec<&Bytes> = Vec::with_capacity(2);
        if has_idr {
            if let (false, Some(sps)) = (has_sps, &self.sps) {
                prefix.push(sps);
            }
            if let (false, Some(pps)) = (has_pps, &self.pps) {
                prefix.push(pps);
            }
        }
        prefix.extend(list);
        self.emit(&prefix, out);
    }

    fn emit(&self, list: &[&Bytes], out: &mut Vec<Bytes>) {
        let total: usize = list.iter().map(|n| n.len()).sum();
        // Every payload shares one allocation: the units' bytes plus at most three bytes of
        // headers per payload.
        let payloads = total / (self.mtu - 2) + list.len() + 1;
        let mut buf = BytesMut::with_capacity(total + 3 * payloads);
        let mut i = 0;
        while i < list.len() {
            let nal = list[i];
            if nal.len() > self.mtu {
                self.fragment(nal, &mut buf, out);
                i += 1;
                continue;
            }
            // As many following units as fit one STAP-A (each length field is 16 bits).
            let (mut j, mut size) = (i, 1usize);
            while j < list.len() && list[j].len() <= usize::from(u16::MAX) && size + 2 + list[j].len() <= self.mtu {
                size += 2 + list[j].len();
                j += 1;
            }
            if j - i >= 2 {
                let (f, nri) = list[i..j].iter().fold((0u8, 0u8), |(f, nri), n| (f | (n[0] & 0x80), nri.max(n[0] & 0x60)));
                buf.put_u8(f | nri | nal_type::STAP_A);
                for n in &list[i..j] {
                    buf.put_u16(n.len() as u16);
                    buf.put_slice(n);
                }
                out.push(buf.split().freeze());
                i = j;
            } else {
                buf.put_slice(nal);
                out.push(buf.split().freeze());
                i += 1;
            }
        }
    }

    /// FU-A fragments of one NAL unit larger than a payload.
    fn fragment(&self, nal: &[u8], buf: &mut BytesMut, out: &mut Vec<Bytes>) {
        let header = nal[0];
        let indicator = (header & 0xe0) | nal_type::FU_A;
        let body = &nal[1..];
        let step = self.mtu - 2;
        let count = body.len().div_ceil(step);
        for (k, chunk) in body.chunks(step).enumerate() {
            let start = if k == 0 { 0x80 } else { 0 };
            let end = if k + 1 == count { 0x40 } else { 0 };
            buf.put_u8(indicator);
            buf.put_u8(start | end | (header & 0x1f));
            buf.put_slice(chunk);
            out.push(buf.split().freeze());
        }
    }
}

#[cfg(test)]
#[path = "h264_tests.rs"]
mod tests;
