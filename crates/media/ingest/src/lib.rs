//! Broadcast ingest at run time (issue 13): encoders publish into rooms.
//!
//! `rtmp.rs` listens on the RTMP port and drives one `hikari_demux::RtmpSession` per
//! connection; the stream key names an ingress, which the server's registry answers
//! through the [`Directory`] port. A session that publishes becomes a [`publisher`]: it
//! joins the room as an internal publisher (`hikari_sfu::SignalMode::Internal`, a
//! participant of kind INGRESS with a camera and a microphone track) and turns the
//! elementary streams into RTP for it. H.264 that WebRTC decoders take as it is (no
//! B-frames) is re-packetized in process, the lowest-latency path; otherwise, or when
//! the ingress asks for transcoding, an ffmpeg job (`hikari_codec::Job`) encodes the
//! preset's simulcast ladder. Audio always goes through the job: AAC to Opus.
//! `srt.rs` (Hikari's extension) does the same for SRT callers: the stream id names the
//! ingress, the MPEG-TS they send goes through `hikari_demux::TsDemuxer` into the same
//! publisher. `live.rs` is what both listeners share. `whip/` takes WHIP offers (the HTTP
//! routes are the server's): the encoder joins as a single-PeerConnection participant of kind
//! INGRESS and its RTP is forwarded as sent, no job involved.
//!
//! **Architecture Invariant:** nothing here decodes or encodes (jobs do, in their own
//! process), and one encoder never hurts another: every session is a task of its own
//! whose input, queues and life are bounded; its errors end it with a log line and an
//! ingress state, never the server.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use hikari_codec::{AudioOut, VideoOut};
use hikari_types::{DisconnectReason, JoinGrant, ParticipantIdentity, ParticipantKind, Permissions, RoomName, TrackInfo, TrackSource};

pub mod flv_in;
pub mod fuzzing;
mod live;
pub mod publisher;
pub mod rtmp;
pub mod srt;
pub mod whip;

pub use live::Ingest;
pub use rtmp::serve_rtmp;
pub use srt::serve_srt;

/// The input an encoder used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// RTMP(S).
    Rtmp,
    /// SRT (Hikari's extension).
    Srt,
    /// WHIP (an SDP offer over HTTP).
    Whip,
}

/// What a running session measured at its last report (every 10 s), for the metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionStats {
    /// `rtmp`, `srt` or `whip`.
    pub input: &'static str,
    /// The video passes through (no codec job for it).
    pub passthrough: bool,
    /// The input's video bits per second.
    pub video_bitrate: u32,
    /// The input's audio bits per second.
    pub audio_bitrate: u32,
    /// The input's video frames per second.
    pub framerate: f64,
    /// Seconds between the input's last two keyframes (0 before the second).
    pub keyframe_interval: f64,
    /// CPU seconds the session's codec job used so far (user and system).
    pub transcode_cpu_seconds: f64,
    /// Keyframe requests from subscribers.
    pub keyframe_requests: u64,
    /// Of those, the ones passed on to the transcoder's encoder.
    pub keyframes_forced: u64,
    /// Packets the room's queue or the job's input refused.
    pub dropped: u64,
}

impl InputKind {
    /// Its name in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rtmp => "rtmp",
            Self::Srt => "srt",
            Self::Whip => "whip",
        }
    }
}

/// What an ingress says about where and how its stream is published.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The ingress.
    pub ingress_id: String,
    /// The room it publishes into.
    pub room: RoomName,
    /// The participant it appears as.
    pub identity: ParticipantIdentity,
    /// Its display name.
    pub name: String,
    /// Its metadata.
    pub metadata: String,
    /// `enable_transcoding`: `Some(true)` always encodes the ladder; otherwise H.264
    /// without B-frames passes through.
    pub transcode: Option<bool>,
    /// The ladder when transcoding.
    pub video: VideoOut,
    /// The Opus encode.
    pub audio: AudioOut,
}

/// What the input carries, for the ingress state (`InputVideoState`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoInput {
    /// `video/h264`.
    pub mime_type: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Frames per second, measured.
    pub framerate: f64,
    /// Bits per second, measured.
    pub average_bitrate: u32,
}

/// What the input carries, for the ingress state (`InputAudioState`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AudioInput {
    /// `audio/aac`.
    pub mime_type: String,
    /// Channels.
    pub channels: u32,
    /// Hz.
    pub sample_rate: u32,
    /// Bits per second, measured.
    pub average_bitrate: u32,
}

/// A change of an ingress's state, reported to the registry.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// An encoder connected and was accepted; media is awaited.
    Buffering,
    /// Media flows into the room.
    Publishing {
        /// The room's sid.
        room_id: String,
        /// Its tracks, as published.
        tracks: Vec<TrackInfo>,
        /// The input's video.
        video: Option<VideoInput>,
        /// The input's audio.
        audio: Option<AudioInput>,
    },
    /// The encoder stopped (`error: None`) or the session failed.
    Ended {
        /// Why it failed, in words an operator can act on.
        error: Option<String>,
    },
}

