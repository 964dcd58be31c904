//! WHIP's HTTP face (RFC 9725, at LiveKit's addresses): `POST /w/<stream key>` (or `POST /w`
//! with `Authorization: Bearer <stream key>`) with an `application/sdp` offer answers `201`
//! with the SDP answer, `Location: /w/<key>/<resource>` and an `ETag`; `PATCH` on the
//! resource takes `application/trickle-ice-sdpfrag` (trickle: `204`; ICE restart: `200` with
//! the answer fragment); `DELETE` ends the session. `OPTIONS` answers CORS preflights, so a
//! WHIP client page on another origin works. The sessions themselves are
//! `hikari_ingest::whip`'s; this maps requests to them and their errors to status codes,
//! once ([`status`]). Unknown stream keys count as failed authentications (the shared
//! per-address throttle).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use hikari_auth::AuthThrottle;
use hikari_ingest::IngestError;
use hikari_ingest::whip::{Patched, Whip};
use hikari_media_io::MediaHandle;

use crate::ingest::RegistryDirectory;
use crate::ingress::WHIP_PATH;

/// The content type of refusals.
const TEXT: &str = "text/plain; charset=utf-8";

/// The WHIP sessions of the server, as the routes reach them.
pub type Sessions = Whip<MediaHandle, RegistryDirectory>;

#[derive(Clone)]
struct WhipState {
    whip: Arc<Sessions>,
    throttle: Arc<AuthThrottle>,
}

/// The WHIP routes.
pub fn routes(whip: Arc<Sessions>, throttle: Arc<AuthThrottle>) -> Router {
    let state = WhipState { whip, throttle };
    Router::new()
        .route(&format!("/{WHIP_PATH}"), post(publish_bearer).options(preflight))
        .route(&format!("/{WHIP_PATH}/{{key}}"), post(publish_path).options(preflight))
        .route(&format!("/{WHIP_PATH}/{{key}}/{{resource}}"), any(resource))
        .with_state(state)
}

/// The CORS headers every WHIP response carries (a browser client on another origin must
/// read `Location` and `ETag`).
fn cors(headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Location, ETag, Accept-Patch, Accept-Post"));
}

async fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    cors(h);
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, PATCH, DELETE, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Authorization, Content-Type, If-Match"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert("accept-post", HeaderValue::from_static("application/sdp"));
    r
}

