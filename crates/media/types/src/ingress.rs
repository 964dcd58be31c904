//! Ingress definitions and their state (LiveKit's `IngressInfo`), independent of the wire.
//! `hikari-protocol` converts them to and from protobuf; `hikari-ingress` keeps them (registry
//! and store).

use crate::ids::{IngressId, ParticipantIdentity, RoomName};
use crate::info::TrackInfo;
use crate::ingress_options::{IngressAudioOptions, IngressVideoOptions};

/// How media reaches an ingress. The wire enum is LiveKit's (`RTMP_INPUT = 0`, `WHIP_INPUT = 1`,
/// `URL_INPUT = 2`); Hikari's SRT is not a fourth value: every RTMP ingress also accepts SRT
/// with its stream key as the `streamid` (same MPEG-TS/FLV media path), so the wire stays
/// LiveKit's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum IngressInput {
    /// An encoder pushes RTMP(S) (or, in Hikari, SRT) to `url` + `/` + `stream_key`.
    #[default]
    Rtmp,
    /// An encoder pushes WebRTC over WHIP to `url` + `/` + `stream_key`.
    Whip,
    /// The server pulls from `url` (HTTP file or HLS).
    Url,
}

/// Where an ingress is in its life (LiveKit's `IngressState.Status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum IngressStatus {
    /// No session (`ENDPOINT_INACTIVE`).
    #[default]
    Inactive,
    /// An encoder connected; media not in the room yet (`ENDPOINT_BUFFERING`).
    Buffering,
    /// Media is in the room (`ENDPOINT_PUBLISHING`).
    Publishing,
    /// The session failed; `error` says why (`ENDPOINT_ERROR`).
    Error,
    /// A non-reusable session finished (`ENDPOINT_COMPLETE`).
    Complete,
}

impl IngressStatus {
    /// Whether a session is running (buffering or publishing).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Buffering | Self::Publishing)
    }
}

/// What the encoder sends, as measured (`InputVideoState`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct InputVideoState {
    /// e.g. `video/h264`.
    pub mime_type: String,
    /// Bits per second.
    pub average_bitrate: u32,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Frames per second.
    pub framerate: f64,
}

/// What the encoder sends, as measured (`InputAudioState`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct InputAudioState {
    /// e.g. `audio/aac`.
    pub mime_type: String,
    /// Bits per second.
    pub average_bitrate: u32,
    /// Channel count.
    pub channels: u32,
    /// Hertz.
    pub sample_rate: u32,
}

/// The state of an ingress (`IngressState`). Times are Unix nanoseconds, as LiveKit's ingress
/// writes them; 0 for never.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IngressState {
    /// Where it is in its life.
    pub status: IngressStatus,
    /// Why it failed, or what the encoder does wrong.
    pub error: String,
    /// The incoming video, once known.
    pub video: Option<InputVideoState>,
    /// The incoming audio, once known.
    pub audio: Option<InputAudioState>,
    /// The room (sid) of the current or last session.
    pub room_id: String,
    /// When the current or last session started.
    pub started_at: i64,
    /// When the last session ended.
    pub ended_at: i64,
    /// When the state last changed.
    pub updated_at: i64,
    /// The id of the current or last session.
    pub resource_id: String,
    /// The tracks the session publishes.
    pub tracks: Vec<TrackInfo>,
}

/// One ingress: its definition and its state (`IngressInfo`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Ingress {
    /// `IN_` followed by random base62.
    pub id: IngressId,
    /// The owner's name for it.
    pub name: String,
    /// The secret an encoder presents (empty for URL input).
    pub stream_key: String,
    /// Where the encoder pushes (RTMP, WHIP: the base URL, the key appended) or where the server
    /// pulls (URL input).
    pub url: String,
    /// How media arrives.
    pub input: IngressInput,
    /// Transcode or forward as is; as LiveKit fills it: always set once created (WHIP: false
    /// unless asked, others: true).
    pub enable_transcoding: Option<bool>,
    /// Deprecated mirror of `!enable_transcoding`, kept for old SDKs.
    pub bypass_transcoding: bool,
    /// Whether it may have more than one session (RTMP and WHIP) or ends for good (URL).
    pub reusable: bool,
    /// None or true: sessions are accepted; false: refused.
    pub enabled: Option<bool>,
    /// The audio track's options.
    pub audio: Option<IngressAudioOptions>,
    /// The video track's options.
    pub video: Option<IngressVideoOptions>,
    /// The room it publishes into (may be empty until set).
    pub room_name: RoomName,
    /// The participant it publishes as.
    pub participant_identity: ParticipantIdentity,
    /// That participant's display name.
    pub participant_name: String,
    /// That participant's metadata.
    pub participant_metadata: String,
    /// Its state.
    pub state: IngressState,
}

impl Ingress {
    /// Whether new sessions are accepted (`enabled` unset means yes).
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// Whether media may be transcoded (unset: all but WHIP; for RTMP and SRT, unset means
    /// only when the input needs it: H.264 WebRTC decoders take as it is passes through).
    pub fn transcodes(&self) -> bool {
        self.enable_transcoding.unwrap_or(self.input != IngressInput::Whip)
    }
}
