//! What a webhook reports.

use hikari_types::{ParticipantInfo, RoomInfo, TrackInfo};

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
