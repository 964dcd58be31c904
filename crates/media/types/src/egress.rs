//! Egress jobs and their state (LiveKit's `EgressInfo`) and the requests of its
//! EgressService, independent of the wire. `hikari-protocol` converts them to and from
//! protobuf; `hikari-egress` keeps them (registry and store) and runs them.

use crate::ids::{EgressId, ParticipantIdentity, RoomName, RoomSid, TrackSid};

/// Where an egress is in its life (LiveKit's `EgressStatus`): starting, active, ending, then
/// one of the four ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EgressStatus {
    /// Accepted, waiting for media (`EGRESS_STARTING`).
    #[default]
    Starting,
    /// Writing (`EGRESS_ACTIVE`).
    Active,
    /// Stopped, finishing the output (`EGRESS_ENDING`).
    Ending,
    /// Finished, the output is whole (`EGRESS_COMPLETE`).
    Complete,
    /// Failed; `error` says why (`EGRESS_FAILED`).
    Failed,
    /// Ended before any media was written: the track went away (`EGRESS_ABORTED`).
    Aborted,
    /// A limit ended it (`EGRESS_LIMIT_REACHED`), e.g. the disk is full.
    LimitReached,
}

impl EgressStatus {
    /// Whether the job still runs (starting, active or ending).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Starting | Self::Active | Self::Ending)
    }
}

/// What an egress records. Track egress writes one track's file; a track composite or a
/// participant egress packages one video and one audio track without decoding the video; a
/// room composite decodes every participant's tracks, lays the videos out on one canvas,
/// mixes the audio and encodes the result. Web egress is refused with a clear
/// `unimplemented` before a job exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EgressSource {
    /// One track, written without transcoding (`TrackEgressRequest` with a file output): the
    /// container follows the codec (Opus: Ogg, VP8/VP9: WebM, H.264: MP4).
    Track {
        /// The track.
        track_id: TrackSid,
        /// The file, relative to the recordings directory, as the request gave it (empty:
        /// chosen by the server); `{room_name}`, `{track_id}`, `{time}` and friends are
        /// replaced when the job starts.
        filepath: String,
    },
    /// One video and one audio track (either may be absent) (`TrackCompositeEgressRequest`).
    TrackComposite {
        /// The audio track.
        audio_track_id: Option<TrackSid>,
        /// The video track.
        video_track_id: Option<TrackSid>,
        /// Where the media goes (stream URLs redacted).
        outputs: CompositeOutputs,
    },
    /// A participant's camera (or screen share) and microphone (`ParticipantEgressRequest`).
    Participant {
        /// The participant.
        identity: ParticipantIdentity,
        /// Record the screen share (and its audio) instead of the camera and microphone.
        screen_share: bool,
        /// Where the media goes (stream URLs redacted).
        outputs: CompositeOutputs,
    },
    /// The whole room on one canvas (`RoomCompositeEgressRequest`).
    RoomComposite {
        /// LiveKit's layout name as given (`grid`, `speaker`, `single-speaker`, each with an
        /// optional `-light` or `-dark`; empty: `grid`), changed by `UpdateLayout`.
        layout: String,
        /// Only the mixed audio.
        audio_only: bool,
        /// Only the video.
        video_only: bool,
        /// The canvas and the encoders' settings.
        encoding: Encoding,
        /// Where the media goes (stream URLs redacted).
        outputs: CompositeOutputs,
    },
}

/// How a composite is encoded (LiveKit's `EncodingOptionsPreset` or `EncodingOptions`):
/// H.264 video and Opus audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// Canvas width in pixels (even).
    pub width: u32,
    /// Canvas height in pixels (even).
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Video bits per second.
    pub video_bitrate: u32,
    /// Audio bits per second.
    pub audio_bitrate: u32,
    /// Milliseconds between keyframes.
    pub keyframe_interval_ms: u32,
}

impl Encoding {
    /// LiveKit's default preset, `H264_720P_30`: 1280x720, 30 fps, 3 Mbit/s, keyframes every 2 s.
    pub const H264_720P_30: Encoding =
        Encoding { width: 1280, height: 720, fps: 30, video_bitrate: 3_000_000, audio_bitrate: 128_000, keyframe_interval_ms: 2000 };
}

impl Default for Encoding {
    fn default() -> Self {
        Self::H264_720P_30
    }
}

