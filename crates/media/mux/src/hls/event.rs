//! The packager's configuration and what it produces.

use std::time::Duration;

/// How long segments and parts should be, and how many segments the live playlist keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HlsConfig {
    /// The shortest segment: a segment is cut at the first video keyframe at or past it
    /// (default 4 s, LiveKit's default `segment_duration`).
    pub segment_target: Duration,
    /// The longest part (LL-HLS `PART-TARGET`, default 333 ms).
    pub part_target: Duration,
    /// Complete segments listed in the live playlist (default 6).
    pub live_segments: usize,
}

impl Default for HlsConfig {
    fn default() -> Self {
        Self { segment_target: Duration::from_secs(4), part_target: Duration::from_millis(333), live_segments: 6 }
    }
}

/// What an [`HlsPackager`] produced, in order ([`HlsPackager::poll`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HlsEvent {
    /// The init segment (`ftyp` + `moov`), once, before any part: at the first video
    /// keyframe with SPS and PPS (audio only: at the first packet).
    Init(Vec<u8>),
    /// One CMAF part: a `moof` (a `traf` per track with samples in the part) + `mdat`.
    Part {
        /// The media sequence number of the segment it belongs to (from 0).
        msn: u64,
        /// Its index in the segment (from 0).
        index: u32,
        /// From its cut time to the next one.
        duration: Duration,
        /// Its first video sample is a keyframe (audio only: always).
        independent: bool,
        /// `moof` + `mdat`.
        data: Vec<u8>,
    },
    /// Segment `msn` is complete: its parts, concatenated in index order, are the segment.
    SegmentEnd {
        /// The segment's media sequence number.
        msn: u64,
        /// The sum of its parts' durations.
        duration: Duration,
    },
    /// The stream ended ([`HlsPackager::finish`]); nothing follows.
    End,
}
