//! Framing of TURN over a byte stream (RFC 8656 §12.5): a STUN message is its 20-byte header
//! and its length; a ChannelData message is its 4-byte header and its length, padded to a
//! multiple of 4 bytes on a stream. The lengths are read with `turn_types`' parsers; the
//! padding is this driver's job (the sans-IO server's own stream buffer does not skip it,
//! and writes ChannelData unpadded).

use turn_server_proto::types::channel::ChannelData;
use turn_server_proto::types::stun::message::MessageHeader;

/// A frame is at most a STUN header and 65535 bytes; more buffered than two of them is abuse.
pub(crate) const MAX_BUFFERED: usize = 2 * (MessageHeader::LENGTH + 65_535 + 3);

/// RFC 8489 §5: every STUN message carries it (RFC 3489 ones are not TURN).
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];

/// The stream is not TURN, or buffers more than [`MAX_BUFFERED`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadStream;

#[derive(Debug, Default)]
pub(crate) struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<(), BadStream> {
        if self.buf.len() + data.len() > MAX_BUFFERED {
            return Err(BadStream);
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// The next whole frame (a ChannelData frame without its padding), if buffered.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Vec<u8>>, BadStream> {
        let Some(&first) = self.buf.first() else { return Ok(None) };
        let (len, padded) = match first >> 6 {
            0 => {
                if self.buf.len() < MessageHeader::LENGTH {
                    return Ok(None);
                }
                if self.buf[4..8] != MAGIC_COOKIE {
                    return Err(BadStream);
                }
                let header = MessageHeader::from_bytes(&self.buf[..MessageHeader::LENGTH]).map_err(|_| BadStream)?;
                let len = MessageHeader::LENGTH + usize::from(header.data_length());
                (len, len)
            }
            1 => {
                if self.buf.len() < 4 {
                    return Ok(None);
                }
                let (_id, data_len) = ChannelData::parse_header(&self.buf).map_err(|_| BadStream)?;
                let len = 4 + data_len;
                (len, len.next_multiple_of(4))
            }
            _ => return Err(BadStream),
        };
        if self.buf.len() < padded {
            return Ok(None);
        }
        let frame = self.buf[..len].to_vec();
        self.buf.drain(..padded);
        Ok(Some(frame))
    }
}

/// A message for a stream client: ChannelData padded to a multiple of 4 bytes.
pub(crate) fn pad_for_stream(mut data: Vec<u8>) -> Vec<u8> {
    if data.first().is_some_and(|b| b >> 6 == 1) {
        data.resize(data.len().next_multiple_of(4), 0);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stun(len: u16) -> Vec<u8> {
        let mut m = vec![0x00, 0x01, (len >> 8) as u8, len as u8, 0x21, 0x12, 0xa4, 0x42];
        m.extend_from_slice(&[7; 12]);
        m.extend(std::iter::repeat_n(0, usize::from(len)));
        m
    }

    #[test]
    fn frames_split_anywhere_come_out_whole_and_channel_padding_is_skipped() {
        let mut stream = stun(8);
        stream.extend_from_slice(&[0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0]);
        stream.extend(stun(0));
        for split in 0..stream.len() {
            let mut f = Framer::default();
            let mut frames = Vec::new();
            for part in [&stream[..split], &stream[split..]] {
                f.push(part).expect("small");
                while let Some(frame) = f.next_frame().expect("valid") {
                    frames.push(frame);
                }
            }
            assert_eq!(frames, vec![stun(8), vec![0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5], stun(0)], "split at {split}");
        }
    }

    #[test]
    fn garbage_and_floods_are_refused() {
        let mut f = Framer::default();
        f.push(&[0xc0, 1, 2, 3, 4]).expect("small");
        assert_eq!(f.next_frame(), Err(BadStream), "neither STUN nor ChannelData");
        let mut f = Framer::default();
        f.push(&[0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0]).expect("small");
        f.push(&[0; 12]).expect("small");
        assert_eq!(f.next_frame(), Err(BadStream), "no magic cookie");
        let mut f = Framer::default();
        assert_eq!(f.push(&vec![0; MAX_BUFFERED + 1]), Err(BadStream));
    }

    #[test]
    fn channel_data_for_a_stream_is_padded() {
        assert_eq!(pad_for_stream(vec![0x40, 0, 0, 1, 9]), vec![0x40, 0, 0, 1, 9, 0, 0, 0]);
        assert_eq!(pad_for_stream(stun(4)), stun(4));
    }
}
