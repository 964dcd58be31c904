//! LiveKit's RoomService, IngressService and EgressService over Twirp:
//! `POST /twirp/livekit.RoomService/{method}`, `POST /twirp/livekit.Ingress/{method}` and
//! `POST /twirp/livekit.Egress/{method}`.
//!
//! A call goes through, in order: the route (a known service and method, a POST, a
//! protobuf or JSON content type), the token (`Authorization: Bearer`), the body
//! (decoded by `hikari-protocol`), the grant the method needs, and only then the
//! [`RoomAdmin`] that executes it. Any refusal before the last step changes nothing.
//! Every failure is a Twirp error, `{"code","msg"}` in JSON, with the status mapped once
//! in [`ApiError`].
//!
//! Grants, as LiveKit's server: CreateRoom and DeleteRoom need `roomCreate`; ListRooms
//! needs `roomList`; every other RoomService method needs `roomAdmin` with `room` equal to the
//! request's room; every IngressService method needs `ingressAdmin`; every EgressService method
//! needs `roomRecord`.
#![deny(missing_docs)]

mod egress;
mod error;
mod ingress;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use hikari_auth::{AuthThrottle, Claims, KeySet, token_from_request};
use hikari_protocol::{RoomMethod, TwirpFormat, decode_room_request, encode_room_response};
use hikari_types::{AdminRequest, AdminResponse, RoomName};
use tracing::Instrument;

pub use egress::{EgressApi, EgressOutcome, EgressRunner};
pub use error::ApiError;
pub use ingress::IngressApi;

/// The RoomService's Twirp service name.
pub const ROOM_SERVICE: &str = "livekit.RoomService";
/// The IngressService's Twirp service name.
pub const INGRESS_SERVICE: &str = "livekit.Ingress";
/// The EgressService's Twirp service name.
pub const EGRESS_SERVICE: &str = "livekit.Egress";

/// Largest request body accepted (a 64 KiB data packet in base64 JSON fits easily).
pub const MAX_BODY: usize = 1 << 20;

/// LiveKit services and RoomService methods Hikari knows but does not implement.
const UNIMPLEMENTED_SERVICES: &[&str] = &["livekit.SIP", "livekit.AgentDispatchService", "livekit.Connector"];
const UNIMPLEMENTED_METHODS: &[&str] = &["ForwardParticipant", "MoveParticipant", "PerformRpc"];

/// Whatever executes room administration (the media thread in the server, a fake in tests).
pub trait RoomAdmin: Clone + Send + Sync + 'static {
    /// Runs one request.
    fn admin(&self, request: AdminRequest) -> impl Future<Output = Result<AdminResponse, ApiError>> + Send;
}

/// What the routes need.
#[derive(Clone)]
pub struct ApiState<A> {
    /// Executes requests.
    pub admin: A,
    /// Verifies tokens.
    pub keys: Arc<KeySet>,
    /// The current Unix time in seconds (a parameter so tests control it).
    pub now_unix: fn() -> i64,
    /// Failed authentications per client address (shared with signaling).
    pub throttle: Arc<AuthThrottle>,
    /// The IngressService; `None` when ingress is off (its calls are `unimplemented`).
    pub ingress: Option<IngressApi>,
    /// The EgressService; `None` when egress is off (its calls are `unimplemented`).
    pub egress: Option<EgressApi>,
}

/// The Twirp routes, to merge into the server's router.
pub fn router<A: RoomAdmin>(state: ApiState<A>) -> Router {
    Router::new().route("/twirp", any(call::<A>)).route("/twirp/{*path}", any(call::<A>)).with_state(state)
}

async fn call<A: RoomAdmin>(State(state): State<ApiState<A>>, request: Request) -> Response {
    let path = request.uri().path().strip_prefix("/twirp/").unwrap_or_default().to_owned();
    let span = tracing::info_span!("twirp", method = %path.split_once('/').map_or("", |(_, m)| m));
    // Instrumented, not entered: a guard held across an await leaves the span current on
    // whichever worker thread the task last ran, after the span is gone.
    dispatch(&state, &path, request).instrument(span).await
}

async fn dispatch<A: RoomAdmin>(state: &ApiState<A>, path: &str, request: Request) -> Response {
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let result = match service {
        INGRESS_SERVICE => ingress::handle(state, method, request).await,
        EGRESS_SERVICE => egress::handle(state, method, request).await,
        _ => handle(state, service, method, request).await,
    };
    match result {
        Ok((format, body)) => {
            tracing::debug!("twirp call done");
            ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
        }
        Err(e) => {
            tracing::info!(code = e.code(), error = %e, "twirp call refused");
            e.into_response()
        }
    }
}

