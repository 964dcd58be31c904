//! An egress as the JSON document of its store row. `hikari-types` serialises nothing, so
//! the document's shape is this file's: field names are stable, and a document missing a
//! field (written by an older version) reads with its default.

use hikari_types::{Egress, EgressId, EgressSource, EgressStatus, FileResult, RoomName, RoomSid, TrackSid};
use serde::{Deserialize, Serialize};

use crate::error::EgressError;

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct Doc {
    id: String,
    room_id: String,
    room_name: String,
    /// `track`: the only source run today.
    source: String,
    track_id: String,
    filepath: String,
    status: String,
    started_at: i64,
    ended_at: i64,
    updated_at: i64,
    error: String,
    file: Option<FileDoc>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct FileDoc {
    filename: String,
    started_at: i64,
    ended_at: i64,
    duration: i64,
    size: i64,
    location: String,
}

const STATUSES: [(EgressStatus, &str); 7] = [
    (EgressStatus::Starting, "starting"),
    (EgressStatus::Active, "active"),
    (EgressStatus::Ending, "ending"),
    (EgressStatus::Complete, "complete"),
    (EgressStatus::Failed, "failed"),
    (EgressStatus::Aborted, "aborted"),
    (EgressStatus::LimitReached, "limit_reached"),
];

/// The status's name in the document and the store's `status` column.
pub(crate) fn status_name(s: EgressStatus) -> &'static str {
    STATUSES.iter().find(|(v, _)| *v == s).map_or("failed", |(_, n)| n)
}

pub(crate) fn encode(e: &Egress) -> Result<String, EgressError> {
    let EgressSource::Track { track_id, filepath } = &e.source;
    let doc = Doc {
        id: e.id.to_string(),
        room_id: e.room_id.to_string(),
        room_name: e.room_name.to_string(),
        source: "track".into(),
        track_id: track_id.to_string(),
        filepath: filepath.clone(),
        status: status_name(e.status).into(),
        started_at: e.started_at,
        ended_at: e.ended_at,
        updated_at: e.updated_at,
        error: e.error.clone(),
        file: e.file.as_ref().map(|f| FileDoc {
            filename: f.filename.clone(),
            started_at: f.started_at,
            ended_at: f.ended_at,
            duration: f.duration,
            size: f.size,
            location: f.location.clone(),
        }),
    };
    serde_json::to_string(&doc).map_err(|e| EgressError::Store(e.to_string()))
}

pub(crate) fn decode(json: &str) -> Result<Egress, EgressError> {
    let d: Doc = serde_json::from_str(json).map_err(|e| EgressError::Store(format!("an unreadable egress record: {e}")))?;
    if d.source != "track" {
        return Err(EgressError::Store(format!("an egress record of unknown source {:?}", d.source)));
    }
    let status = STATUSES.iter().find(|(_, n)| *n == d.status).map(|(s, _)| *s);
    let status = status.ok_or_else(|| EgressError::Store(format!("an egress record of unknown status {:?}", d.status)))?;
    Ok(Egress {
        id: EgressId::new(d.id),
        room_id: RoomSid::new(d.room_id),
        room_name: RoomName::new(d.room_name),
        source: EgressSource::Track { track_id: TrackSid::new(d.track_id), filepath: d.filepath },
        status,
        started_at: d.started_at,
        ended_at: d.ended_at,
        updated_at: d.updated_at,
        error: d.error,
        file: d.file.map(|f| FileResult {
            filename: f.filename,
            started_at: f.started_at,
            ended_at: f.ended_at,
            duration: f.duration,
            size: f.size,
            location: f.location,
        }),
    })
}
