//! RTP payloads → H.264 NAL units (RFC 6184, packetization-mode 1: single NAL units,
//! STAP-A, FU-A), for tests and diagnostics of what a job or the [`crate::Packetizer`]
//! sends. Bounded: a NAL unit growing past its cap is dropped with an error.

use crate::error::CodecError;
use crate::h264::nal_type;

const WHAT: &str = "H.264 RTP payload";

/// Reassembles NAL units from payloads given in sequence order.
#[derive(Debug)]
pub struct Depacketizer {
    fu: Option<Vec<u8>>,
    max_nal: usize,
}

impl Depacketizer {
    /// A depacketizer refusing NAL units longer than `max_nal` bytes.
    pub fn new(max_nal: usize) -> Self {
        Self { fu: None, max_nal }
    }

    /// Forgets a fragmented NAL unit in progress (call after a sequence gap).
    pub fn reset(&mut self) {
        self.fu = None;
    }

    /// Appends the NAL units `payload` completes to `out`.
    pub fn push(&mut self, payload: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), CodecError> {
        let header = *payload.first().ok_or(CodecError::Truncated(WHAT))?;
        if header & 0x80 != 0 {
            return Err(CodecError::Invalid { what: WHAT, why: "forbidden_zero_bit set" });
        }
        match header & 0x1f {
            0 => Err(CodecError::Invalid { what: WHAT, why: "NAL unit type 0" }),
            1..=23 => {
                self.fu = None;
                out.push(payload.to_vec());
                Ok(())
            }
            nal_type::STAP_A => {
                self.fu = None;
                let mut rest = &payload[1..];
                let mut units = Vec::new();
                while !rest.is_empty() {
                    let [hi, lo, tail @ ..] = rest else { return Err(CodecError::Truncated(WHAT)) };
                    let len = usize::from(*hi) << 8 | usize::from(*lo);
                    if len == 0 || len > tail.len() {
                        return Err(CodecError::Invalid { what: WHAT, why: "STAP-A unit length past the payload" });
                    }
                    units.push(tail[..len].to_vec());
                    rest = &tail[len..];
                }
                out.extend(units);
                Ok(())
            }
            nal_type::FU_A => {
                let fu_header = *payload.get(1).ok_or(CodecError::Truncated(WHAT))?;
                let (start, end) = (fu_header & 0x80 != 0, fu_header & 0x40 != 0);
                if start {
                    let mut nal = Vec::with_capacity(payload.len().min(self.max_nal));
                    nal.push((header & 0xe0) | (fu_header & 0x1f));
                    self.fu = Some(nal);
                }
                let Some(nal) = self.fu.as_mut() else {
                    return Err(CodecError::Invalid { what: WHAT, why: "FU-A continuation without its start" });
                };
                if nal.len() + payload.len() - 2 > self.max_nal {
                    self.fu = None;
                    return Err(CodecError::Invalid { what: WHAT, why: "NAL unit longer than the cap" });
                }
                nal.extend_from_slice(&payload[2..]);
                if end && let Some(nal) = self.fu.take() {
                    out.push(nal);
                }
                Ok(())
            }
            _ => Err(CodecError::Invalid { what: WHAT, why: "packetization-mode 1 has no such payload type" }),
        }
    }
}
