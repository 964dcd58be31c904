//! Room, participant and track descriptions as clients see them.

use std::collections::BTreeMap;

use crate::ids::{ParticipantIdentity, ParticipantSid, RoomName, RoomSid, TrackSid};

/// The media kind of a track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TrackKind {
    /// Audio, e.g. a microphone.
    #[default]
    Audio,
    /// Video, e.g. a camera or a screen share.
    Video,
    /// A data track.
    Data,
}

/// Where a track comes from, as the publisher declared it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TrackSource {
    /// Not declared.
    #[default]
    Unknown,
    /// A camera.
    Camera,
    /// A microphone.
    Microphone,
    /// A screen share (video).
    ScreenShare,
    /// The audio of a screen share.
    ScreenShareAudio,
}

impl TrackSource {
    /// The name used in token grants (`canPublishSources`).
    pub fn grant_name(self) -> &'static str {
        match self {
            TrackSource::Unknown => "unknown",
            TrackSource::Camera => "camera",
            TrackSource::Microphone => "microphone",
            TrackSource::ScreenShare => "screen_share",
            TrackSource::ScreenShareAudio => "screen_share_audio",
        }
    }

    /// Parses a grant name; `None` for names LiveKit does not define.
    pub fn from_grant_name(s: &str) -> Option<Self> {
        Some(match s {
            "camera" => TrackSource::Camera,
            "microphone" => TrackSource::Microphone,
            "screen_share" => TrackSource::ScreenShare,
            "screen_share_audio" => TrackSource::ScreenShareAudio,
            "unknown" => TrackSource::Unknown,
            _ => return None,
        })
    }
}

/// A simulcast quality level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum VideoQuality {
    /// The lowest layer (`q`).
    #[default]
    Low,
    /// The middle layer (`h`).
    Medium,
    /// The full layer (`f`).
    High,
}

/// One simulcast layer as the publisher announced it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SimulcastLayer {
    /// Its quality.
    pub quality: VideoQuality,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Target bitrate in bits per second.
    pub bitrate: u32,
}

/// A published track.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TrackInfo {
    /// Server-generated id.
    pub sid: TrackSid,
    /// Audio, video or data.
    pub kind: TrackKind,
    /// The publisher's name for the track.
    pub name: String,
    /// Camera, microphone, ...
    pub source: TrackSource,
    /// Whether the publisher muted it.
    pub muted: bool,
    /// Video width in pixels (0 for audio).
    pub width: u32,
    /// Video height in pixels (0 for audio).
    pub height: u32,
    /// Whether the publisher sends simulcast layers.
    pub simulcast: bool,
    /// The simulcast layers.
    pub layers: Vec<SimulcastLayer>,
    /// Codec MIME type, e.g. `video/VP8`, once media flows.
    pub mime_type: String,
    /// The publisher-side SDP media id.
    pub mid: String,
    /// Opus DTX disabled.
    pub disable_dtx: bool,
    /// Stereo audio.
    pub stereo: bool,
    /// RED disabled for audio.
    pub disable_red: bool,
    /// The client's stream name, if any.
    pub stream: String,
    /// End-to-end encryption of its frames (the server forwards them as they are).
    pub encryption: Encryption,
}

/// End-to-end encryption of a track's frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encryption {
    /// None.
    #[default]
    None,
    /// AES-GCM, as LiveKit's SDKs encrypt.
    Gcm,
    /// The application's own.
    Custom,
}

/// What a participant may do, from its token grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permissions {
    /// May subscribe to others' tracks.
    pub can_subscribe: bool,
    /// May publish tracks.
    pub can_publish: bool,
    /// May publish data packets.
    pub can_publish_data: bool,
    /// Sources it may publish; empty means all.
    pub can_publish_sources: Vec<TrackSource>,
    /// Invisible to other participants.
    pub hidden: bool,
    /// A recorder.
    pub recorder: bool,
    /// May change its own name, metadata and attributes.
    pub can_update_metadata: bool,
    /// An agent.
    pub agent: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Self {
            can_subscribe: true,
            can_publish: true,
            can_publish_data: true,
            can_publish_sources: Vec::new(),
            hidden: false,
            recorder: false,
            can_update_metadata: false,
            agent: false,
        }
    }
}

