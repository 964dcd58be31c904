//! The recordings library: what ended egresses left to watch or download. A [`Recording`] is
//! read off an ended egress record (its file, or its event playlist), so every recording ever
//! made is in the library without a second record to keep in step; deleting one removes its
//! files (the runtime's part) and hides it here ([`crate::Registry::forget`]).

use hikari_types::{Egress, EgressId, EgressSource, EgressStatus, RoomName};

/// What a recording is played as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordingKind {
    /// One file: MP4, WebM or Ogg.
    File,
    /// An HLS event playlist and its segments (VOD once finished).
    Playlist,
}

/// One finished recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The egress that made it.
    pub id: EgressId,
    /// Its room.
    pub room_name: RoomName,
    /// What was recorded, in words (`participant host`, `track TR_…`, `tracks TR_… + TR_…`).
    pub source: String,
    /// How the egress ended: complete, or failed/aborted/limit reached with what was written.
    pub status: EgressStatus,
    /// Why it did not complete, if it did not.
    pub error: String,
    /// Unix nanoseconds: the egress started.
    pub started_at: i64,
    /// Unix nanoseconds: the egress ended.
    pub ended_at: i64,
    /// Nanoseconds of media.
    pub duration: i64,
    /// Bytes (of the file, or of the segments).
    pub size: i64,
    /// File or playlist.
    pub kind: RecordingKind,
    /// The file or playlist, relative to the recordings directory.
    pub path: String,
    /// Thumbnails taken beside it: their path prefix (`<prefix>_00000.jpeg`, …) and count.
    pub images: Option<(String, i64)>,
}

impl Recording {
    /// The recording an egress left, if it has ended and wrote a file or segments.
    pub fn of(egress: &Egress) -> Option<Self> {
        if egress.status.is_active() {
            return None;
        }
        let (kind, path, duration, size) = match (&egress.file, &egress.segments) {
            (Some(f), _) if f.size > 0 => (RecordingKind::File, f.filename.clone(), f.duration, f.size),
            (_, Some(s)) if s.segment_count > 0 => (RecordingKind::Playlist, s.playlist_name.clone(), s.duration, s.size),
            _ => return None,
        };
        let images = egress.images.as_ref().filter(|i| i.image_count > 0).map(|i| (i.filename_prefix.clone(), i.image_count));
        Some(Self {
            id: egress.id.clone(),
            room_name: egress.room_name.clone(),
            source: describe(&egress.source),
            status: egress.status,
            error: egress.error.clone(),
            started_at: egress.started_at,
            ended_at: egress.ended_at,
            duration,
            size,
            kind,
            path,
            images,
        })
    }

    /// The first thumbnail's path, if thumbnails were taken (a poster for a player).
    pub fn poster(&self) -> Option<String> {
        self.images.as_ref().map(|(prefix, _)| image_path(prefix, 0))
    }
}

/// The path of thumbnail `index` (from 0) of an image output with path prefix `prefix`:
/// `<prefix>_00000.jpeg`, `<prefix>_00001.jpeg`, … (ffmpeg's `%05d`).
pub fn image_path(prefix: &str, index: i64) -> String {
    format!("{prefix}_{index:05}.jpeg")
}

fn describe(source: &EgressSource) -> String {
    match source {
        EgressSource::Track { track_id, .. } => format!("track {track_id}"),
        EgressSource::TrackComposite { audio_track_id, video_track_id, .. } => {
            let ids: Vec<String> = [video_track_id, audio_track_id].into_iter().flatten().map(ToString::to_string).collect();
            format!("tracks {}", ids.join(" + "))
        }
        EgressSource::Participant { identity, screen_share, .. } => {
            format!("participant {identity}{}", if *screen_share { " (screen share)" } else { "" })
        }
        EgressSource::RoomComposite { layout, .. } => format!("room composite ({})", if layout.is_empty() { "grid" } else { layout }),
    }
}

/// Which recordings to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingFilter {
    /// Only this room's.
    pub room_name: Option<RoomName>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The most a listing returns.
pub const MAX_LISTED: u32 = 1000;

impl Default for RecordingFilter {
    fn default() -> Self {
        Self { room_name: None, limit: 100 }
    }
}
