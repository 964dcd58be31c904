//! A minimal RTP header parser (RFC 3550 5.1) for what comes back from ffmpeg over loopback
//! UDP, and the RTCP sender report (RFC 3550 6.4.1) ffmpeg sends beside it. Input from a
//! socket: bounds-checked, errors instead of panics (fuzz target `rtp_header`).

use std::ops::Range;

use crate::error::CodecError;

const RTP: &str = "RTP header";
const SR: &str = "RTCP sender report";

/// The fields of one RTP packet's header and where its payload lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpView {
    /// Always 2.
    pub version: u8,
    /// The marker bit (the last packet of a video frame).
    pub marker: bool,
    /// The payload type (7 bits).
    pub payload_type: u8,
    /// The sequence number.
    pub seq: u16,
    /// The timestamp.
    pub timestamp: u32,
    /// The synchronisation source.
    pub ssrc: u32,
    /// The payload's byte range in the packet: after the CSRCs and any header extension,
    /// before any padding.
    pub payload: Range<usize>,
}

impl RtpView {
    /// Parses a packet's header; the payload may be empty.
    pub fn parse(packet: &[u8]) -> Result<RtpView, CodecError> {
        let fixed: &[u8; 12] = packet.first_chunk().ok_or(CodecError::Truncated(RTP))?;
        let version = fixed[0] >> 6;
        if version != 2 {
            return Err(CodecError::Invalid { what: RTP, why: "version is not 2" });
        }
        let padding = fixed[0] & 0x20 != 0;
        let extension = fixed[0] & 0x10 != 0;
        let csrcs = usize::from(fixed[0] & 0x0f);
        let mut start = 12 + 4 * csrcs;
        if extension {
            let ext = packet.get(start..start + 4).ok_or(CodecError::Truncated(RTP))?;
            let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
            start += 4 + 4 * words;
        }
        if start > packet.len() {
            return Err(CodecError::Truncated(RTP));
        }
        let mut end = packet.len();
        if padding {
            let pad = usize::from(packet[end - 1]);
            if pad == 0 || pad > end - start {
                return Err(CodecError::Invalid { what: RTP, why: "padding longer than the payload" });
            }
            end -= pad;
        }
        Ok(RtpView {
            version,
            marker: fixed[1] & 0x80 != 0,
            payload_type: fixed[1] & 0x7f,
            seq: u16::from_be_bytes([fixed[2], fixed[3]]),
            timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
            ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
            payload: start..end,
        })
    }
}

/// The sender-info part of an RTCP sender report: which RTP timestamp the sender's wall
/// clock (NTP format) matched when it sent the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// NTP timestamp: seconds since 1900 in the high 32 bits, the fraction in the low ones.
    pub ntp: u64,
    /// The RTP timestamp matching `ntp`.
    pub rtp_timestamp: u32,
    /// Packets sent so far.
    pub packet_count: u32,
    /// Payload octets sent so far.
    pub octet_count: u32,
}

impl SenderReport {
    /// Parses the first packet of an RTCP compound packet, which must be a sender report.
    pub fn parse(packet: &[u8]) -> Result<SenderReport, CodecError> {
        let b: &[u8; 28] = packet.first_chunk().ok_or(CodecError::Truncated(SR))?;
        if b[0] >> 6 != 2 {
            return Err(CodecError::Invalid { what: SR, why: "version is not 2" });
        }
        if b[1] != 200 {
            return Err(CodecError::Invalid { what: SR, why: "not a sender report (packet type 200)" });
        }
        let words = usize::from(u16::from_be_bytes([b[2], b[3]]));
        if (words + 1) * 4 > packet.len() || words < 6 {
            return Err(CodecError::Invalid { what: SR, why: "length past the packet or shorter than the sender info" });
        }
        let be32 = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Ok(SenderReport {
            ssrc: be32(4),
            ntp: u64::from(be32(8)) << 32 | u64::from(be32(12)),
            rtp_timestamp: be32(16),
            packet_count: be32(20),
            octet_count: be32(24),
        })
    }

