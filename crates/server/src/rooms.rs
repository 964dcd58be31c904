//! Glue between the HTTP side and the media thread: the Twirp API's administrator, room
//! events to webhooks, and the room-full check before a WebSocket upgrade.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use hikari_api::{ApiError, RoomAdmin};
use hikari_auth::{KeySet, token_from_request};
use hikari_sfu::RoomEvent;
use hikari_types::{AdminRequest, AdminResponse};
use hikari_webhook::{Event, EventKind};

use crate::media::{MediaError, MediaHandle};

/// The media thread as the API's administrator.
#[derive(Clone)]
pub struct MediaAdmin(pub MediaHandle);

impl RoomAdmin for MediaAdmin {
    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, ApiError> {
        self.0.admin(request).await.map_err(|e| match e {
            MediaError::Admin(e) => e.into(),
            MediaError::Unavailable(why) => ApiError::Unavailable(why.to_owned()),
        })
    }
}

/// The webhook for a room event, if LiveKit sends one for it.
pub fn webhook_event(event: RoomEvent) -> Option<Event> {
    let (kind, room, participant, track) = match event {
        RoomEvent::RoomStarted(r) => (EventKind::RoomStarted, r, None, None),
        RoomEvent::RoomFinished(r) => (EventKind::RoomFinished, r, None, None),
        RoomEvent::ParticipantJoined(r, p) => (EventKind::ParticipantJoined, r, Some(p), None),
        RoomEvent::ParticipantLeft(r, p) => (EventKind::ParticipantLeft, r, Some(p), None),
        RoomEvent::TrackPublished(r, p, t) => (EventKind::TrackPublished, r, Some(p), Some(t)),
        RoomEvent::TrackUnpublished(r, p, t) => (EventKind::TrackUnpublished, r, Some(p), Some(t)),
        RoomEvent::ParticipantUpdated(..) => return None,
    };
    Some(Event { kind, room, participant, track })
}

#[derive(Clone)]
pub struct JoinCheck {
    pub keys: Arc<KeySet>,
    pub media: MediaHandle,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Before a join is upgraded to a WebSocket: if the token's room is at its
/// `max_participants` (and the identity is not already in it, which would replace
/// itself), answer HTTP 429 with the reason, which SDKs show. Anything else about the
/// request is left to the signaling handler; the SFU still enforces the limit.
pub async fn refuse_full_rooms(State(check): State<JoinCheck>, Query(params): Query<HashMap<String, String>>, request: Request, next: Next) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let grant = token_from_request(authorization, params.get("access_token").map(String::as_str))
        .ok()
        .and_then(|t| check.keys.verify(t, unix_now()).ok())
        .and_then(|claims| claims.join_grant().ok());
    if let Some(grant) = grant
        && let Some(why) = room_full(&check.media, &grant.room, &grant.identity).await
    {
        tracing::info!(room = %grant.room, participant = %grant.identity, "join refused: {why}");
        return (StatusCode::TOO_MANY_REQUESTS, why).into_response();
    }
    next.run(request).await
}

async fn room_full(media: &MediaHandle, room: &hikari_types::RoomName, identity: &hikari_types::ParticipantIdentity) -> Option<String> {
    let Ok(AdminResponse::Rooms(rooms)) = media.admin(AdminRequest::ListRooms { names: vec![room.clone()] }).await else {
        return None;
    };
    let room_info = rooms.first()?;
    let max = room_info.max_participants;
    // The visible count is cheap; the full list (hidden participants, the identity
    // replacing itself) is fetched only for a room that looks full.
    if max == 0 || room_info.num_participants < max {
        return None;
    }
    let Ok(AdminResponse::Participants(ps)) = media.admin(AdminRequest::ListParticipants { room: room.clone() }).await else {
        return None;
    };
    if ps.len() < max as usize || ps.iter().any(|p| p.identity == *identity) {
        return None;
    }
    Some(format!("room {room} is full: it allows {max} participants"))
}
