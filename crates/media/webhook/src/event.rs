//! What a webhook reports.

use hikari_types::{Egress, Ingress, ParticipantInfo, RoomInfo, TrackInfo};

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
    /// `ingress_created` (Hikari's; LiveKit's server keeps it for analytics).
    IngressCreated,
    /// `ingress_started`: an ingress began publishing.
    IngressStarted,
    /// `ingress_ended`: its session ended (inactive, error or complete).
    IngressEnded,
    /// `ingress_deleted` (Hikari's; LiveKit's server keeps it for analytics).
    IngressDeleted,
    /// `egress_started`: an egress job was accepted.
    EgressStarted,
    /// `egress_updated`: it became active or ending.
    EgressUpdated,
    /// `egress_ended`: complete, failed, aborted or limit reached.
    EgressEnded,
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
            Self::IngressCreated => "ingress_created",
            Self::IngressStarted => "ingress_started",
            Self::IngressEnded => "ingress_ended",
            Self::IngressDeleted => "ingress_deleted",
            Self::EgressStarted => "egress_started",
            Self::EgressUpdated => "egress_updated",
            Self::EgressEnded => "egress_ended",
        }
    }
}

/// One event to deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The room (for ingress events, as LiveKit: only its name, the ingress's room).
    pub room: RoomInfo,
    /// The participant, for participant and track events.
    pub participant: Option<ParticipantInfo>,
    /// The track, for track events.
    pub track: Option<TrackInfo>,
    /// The ingress, for ingress events.
    pub ingress: Option<Box<Ingress>>,
    /// The egress, for egress events.
    pub egress: Option<Box<Egress>>,
}