impl Permissions {
    /// Whether a track of this source may be published.
    pub fn may_publish(&self, source: TrackSource) -> bool {
        self.can_publish && (self.can_publish_sources.is_empty() || self.can_publish_sources.contains(&source))
    }
}

/// The lifecycle state of a participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ParticipantState {
    /// Signal connected, media not yet.
    #[default]
    Joining,
    /// Joined.
    Joined,
    /// Media connected.
    Active,
    /// Gone.
    Disconnected,
}

/// What kind of client a participant is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ParticipantKind {
    /// An ordinary client.
    #[default]
    Standard,
    /// An ingress (RTMP/WHIP) publisher.
    Ingress,
    /// An egress recorder.
    Egress,
    /// A SIP participant.
    Sip,
    /// An agent.
    Agent,
}

/// Why a participant left or was disconnected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DisconnectReason {
    /// Unknown.
    #[default]
    Unknown,
    /// The client asked to leave.
    ClientInitiated,
    /// Another connection with the same identity replaced this one.
    DuplicateIdentity,
    /// The server is shutting down.
    ServerShutdown,
    /// Removed through the API.
    ParticipantRemoved,
    /// The room was deleted.
    RoomDeleted,
    /// The client and server disagree about state.
    StateMismatch,
    /// Joining failed.
    JoinFailure,
    /// The signal connection closed.
    SignalClose,
    /// The room closed.
    RoomClosed,
}

/// A participant as other clients see it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ParticipantInfo {
    /// Server-generated id.
    pub sid: ParticipantSid,
    /// Application identity.
    pub identity: ParticipantIdentity,
    /// Display name.
    pub name: String,
    /// Lifecycle state.
    pub state: ParticipantState,
    /// Published tracks.
    pub tracks: Vec<TrackInfo>,
    /// Free-form metadata.
    pub metadata: String,
    /// Key/value attributes.
    pub attributes: BTreeMap<String, String>,
    /// Join time, Unix milliseconds.
    pub joined_at_ms: i64,
    /// Increases on every change; clients ignore updates that do not increase it.
    pub version: u32,
    /// Permissions.
    pub permission: Permissions,
    /// Whether it publishes anything.
    pub is_publisher: bool,
    /// Client kind.
    pub kind: ParticipantKind,
    /// Peer-to-peer feature level of the client (RPC and data stream formats).
    pub client_protocol: i32,
    /// Why it disconnected, once it has.
    pub disconnect_reason: DisconnectReason,
}

/// A room as clients see it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RoomInfo {
    /// Server-generated id.
    pub sid: RoomSid,
    /// Name.
    pub name: RoomName,
    /// Seconds an empty room lives before it closes.
    pub empty_timeout: u32,
    /// Seconds a room lives after the last participant left.
    pub departure_timeout: u32,
    /// Maximum participants; 0 for no limit.
    pub max_participants: u32,
    /// Creation time, Unix milliseconds.
    pub creation_time_ms: i64,
    /// Free-form metadata.
    pub metadata: String,
    /// Current participant count.
    pub num_participants: u32,
    /// Current publisher count.
    pub num_publishers: u32,
    /// Whether a recording is running.
    pub active_recording: bool,
    /// The codecs the room allows, as MIME types (`video/VP8`, `audio/red`, ...); empty for
    /// every codec the server supports.
    pub enabled_codecs: Vec<String>,
}

/// What a client says about itself when it joins.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// SDK name, e.g. `js` or `python`.
    pub sdk: String,
    /// SDK version.
    pub version: String,
    /// Signaling protocol version.
    pub protocol: i32,
    /// Peer-to-peer feature level.
    pub client_protocol: i32,
    /// Operating system, if given.
    pub os: String,
    /// Browser, if given.
    pub browser: String,
}