    /// The NTP timestamp in microseconds since 1900, rounded to the nearest.
    pub fn ntp_micros(&self) -> u64 {
        let secs = self.ntp >> 32;
        let frac = self.ntp & 0xffff_ffff;
        secs * 1_000_000 + ((frac * 1_000_000 + (1 << 31)) >> 32)
    }
}

/// An RTCP picture loss indication (RFC 4585 §6.3.1: payload-specific feedback, FMT 1) from
/// `sender` about `media`: how a job's encoder is asked for a keyframe.
pub fn picture_loss_indication(sender: u32, media: u32) -> [u8; 12] {
    let mut p = [0u8; 12];
    p[0] = 0x80 | 1; // version 2, FMT 1
    p[1] = 206; // payload-specific feedback
    p[3] = 2; // length in 32-bit words, minus one
    p[4..8].copy_from_slice(&sender.to_be_bytes());
    p[8..12].copy_from_slice(&media.to_be_bytes());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(first: u8, extra: &[u8], payload: &[u8], tail: &[u8]) -> Vec<u8> {
        let mut p = vec![first, 0x80 | 111, 0x12, 0x34, 0, 0, 0x03, 0xc0, 0xde, 0xad, 0xbe, 0xef];
        p.extend_from_slice(extra);
        p.extend_from_slice(payload);
        p.extend_from_slice(tail);
        p
    }

    #[test]
    fn a_plain_packet() {
        let p = packet(0x80, &[], b"opus", &[]);
        let v = RtpView::parse(&p).expect("valid");
        assert_eq!((v.version, v.marker, v.payload_type, v.seq, v.timestamp, v.ssrc), (2, true, 111, 0x1234, 960, 0xdead_beef));
        assert_eq!(&p[v.payload], b"opus");
    }

    #[test]
    fn csrcs_extension_and_padding_are_skipped() {
        // Two CSRCs, a one-word extension, three bytes of padding.
        let extra = [1, 1, 1, 1, 2, 2, 2, 2, 0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0];
        let p = packet(0x80 | 0x20 | 0x10 | 2, &extra, b"data", &[0, 0, 3]);
        let v = RtpView::parse(&p).expect("valid");
        assert_eq!(&p[v.payload], b"data");
    }

    #[test]
    fn bad_packets_are_refused() {
        assert!(RtpView::parse(&[0x80; 11]).is_err(), "short");
        assert!(RtpView::parse(&packet(0x40, &[], b"x", &[])).is_err(), "version 1");
        assert!(RtpView::parse(&packet(0x81, &[], b"", &[])).is_err(), "CSRC past the end");
        assert!(RtpView::parse(&packet(0x90, &[0xbe, 0xde, 0, 9], b"", &[])).is_err(), "extension past the end");
        assert!(RtpView::parse(&packet(0xa0, &[], b"x", &[5])).is_err(), "padding past the payload");
        assert!(RtpView::parse(&packet(0xa0, &[], b"x", &[0])).is_err(), "zero padding");
        // Padding that takes the whole payload leaves an empty one.
        let v = RtpView::parse(&packet(0xa0, &[], b"", &[0, 2])).expect("valid");
        assert!(v.payload.is_empty());
    }

    #[test]
    fn sender_reports() {
        let mut p = vec![0x80, 200, 0, 6, 0, 0, 0, 7];
        p.extend_from_slice(&3_900_000_000u32.to_be_bytes());
        p.extend_from_slice(&0x8000_0000u32.to_be_bytes());
        p.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 9]);
        let sr = SenderReport::parse(&p).expect("valid");
        assert_eq!((sr.ssrc, sr.rtp_timestamp, sr.packet_count, sr.octet_count), (7, 256, 5, 9));
        assert_eq!(sr.ntp_micros(), 3_900_000_000 * 1_000_000 + 500_000);
        let mut rr = p.clone();
        rr[1] = 201;
        assert!(SenderReport::parse(&rr).is_err(), "a receiver report");
        assert!(SenderReport::parse(&p[..27]).is_err(), "short");
        let mut long = p.clone();
        long[3] = 9;
        assert!(SenderReport::parse(&long).is_err(), "length past the packet");
    }
}
