//! The server side of an RTMP connection from an encoder that publishes (OBS, ffmpeg):
//! the plain handshake, the chunk stream layer, AMF0 commands from `connect` to
//! `publish`, metadata, and audio/video messages read as FLV tags.
//!
//! Sans-IO: [`RtmpSession`] is fed the socket's bytes and the time and returns the bytes
//! to write back, [`RtmpEvent`]s and its next deadline; a driver owns the socket.

mod chunk;
mod command;
mod dispatch;
mod handshake;
mod limits;
pub(crate) mod message;
mod metadata;
mod session;
mod url;

pub use limits::Limits;
pub use metadata::StreamMetadata;
pub use session::{RtmpEvent, RtmpSession, RtmpStats};
pub use url::publish_target;
