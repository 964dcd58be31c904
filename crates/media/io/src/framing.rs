//! RFC 4571 framing: ICE over TCP carries each STUN, DTLS, RTP or RTCP packet behind a
//! 16-bit big-endian length. [`Deframer`] reassembles packets from a byte stream that
//! arrives in arbitrary pieces; [`frame`] writes one.
//!
//! Bounded: a connection holds at most one unfinished packet, and packets larger than
//! [`MAX_PACKET`] (nothing WebRTC sends is) or empty ones mark the stream as garbage.

/// The largest packet accepted; WebRTC packets stay under the path MTU.
pub const MAX_PACKET: usize = 4096;

/// Reassembles length-prefixed packets.
#[derive(Debug, Default)]
pub struct Deframer {
    buf: Vec<u8>,
}

/// The stream is not RFC 4571 framing of WebRTC packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not RFC 4571 framing: a packet of {0} bytes (1 to {MAX_PACKET} expected)")]
pub struct Garbage(pub usize);

impl Deframer {
    /// Appends bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Calls `each` with every complete packet, in order, and keeps the remainder.
    pub fn drain(&mut self, mut each: impl FnMut(&[u8])) -> Result<(), Garbage> {
        let mut at = 0;
        let result = loop {
            let rest = &self.buf[at..];
            if rest.len() < 2 {
                break Ok(());
            }
            let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
            if len == 0 || len > MAX_PACKET {
                break Err(Garbage(len));
            }
            let Some(packet) = rest.get(2..2 + len) else { break Ok(()) };
            each(packet);
            at += 2 + len;
        };
        self.buf.drain(..at);
        result
    }

    /// Bytes waiting for the rest of their packet.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

/// Appends one framed packet to `out`; `None` if it is too large to frame.
pub fn frame(packet: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let len = u16::try_from(packet.len()).ok()?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packets(d: &mut Deframer) -> Result<Vec<Vec<u8>>, Garbage> {
        let mut got = Vec::new();
        d.drain(|p| got.push(p.to_vec()))?;
        Ok(got)
    }

    #[test]
    fn packets_split_anywhere_come_out_whole_and_in_order() {
        let mut stream = Vec::new();
        for p in [&b"stun"[..], &[7u8; 1200][..], b"x"] {
            frame(p, &mut stream).expect("small");
        }
        for cut in 0..stream.len() {
            let mut d = Deframer::default();
            d.push(&stream[..cut]);
            let mut got = packets(&mut d).expect("valid");
            d.push(&stream[cut..]);
            got.extend(packets(&mut d).expect("valid"));
            assert_eq!(got, vec![b"stun".to_vec(), vec![7u8; 1200], b"x".to_vec()], "cut at {cut}");
            assert_eq!(d.pending(), 0);
        }
    }

    #[test]
    fn oversized_or_empty_packets_are_garbage() {
        let mut d = Deframer::default();
        d.push(&[0xff, 0xff, 1, 2, 3]);
        assert_eq!(packets(&mut d), Err(Garbage(65535)));
        let mut d = Deframer::default();
        d.push(&[0, 0]);
        assert_eq!(packets(&mut d), Err(Garbage(0)));
        assert!(frame(&vec![0; 70_000], &mut Vec::new()).is_none());
    }
}
