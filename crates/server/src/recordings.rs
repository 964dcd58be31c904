//! Recordings over HTTP: `GET /recordings/<path>` (and `HEAD`) serves a file of the
//! recordings directory (an egress's `file_results[].location`), with ranges, so a browser's
//! `<video>` or ffmpeg can seek. A request carries either a LiveKit token with the
//! `roomRecord` grant (`Authorization: Bearer`, or `?access_token=` for a `<video src>`) or a
//! signed, expiring link to that one path ([`hikari_auth::signed`], made by the library API);
//! failures count against the address (the shared throttle). The path must stay inside the
//! directory: unsafe parts are refused, and the file, resolved through any symbolic link, must
//! lie in it.
//!
//! An HLS event playlist fetched with a query credential names its files with one too (a
//! signed link for each, or the same token), so players that cannot set headers work; and
//! `<playlist>.m3u8.mp4` serves it as one fragmented MP4 (its init segment, an index and its
//! segments, with ranges: `joined.rs`), a download any player opens.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hikari_auth::signed::{self, percent_decode};
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

/// A query parameter's raw value.
pub(crate) fn param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// The file `relative` names inside `dir`, if it is safe and exists there (links resolved).
fn inside(dir: &Path, relative: &str) -> Option<PathBuf> {
    if !hikari_egress::path::is_safe_relative(relative) {
        return None;
    }
    let file = dir.join(relative).canonicalize().ok()?;
    (file.starts_with(dir) && file.is_file()).then_some(file)
}

/// The client's address, when the listener recorded it.
fn client_ip(request: &Request) -> Option<std::net::IpAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// `Err(429)` while the address is throttled for failed authentications.
fn throttled(request: &Request, throttle: &AuthThrottle, now: i64, refuse: fn(StatusCode, &str) -> Response) -> Result<(), Box<Response>> {
    if let Some(ip) = client_ip(request)
        && let Err(secs) = throttle.check(ip, now)
    {
        let mut r = refuse(StatusCode::TOO_MANY_REQUESTS, "too many failed authentications from this address");
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Err(Box::new(r));
    }
    Ok(())
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
    throttled(request, throttle, now, refuse)?;
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    token_from_request(authorization, param(request.uri().query(), "access_token")).and_then(|t| keys.verify(t, now)).map_err(|e| {
        if let Some(ip) = client_ip(request) {
            throttle.failed(ip, now);
        }
        Box::new(refuse(StatusCode::UNAUTHORIZED, &e.to_string()))
    })
}

/// The credential a request was let in with.
enum Credential {
    /// A signed link to this path, expiring then (Unix seconds).
    Link(i64),
    /// A `roomRecord` token, in the query if `Some`.
    Token(Option<String>),
}

fn authorise(files: &Files, request: &Request, relative: &str, now: i64) -> Result<Credential, Box<Response>> {
    let query = request.uri().query();
    if !signed::has_signature(query) || request.headers().contains_key(header::AUTHORIZATION) {
        let claims = verified_claims(request, &files.keys, &files.throttle, now, refuse)?;
        if !claims.video.as_ref().is_some_and(|v| v.room_record) {
            return Err(Box::new(refuse(StatusCode::FORBIDDEN, "permissions denied: the token lacks the roomRecord grant")));
        }
        let in_query = request.headers().get(header::AUTHORIZATION).is_none().then(|| param(query, "access_token").map(str::to_owned)).flatten();
        return Ok(Credential::Token(in_query));
    }
    throttled(request, &files.throttle, now, refuse)?;
    match signed::verify_path(&files.keys, &format!("{RECORDINGS_PATH}/{relative}"), query, now) {
        Ok(()) => Ok(Credential::Link(param(query, "expires").and_then(|e| e.parse().ok()).unwrap_or(now))),
        Err(e) => {
            if let Some(ip) = client_ip(request) {
                files.throttle.failed(ip, now);
            }
            let why = match e {
                hikari_auth::AuthError::Expired => "this link has expired: ask for a new one".to_owned(),
                other => format!("this link is not valid: {other}"),
            };
            Err(Box::new(refuse(StatusCode::FORBIDDEN, &why)))
        }
    }
}

