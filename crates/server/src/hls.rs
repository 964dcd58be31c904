//! Live HLS over HTTP: `GET /hls/<egress_id>/live.m3u8` (LL-HLS: parts, preload hints,
//! blocking playlist reloads with `_HLS_msn`/`_HLS_part`, delta updates with `_HLS_skip`),
//! the init segment, parts and segments of an HLS egress while it runs, from memory. A request
//! for the part still to come (the preload hint) is held until it is cut.
//!
//! A viewer needs a LiveKit token that may watch the room (`roomJoin` for that room without
//! `canSubscribe: false`) or records (`roomRecord`), in `Authorization: Bearer` or in
//! `?access_token=`; a playlist fetched with the query token names its media with the same
//! token, so players that cannot set headers (Safari, ffmpeg) work. Failures count against
//! the address (the shared throttle). Responses allow any origin: the token is the
//! credential, never a cookie.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hikari_auth::{AuthThrottle, KeySet};
use hikari_egress::EgressId;
use hikari_record::live::Wait;
use hikari_record::{LiveHls, LiveStream};

use crate::recordings::param;

/// Where live streams are served: `/hls/<egress_id>/live.m3u8`.
pub const HLS_PATH: &str = "/hls";

/// The longest a blocking playlist reload is held (HLS: three target durations; the
/// segments here are at most 60 s, but a player waits for a part, a fraction of a second).
const MAX_BLOCK: Duration = Duration::from_secs(12);

/// The longest a request for a part still to come (the preload hint) is held: a part is cut
/// within a part target (a third of a second) of its first frame.
const MAX_PART_WAIT: Duration = Duration::from_secs(3);

#[derive(Clone)]
struct Live {
    streams: Arc<LiveHls>,
    keys: Arc<KeySet>,
    throttle: Arc<AuthThrottle>,
    now_unix: fn() -> i64,
}

/// The routes.
pub fn routes(streams: Arc<LiveHls>, keys: Arc<KeySet>, throttle: Arc<AuthThrottle>, now_unix: fn() -> i64) -> Router {
    let state = Live { streams, keys, throttle, now_unix };
    Router::new().route(&format!("{HLS_PATH}/{{egress}}/{{file}}"), get(serve)).with_state(state)
}

fn refuse(status: StatusCode, why: &str) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{why}\n")).into_response();
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

/// What a file name asks for.
#[derive(Debug, PartialEq, Eq)]
enum Resource {
    Playlist,
    Init,
    Segment(u64),
    Part(u64, u32),
}

/// The names of `hikari_mux::hls::Naming::default()`: `init.mp4`, `seg{msn}.m4s`,
/// `part{msn}.{index}.m4s`, and the playlist.
fn resource(file: &str) -> Option<Resource> {
    let number = |s: &str| if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) { None } else { s.parse().ok() };
    match file {
        "live.m3u8" => Some(Resource::Playlist),
        "init.mp4" => Some(Resource::Init),
        _ => {
            let body = file.strip_suffix(".m4s")?;
            if let Some(msn) = body.strip_prefix("seg") {
                return Some(Resource::Segment(number(msn)?));
            }
            let (msn, index) = body.strip_prefix("part")?.split_once('.')?;
            Some(Resource::Part(number(msn)?, u32::try_from(number(index)?).ok()?))
        }
    }
}

async fn serve(State(live): State<Live>, Path((egress, file)): Path<(String, String)>, request: Request) -> Response {
    let now = (live.now_unix)();
    let claims = match crate::recordings::verified_claims(&request, &live.keys, &live.throttle, now, refuse) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let query = request.uri().query();
    let query_token = param(query, "access_token");
    let Some(stream) = live.streams.get(&EgressId::new(egress)) else { return refuse(StatusCode::NOT_FOUND, "no such live stream") };
    let grant = claims.video.as_ref();
    let may_watch = grant.is_some_and(|v| v.room_record || (v.room_join && v.room == stream.room.as_str() && v.can_subscribe != Some(false)));
    if !may_watch {
        return refuse(StatusCode::FORBIDDEN, "permissions denied: the token may not watch this room (roomJoin for it, or roomRecord)");
    }
    let Some(what) = resource(&file) else { return refuse(StatusCode::NOT_FOUND, "no such file in a live stream") };
    match what {
        Resource::Playlist => playlist(&stream, query, query_token).await,
        Resource::Init => media(stream.init()),
        Resource::Segment(msn) => media(stream.segment(msn)),
        Resource::Part(msn, part) => media(stream.part_when_ready(msn, part, MAX_PART_WAIT).await),
    }
}

/// The live playlist, after waiting for the part a blocking reload names.
async fn playlist(stream: &LiveStream, query: Option<&str>, token: Option<&str>) -> Response {
    let number = |name: &str| param(query, name).map(|v| v.parse::<u64>());
    let msn = match number("_HLS_msn") {
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => return refuse(StatusCode::BAD_REQUEST, "_HLS_msn must be a number"),
        None => None,
    };
    let part = match number("_HLS_part") {
        Some(Ok(p)) => Some(u32::try_from(p).unwrap_or(u32::MAX)),
        Some(Err(_)) => return refuse(StatusCode::BAD_REQUEST, "_HLS_part must be a number"),
        None => None,
    };
    if let Some(msn) = msn {
        match stream.wait_for(msn, part, MAX_BLOCK).await {
            Wait::Ready => {}
            Wait::TooFar => return refuse(StatusCode::BAD_REQUEST, "_HLS_msn is beyond the next segment"),
            Wait::TimedOut => return refuse(StatusCode::SERVICE_UNAVAILABLE, "the requested part did not arrive in time"),
        }
    } else if part.is_some() {
        return refuse(StatusCode::BAD_REQUEST, "_HLS_part needs _HLS_msn");
    }
    let skip = matches!(param(query, "_HLS_skip"), Some("YES" | "v2"));
    let Some(text) = stream.playlist(skip) else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "the stream has no media yet; retry shortly");
    };
    let text = match token {
        Some(t) => crate::recordings::with_queries(&text, &|_| format!("access_token={t}")),
        None => text,
    };
    let mut r = ([(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")], text).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

fn media(data: Option<axum::body::Bytes>) -> Response {
    let Some(data) = data else { return refuse(StatusCode::NOT_FOUND, "not in the live window (older media is in the recording)") };
    let mut r = ([(header::CONTENT_TYPE, "video/mp4")], data).into_response();
    let h = r.headers_mut();
    // Parts and segments never change once published.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tokens() {
        assert_eq!(resource("live.m3u8"), Some(Resource::Playlist));
        assert_eq!(resource("../x"), None);
        assert_eq!(resource("init.mp4"), Some(Resource::Init));
        assert_eq!(resource("seg12.m4s"), Some(Resource::Segment(12)));
        assert_eq!(resource("part12.3.m4s"), Some(Resource::Part(12, 3)));
        for bad in ["seg.m4s", "seg-1.m4s", "part1.m4s", "part1.x.m4s", "part1.99999999999.m4s", "seg1.mp4", "seg99999999999999999999.m4s"] {
            assert_eq!(resource(bad), None, "{bad}");
        }
        assert_eq!(param(Some("a=1&_HLS_msn=5&_HLS_part=2"), "_HLS_msn"), Some("5"));
        assert_eq!(param(Some("x_HLS_msn=5"), "_HLS_msn"), None);
    }
}
