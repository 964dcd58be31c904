//! AAC syntax the demuxers need: the AudioSpecificConfig (FLV sequence header, ISO/IEC
//! 14496-3 1.6.2.1) and the ADTS frame header (MPEG-TS audio, 14496-3 1.A.2.2).

use bytes::Bytes;

use crate::bits::Bits;
use crate::{AacConfig, DemuxError};

/// Sampling frequencies by index (14496-3 table 1.18).
const FREQUENCIES: [u32; 13] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/// The sampling frequency of an index, if the index names one.
pub fn frequency(index: u8) -> Option<u32> {
    FREQUENCIES.get(usize::from(index)).copied()
}

/// Parses an AudioSpecificConfig: object type (with the escape to 32 and up), sampling
/// frequency (an index or an explicit 24-bit value) and channel configuration.
pub fn parse_asc(asc: &Bytes) -> Result<AacConfig, DemuxError> {
    const WHAT: &str = "AudioSpecificConfig";
    let mut b = Bits::new(asc, WHAT);
    let mut object_type = b.bits(5)?;
    if object_type == 31 {
        object_type = 32 + b.bits(6)?;
    }
    let index = b.bits(4)? as u8;
    let sample_rate =
        if index == 15 { b.bits(24)? } else { frequency(index).ok_or_else(|| DemuxError::invalid(WHAT, format!("sampling frequency index {index}")))? };
    if sample_rate == 0 {
        return Err(DemuxError::invalid(WHAT, "sampling frequency 0"));
    }
    let channels = b.bits(4)? as u8;
    Ok(AacConfig { object_type: object_type as u8, sample_rate, channels, asc: asc.clone() })
}

/// An ADTS frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adts {
    /// Audio object type (the ADTS profile plus one).
    pub object_type: u8,
    /// Sampling frequency index.
    pub frequency_index: u8,
    /// Channel configuration.
    pub channels: u8,
    /// Header length: 7, or 9 with a CRC.
    pub header_len: usize,
    /// Whole frame length, header included.
    pub frame_len: usize,
}

impl Adts {
    /// Parses the header at the start of `data`.
    pub fn parse(data: &[u8]) -> Result<Self, DemuxError> {
        const WHAT: &str = "ADTS header";
        let h = data.get(..7).ok_or(DemuxError::Truncated(WHAT))?;
        if h[0] != 0xff || h[1] & 0xf6 != 0xf0 {
            return Err(DemuxError::invalid(WHAT, "no sync word"));
        }
        let header_len = if h[1] & 1 == 1 { 7 } else { 9 };
        let object_type = (h[2] >> 6) + 1;
        let frequency_index = (h[2] >> 2) & 0x0f;
        if frequency(frequency_index).is_none() {
            return Err(DemuxError::invalid(WHAT, format!("sampling frequency index {frequency_index}")));
        }
        let channels = ((h[2] & 1) << 2) | (h[3] >> 6);
        let frame_len = (usize::from(h[3] & 3) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
        if frame_len <= header_len {
            return Err(DemuxError::invalid(WHAT, format!("frame length {frame_len}")));
        }
        Ok(Self { object_type, frequency_index, channels, header_len, frame_len })
    }

    /// The configuration this header describes, with an AudioSpecificConfig built from it.
    pub fn config(&self) -> AacConfig {
        let asc = (u16::from(self.object_type) << 11) | (u16::from(self.frequency_index) << 7) | (u16::from(self.channels) << 3);
        AacConfig {
            object_type: self.object_type,
            sample_rate: frequency(self.frequency_index).unwrap_or(0),
            channels: self.channels,
            asc: Bytes::copy_from_slice(&asc.to_be_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_asc_with_index_and_explicit_frequency() {
        // AAC-LC, 48 kHz, mono.
        let c = parse_asc(&Bytes::from_static(&[0x11, 0x88])).expect("valid");
        assert_eq!((c.object_type, c.sample_rate, c.channels), (2, 48000, 1));
        // AAC-LC, explicit 44100 Hz, stereo.
        let c = parse_asc(&Bytes::from_static(&[0x17, 0x80, 0x56, 0x22, 0x10])).expect("valid");
        assert_eq!((c.object_type, c.sample_rate, c.channels), (2, 44100, 2));
        assert!(parse_asc(&Bytes::from_static(&[0x17])).is_err());
    }

    #[test]
    fn adts_header_round_trips_to_an_asc() {
        // AAC-LC 48 kHz mono, 7-byte header, frame of 200 bytes.
        let h = [0xff, 0xf1, 0x4c, 0x40, (200 >> 3) as u8, ((200 & 7) << 5) as u8 | 0x1f, 0xfc];
        let a = Adts::parse(&h).expect("valid");
        assert_eq!((a.object_type, a.frequency_index, a.channels, a.header_len, a.frame_len), (2, 3, 1, 7, 200));
        assert_eq!(&a.config().asc[..], &[0x11, 0x88]);
        assert!(Adts::parse(&h[..6]).is_err());
    }
}
