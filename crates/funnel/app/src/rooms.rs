//! The rooms a webinar runs in, as the funnel reaches them: a port ([`RoomAccess`]) that the
//! binary's wiring implements over the media half (LiveKit access tokens signed with the
//! server's API key), so the funnel lets registrants and hosts into a session's room without
//! naming a media crate.

use crate::error::AppError;

/// What a participant may do in a session's room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomRole {
    /// Watches and listens: subscribes only, publishes nothing (no media, no data packets:
    /// chat and the rest go through the funnel, which stores and moderates them), and is
    /// hidden from other participants (an audience of hundreds sends no participant updates).
    Attendee,
    /// Presents: publishes camera, microphone and screen, and administers the room.
    Host,
    /// An attendee a host brought on stage: publishes camera and microphone and is seen by
    /// everyone, but administers nothing (and still chats through the funnel).
    Presenter,
}

/// Lets participants into rooms.
pub trait RoomAccess: Send + Sync {
    /// An access token for `identity` (shown as `name`) in `room`, with `role`'s permissions,
    /// valid for `ttl_secs`.
    fn token(&self, room: &str, identity: &str, name: &str, role: RoomRole, ttl_secs: u64) -> Result<String, AppError>;
    /// Closes `room`, disconnecting everyone in it (their leaves come back as room events);
    /// returns at once.
    fn close(&self, room: &str);
    /// Gives `identity`, connected in `room`, `role`'s permissions (taking publishing away
    /// unpublishes its tracks); returns at once, a failure is logged.
    fn set_role(&self, room: &str, identity: &str, role: RoomRole);
    /// Disconnects `identity` from `room`; returns at once.
    fn remove(&self, room: &str, identity: &str);
}

/// Where an encoder (OBS, ffmpeg, a hardware encoder) sends a session's stage: LiveKit's RTMP
/// ingress address and stream key (and, where the server takes SRT, its SRT address).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EncoderInput {
    /// The server URL to enter in the encoder (`rtmp://host:1935/x`).
    pub url: String,
    /// The stream key: a secret, shown to hosts only.
    pub stream_key: String,
    /// The same input over SRT (`srt://host:9710?streamid=…`), when the server takes SRT.
    pub srt_url: Option<String>,
}

/// What [`EncoderAccess::encoder_input`] returns.
pub type EncoderFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<EncoderInput>, AppError>> + Send + 'a>>;

/// Lets encoders present in rooms (the binary implements it over its ingress).
pub trait EncoderAccess: Send + Sync {
    /// The input that publishes into `room` as `identity` (shown as `name`): made on the first
    /// call, the same one afterwards. `None` when this server takes no encoder input.
    fn encoder_input<'a>(&'a self, room: &'a str, identity: &'a str, name: &'a str) -> EncoderFuture<'a>;
}