/// The port to the ingress registry: which ingress a stream key names, and where its
/// state changes go. The server implements it over `hikari-ingress`.
pub trait Directory: Send + Sync + 'static {
    /// The ingress a stream key names, if it exists, is enabled and takes this input.
    fn find(&self, stream_key: &str, input: InputKind) -> impl Future<Output = Option<Target>> + Send;
    /// The ingress's state changed.
    fn report(&self, ingress_id: &str, report: Report) -> impl Future<Output = ()> + Send;
}

/// How ingest runs.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// The ffmpeg program codec jobs run.
    pub ffmpeg: PathBuf,
    /// The GStreamer launcher transcoded ladders run (so keyframe requests reach the
    /// encoders); ffmpeg takes over when it or an element is missing.
    pub gst_launch: PathBuf,
    /// Most encoder connections at once.
    pub max_connections: usize,
    /// The highest input bitrate accepted, bits per second, averaged over
    /// [`IngestConfig::flood_window`]; above it the connection ends.
    pub max_bitrate: u64,
    /// The window of the bitrate limit.
    pub flood_window: Duration,
    /// How long a session waits for both the audio and the video configuration before it
    /// publishes what it has.
    pub probe_time: Duration,
    /// How long an SRT caller may stay connected without sending media before its session
    /// ends with an error.
    pub silence: Duration,
    /// What an RTMP connection may send and how long it may take (chunk sizes, message
    /// lengths, the handshake, publish and idle deadlines).
    pub rtmp: hikari_demux::Limits,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            ffmpeg: PathBuf::from("ffmpeg"),
            gst_launch: PathBuf::from("gst-launch-1.0"),
            max_connections: 64,
            max_bitrate: 50_000_000,
            flood_window: Duration::from_secs(3),
            probe_time: Duration::from_secs(2),
            silence: Duration::from_secs(10),
            rtmp: hikari_demux::Limits::default(),
        }
    }
}

/// Why a session ended with an error.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The encoder broke the protocol or a limit.
    #[error("{0}")]
    Demux(#[from] hikari_demux::DemuxError),
    /// A codec job could not start or failed.
    #[error("transcoding: {0}")]
    Codec(#[from] hikari_codec::CodecError),
    /// A codec job ended.
    #[error("transcoding: {0}")]
    Job(#[from] hikari_codec::JobError),
    /// The input's codec is not carried.
    #[error("unsupported input: {0}")]
    Unsupported(String),
    /// The room's owner refused or is gone.
    #[error("the room is unavailable: {0}")]
    Room(String),
    /// The encoder sent more than the bitrate limit.
    #[error("input above {0} bit/s: bitrate flood")]
    Flood(u64),
    /// The socket failed.
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    /// The encoder stayed connected but sent no media for this long.
    #[error("no media for {} s", .0.as_secs())]
    Silent(Duration),
    /// No ingress takes this stream key (or it is disabled, or of another input type).
    #[error("no ingress with this stream key")]
    UnknownKey,
    /// The ingress already has an encoder.
    #[error("the ingress already has an encoder connected")]
    InUse,
    /// As many encoders as allowed are connected.
    #[error("the server takes at most {0} encoders at once")]
    Busy(usize),
    /// A WHIP offer the server cannot take.
    #[error("bad offer: {0}")]
    Offer(#[from] whip::offer::OfferError),
    /// A WHIP PATCH body the server cannot take.
    #[error("bad ICE fragment: {0}")]
    Fragment(#[from] whip::frag::FragmentError),
    /// No WHIP session at this address (ended, or another stream key's).
    #[error("no such WHIP session")]
    NoSession,
    /// A PATCH's `If-Match` names an older state of the session.
    #[error("the session changed since that entity tag (If-Match)")]
    EtagMismatch,
    /// Something did not happen in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The participant left the room.
    #[error("left the room ({0:?})")]
    Left(DisconnectReason),
}

/// The first characters of a stream key, for log lines (the key is a credential).
pub fn key_prefix(key: &str) -> String {
    let prefix: String = key.chars().take(4).collect();
    format!("{prefix}…")
}

/// The grant of an encoder's participant: kind INGRESS, publishing a camera and a microphone,
/// subscribing to nothing.
pub(crate) fn ingress_grant(target: &Target) -> JoinGrant {
    JoinGrant {
        room: target.room.clone(),
        identity: target.identity.clone(),
        name: target.name.clone(),
        metadata: target.metadata.clone(),
        attributes: Default::default(),
        permissions: Permissions {
            can_subscribe: false,
            can_publish: true,
            can_publish_data: false,
            can_publish_sources: vec![TrackSource::Camera, TrackSource::Microphone],
            ..Permissions::default()
        },
        kind: ParticipantKind::Ingress,
    }
}
