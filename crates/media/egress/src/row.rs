//! An egress as the JSON document of its store row. `hikari-types` serialises nothing, so
//! the document's shape is this file's: field names are stable, and a document missing a
//! field (written by an older version) reads with its default.

use hikari_types::{
    CompositeOutputs, Egress, EgressId, EgressSource, EgressStatus, Encoding, FileResult, ImagesOutput, ImagesResult, ParticipantIdentity, RoomName, RoomSid,
    SegmentsOutput, SegmentsResult, StreamResult, StreamStatus, TrackSid,
};
use serde::{Deserialize, Serialize};

use crate::error::EgressError;

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct Doc {
    id: String,
    room_id: String,
    room_name: String,
    /// `track`, `track_composite`, `participant` or `room_composite`.
    source: String,
    track_id: String,
    filepath: String,
    audio_track_id: String,
    video_track_id: String,
    identity: String,
    screen_share: bool,
    segments_output: Option<SegmentsOutputDoc>,
    /// Redacted, as the source holds them.
    stream_urls: Vec<String>,
    images_output: Option<ImagesOutputDoc>,
    /// A composite's MP4 file output, as requested.
    file_output: Option<String>,
    layout: String,
    audio_only: bool,
    video_only: bool,
    encoding: Option<EncodingDoc>,
    status: String,
    started_at: i64,
    ended_at: i64,
    updated_at: i64,
    error: String,
    file: Option<FileDoc>,
    segments: Option<SegmentsDoc>,
    streams: Vec<StreamDoc>,
    images: Option<ImagesDoc>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct EncodingDoc {
    width: u32,
    height: u32,
    fps: u32,
    video_bitrate: u32,
    audio_bitrate: u32,
    keyframe_interval_ms: u32,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct ImagesOutputDoc {
    capture_interval: u32,
    width: u32,
    height: u32,
    filename_prefix: String,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct ImagesDoc {
    filename_prefix: String,
    image_count: i64,
    started_at: i64,
    ended_at: i64,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct StreamDoc {
    url: String,
    started_at: i64,
    ended_at: i64,
    duration: i64,
    /// `active`, `finished` or `failed`.
    status: String,
    error: String,
    last_retry_at: i64,
    retries: u32,
}

const STREAM_STATUSES: [(StreamStatus, &str); 3] = [(StreamStatus::Active, "active"), (StreamStatus::Finished, "finished"), (StreamStatus::Failed, "failed")];

fn stream_doc(s: &StreamResult) -> StreamDoc {
    let status = STREAM_STATUSES.iter().find(|(v, _)| *v == s.status).map_or("failed", |(_, n)| n);
    StreamDoc {
        url: s.url.clone(),
        started_at: s.started_at,
        ended_at: s.ended_at,
        duration: s.duration,
        status: status.into(),
        error: s.error.clone(),
        last_retry_at: s.last_retry_at,
        retries: s.retries,
    }
}

fn stream_from(d: StreamDoc) -> StreamResult {
    let status = STREAM_STATUSES.iter().find(|(_, n)| *n == d.status).map_or(StreamStatus::Failed, |(s, _)| *s);
    StreamResult {
        url: d.url,
        started_at: d.started_at,
        ended_at: d.ended_at,
        duration: d.duration,
        status,
        error: d.error,
        last_retry_at: d.last_retry_at,
        retries: d.retries,
    }
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct SegmentsOutputDoc {
    filename_prefix: String,
    playlist_name: String,
    live_playlist_name: String,
    segment_duration: u32,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct SegmentsDoc {
    playlist_name: String,
    live_playlist_name: String,
    duration: i64,
    size: i64,
    playlist_location: String,
    live_playlist_location: String,
    segment_count: i64,
    started_at: i64,
    ended_at: i64,
}

fn output_doc(o: &SegmentsOutput) -> SegmentsOutputDoc {
    SegmentsOutputDoc {
        filename_prefix: o.filename_prefix.clone(),
        playlist_name: o.playlist_name.clone(),
        live_playlist_name: o.live_playlist_name.clone(),
        segment_duration: o.segment_duration,
    }
}

fn images_output_doc(o: &ImagesOutput) -> ImagesOutputDoc {
    ImagesOutputDoc { capture_interval: o.capture_interval, width: o.width, height: o.height, filename_prefix: o.filename_prefix.clone() }
}

/// Puts a composite's outputs into the document.
fn put_outputs(doc: &mut Doc, outputs: &CompositeOutputs) {
    doc.file_output = outputs.file.clone();
    doc.segments_output = outputs.segments.as_ref().map(output_doc);
    doc.stream_urls = outputs.stream_urls.clone();
    doc.images_output = outputs.images.as_ref().map(images_output_doc);
}

fn outputs_from(file: Option<String>, d: Option<SegmentsOutputDoc>, stream_urls: Vec<String>, images: Option<ImagesOutputDoc>) -> CompositeOutputs {
    let images = images.map(|i| ImagesOutput { capture_interval: i.capture_interval, width: i.width, height: i.height, filename_prefix: i.filename_prefix });
    let segments = d.map(|d| SegmentsOutput {
        filename_prefix: d.filename_prefix,
        playlist_name: d.playlist_name,
        live_playlist_name: d.live_playlist_name,
        segment_duration: d.segment_duration,
    });
    CompositeOutputs { file, segments, stream_urls, images }
}

fn track(id: String) -> Option<TrackSid> {
    Some(id).filter(|i| !i.is_empty()).map(TrackSid::new)
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
    let mut doc = Doc {
        id: e.id.to_string(),
        room_id: e.room_id.to_string(),
        room_name: e.room_name.to_string(),
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
        segments: e.segments.as_ref().map(|s| SegmentsDoc {
            playlist_name: s.playlist_name.clone(),
            live_playlist_name: s.live_playlist_name.clone(),
            duration: s.duration,
            size: s.size,
            playlist_location: s.playlist_location.clone(),
            live_playlist_location: s.live_playlist_location.clone(),
            segment_count: s.segment_count,
            started_at: s.started_at,
            ended_at: s.ended_at,
        }),
        streams: e.streams.iter().map(stream_doc).collect(),
        images: e.images.as_ref().map(|i| ImagesDoc {
            filename_prefix: i.filename_prefix.clone(),
            image_count: i.image_count,
            started_at: i.started_at,
            ended_at: i.ended_at,
        }),
        ..Default::default()
    };
    match &e.source {
        EgressSource::Track { track_id, filepath } => {
            doc.source = "track".into();
            doc.track_id = track_id.to_string();
            doc.filepath = filepath.clone();
        }
        EgressSource::TrackComposite { audio_track_id, video_track_id, outputs } => {
            doc.source = "track_composite".into();
            doc.audio_track_id = audio_track_id.as_ref().map(ToString::to_string).unwrap_or_default();
            doc.video_track_id = video_track_id.as_ref().map(ToString::to_string).unwrap_or_default();
            put_outputs(&mut doc, outputs);
        }
        EgressSource::Participant { identity, screen_share, outputs } => {
            doc.source = "participant".into();
            doc.identity = identity.to_string();
            doc.screen_share = *screen_share;
            put_outputs(&mut doc, outputs);
        }
        EgressSource::RoomComposite { layout, audio_only, video_only, encoding, outputs } => {
            doc.source = "room_composite".into();
            doc.layout = layout.clone();
            doc.audio_only = *audio_only;
            doc.video_only = *video_only;
            let e = encoding;
            doc.encoding = Some(EncodingDoc {
                width: e.width,
                height: e.height,
                fps: e.fps,
                video_bitrate: e.video_bitrate,
                audio_bitrate: e.audio_bitrate,
                keyframe_interval_ms: e.keyframe_interval_ms,
            });
            put_outputs(&mut doc, outputs);
        }
    }
    serde_json::to_string(&doc).map_err(|e| EgressError::Store(e.to_string()))
}

pub(crate) fn decode(json: &str) -> Result<Egress, EgressError> {
    let d: Doc = serde_json::from_str(json).map_err(|e| EgressError::Store(format!("an unreadable egress record: {e}")))?;
    let source = match d.source.as_str() {
        "track" => EgressSource::Track { track_id: TrackSid::new(d.track_id), filepath: d.filepath },
        "track_composite" => EgressSource::TrackComposite {
            audio_track_id: track(d.audio_track_id),
            video_track_id: track(d.video_track_id),
            outputs: outputs_from(d.file_output, d.segments_output, d.stream_urls, d.images_output),
        },
        "participant" => EgressSource::Participant {
            identity: ParticipantIdentity::new(d.identity),
            screen_share: d.screen_share,
            outputs: outputs_from(d.file_output, d.segments_output, d.stream_urls, d.images_output),
        },
        "room_composite" => EgressSource::RoomComposite {
            layout: d.layout,
            audio_only: d.audio_only,
            video_only: d.video_only,
            encoding: d.encoding.map_or_else(Encoding::default, |e| Encoding {
                width: e.width,
                height: e.height,
                fps: e.fps,
                video_bitrate: e.video_bitrate,
                audio_bitrate: e.audio_bitrate,
                keyframe_interval_ms: e.keyframe_interval_ms,
            }),
            outputs: outputs_from(d.file_output, d.segments_output, d.stream_urls, d.images_output),
        },
        other => return Err(EgressError::Store(format!("an egress record of unknown source {other:?}"))),
    };
    let status = STATUSES.iter().find(|(_, n)| *n == d.status).map(|(s, _)| *s);
    let status = status.ok_or_else(|| EgressError::Store(format!("an egress record of unknown status {:?}", d.status)))?;
    Ok(Egress {
        id: EgressId::new(d.id),
        room_id: RoomSid::new(d.room_id),
        room_name: RoomName::new(d.room_name),
        source,
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
        segments: d.segments.map(|s| SegmentsResult {
            playlist_name: s.playlist_name,
            live_playlist_name: s.live_playlist_name,
            duration: s.duration,
            size: s.size,
            playlist_location: s.playlist_location,
            live_playlist_location: s.live_playlist_location,
            segment_count: s.segment_count,
            started_at: s.started_at,
            ended_at: s.ended_at,
        }),
        streams: d.streams.into_iter().map(stream_from).collect(),
        images: d.images.map(|i| ImagesResult {
            filename_prefix: i.filename_prefix,
            image_count: i.image_count,
            started_at: i.started_at,
            ended_at: i.ended_at,
        }),
    })
}
