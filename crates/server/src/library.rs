//! The recordings library: `GET /library/recordings` (`?room=`, `?limit=`, `?ttl=`),
//! `GET /library/recordings/<egress_id>` and `DELETE /library/recordings/<egress_id>`, JSON,
//! for a LiveKit token with the `roomRecord` grant (as the EgressService's; Twirp-shaped
//! errors). Each recording comes with signed links (`play_url`, `download_url`,
//! `poster_url`) valid for `ttl` seconds (default an hour, at most 30 days), which a page can
//! embed without any credential. The same library is the funnel's [`RecordingLibrary`] port
//! (the admin's recordings page).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hikari_api::ApiError;
use hikari_auth::signed::{MAX_LINK_TTL_SECS, percent_encode, sign_path};
use hikari_auth::{AuthThrottle, KeySet};
use hikari_egress::{EgressId, EgressStatus, Recording, RecordingFilter, RecordingKind};
use hikari_funnel_app::library::LibraryFuture;
use hikari_funnel_app::{AppError, RecordingEntry, RecordingLibrary};
use hikari_record::{RecordError, Recorder};

use crate::recordings::{RECORDINGS_PATH, param};

/// Where the library is served.
pub const LIBRARY_PATH: &str = "/library/recordings";

/// Links last this long unless a request says otherwise.
const DEFAULT_TTL_SECS: i64 = 3600;

/// The library over the recorder's registry and directory.
pub struct Library {
    recorder: Arc<Recorder>,
    keys: Arc<KeySet>,
    now_unix: fn() -> i64,
}

impl Library {
    /// The library of `recorder`'s recordings, links signed with `keys`.
    pub fn new(recorder: Arc<Recorder>, keys: Arc<KeySet>, now_unix: fn() -> i64) -> Self {
        Self { recorder, keys, now_unix }
    }

    fn link(&self, path: &str, expires: i64) -> String {
        let url = format!("{RECORDINGS_PATH}/{path}");
        let query = sign_path(&self.keys, &url, expires).unwrap_or_default();
        format!("{}?{query}", percent_encode(&url))
    }

    fn entry(&self, r: &Recording, ttl: i64) -> RecordingEntry {
        let expires = (self.now_unix)() + ttl;
        let play_url = self.link(&r.path, expires);
        let format = match r.kind {
            RecordingKind::Playlist => "hls",
            RecordingKind::File => file_format(&r.path),
        };
        RecordingEntry {
            id: r.id.to_string(),
            room: r.room_name.to_string(),
            source: r.source.clone(),
            status: match r.status {
                EgressStatus::Complete => "complete",
                EgressStatus::Failed => "failed",
                EgressStatus::Aborted => "aborted",
                EgressStatus::LimitReached => "limit_reached",
                _ => "ended",
            },
            error: r.error.clone(),
            started_at_ms: r.started_at / 1_000_000,
            ended_at_ms: r.ended_at / 1_000_000,
            duration_ms: r.duration / 1_000_000,
            size_bytes: r.size,
            format,
            path: r.path.clone(),
            download_url: if r.kind == RecordingKind::Playlist { self.link(&format!("{}.mp4", r.path), expires) } else { play_url.clone() },
            play_url,
            poster_url: r.poster().map(|p| self.link(&p, expires)),
            links_expire_at: expires,
        }
    }

    async fn list(&self, room: Option<&str>, limit: u32, ttl: i64) -> Result<Vec<RecordingEntry>, RecordError> {
        let filter = RecordingFilter { room_name: room.map(Into::into), limit };
        let found = self.recorder.registry().recordings(&filter).await?;
        Ok(found.iter().map(|r| self.entry(r, ttl)).collect())
    }