/// A response with the CORS headers.
fn reply(status: StatusCode, content_type: Option<&'static str>, body: String) -> Response {
    let mut r = (status, body).into_response();
    cors(r.headers_mut());
    if let Some(ct) = content_type {
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    r
}

/// The status of each refusal: the one place ingest errors meet HTTP.
fn status(error: &IngestError) -> StatusCode {
    match error {
        IngestError::UnknownKey => StatusCode::UNAUTHORIZED,
        IngestError::InUse => StatusCode::CONFLICT,
        IngestError::Busy(_) | IngestError::Room(_) | IngestError::Left(_) => StatusCode::SERVICE_UNAVAILABLE,
        IngestError::Offer(_) | IngestError::Fragment(_) => StatusCode::BAD_REQUEST,
        IngestError::NoSession => StatusCode::NOT_FOUND,
        IngestError::EtagMismatch => StatusCode::PRECONDITION_FAILED,
        IngestError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn refused(error: &IngestError) -> Response {
    reply(status(error), Some(TEXT), format!("{error}\n"))
}

fn content_type_is(headers: &HeaderMap, wanted: &str) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The client's address (the listener puts it in every request's extensions).
fn peer(extensions: &Extensions) -> std::net::IpAddr {
    extensions.get::<ConnectInfo<SocketAddr>>().map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

async fn publish_bearer(State(s): State<WhipState>, ext: Extensions, headers: HeaderMap, body: Bytes) -> Response {
    match bearer(&headers) {
        Some(key) => publish(s, peer(&ext), key, &headers, &body).await,
        None => reply(StatusCode::UNAUTHORIZED, Some(TEXT), "a stream key is needed: POST /w/<stream key> or Authorization: Bearer <stream key>\n".into()),
    }
}

async fn publish_path(State(s): State<WhipState>, ext: Extensions, Path(key): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    publish(s, peer(&ext), key, &headers, &body).await
}

async fn publish(s: WhipState, ip: std::net::IpAddr, key: String, headers: &HeaderMap, body: &[u8]) -> Response {
    let now = hikari_common::clock::unix_secs();
    if let Err(wait) = s.throttle.check(ip, now) {
        let mut r = reply(StatusCode::TOO_MANY_REQUESTS, Some(TEXT), "too many failed attempts\n".into());
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return r;
    }
    if !content_type_is(headers, "application/sdp") {
        return reply(StatusCode::UNSUPPORTED_MEDIA_TYPE, Some(TEXT), "a WHIP offer is Content-Type: application/sdp\n".into());
    }
    if body.len() > hikari_ingest::whip::offer::MAX_OFFER_BYTES {
        return reply(StatusCode::PAYLOAD_TOO_LARGE, Some(TEXT), "the offer is too large\n".into());
    }
    let Ok(offer) = std::str::from_utf8(body) else {
        return reply(StatusCode::BAD_REQUEST, Some(TEXT), "the offer is not UTF-8\n".into());
    };
    match s.whip.publish(&key, offer).await {
        Ok(created) => {
            let mut r = reply(StatusCode::CREATED, Some("application/sdp"), created.answer);
            let location = format!("/{WHIP_PATH}/{key}/{}", created.resource);
            let h = r.headers_mut();
            for (name, value) in [(header::LOCATION, location.as_str()), (header::ETAG, created.etag.as_str())] {
                if let Ok(v) = HeaderValue::from_str(value) {
                    h.insert(name, v);
                }
            }
            h.insert("accept-patch", HeaderValue::from_static("application/trickle-ice-sdpfrag"));
            r
        }
        Err(error) => {
            if matches!(error, IngestError::UnknownKey) {
                s.throttle.failed(ip, now);
            }
            refused(&error)
        }
    }
}

/// PATCH, DELETE and OPTIONS on a session.
async fn resource(State(s): State<WhipState>, method: Method, Path((key, res)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Response {
    match method {
        Method::OPTIONS => preflight().await,
        Method::DELETE => match s.whip.delete(&key, &res) {
            Ok(()) => reply(StatusCode::OK, None, String::new()),
            Err(e) => refused(&e),
        },
        Method::PATCH => {
            if !content_type_is(&headers, "application/trickle-ice-sdpfrag") {
                return reply(StatusCode::UNSUPPORTED_MEDIA_TYPE, Some(TEXT), "PATCH takes Content-Type: application/trickle-ice-sdpfrag\n".into());
            }
            let Ok(fragment) = std::str::from_utf8(&body) else {
                return reply(StatusCode::BAD_REQUEST, Some(TEXT), "the fragment is not UTF-8\n".into());
            };
            let if_match = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok());
            match s.whip.patch(&key, &res, if_match, fragment).await {
                Ok(Patched::Trickled) => reply(StatusCode::NO_CONTENT, None, String::new()),
                Ok(Patched::Restarted { fragment, etag }) => {
                    let mut r = reply(StatusCode::OK, Some("application/trickle-ice-sdpfrag"), fragment);
                    if let Ok(v) = HeaderValue::from_str(&etag) {
                        r.headers_mut().insert(header::ETAG, v);
                    }
                    r
                }
                Err(e) => refused(&e),
            }
        }
        _ => {
            let mut r = reply(StatusCode::METHOD_NOT_ALLOWED, None, String::new());
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("PATCH, DELETE, OPTIONS"));
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name.clone(), HeaderValue::from_str(value).expect("valid"));
        }
        h
    }

    #[test]
    fn the_stream_key_comes_as_a_bearer_token() {
        assert_eq!(bearer(&headers(&[(header::AUTHORIZATION, "Bearer abc123")])).as_deref(), Some("abc123"));
        assert_eq!(bearer(&headers(&[(header::AUTHORIZATION, "bearer  abc123 ")])).as_deref(), Some("abc123"));
        assert_eq!(bearer(&headers(&[(header::AUTHORIZATION, "Basic abc123")])), None);
        assert_eq!(bearer(&headers(&[(header::AUTHORIZATION, "Bearer ")])), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn content_types_match_without_parameters_or_case() {
        assert!(content_type_is(&headers(&[(header::CONTENT_TYPE, "application/SDP; charset=utf-8")]), "application/sdp"));
        assert!(!content_type_is(&headers(&[(header::CONTENT_TYPE, "text/plain")]), "application/sdp"));
        assert!(!content_type_is(&HeaderMap::new(), "application/sdp"));
    }

    #[test]
    fn each_refusal_has_its_status() {
        let cases = [
            (IngestError::UnknownKey, StatusCode::UNAUTHORIZED),
            (IngestError::InUse, StatusCode::CONFLICT),
            (IngestError::Busy(64), StatusCode::SERVICE_UNAVAILABLE),
            (IngestError::NoSession, StatusCode::NOT_FOUND),
            (IngestError::EtagMismatch, StatusCode::PRECONDITION_FAILED),
            (IngestError::Timeout("the answer"), StatusCode::GATEWAY_TIMEOUT),
        ];
        for (error, code) in cases {
            assert_eq!(status(&error), code, "{error}");
        }
        let bad = hikari_ingest::whip::offer::tracks("hello").expect_err("not an offer");
        assert_eq!(status(&IngestError::Offer(bad)), StatusCode::BAD_REQUEST);
    }
}
