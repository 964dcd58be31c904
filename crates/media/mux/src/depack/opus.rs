//! Opus over RTP (RFC 7587): one packet is one Opus packet is one frame. The TOC byte
//! (RFC 6716 section 3.1) gives the packet's duration, which the writers use for the
//! last frame.

use super::{PayloadFormat, Verdict};
use crate::error::MuxError;

const WHAT: &str = "Opus packet";
/// Longer than any Opus packet (48 frames of 1275 bytes) and than an Ogg packet we lace
/// on one page.
const MAX_PACKET: usize = 255 * 255 - 1;

/// The Opus payload format.
#[derive(Debug, Default)]
pub(crate) struct Opus;

impl PayloadFormat for Opus {
    const VIDEO: bool = false;
    const ONE_PACKET_FRAMES: bool = true;

    fn parse(&mut self, payload: &[u8], frame: &mut Vec<u8>) -> Result<bool, MuxError> {
        if payload.len() > MAX_PACKET {
            return Err(MuxError::Invalid { what: WHAT, why: "longer than any Opus packet" });
        }
        packet_samples(payload)?;
        frame.extend_from_slice(payload);
        Ok(true)
    }

    fn finish(&mut self, _frame: &mut Vec<u8>) -> Result<Verdict, MuxError> {
        Ok(Verdict::Key(None))
    }

    fn clear(&mut self) {}

    fn reset(&mut self) {}
}

/// The number of 48 kHz samples an Opus packet decodes to (at most 120 ms = 5760).
pub(crate) fn packet_samples(packet: &[u8]) -> Result<u32, MuxError> {
    let toc = *packet.first().ok_or(MuxError::Truncated(WHAT))?;
    let config = toc >> 3;
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)], // SILK: 10, 20, 40, 60 ms
        12..=15 => [480, 960][usize::from(config % 2)],            // hybrid: 10, 20 ms
        _ => [120, 240, 480, 960][usize::from(config % 4)],        // CELT: 2.5, 5, 10, 20 ms
    };
    let count = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => {
            let m = packet.get(1).ok_or(MuxError::Truncated(WHAT))? & 0x3f;
            if m == 0 {
                return Err(MuxError::Invalid { what: WHAT, why: "code 3 packet with no frames" });
            }
            u32::from(m)
        }
    };
    let samples = frame * count;
    if samples > 5760 {
        return Err(MuxError::Invalid { what: WHAT, why: "longer than 120 ms" });
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toc_durations() {
        assert_eq!(packet_samples(&[0xfc, 1, 2]).ok(), Some(960)); // CELT FB 20 ms, code 0
        assert_eq!(packet_samples(&[0x09 << 3 | 1]).ok(), Some(1920)); // SILK WB 20 ms ×2
        assert_eq!(packet_samples(&[0x1f << 3 | 3, 6]).ok(), Some(5760)); // 6 × 20 ms
        assert!(packet_samples(&[0x1f << 3 | 3, 7]).is_err()); // 140 ms
        assert!(packet_samples(&[0x1f << 3 | 3]).is_err()); // no frame count
        assert!(packet_samples(&[0x1f << 3 | 3, 0]).is_err());
        assert!(packet_samples(&[]).is_err());
    }
}