/// The outputs of a composite or participant egress: an MP4 file, an HLS output, RTMP
/// streams, thumbnails, or several of them. In a request the stream URLs are whole; in a stored [`EgressSource`] their stream
/// keys are redacted (a key is a secret: it lives only in the running job's memory).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CompositeOutputs {
    /// An MP4 file (`EncodedFileOutput.filepath`), relative to the recordings directory, as
    /// the request gave it (empty: chosen by the server); templates as in a track egress's
    /// filepath.
    pub file: Option<String>,
    /// The HLS output.
    pub segments: Option<SegmentsOutput>,
    /// `rtmp://` or `rtmps://` destinations (`StreamOutput.urls`).
    pub stream_urls: Vec<String>,
    /// JPEG thumbnails of the video at an interval (`ImageOutput`).
    pub images: Option<ImagesOutput>,
}

/// Thumbnails (`ImageOutput`): a JPEG of the video every `capture_interval` seconds, named
/// `<prefix>_00000.jpeg`, `<prefix>_00001.jpeg`, … in the recordings directory.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImagesOutput {
    /// Seconds between images (0: the default, 10).
    pub capture_interval: u32,
    /// Width and height in pixels (0 and 0: the video's own size; one of them 0: keeps the
    /// aspect ratio).
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The files' path prefix, relative to the recordings directory, as the request gave it
    /// (empty: chosen by the server); templates as in a track egress's filepath.
    pub filename_prefix: String,
}

/// What an image output has written (`ImagesInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImagesResult {
    /// The files' path prefix, relative to the recordings directory.
    pub filename_prefix: String,
    /// Images written.
    pub image_count: i64,
    /// Unix nanoseconds of the first image.
    pub started_at: i64,
    /// Unix nanoseconds of the end.
    pub ended_at: i64,
}

/// Where one RTMP destination is (LiveKit's `StreamInfo.Status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum StreamStatus {
    /// Connected, or being reconnected (`error` then says why it dropped).
    #[default]
    Active,
    /// Ended: removed, or the egress ended.
    Finished,
    /// Given up on: no connection for too long.
    Failed,
}

/// One RTMP destination of an egress (`StreamInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StreamResult {
    /// The URL, its stream key redacted.
    pub url: String,
    /// Unix nanoseconds of the first connection (0 before).
    pub started_at: i64,
    /// Unix nanoseconds of the end (0 while it runs).
    pub ended_at: i64,
    /// Nanoseconds from the first connection to the end.
    pub duration: i64,
    /// Where it is.
    pub status: StreamStatus,
    /// The last failure (empty while connected).
    pub error: String,
    /// Unix nanoseconds of the last reconnection attempt (0: none).
    pub last_retry_at: i64,
    /// Reconnection attempts.
    pub retries: u32,
}

/// An HLS output (`SegmentedFileOutput`): fragmented-MP4 segments and an event playlist
/// written into the recordings directory, and a low-latency live playlist served from
/// memory while the job runs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SegmentsOutput {
    /// The segment files' path prefix, relative to the recordings directory, as the request
    /// gave it (empty: chosen by the server); templates as in a track egress's filepath.
    pub filename_prefix: String,
    /// The playlist's file name, beside the segments (empty: the prefix's name + `.m3u8`).
    pub playlist_name: String,
    /// The live playlist's name as the request gave it (the live playlist itself is served
    /// from memory; see `SegmentsResult::live_playlist_location`).
    pub live_playlist_name: String,
    /// Target segment length in seconds (0: the default, 4).
    pub segment_duration: u32,
}

/// What a segmented output has written (`SegmentsInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SegmentsResult {
    /// The playlist's path, relative to the recordings directory.
    pub playlist_name: String,
    /// The live playlist's name.
    pub live_playlist_name: String,
    /// Nanoseconds of media.
    pub duration: i64,
    /// Bytes of segments written.
    pub size: i64,
    /// Where the (event) playlist is served: a URL path on this server.
    pub playlist_location: String,
    /// Where the low-latency live playlist is served while the job runs.
    pub live_playlist_location: String,
    /// Segments written.
    pub segment_count: i64,
    /// Unix nanoseconds of the first media.
    pub started_at: i64,
    /// Unix nanoseconds of the end.
    pub ended_at: i64,
}

/// A job's output, as the runtime reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EgressOutput {
    /// A file.
    File(FileResult),
    /// HLS segments.
    Segments(SegmentsResult),
    /// The RTMP destinations, all of them as they are now.
    Streams(Vec<StreamResult>),
    /// Thumbnails.
    Images(ImagesResult),
}

/// A finished (or growing) file (`FileInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileResult {
    /// The path, relative to the recordings directory.
    pub filename: String,
    /// Unix nanoseconds of the first media written.
    pub started_at: i64,
    /// Unix nanoseconds of the end.
    pub ended_at: i64,
    /// Nanoseconds of media.
    pub duration: i64,
    /// Bytes.
    pub size: i64,
    /// Where to fetch it (a URL path on this server).
    pub location: String,
}

