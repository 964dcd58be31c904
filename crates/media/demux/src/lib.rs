//! Sans-IO parsers of broadcast input (issue 13): what OBS, ffmpeg and other encoders send
//! over RTMP (`rtmp`: handshake, chunk streams, AMF0 commands, the publish flow) and over
//! SRT as MPEG-TS (`ts`), turned into one normalised stream of H.264 and AAC elementary
//! units ([`Elementary`]) so one pipeline can be fed from either.
//!
//! Nothing here reads a socket or a clock: bytes and `Instant`s go in, bytes to write back,
//! events and deadlines come out. Everything parsed is untrusted: lengths are checked
//! against the input and against [`rtmp::Limits`] before anything is allocated, and every
//! refusal is a [`DemuxError`]; nothing panics.
//!
//! Times are milliseconds on both paths: RTMP's 32-bit millisecond timestamps extended to
//! `i64` across wraps, MPEG-TS's 33-bit 90 kHz PTS/DTS extended the same way and rounded
//! to the nearest millisecond.

pub mod aac;
pub mod amf0;
mod bits;
mod error;
pub mod flv;
pub mod fuzzing;
pub mod h264;
pub mod rtmp;
mod time;
pub mod ts;

use bytes::Bytes;

pub use error::DemuxError;
pub use flv::FlvDemuxer;
pub use rtmp::{Limits, RtmpEvent, RtmpSession, RtmpStats, StreamMetadata};
pub use ts::{TsDemuxer, TsStats};

/// The error of the RTMP session (the crate's one error type).
pub type RtmpError = DemuxError;
/// The error of the MPEG-TS demuxer (the crate's one error type).
pub type TsError = DemuxError;

/// One unit of the normalised output of both the RTMP and the MPEG-TS path.
#[derive(Debug, Clone, PartialEq)]
pub enum Elementary {
    /// H.264 parameter sets: from the AVC sequence header (RTMP) or seen in band (TS),
    /// each time they first appear or change.
    VideoConfig(H264Config),
    /// One H.264 access unit.
    Video(VideoFrame),
    /// The AAC configuration: from the AAC sequence header (RTMP) or an ADTS header (TS),
    /// each time it first appears or changes.
    AudioConfig(AacConfig),
    /// One raw AAC frame (no ADTS header).
    Audio(AudioFrame),
    /// A codec this crate recognises but does not carry, named for a log line or an
    /// ingress error (e.g. "HEVC over enhanced RTMP (FourCC hvc1)", "MP3 audio"). Given
    /// once per codec and source, not per frame.
    Unsupported {
        /// The codec and how it arrived.
        what: String,
    },
}

/// H.264 parameter sets and what the first SPS says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H264Config {
    /// Sequence parameter sets (NAL units without start codes or length prefixes).
    pub sps: Vec<Bytes>,
    /// Picture parameter sets (NAL units without start codes or length prefixes).
    pub pps: Vec<Bytes>,
    /// `profile_idc` of the first SPS (66 Baseline, 77 Main, 100 High, …).
    pub profile_idc: u8,
    /// The constraint flags byte of the first SPS (`constraint_set0_flag` is its top bit).
    pub constraint_flags: u8,
    /// `level_idc` of the first SPS (e.g. 31 for level 3.1).
    pub level_idc: u8,
    /// Width in pixels, cropping applied.
    pub width: u32,
    /// Height in pixels, cropping applied.
    pub height: u32,
}

/// One H.264 access unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoFrame {
    /// Decode time, milliseconds.
    pub dts_ms: i64,
    /// Presentation time, milliseconds (greater than `dts_ms` for frames that B-frames
    /// precede in decode order).
    pub pts_ms: i64,
    /// An IDR picture (RTMP: the FLV frame type; TS: an IDR NAL unit present).
    pub keyframe: bool,
    /// The NAL units in order, without start codes or length prefixes. Access unit
    /// delimiters are left out; in-band SPS/PPS/SEI stay.
    pub nalus: Vec<Bytes>,
}

/// The AAC configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AacConfig {
    /// The audio object type (2 for AAC-LC).
    pub object_type: u8,
    /// Sampling frequency in Hz.
    pub sample_rate: u32,
    /// Channel configuration (1 mono, 2 stereo, …; 0 when given in a program config element).
    pub channels: u8,
    /// The raw AudioSpecificConfig (built from the ADTS header on the TS path).
    pub asc: Bytes,
}

/// One raw AAC frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioFrame {
    /// Presentation time, milliseconds.
    pub pts_ms: i64,
    /// The raw frame (no ADTS header).
    pub data: Bytes,
}