async fn serve(State(files): State<Files>, request: Request) -> Response {
    let now = (files.now_unix)();
    let raw = request.uri().path().strip_prefix(RECORDINGS_PATH).and_then(|p| p.strip_prefix('/')).unwrap_or_default();
    let Some(relative) = percent_decode(raw) else {
        return refuse(StatusCode::BAD_REQUEST, "the path is not valid UTF-8 after percent-decoding");
    };
    let credential = match authorise(&files, &request, &relative, now) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    // `<playlist>.m3u8.mp4`: the HLS recording joined into one MP4 (joined.rs).
    let joined = relative.strip_suffix(".mp4").filter(|p| p.ends_with(".m3u8") && inside(&files.dir, &relative).is_none());
    let Some(file) = inside(&files.dir, joined.unwrap_or(&relative)) else { return refuse(StatusCode::NOT_FOUND, "no such recording") };
    if let Some(playlist) = joined {
        let media = match hikari_record::library::playlist_media(&files.dir, playlist) {
            Ok(m) => m,
            Err(e) => return refuse(StatusCode::NOT_FOUND, &e.to_string()),
        };
        let name = relative.rsplit('/').next().unwrap_or("recording.mp4").replace(".m3u8.mp4", ".mp4");
        let range = request.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
        let mut r = crate::joined::serve(&files.dir, &media, range, &name).await;
        private(&mut r);
        return r;
    }
    if relative.ends_with(".m3u8") {
        let rewrite = match &credential {
            Credential::Link(expires) => {
                let base = relative.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
                let (keys, expires) = (files.keys.clone(), *expires);
                Some(Box::new(move |uri: &str| signed::sign_path(&keys, &format!("{RECORDINGS_PATH}/{base}{uri}"), expires).unwrap_or_default())
                    as Box<dyn Fn(&str) -> String + Send>)
            }
            Credential::Token(Some(t)) => {
                let t = t.clone();
                Some(Box::new(move |_: &str| format!("access_token={t}")) as Box<dyn Fn(&str) -> String + Send>)
            }
            Credential::Token(None) => None,
        };
        if let Some(query_for) = rewrite {
            return match tokio::fs::read_to_string(&file).await {
                Ok(text) => {
                    let mut r = ([(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")], with_queries(&text, &*query_for)).into_response();
                    private(&mut r);
                    r
                }
                Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("cannot read the playlist: {e}")),
            };
        }
    }
    let mut response = match ServeFile::new(file).oneshot(request).await {
        Ok(r) => r.into_response(),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("cannot read the recording: {e}")),
    };
    private(&mut response);
    response
}

/// The headers of a recording's answer: not sniffed, not kept by shared caches; any origin may
/// read it (the credential is in the request, never a cookie).
fn private(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
}

/// A playlist with a query added to every URI it names (URI lines, and `URI="…"` attributes):
/// `query_for(uri)`.
pub(crate) fn with_queries(text: &str, query_for: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        if line.is_empty() {
        } else if !line.starts_with('#') {
            out.push_str(&format!("{line}?{}", query_for(line)));
        } else if let Some((head, rest)) = line.split_once("URI=\"")
            && let Some((uri, tail)) = rest.split_once('"')
        {
            out.push_str(&format!("{head}URI=\"{uri}?{}\"{tail}", query_for(uri)));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
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
        assert_eq!(param(Some("x=1&access_token=abc"), "access_token"), Some("abc"));
        assert_eq!(param(Some("xaccess_token=abc"), "access_token"), None);
    }

    #[test]
    fn every_uri_of_a_playlist_gets_its_query() {
        let text = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-PART:DURATION=0.333,URI=\"p.m4s\",INDEPENDENT=YES\nseg1.m4s\n";
        let t = with_queries(text, &|uri| format!("q={uri}"));
        assert!(
            t.contains("URI=\"init.mp4?q=init.mp4\"") && t.contains("URI=\"p.m4s?q=p.m4s\",INDEPENDENT=YES") && t.contains("\nseg1.m4s?q=seg1.m4s\n"),
            "{t}"
        );
    }
}
