//! The signaling handlers: the token and join request checks, the upgrade, and one
//! session per client from join to close.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tracing::Instrument;

use hikari_auth::{AuthThrottle, KeySet, token_from_request};
use hikari_common::clock::unix_secs;
use hikari_protocol::{ProtocolError, decode_join_request, decode_signal, encode_signal};
use hikari_sfu::{Command, Join, SignalMode, SignalOut};
use hikari_types::{ClientInfo, DisconnectReason};

use crate::ice::IceServers;

use crate::router::Router;

/// Largest signal frame accepted from a client.
pub const MAX_FRAME: usize = 1 << 20;

/// Signals queued for one client before it counts as too slow and is disconnected.
pub const OUTBOX: usize = 1024;

/// What the signaling routes need.
#[derive(Clone)]
pub struct SignalState<R> {
    /// Verifies tokens.
    pub keys: Arc<KeySet>,
    /// Where joins and commands go.
    pub router: R,
    /// Whether `/rtc/v1` (single PeerConnection) is enabled.
    pub rtc_v1: bool,
    /// A client silent for this long is disconnected.
    pub ping_timeout: Duration,
    /// Failed authentications per client address (shared with the Twirp API).
    pub throttle: Arc<AuthThrottle>,
    /// The ICE servers (with credentials) a join response lists, made per participant
    /// (the embedded TURN server's, when it runs).
    pub ice_servers: Option<IceServers>,
}

type Params = Query<HashMap<String, String>>;

/// An HTTP refusal with LiveKit's message (small, unlike a `Response`), and the seconds to
/// wait for a rate-limited one.
struct Refusal(StatusCode, String, Option<u64>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.0, self.1).into_response();
        if let Some(secs) = self.2 {
            response.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}

fn refuse(status: StatusCode, message: impl std::fmt::Display) -> Refusal {
    Refusal(status, message.to_string(), None)
}

/// The client's address, as the listener recorded it.
pub(crate) struct Peer(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

fn flag(params: &HashMap<String, String>, name: &str, default: bool) -> bool {
    params.get(name).map(|v| v == "1" || v.eq_ignore_ascii_case("true")).unwrap_or(default)
}

/// Verifies the token and builds the join, or the HTTP refusal LiveKit would give. A failure
/// counts against the client's address; an address over the limit gets 429 and
/// `Retry-After` before its token is looked at.
fn authorize<R: Router>(state: &SignalState<R>, Peer(ip): Peer, headers: &HeaderMap, params: &HashMap<String, String>) -> Result<Join, Refusal> {
    let now = unix_secs();
    if let Some(ip) = ip
        && let Err(secs) = state.throttle.check(ip, now)
    {
        return Err(Refusal(StatusCode::TOO_MANY_REQUESTS, format!("too many failed authentications from this address; retry in {secs} s"), Some(secs)));
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let grant = token_from_request(authorization, params.get("access_token").map(String::as_str))
        .and_then(|token| state.keys.verify(token, now))
        .and_then(|claims| claims.join_grant())
        .map_err(|e| {
            if let Some(ip) = ip {
                state.throttle.failed(ip, now);
            }
            refuse(StatusCode::UNAUTHORIZED, e)
        })?;
    if grant.room.as_str().len() > 256 || grant.identity.as_str().len() > 256 {
        return Err(refuse(StatusCode::BAD_REQUEST, "room name or identity too long"));
    }
    let client = ClientInfo {
        sdk: params.get("sdk").cloned().unwrap_or_default(),
        version: params.get("version").cloned().unwrap_or_default(),
        protocol: params.get("protocol").and_then(|p| p.parse().ok()).unwrap_or(0),
        client_protocol: params.get("client_protocol").and_then(|p| p.parse().ok()).unwrap_or(0),
        os: params.get("os").cloned().unwrap_or_default(),
        browser: params.get("browser").cloned().unwrap_or_default(),
    };
    // `reconnect=1` (with `sid`, the session's participant sid): resume, not a new join.
    let resume = flag(params, "reconnect", false).then(|| params.get("sid").map(String::as_str).unwrap_or_default().into());
    Ok(Join { conn: state.router.next_conn(), grant, client, auto_subscribe: flag(params, "auto_subscribe", true), mode: SignalMode::Dual, resume })
}

/// Adds the single-PC join request from `/rtc/v1`.
fn with_join_request(mut join: Join, params: &HashMap<String, String>) -> Result<Join, Refusal> {
    let Some(raw) = params.get("join_request") else {
        return Err(refuse(StatusCode::BAD_REQUEST, "join_request is required"));
    };
    let req = decode_join_request(raw).map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("invalid join_request: {e}")))?;
    if req.client.protocol != 0 {
        join.client = req.client;
    }
    join.auto_subscribe = req.auto_subscribe;
    if !req.metadata.is_empty() {
        join.grant.metadata = req.metadata;
    }
    join.grant.attributes.extend(req.attributes);
    if req.reconnect {
        join.resume = Some(req.participant_sid.as_str().into());
    }
    join.mode = SignalMode::Single { add_tracks: req.add_tracks, offer: req.offer };
    Ok(join)
}

pub(crate) async fn validate<R: Router>(State(s): State<SignalState<R>>, peer: Peer, headers: HeaderMap, Query(p): Params) -> Response {
    match authorize(&s, peer, &headers, &p) {
        Ok(_) => (StatusCode::OK, "success").into_response(),
        Err(r) => r.into_response(),
    }
}

pub(crate) async fn validate_v1<R: Router>(State(s): State<SignalState<R>>, peer: Peer, headers: HeaderMap, Query(p): Params) -> Response {
    if !s.rtc_v1 {
        return refuse(StatusCode::NOT_FOUND, "single peer connection mode is disabled").into_response();
    }
    match authorize(&s, peer, &headers, &p).and_then(|j| with_join_request(j, &p)) {
        Ok(_) => (StatusCode::OK, "success").into_response(),
        Err(r) => r.into_response(),
    }
}

