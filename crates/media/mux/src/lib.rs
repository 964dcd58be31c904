//! Track egress without transcoding: one track's RTP packets, as the SFU forwards them,
//! into a recording file, in pure Rust (crates/media/mux).
//!
//! - [`TrackRecorder`] is the one type the server uses: [`Codec`] in, packets pushed,
//!   bytes out to any `std::io::Write`. Opus → Ogg Opus, VP8/VP9 → WebM, H.264 →
//!   fragmented MP4 ([`Codec::extension`]); Opus → WebM or MP4 through [`Options`].
//! - [`Depacketizer`] (over `depack`): RTP payloads (RFC 7587 Opus, RFC 7741 VP8, RFC 9628 VP9,
//!   RFC 6184 H.264 through `hikari_codec::Depacketizer`) → frames, with loss handling
//!   (a broken frame is dropped; video then waits for a keyframe).
//! - Writers, sans-IO and generic over `W: Write`: [`ogg`], [`webm`], [`mp4`]. Each
//!   writes as it goes so a file cut by a crash stays playable up to the last page,
//!   block or fragment.
//! - [`hls`]: H.264 and Opus frames → LL-HLS CMAF parts and segments
//!   ([`hls::HlsPackager`]) and their playlists ([`hls::Playlist`]).
//!
//! Time only comes from the RTP timestamps: no clock is read and no file is opened here.
//! Input is network input: a malformed payload is an error (or a dropped frame), never a
//! panic; [`fuzzing::feed`] is the entry point for a fuzz target.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod codec;
mod depack;
mod depacketizer;
mod error;
pub mod fuzzing;
pub mod hls;
pub mod mp4;
pub mod ogg;
mod out;
mod recorder;
pub mod webm;

pub use codec::{Codec, Container, Packet};
pub use depack::{Frame, MAX_FRAME};
pub use depacketizer::Depacketizer;
pub use error::MuxError;
pub use recorder::{Options, Stats, TrackRecorder};
