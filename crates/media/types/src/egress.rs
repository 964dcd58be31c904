//! Egress jobs and their state (LiveKit's `EgressInfo`) and the requests of its
//! EgressService, independent of the wire. `hikari-protocol` converts them to and from
//! protobuf; `hikari-egress` keeps them (registry and store) and runs them.

use crate::ids::{EgressId, RoomName, RoomSid, TrackSid};

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

/// What an egress records. Only track egress is run today; the other request kinds are
/// refused with a clear `unimplemented` before a job exists.
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
