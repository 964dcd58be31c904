//! Recordings over HTTP: `GET /recordings/<path>` (and `HEAD`) serves a file of the
//! recordings directory (an egress's `file_results[].location`), with ranges, so a browser's
//! `<video>` or ffmpeg can seek. Every request needs a LiveKit token with the `roomRecord`
//! grant, in `Authorization: Bearer` or, for a `<video src>`, in `?access_token=`; failures
//! count against the address (the shared throttle). The path must stay inside the directory:
//! unsafe parts are refused, and the file, resolved through any symbolic link, must lie in it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hikari_auth::{AuthThrottle, KeySet, token_from_request};
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// Where recordings are served.
pub const RECORDINGS_PATH: &str = "/recordings";

#[derive(Clone)]
struct Files {
    dir: Arc<PathBuf>,
    keys: Arc<KeySet>,
    throttle: Arc<AuthThrottle>,
    now_unix: fn() -> i64,
}

/// The route, over the (canonical) recordings directory `dir`.
pub fn routes(dir: PathBuf, keys: Arc<KeySet>, throttle: Arc<AuthThrottle>, now_unix: fn() -> i64) -> Router {
    let state = Files { dir: Arc::new(dir), keys, throttle, now_unix };
    Router::new().route(&format!("{RECORDINGS_PATH}/{{*path}}"), get(serve)).with_state(state)
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{why}\n")).into_response()
}

/// The `access_token` query parameter, if any.
fn query_token(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|kv| kv.strip_prefix("access_token="))
}

/// The file `relative` names inside `dir`, if it is safe and exists there (links resolved).
fn inside(dir: &Path, relative: &str) -> Option<PathBuf> {
    if !hikari_egress::path::is_safe_relative(relative) {
        return None;
    }
    let file = dir.join(relative).canonicalize().ok()?;
    (file.starts_with(dir) && file.is_file()).then_some(file)
}

/// The token check both file routes share (`/recordings`, `/hls`): the address's throttle,
/// then a LiveKit token from `Authorization: Bearer` or `?access_token=`, verified; a failure
/// counts against the address. `Err` is the answer to send, made with `refuse`.
pub(crate) fn verified_claims(
    request: &Request,
    keys: &KeySet,
    throttle: &AuthThrottle,
    now: i64,
    refuse: fn(StatusCode, &str) -> Response,
) -> Result<hikari_auth::Claims, Box<Response>> {
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(ip) = ip
        && let Err(secs) = throttle.check(ip, now)
    {
        let mut r = refuse(StatusCode::TOO_MANY_REQUESTS, "too many failed authentications from this address");
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Err(Box::new(r));
    }
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    token_from_request(authorization, query_token(request.uri().query())).and_then(|t| keys.verify(t, now)).map_err(|e| {
        if let Some(ip) = ip {
            throttle.failed(ip, now);
        }
        Box::new(refuse(StatusCode::UNAUTHORIZED, &e.to_string()))
    })
}

async fn serve(State(files): State<Files>, request: Request) -> Response {
    let now = (files.now_unix)();
    let claims = match verified_claims(&request, &files.keys, &files.throttle, now, refuse) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if !claims.video.as_ref().is_some_and(|v| v.room_record) {
        return refuse(StatusCode::FORBIDDEN, "permissions denied: the token lacks the roomRecord grant");
    }
    let relative = request.uri().path().strip_prefix(RECORDINGS_PATH).and_then(|p| p.strip_prefix('/')).unwrap_or_default();
    let relative = match percent_decode(relative) {
        Some(r) => r,
        None => return refuse(StatusCode::BAD_REQUEST, "the path is not valid UTF-8 after percent-decoding"),
    };
    let Some(file) = inside(&files.dir, &relative) else { return refuse(StatusCode::NOT_FOUND, "no such recording") };
    let mut response = match ServeFile::new(file).oneshot(request).await {
        Ok(r) => r.into_response(),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("cannot read the recording: {e}")),
    };
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// `%XX` sequences decoded; `None` if the result is not UTF-8 or a sequence is cut.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_kept_inside() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/x.ogg"), b"OggS").expect("file");
        std::fs::write(dir.path().parent().expect("parent").join("outside-hikari-test.ogg"), b"x").ok();
        std::os::unix::fs::symlink("/etc/hostname", root.join("a/link.ogg")).expect("symlink");
        assert_eq!(inside(&root, "a/x.ogg"), Some(root.join("a/x.ogg")));
        for bad in ["a/../../outside-hikari-test.ogg", "../x", "a/link.ogg", "a", "a/missing.ogg", "/etc/hostname"] {
            assert_eq!(inside(&root, bad), None, "{bad}");
        }
        assert_eq!(percent_decode("a/%E3%81%82.ogg").as_deref(), Some("a/あ.ogg"));
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("%ff"), None);
        assert_eq!(query_token(Some("x=1&access_token=abc")), Some("abc"));
    }
}
