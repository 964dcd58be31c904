//! LiveKit webhooks.
//!
//! [`Notifier::notify`] takes a room event and returns at once: it never blocks and
//! never awaits, so the media thread's event consumer cannot be slowed by a slow
//! receiver. Behind it, every URL has a few *lanes*, each a bounded queue drained by one
//! task; a room always maps to the same lane, so one room's events arrive in order.
//! A failed delivery is retried with exponential backoff (the lane waits, keeping the
//! order); after the last attempt the event is counted as failed and logged. When a
//! lane's queue is full the event is dropped, counted, and the next delivered event
//! carries the count in `numDropped`.
//!
//! The body is LiveKit's `WebhookEvent` in protojson, `Content-Type:
//! application/webhook+json`, and `Authorization` is a raw JWT (no `Bearer`) signed with
//! the webhook API key, carrying the body's SHA-256 (base64) in the `sha256` claim.
#![deny(missing_docs)]

mod queue;
mod sign;
mod transport;

use hikari_types::{ParticipantInfo, RoomInfo, TrackInfo};

pub use queue::{Notifier, WebhookCounters, WebhookSettings};
pub use sign::{body_sha256, sign_body};
pub use transport::{HttpTransport, Transport, check_url};

/// Why a webhook could not be signed or delivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not one this sender can post to.
    #[error("webhook URL {url:?}: {why}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why not.
        why: &'static str,
    },
    /// Signing the token failed.
    #[error("cannot sign the webhook token: {0}")]
    Sign(#[from] hikari_auth::AuthError),
    /// The connection or request failed.
    #[error("request failed: {0}")]
    Request(String),
    /// The receiver answered with a non-2xx status.
    #[error("the receiver answered HTTP {0}")]
    Status(u16),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(std::time::Duration),
}

/// The kinds of event Hikari sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `room_started`.
    RoomStarted,
    /// `room_finished`.
    RoomFinished,
    /// `participant_joined`.
    ParticipantJoined,
    /// `participant_left`.
    ParticipantLeft,
    /// `track_published`.
    TrackPublished,
    /// `track_unpublished`.
    TrackUnpublished,
}

impl EventKind {
    /// LiveKit's event name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RoomStarted => "room_started",
            Self::RoomFinished => "room_finished",
            Self::ParticipantJoined => "participant_joined",
            Self::ParticipantLeft => "participant_left",
            Self::TrackPublished => "track_published",
            Self::TrackUnpublished => "track_unpublished",
        }
    }
}

/// One event to deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The room.
    pub room: RoomInfo,
    /// The participant, for participant and track events.
    pub participant: Option<ParticipantInfo>,
    /// The track, for track events.
    pub track: Option<TrackInfo>,
}