async fn handle<A: RoomAdmin>(state: &ApiState<A>, service: &str, method_name: &str, request: Request) -> Result<(TwirpFormat, Vec<u8>), ApiError> {
    let method = route(service, method_name, request.method())?;
    let format = content_format(&request)?;
    let claims = authenticate(state, &request)?;
    let body = read_body(request).await?;
    let admin_request = decode_room_request(method, format, &body)?;
    authorize(&claims, &admin_request)?;
    let response = state.admin.admin(admin_request).await?;
    Ok((format, encode_room_response(format, &response)))
}

/// The body's format from its `Content-Type` (Twirp's `bad_route` otherwise).
fn content_format(request: &Request) -> Result<TwirpFormat, ApiError> {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    TwirpFormat::from_content_type(content_type)
        .ok_or_else(|| ApiError::BadRoute(format!("unexpected Content-Type: {content_type:?}; use application/protobuf or application/json")))
}

/// The body, at most [`MAX_BODY`] bytes.
async fn read_body(request: Request) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| ApiError::InvalidArgument(format!("the request body is larger than {MAX_BODY} bytes")))
}

/// A POST, else Twirp's `bad_route`.
fn must_be_post(http_method: &Method) -> Result<(), ApiError> {
    if http_method != Method::POST {
        return Err(ApiError::BadRoute(format!("unsupported method {http_method} (only POST is allowed)")));
    }
    Ok(())
}

fn route(service: &str, method: &str, http_method: &Method) -> Result<RoomMethod, ApiError> {
    if service == ROOM_SERVICE && UNIMPLEMENTED_METHODS.contains(&method) || UNIMPLEMENTED_SERVICES.contains(&service) {
        return Err(ApiError::Unimplemented(format!("{service}/{method} is not implemented by this server")));
    }
    let found = if service == ROOM_SERVICE { RoomMethod::from_name(method) } else { None };
    let Some(found) = found else {
        return Err(ApiError::BadRoute(format!("no handler for path /twirp/{service}/{method}")));
    };
    must_be_post(http_method)?;
    Ok(found)
}

/// Verifies the caller's token; failures count against its address ([`AuthThrottle`]), and an
/// address over the limit is refused before its token is looked at.
fn authenticate<A>(state: &ApiState<A>, request: &Request) -> Result<Claims, ApiError> {
    let now = (state.now_unix)();
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(ip) = ip {
        state.throttle.check(ip, now).map_err(ApiError::RateLimited)?;
    }
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let verified = token_from_request(authorization, None).and_then(|token| state.keys.verify(token, now));
    verified.map_err(|e| {
        if let Some(ip) = ip {
            state.throttle.failed(ip, now);
        }
        ApiError::Unauthenticated(e.to_string())
    })
}

/// The room a request acts on, for `roomAdmin` grants.
fn request_room(request: &AdminRequest) -> Option<&RoomName> {
    use AdminRequest as R;
    match request {
        R::CreateRoom { .. } | R::ListRooms { .. } | R::DeleteRoom { .. } => None,
        R::ListParticipants { room }
        | R::GetParticipant { room, .. }
        | R::RemoveParticipant { room, .. }
        | R::MutePublishedTrack { room, .. }
        | R::UpdateParticipant { room, .. }
        | R::UpdateSubscriptions { room, .. }
        | R::SendData { room, .. }
        | R::UpdateRoomMetadata { room, .. } => Some(room),
    }
}

fn authorize(claims: &Claims, request: &AdminRequest) -> Result<(), ApiError> {
    let video = claims.video.clone().unwrap_or_default();
    let denied = |what: &str| Err(ApiError::PermissionDenied(format!("permissions denied: {what}")));
    match request {
        AdminRequest::CreateRoom { .. } | AdminRequest::DeleteRoom { .. } if !video.room_create => denied("the token lacks the roomCreate grant"),
        AdminRequest::ListRooms { .. } if !video.room_list => denied("the token lacks the roomList grant"),
        _ => match request_room(request) {
            Some(_) if !video.room_admin => denied("the token lacks the roomAdmin grant"),
            Some(room) if video.room != room.as_str() => denied(&format!("the token's roomAdmin grant is for room {:?}, not {:?}", video.room, room.as_str())),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests;
