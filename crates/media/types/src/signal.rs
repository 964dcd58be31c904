//! Signals between a client and the server, independent of the wire format.

use std::collections::BTreeMap;

use crate::ids::{ParticipantSid, TrackSid};
use crate::info::{DisconnectReason, Encryption, ParticipantInfo, RoomInfo, SimulcastLayer, TrackInfo, TrackKind, TrackSource, VideoQuality};
use crate::scenario::{Scenario, SyncState};

/// Offer or answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdpKind {
    /// An SDP offer.
    Offer,
    /// An SDP answer.
    Answer,
}

/// A session description with LiveKit's offer id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sdp {
    /// Offer or answer.
    pub kind: SdpKind,
    /// The SDP text.
    pub sdp: String,
    /// Matches an answer to its offer; 0 when the client does not number offers.
    pub id: u32,
    /// Single-PeerConnection mode: which track each media id carries.
    pub mid_to_track: BTreeMap<String, TrackSid>,
}

/// Which PeerConnection a trickle candidate belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalTarget {
    /// The PeerConnection on which the client publishes (or the only one).
    Publisher,
    /// The PeerConnection on which the client subscribes.
    Subscriber,
}

/// An ICE candidate sent by trickle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trickle {
    /// The candidate line (`candidate:…`, without `a=`); empty when the client sent none or
    /// sent something that is not an `RTCIceCandidateInit` (the wire carries it as JSON).
    pub candidate: String,
    /// Its PeerConnection.
    pub target: SignalTarget,
    /// Whether this ends the candidates.
    pub is_final: bool,
}

/// A client announcing a track it is about to publish.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AddTrack {
    /// The client's id for the track (its MediaStreamTrack id; the msid in its SDP).
    pub cid: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: TrackKind,
    /// Source.
    pub source: TrackSource,
    /// Width of video.
    pub width: u32,
    /// Height of video.
    pub height: u32,
    /// Starts muted.
    pub muted: bool,
    /// Opus DTX disabled.
    pub disable_dtx: bool,
    /// Stereo.
    pub stereo: bool,
    /// RED disabled.
    pub disable_red: bool,
    /// Simulcast layers.
    pub layers: Vec<SimulcastLayer>,
    /// Stream name.
    pub stream: String,
    /// End-to-end encryption of its frames.
    pub encryption: Encryption,
    /// The codecs the client will publish the track in (`simulcast_codecs`), by name as the
    /// clients send them (`vp9`, `av1`, ...): the primary first, then a backup.
    pub codecs: Vec<String>,
}

/// A participant changing its own name, metadata or attributes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UpdateMetadata {
    /// New metadata; empty keeps the current one.
    pub metadata: String,
    /// New name; empty keeps the current one.
    pub name: String,
    /// Attributes to set; an empty value deletes the key.
    pub attributes: BTreeMap<String, String>,
    /// Echoed in the request response; 0 when the client wants none.
    pub request_id: u32,
}

/// A message from a client.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientSignal {
    /// An SDP offer (publisher PeerConnection, or the only one).
    Offer(Sdp),
    /// An SDP answer to a server offer (subscriber PeerConnection).
    Answer(Sdp),
    /// An ICE candidate.
    Trickle(Trickle),
    /// A track about to be published.
    AddTrack(AddTrack),
    /// A published track was muted or unmuted.
    Mute {
        /// The track.
        sid: TrackSid,
        /// Muted or not.
        muted: bool,
    },
    /// Subscribe to or unsubscribe from tracks.
    Subscription {
        /// The tracks.
        track_sids: Vec<TrackSid>,
        /// Subscribe (true) or unsubscribe.
        subscribe: bool,
    },
    /// A subscriber's settings for tracks it receives (adaptive stream, quality choice).
    TrackSettings {
        /// The tracks.
        track_sids: Vec<TrackSid>,
        /// Pause forwarding.
        disabled: bool,
        /// Which video layer the subscriber wants.
        want: LayerWant,
        /// Wanted frame rate, 0 if not given.
        fps: u32,
    },
    /// A publisher's simulcast layers changed (their sizes or bitrates).
    UpdateVideoLayers {
        /// The publisher's track.
        track_sid: TrackSid,
        /// Its layers now.
        layers: Vec<SimulcastLayer>,
    },
    /// The client leaves.
    Leave {
        /// Why.
        reason: DisconnectReason,
    },
    /// Name, metadata or attributes change.
    UpdateMetadata(UpdateMetadata),
    /// Legacy keepalive with the client's time in milliseconds.
    Ping(i64),
    /// Keepalive with the client's time in milliseconds and its measured round trip.
    PingReq {
        /// Client time, ms.
        timestamp: i64,
        /// Last round-trip time, ms.
        rtt: i64,
    },
    /// A publisher says who may subscribe to its tracks (`SubscriptionPermission`).
    SubscriptionPermission {
        /// Everyone may (the rest is ignored).
        all: bool,
        /// Otherwise, who may, and to which tracks.
        tracks: Vec<TrackPermission>,
    },
    /// LiveKit's test hook (`room.simulateScenario`), for the scenarios the server plays
    /// (the others decode as [`ClientSignal::Ignored`]).
    Simulate(Scenario),
    /// What the client believes after a resume (`SyncState`).
    SyncState(SyncState),
    /// A message the server understands but does not act on (named for logs).
    Ignored(&'static str),
}