pub(crate) async fn rtc<R: Router>(State(s): State<SignalState<R>>, peer: Peer, headers: HeaderMap, Query(p): Params, ws: WebSocketUpgrade) -> Response {
    match authorize(&s, peer, &headers, &p) {
        Ok(join) => upgrade(s, ws, join),
        Err(r) => r.into_response(),
    }
}

pub(crate) async fn rtc_v1<R: Router>(State(s): State<SignalState<R>>, peer: Peer, headers: HeaderMap, Query(p): Params, ws: WebSocketUpgrade) -> Response {
    if !s.rtc_v1 {
        return refuse(StatusCode::NOT_FOUND, "single peer connection mode is disabled").into_response();
    }
    match authorize(&s, peer, &headers, &p).and_then(|j| with_join_request(j, &p)) {
        Ok(join) => upgrade(s, ws, join),
        Err(r) => r.into_response(),
    }
}

fn upgrade<R: Router>(state: SignalState<R>, ws: WebSocketUpgrade, join: Join) -> Response {
    let span = tracing::info_span!("signal", room = %join.grant.room, participant = %join.grant.identity, conn = join.conn.0);
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |socket| session(state, socket, join).instrument(span))
}

/// One client's signal connection, from join to close.
async fn session<R: Router>(state: SignalState<R>, socket: WebSocket, join: Join) {
    let conn = join.conn;
    let (outbox, mut inbox) = mpsc::channel(OUTBOX);
    let (mut tx, mut rx) = socket.split();
    if let Err(e) = state.router.join(join, outbox) {
        tracing::warn!(error = %e, "join not queued");
        let _ = tx.send(close_frame(1013, &e.to_string())).await;
        return;
    }
    let mut last_heard = Instant::now();
    let mut check = tokio::time::interval(Duration::from_secs(1));
    let close = loop {
        // The client's frames first: a leave it sent just before closing is read before the
        // next write to it can fail and end the connection as lost.
        tokio::select! {
            biased;
            frame = rx.next() => {
                let Some(Ok(frame)) = frame else { break None };
                last_heard = Instant::now();
                match frame {
                    Message::Binary(bytes) => match decode_signal(&bytes) {
                        Ok(signal) => {
                            if let Err(e) = state.router.command(Command::Signal { conn, signal }) {
                                break Some(close_frame(1013, &e.to_string()));
                            }
                        }
                        Err(ProtocolError::Missing(what)) => tracing::debug!(what, "unknown signal type ignored"),
                        Err(error) => {
                            tracing::warn!(%error, "malformed signal; closing");
                            break Some(close_frame(1007, &format!("malformed signal: {error}")));
                        }
                    },
                    Message::Text(_) => {
                        tracing::warn!("text frame; the protocol is binary protobuf; closing");
                        break Some(close_frame(1003, "signals are binary protobuf frames"));
                    }
                    Message::Close(_) => break None,
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            out = inbox.recv() => match out {
                Some(SignalOut::Signal(mut signal)) => {
                    crate::ice::fill(&mut signal, state.ice_servers.as_ref());
                    if tx.send(Message::Binary(encode_signal(&signal).into())).await.is_err() {
                        // Gone while we wrote; it may have said goodbye first.
                        read_leftovers(&state, conn, &mut rx).await;
                        break None;
                    }
                }
                Some(SignalOut::Close(reason)) => break Some(close_frame(close_code(reason), &format!("{reason:?}"))),
                // Only internal publishers are asked for keyframes this way.
                Some(SignalOut::Keyframe { .. }) => {}
                None => break Some(close_frame(1000, "closed")),
            },
            _ = check.tick() => {
                if last_heard.elapsed() > state.ping_timeout {
                    tracing::info!("no message within the ping timeout; closing");
                    break Some(close_frame(1000, "ping timeout"));
                }
            }
        }
    };
    if let Some(frame) = close {
        let _ = tx.send(frame).await;
    }
    let _ = state.router.command(Command::Closed { conn });
}

/// Frames at most, and time at most, read from a connection whose writes failed.
const LEFTOVER_FRAMES: usize = 16;
const LEFTOVER_TIME: Duration = Duration::from_millis(200);

/// Passes on the signals a client sent before its connection failed under a write (its
/// `Leave` above all: without it the room keeps it for a resume that never comes). Bounded
/// in frames and time; malformed frames are skipped.
async fn read_leftovers<R: Router>(state: &SignalState<R>, conn: hikari_sfu::ConnId, rx: &mut futures_util::stream::SplitStream<WebSocket>) {
    let end = tokio::time::Instant::now() + LEFTOVER_TIME;
    for _ in 0..LEFTOVER_FRAMES {
        let Ok(Some(Ok(Message::Binary(bytes)))) = tokio::time::timeout_at(end, rx.next()).await else { return };
        if let Ok(signal) = decode_signal(&bytes)
            && state.router.command(Command::Signal { conn, signal }).is_err()
        {
            return;
        }
    }
}

/// The WebSocket close code for a connection the room's owner closes: 1012 (service
/// restart) when the session is kept for a resume (`SignalClose`: a simulated node failure
/// or migration, a dropped resume), so the SDKs resume (the JS SDK takes a normal 1000 close
/// as deliberate and does nothing); 1000 otherwise, after the leave that says why.
fn close_code(reason: DisconnectReason) -> u16 {
    if reason == DisconnectReason::SignalClose { 1012 } else { 1000 }
}

fn close_frame(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.chars().take(120).collect::<String>().into() }))
}
