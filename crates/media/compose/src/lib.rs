//! Composite egress, pure and sans-IO: the decisions and pixel/sample work behind a
//! room-composite recording (crates/media/compose).
//!
//! The room-composite job runs ffmpeg children that decode each participant's video into raw
//! I420 frames already scaled to its tile and each audio track into 48 kHz stereo s16le,
//! and an ffmpeg encoder that reads the composed canvas and the mixed audio. Between them it
//! calls this crate:
//!
//! - [`layout`]: LiveKit's default layouts (grid, speaker, single-speaker, light or dark), as
//!   its egress template arranges them: [`tiles`] says where each video goes.
//! - [`canvas`] and `blit`: the [`I420`] canvas, its fills and [`I420::blit`], which draws a
//!   decoded frame into its tile (a row copy when sizes match, scaled otherwise).
//! - [`mix`]: the [`Mixer`], per-source FIFOs with prebuffering and drift control, summed with
//!   saturation, and each source's level.
//! - [`speaker`]: [`Speakers`] picks the active speaker from those levels with hysteresis.
//! - [`pace`]: the [`Pacer`] says how many frames and samples are due at a given time, so
//!   the encoder's count-based timestamps follow real time.
//!
//! The rules: no dependency, no I/O, no clock (time is an input, a [`std::time::Duration`]
//! since the job started), and no panic on any input. Sizes that do not fit are clamped or
//! clipped, bad input is ignored or gives an empty result.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod blit;
pub mod canvas;
pub mod layout;
pub mod mix;
pub mod pace;
pub mod speaker;
mod yuv;

pub use canvas::{I420, Yuv};
pub use layout::{Layout, LayoutName, Rect, Tile, VideoSource, known, tiles};
pub use mix::{MixConfig, Mixer, SourceStats};
pub use pace::Pacer;
pub use speaker::Speakers;