/// Who may subscribe to a publisher's tracks: one participant (by sid or identity), all
/// of the tracks or some.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TrackPermission {
    /// The subscriber's sid (may be empty when the identity is given).
    pub participant_sid: String,
    /// The subscriber's identity (may be empty when the sid is given).
    pub participant_identity: String,
    /// Every track of the publisher.
    pub all_tracks: bool,
    /// Otherwise these tracks.
    pub track_sids: Vec<TrackSid>,
}

/// The video a subscriber asks for: a quality by name, or the size it shows the track at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerWant {
    /// At most this quality.
    Quality(VideoQuality),
    /// The smallest layer that covers this size in pixels (both nonzero).
    Size {
        /// Width shown.
        width: u32,
        /// Height shown.
        height: u32,
    },
}

impl Default for LayerWant {
    fn default() -> Self {
        Self::Quality(VideoQuality::High)
    }
}

/// How well a participant's connection carries media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConnectionQuality {
    /// Low loss and delay.
    #[default]
    Excellent,
    /// Some loss or delay.
    Good,
    /// Enough loss or delay to be noticed.
    Poor,
    /// No media is arriving.
    Lost,
}

/// One participant's connection quality.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityInfo {
    /// The participant.
    pub sid: ParticipantSid,
    /// Its quality.
    pub quality: ConnectionQuality,
    /// A score from 1 (bad) to 5 (perfect).
    pub score: f32,
}

/// Whether a subscribed track is flowing to its subscriber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamState {
    /// Media flows.
    Active,
    /// Paused by the server (bandwidth, or the publisher sends no layer).
    Paused,
}

/// Why a request succeeded or failed, for `RequestResponse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    /// Done.
    Ok,
    /// The target does not exist.
    NotFound,
    /// Not permitted by the token.
    NotAllowed,
    /// A limit was exceeded.
    LimitExceeded,
    /// The request was malformed.
    InvalidRequest,
}

/// What the server says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServerInfo {
    /// Server version, e.g. `1.9.0` (clients gate features on it).
    pub version: String,
    /// Protocol version the server speaks.
    pub protocol: i32,
    /// This node's id.
    pub node_id: String,
    /// Region, if configured.
    pub region: String,
}

/// The first message on a new signal connection.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct JoinInfo {
    /// The room.
    pub room: RoomInfo,
    /// The joining participant.
    pub participant: ParticipantInfo,
    /// Everyone else visible, with their tracks.
    pub others: Vec<ParticipantInfo>,
    /// Whether the server offers the subscriber PeerConnection first (two-PC mode).
    pub subscriber_primary: bool,
    /// Seconds between client pings; never 0 (the Rust SDK panics on 0).
    pub ping_interval: i32,
    /// Seconds without any server message before the client gives up; never 0.
    pub ping_timeout: i32,
    /// Server description.
    pub server: ServerInfo,
    /// Codecs clients may publish, as MIME types.
    pub publish_codecs: Vec<String>,
    /// Single-PeerConnection mode.
    pub single_pc: bool,
    /// STUN/TURN servers for the client's PeerConnections, with their credentials (filled
    /// in by the signaling front end; the SFU core leaves it empty).
    pub ice_servers: Vec<IceServer>,
    /// The client must relay its media through TURN over TLS (`force-tls`): the front end
    /// keeps only `turns:` servers, or clears this when it has none.
    pub force_relay: bool,
}

