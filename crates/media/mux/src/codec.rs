//! What the crate's inputs are: a track's codec, the container a recording of it gets, and
//! one RTP packet of it.

/// The track's codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Opus audio, 48 kHz RTP clock.
    Opus,
    /// VP8 video, 90 kHz.
    Vp8,
    /// VP9 video, 90 kHz.
    Vp9,
    /// H.264 video (packetization mode 1), 90 kHz.
    H264,
}

impl Codec {
    /// The container [`crate::TrackRecorder::new`] picks for this codec.
    pub fn container(self) -> Container {
        match self {
            Codec::Opus => Container::Ogg,
            Codec::Vp8 | Codec::Vp9 => Container::Webm,
            Codec::H264 => Container::Mp4,
        }
    }

    /// The file extension of [`Codec::container`]: "ogg", "webm" or "mp4".
    pub fn extension(self) -> &'static str {
        self.container().extension()
    }

    /// The RTP clock rate.
    pub fn clock_rate(self) -> u32 {
        if self == Codec::Opus { 48_000 } else { 90_000 }
    }
}

/// A recording's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Ogg (Opus only).
    Ogg,
    /// WebM (VP8, VP9, Opus).
    Webm,
    /// Fragmented MP4 (H.264, Opus).
    Mp4,
}

impl Container {
    /// "ogg", "webm" or "mp4".
    pub fn extension(self) -> &'static str {
        match self {
            Container::Ogg => "ogg",
            Container::Webm => "webm",
            Container::Mp4 => "mp4",
        }
    }
}

/// One RTP packet of the track, in sequence order.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// Extended sequence number: +1 per packet; a jump means the packets between were lost.
    pub seq: u64,
    /// RTP timestamp (wraps).
    pub ts: u32,
    /// RTP marker bit (last packet of a video frame).
    pub marker: bool,
    /// RTP payload (after the header, extensions and padding).
    pub payload: &'a [u8],
}
