//! What a job hands back: RTP packets per output stream, then how it ended.

use bytes::Bytes;

use crate::error::JobError;

/// Payload type of the Opus stream.
pub const OPUS_PAYLOAD_TYPE: u8 = 111;
/// Payload type of video layer 0; layer `i` has this plus `i`. (Payload types whose marked
/// second byte ffmpeg's RTP sender would take for RTCP, 64–67 and 72–82, are avoided.)
pub const H264_PAYLOAD_TYPE: u8 = 102;
/// SSRC of the Opus stream; video layer `i` has this plus `1 + i`. Fixed, so a datagram
/// from anyone else is told apart.
pub const FIRST_SSRC: u32 = 0x4869_6b00;

/// One output stream of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// The Opus stream (48 kHz clock).
    Audio,
    /// The H.264 layer at this index of the spec's `video.layers` (90 kHz clock).
    Video(u8),
}

impl Stream {
    /// The RTP payload type ffmpeg is told to use.
    pub fn payload_type(self) -> u8 {
        match self {
            Self::Audio => OPUS_PAYLOAD_TYPE,
            Self::Video(i) => H264_PAYLOAD_TYPE + i,
        }
    }

    /// The RTP SSRC ffmpeg is told to use.
    pub fn ssrc(self) -> u32 {
        match self {
            Self::Audio => FIRST_SSRC,
            Self::Video(i) => FIRST_SSRC + 1 + u32::from(i),
        }
    }

    /// The RTP clock rate.
    pub fn clock_rate(self) -> u32 {
        match self {
            Self::Audio => 48_000,
            Self::Video(_) => 90_000,
        }
    }
}

/// An item of a job's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutput {
    /// One RTP packet as ffmpeg sent it (Opus: one 20 ms frame; H.264: RFC 6184 mode 1).
    Rtp {
        /// Which output.
        stream: Stream,
        /// ffmpeg's sequence number (consecutive per stream; a gap is a lost datagram).
        seq: u16,
        /// The timestamp on the job's media timeline: zero is the same instant for every
        /// stream of the job, so audio and video are in sync as they come (audio at 48 kHz,
        /// video at 90 kHz; wrapping).
        timestamp: u32,
        /// The last packet of a video frame.
        marker: bool,
        /// The RTP payload.
        payload: Bytes,
    },
    /// The job is over; nothing follows. `Ok` when ffmpeg finished its input or the job was
    /// stopped by its owner.
    Ended(Result<(), JobError>),
}