/// One ICE server entry of a join: its URLs (`turn:host:3478?transport=udp`, `turns:...`)
/// and the credential for them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct IceServer {
    /// The server's URLs.
    pub urls: Vec<String>,
    /// The username of the credential.
    pub username: String,
    /// The password of the credential (never printed by `Debug`).
    pub credential: String,
}

impl std::fmt::Debug for IceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceServer").field("urls", &self.urls).field("username", &self.username).field("credential", &"..").finish()
    }
}

/// One active speaker.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeakerInfo {
    /// The participant.
    pub sid: ParticipantSid,
    /// Audio level 0..1.
    pub level: f32,
    /// Whether it is speaking.
    pub active: bool,
}

/// What a leave asks the client to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveAction {
    /// Stay disconnected.
    Disconnect,
    /// Try to resume the session.
    Resume,
    /// Reconnect with a fresh join.
    Reconnect,
}

/// A message to a client.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerSignal {
    /// Join accepted.
    Join(Box<JoinInfo>),
    /// A resume accepted: the session goes on (the client restarts ICE).
    Reconnect {
        /// The server.
        server: ServerInfo,
        /// The participant whose session resumed (its TURN credential is minted for it).
        participant: ParticipantSid,
        /// ICE servers with credentials, filled in by the front end (as in [`JoinInfo`]).
        ice_servers: Vec<IceServer>,
    },
    /// Answer to the client's offer.
    Answer(Sdp),
    /// Server offer for the subscriber PeerConnection.
    Offer(Sdp),
    /// A server ICE candidate.
    Trickle(Trickle),
    /// Participants that changed.
    Update(Vec<ParticipantInfo>),
    /// A track announced by `add_track` was accepted.
    TrackPublished {
        /// The client's track id.
        cid: String,
        /// The track as published.
        track: TrackInfo,
    },
    /// The server unpublished one of the client's tracks.
    TrackUnpublished(TrackSid),
    /// The client must leave.
    Leave {
        /// Why.
        reason: DisconnectReason,
        /// What to do next.
        action: LeaveAction,
    },
    /// The server muted or unmuted one of the client's tracks.
    Mute {
        /// The track.
        sid: TrackSid,
        /// Muted or not.
        muted: bool,
    },
    /// Active speakers changed.
    SpeakersChanged(Vec<SpeakerInfo>),
    /// Room details changed.
    RoomUpdate(RoomInfo),
    /// Legacy pong with the client's ping time.
    Pong(i64),
    /// Pong with the client's ping time and the server time (ms).
    PongResp {
        /// The ping's timestamp.
        last_ping_timestamp: i64,
        /// Server time, ms.
        timestamp: i64,
    },
    /// The outcome of a request that carried a request id.
    RequestResponse {
        /// The request id.
        request_id: u32,
        /// The outcome.
        outcome: RequestOutcome,
        /// A human-readable message.
        message: String,
    },
    /// One of the client's tracks got its first subscriber.
    TrackSubscribed(TrackSid),
    /// A publisher allowed or stopped allowing the client to subscribe to one of its tracks.
    SubscriptionPermissionUpdate {
        /// The publisher.
        participant_sid: ParticipantSid,
        /// Its track.
        track_sid: TrackSid,
        /// Allowed now or not.
        allowed: bool,
    },
    /// Dynacast: which qualities of one of the client's video tracks anyone receives
    /// (index 0 is low, 2 high); the client stops encoding the others.
    SubscribedQuality {
        /// The track.
        track_sid: TrackSid,
        /// Its codec's name as the client calls it (`vp8`, `h264`).
        codec: String,
        /// Low, medium, high: enabled or not.
        enabled: [bool; 3],
    },
    /// Connection quality of the client and of the participants it sees.
    ConnectionQuality(Vec<QualityInfo>),
    /// Tracks the client receives were paused or resumed by the server.
    StreamState(Vec<(ParticipantSid, TrackSid, StreamState)>),
    /// Single-PC mode: add this many receive-only media lines and offer again.
    MediaSectionsRequirement {
        /// Audio lines to add.
        audios: u32,
        /// Video lines to add.
        videos: u32,
    },
}
