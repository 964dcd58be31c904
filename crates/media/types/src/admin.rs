//! Room administration requests (LiveKit's RoomService), independent of the wire.

use std::collections::BTreeMap;

use crate::ids::{ParticipantIdentity, ParticipantSid, RoomName, TrackSid};
use crate::info::{ParticipantInfo, Permissions, RoomInfo, TrackInfo};

/// Most bytes of room or participant metadata (LiveKit's default limit).
pub const MAX_METADATA: usize = 64 * 1024;
/// Longest room name, identity or participant name.
pub const MAX_NAME: usize = 256;

/// A request to administer rooms.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminRequest {
    /// Create a room (or return the existing one).
    CreateRoom {
        /// Name.
        name: RoomName,
        /// Seconds an empty room lives; 0 for the default.
        empty_timeout: u32,
        /// Seconds a room lives after its last participant left; 0 for the default.
        departure_timeout: u32,
        /// Maximum participants; 0 for no limit.
        max_participants: u32,
        /// Metadata.
        metadata: String,
        /// `egress.tracks`: record every track published in the room, to files named by this
        /// filepath template. The core ignores it; the wiring's recorder runs it.
        auto_track_egress: Option<String>,
        /// `egress.room`: a room composite started with the room (its `room_name` is the
        /// room's). The core ignores it; the wiring's recorder runs it.
        auto_room_composite: Option<Box<crate::StartRoomComposite>>,
        /// `egress.participant`: each participant recorded from their first camera or
        /// microphone. The core ignores it; the wiring's recorder runs it.
        auto_participant_egress: Option<Box<crate::AutoParticipant>>,
    },
    /// List rooms, all or by name.
    ListRooms {
        /// Only these; empty for all.
        names: Vec<RoomName>,
    },
    /// Close a room and disconnect everyone in it.
    DeleteRoom {
        /// The room.
        room: RoomName,
    },
    /// List a room's participants.
    ListParticipants {
        /// The room.
        room: RoomName,
    },
    /// One participant.
    GetParticipant {
        /// The room.
        room: RoomName,
        /// The participant.
        identity: ParticipantIdentity,
    },
    /// Disconnect a participant.
    RemoveParticipant {
        /// The room.
        room: RoomName,
        /// The participant.
        identity: ParticipantIdentity,
    },
    /// Mute or unmute a published track.
    MutePublishedTrack {
        /// The room.
        room: RoomName,
        /// The publisher.
        identity: ParticipantIdentity,
        /// The track.
        track_sid: TrackSid,
        /// Mute or unmute.
        muted: bool,
    },
    /// Change a participant's metadata, name, attributes or permissions.
    UpdateParticipant {
        /// The room.
        room: RoomName,
        /// The participant.
        identity: ParticipantIdentity,
        /// New metadata, if given.
        metadata: Option<String>,
        /// New name, if given.
        name: Option<String>,
        /// Attributes to set; an empty value deletes the key.
        attributes: BTreeMap<String, String>,
        /// New permissions, if given.
        permission: Option<Permissions>,
    },
    /// Subscribe a participant to tracks, or unsubscribe it.
    UpdateSubscriptions {
        /// The room.
        room: RoomName,
        /// The participant.
        identity: ParticipantIdentity,
        /// The tracks.
        track_sids: Vec<TrackSid>,
        /// Subscribe or unsubscribe.
        subscribe: bool,
    },
    /// Send a data packet from the server.
    SendData {
        /// The room.
        room: RoomName,
        /// Payload.
        data: Vec<u8>,
        /// Reliable or lossy.
        reliable: bool,
        /// Receivers by identity; with `destination_sids` empty, everyone.
        destination_identities: Vec<ParticipantIdentity>,
        /// Receivers by SID.
        destination_sids: Vec<ParticipantSid>,
        /// Topic.
        topic: Option<String>,
    },
    /// Change a room's metadata.
    UpdateRoomMetadata {
        /// The room.
        room: RoomName,
        /// New metadata.
        metadata: String,
    },
}

/// A successful outcome.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminResponse {
    /// A room.
    Room(RoomInfo),
    /// Rooms.
    Rooms(Vec<RoomInfo>),
    /// A participant.
    Participant(ParticipantInfo),
    /// Participants.
    Participants(Vec<ParticipantInfo>),
    /// A track.
    Track(TrackInfo),
    /// Done, nothing to return.
    Done,
}

/// Why a request failed; each maps to one Twirp code at the API edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminError {
    /// The room, participant or track does not exist.
    NotFound(String),
    /// The request is malformed or exceeds a limit.
    InvalidArgument(String),
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::NotFound(m) | AdminError::InvalidArgument(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for AdminError {}