/// One egress job (`EgressInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Egress {
    /// `EG_…`.
    pub id: EgressId,
    /// The room's sid when the job started.
    pub room_id: RoomSid,
    /// The room.
    pub room_name: RoomName,
    /// What it records.
    pub source: EgressSource,
    /// Where it is.
    pub status: EgressStatus,
    /// Unix nanoseconds: accepted.
    pub started_at: i64,
    /// Unix nanoseconds: ended (0 while running).
    pub ended_at: i64,
    /// Unix nanoseconds: the last change.
    pub updated_at: i64,
    /// Why it failed or aborted.
    pub error: String,
    /// The file written, once there is one.
    pub file: Option<FileResult>,
    /// The segments written, once there are some.
    pub segments: Option<SegmentsResult>,
    /// The RTMP destinations.
    pub streams: Vec<StreamResult>,
    /// The thumbnails written, once there are some.
    pub images: Option<ImagesResult>,
}

/// `StartTrackCompositeEgress` with a segment output, stream outputs, or both.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StartTrackComposite {
    /// The room.
    pub room_name: RoomName,
    /// The audio track.
    pub audio_track_id: Option<TrackSid>,
    /// The video track.
    pub video_track_id: Option<TrackSid>,
    /// Where the media goes.
    pub outputs: CompositeOutputs,
    /// The encoding, when the request gave one (a video that is not H.264 is transcoded;
    /// H.264 is packaged as it is).
    pub encoding: Option<Encoding>,
}

/// `StartRoomCompositeEgress`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StartRoomComposite {
    /// The room.
    pub room_name: RoomName,
    /// LiveKit's layout name (empty: `grid`).
    pub layout: String,
    /// Only the mixed audio.
    pub audio_only: bool,
    /// Only the video.
    pub video_only: bool,
    /// The canvas and the encoders' settings.
    pub encoding: Encoding,
    /// Where the media goes.
    pub outputs: CompositeOutputs,
}

/// CreateRoom's `egress.participant` (LiveKit's `AutoParticipantEgress`): every participant
/// who publishes a camera or a microphone in the room is recorded, camera and microphone, to
/// these outputs (one recording each: the templates name the participant).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AutoParticipant {
    /// A file and/or a segment output.
    pub outputs: CompositeOutputs,
    /// The encoding, for a camera that is transcoded (VP8/VP9).
    pub encoding: Option<Encoding>,
}

/// `StartParticipantEgress` with a segment output, stream outputs, or both.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StartParticipant {
    /// The room.
    pub room_name: RoomName,
    /// The participant.
    pub identity: ParticipantIdentity,
    /// The screen share instead of the camera.
    pub screen_share: bool,
    /// Where the media goes.
    pub outputs: CompositeOutputs,
    /// The encoding, when the request gave one (as for a track composite).
    pub encoding: Option<Encoding>,
}

/// `UpdateStream`: RTMP destinations added to and removed from a running egress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateStream {
    /// The egress.
    pub id: EgressId,
    /// Whole URLs to start streaming to.
    pub add: Vec<String>,
    /// URLs to stop streaming to (whole, or as `stream_results` shows them).
    pub remove: Vec<String>,
}

/// `StartTrackEgress` with a file output.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StartTrackEgress {
    /// The room.
    pub room_name: RoomName,
    /// The track.
    pub track_id: TrackSid,
    /// Where to write, relative to the recordings directory (empty: the server chooses).
    pub filepath: String,
}

/// `ListEgress`: an id wins over a room; neither lists all.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EgressFilter {
    /// Only this room's.
    pub room_name: Option<RoomName>,
    /// Only this one.
    pub id: Option<EgressId>,
    /// Only running ones.
    pub active: bool,
}

/// A call of LiveKit's EgressService that Hikari runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EgressRequest {
    /// `StartTrackEgress` to a file.
    StartTrack(StartTrackEgress),
    /// `StartTrackCompositeEgress` (HLS and/or RTMP).
    StartTrackComposite(StartTrackComposite),
    /// `StartParticipantEgress` (HLS and/or RTMP).
    StartParticipant(StartParticipant),
    /// `StartRoomCompositeEgress`.
    StartRoomComposite(StartRoomComposite),
    /// `UpdateLayout`: a running room composite's new layout.
    UpdateLayout {
        /// The egress.
        id: EgressId,
        /// LiveKit's layout name.
        layout: String,
    },
    /// `UpdateStream`.
    UpdateStream(UpdateStream),
    /// `ListEgress`.
    List(EgressFilter),
    /// `StopEgress`.
    Stop(EgressId),
}

/// What an EgressService call returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EgressResponse {
    /// One egress (`EgressInfo`).
    Egress(Box<Egress>),
    /// Several (`ListEgressResponse`).
    List(Vec<Egress>),
}
