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
}

/// Lets participants into rooms.
pub trait RoomAccess: Send + Sync {
    /// An access token for `identity` (shown as `name`) in `room`, with `role`'s permissions,
    /// valid for `ttl_secs`.
    fn token(&self, room: &str, identity: &str, name: &str, role: RoomRole, ttl_secs: u64) -> Result<String, AppError>;
    /// Closes `room`, disconnecting everyone in it (their leaves come back as room events);
    /// returns at once.
    fn close(&self, room: &str);
}
