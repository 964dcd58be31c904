//! HLS and Low-Latency HLS (RFC 8216, draft-pantos-hls-rfc8216bis) with CMAF parts,
//! sans-IO: frames in, bytes and playlist text out, no clock and no file.
//!
//! - [`HlsPackager`] takes H.264 access units and Opus packets (as a
//!   [`crate::Depacketizer`] gives them) on a common timeline and cuts them into parts
//!   (one `moof` + `mdat` each, a `traf` per track) and segments (the concatenation of
//!   their parts), announced as [`HlsEvent`]s after an init segment (`ftyp` + `moov`;
//!   track 1 H.264 at 90 kHz, track 2 Opus at 48 kHz).
//! - [`Playlist`] is fed those events, keeps the bytes of a bounded live window for an
//!   HTTP layer, and renders the LL-HLS live playlist (with delta updates) and the plain
//!   EVENT playlist of every segment since the start.
//!
//! How media is cut: a segment starts at a video keyframe (audio only: every
//! [`HlsConfig::segment_target`]); the next one starts at the first keyframe once the
//! segment lasts at least the target. A part is cut before the video frame that would
//! take it past nine tenths of [`HlsConfig::part_target`] (judged with the last frame
//! interval; the tenth left absorbs a late frame, so a part never exceeds the target the
//! playlist declares), and at
//! every segment boundary. A part holds the video frames before the cut time, each with
//! its exact duration (the frame before the cut is complete because the frame at the cut
//! gave its duration), and the audio packets whose time is before the cut; late audio
//! lands in a later part, each `traf` carrying its own decode time.

mod event;
mod packager;
mod playlist;

pub use event::{HlsConfig, HlsEvent};
pub use packager::{FIRST_MSN, HlsPackager};
pub use playlist::{Naming, Playlist};

#[cfg(test)]
mod playlist_tests;
#[cfg(test)]
mod tests;