    async fn get(&self, id: &str, ttl: i64) -> Result<Option<RecordingEntry>, RecordError> {
        match self.recorder.registry().recording(&EgressId::new(id.to_owned())).await {
            Ok(r) => Ok(Some(self.entry(&r, ttl))),
            Err(hikari_egress::EgressError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, id: &str) -> Result<bool, RecordError> {
        match self.recorder.delete_recording(&EgressId::new(id.to_owned()), crate::ingress::unix_nanos()).await {
            Ok(_) => Ok(true),
            Err(RecordError::Egress(hikari_egress::EgressError::NotFound(_))) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// A recording file's format, from its extension.
fn file_format(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("mp4") => "mp4",
        Some("webm") => "webm",
        Some("ogg") => "ogg",
        _ => "file",
    }
}

impl RecordingLibrary for Library {
    fn list<'a>(&'a self, room: Option<&'a str>, limit: u32, ttl: i64) -> LibraryFuture<'a, Vec<RecordingEntry>> {
        Box::pin(async move { Library::list(self, room, limit, ttl.clamp(60, MAX_LINK_TTL_SECS)).await.map_err(|e| AppError::Library(e.to_string())) })
    }

    fn get<'a>(&'a self, id: &'a str, ttl: i64) -> LibraryFuture<'a, Option<RecordingEntry>> {
        Box::pin(async move { Library::get(self, id, ttl.clamp(60, MAX_LINK_TTL_SECS)).await.map_err(|e| AppError::Library(e.to_string())) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> LibraryFuture<'a, bool> {
        Box::pin(async move { Library::delete(self, id).await.map_err(|e| AppError::Library(e.to_string())) })
    }
}

#[derive(Clone)]
struct Api {
    library: Arc<Library>,
    throttle: Arc<AuthThrottle>,
}

/// The routes.
pub fn routes(library: Arc<Library>, throttle: Arc<AuthThrottle>) -> Router {
    Router::new().route(LIBRARY_PATH, get(list)).route(&format!("{LIBRARY_PATH}/{{id}}"), get(one).delete(delete)).with_state(Api { library, throttle })
}

fn refuse(status: StatusCode, why: &str) -> Response {
    let error = match status {
        StatusCode::UNAUTHORIZED => ApiError::Unauthenticated(why.to_owned()),
        StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited(60),
        _ => ApiError::PermissionDenied(why.to_owned()),
    };
    error.into_response()
}

/// The `roomRecord` check; `Err` is the answer.
fn allowed(api: &Api, request: &Request) -> Result<(), Box<Response>> {
    let now = (api.library.now_unix)();
    let claims = crate::recordings::verified_claims(request, &api.library.keys, &api.throttle, now, refuse)?;
    if !claims.video.as_ref().is_some_and(|v| v.room_record) {
        return Err(Box::new(ApiError::PermissionDenied("permissions denied: the library needs a token with the roomRecord grant".into()).into_response()));
    }
    Ok(())
}

/// `ttl` (seconds, 60 to 30 days) and `limit` (1 to 1000) from the query.
fn numbers(query: Option<&str>) -> Result<(i64, u32), ApiError> {
    let ttl = match param(query, "ttl") {
        None => DEFAULT_TTL_SECS,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|t| (60..=MAX_LINK_TTL_SECS).contains(t))
            .ok_or_else(|| ApiError::InvalidArgument(format!("ttl must be a number of seconds from 60 to {MAX_LINK_TTL_SECS} (30 days)")))?,
    };
    let limit = match param(query, "limit") {
        None => RecordingFilter::default().limit,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=hikari_egress::library::MAX_LISTED).contains(l))
            .ok_or_else(|| ApiError::InvalidArgument(format!("limit must be from 1 to {}", hikari_egress::library::MAX_LISTED)))?,
    };
    Ok((ttl, limit))
}

fn failed(e: RecordError) -> Response {
    tracing::error!(error = %e, "recordings library");
    ApiError::Internal(e.to_string()).into_response()
}

async fn list(State(api): State<Api>, request: Request) -> Response {
    if let Err(r) = allowed(&api, &request) {
        return *r;
    }
    let query = request.uri().query();
    let (ttl, limit) = match numbers(query) {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let room = param(query, "room").and_then(hikari_auth::signed::percent_decode).filter(|r| !r.is_empty());
    match api.library.list(room.as_deref(), limit, ttl).await {
        Ok(recordings) => Json(serde_json::json!({ "recordings": recordings })).into_response(),
        Err(e) => failed(e),
    }
}

async fn one(State(api): State<Api>, Path(id): Path<String>, request: Request) -> Response {
    if let Err(r) = allowed(&api, &request) {
        return *r;
    }
    let (ttl, _) = match numbers(request.uri().query()) {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    match api.library.get(&id, ttl).await {
        Ok(Some(r)) => Json(r).into_response(),
        Ok(None) => ApiError::NotFound(format!("no recording {id} in the library")).into_response(),
        Err(e) => failed(e),
    }
}

async fn delete(State(api): State<Api>, Path(id): Path<String>, request: Request) -> Response {
    if let Err(r) = allowed(&api, &request) {
        return *r;
    }
    match api.library.delete(&id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => ApiError::NotFound(format!("no recording {id} in the library")).into_response(),
        Err(e) => failed(e),
    }
}
