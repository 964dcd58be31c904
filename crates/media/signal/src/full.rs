//! The room-full check before a WebSocket upgrade.

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use hikari_auth::token_from_request;
use hikari_common::clock::unix_secs;
use hikari_types::{AdminRequest, AdminResponse, ParticipantIdentity, RoomName};

use crate::router::Router;
use crate::rtc::SignalState;

/// Before a join is upgraded to a WebSocket: if the token's room is at its
/// `max_participants` (and the identity is not already in it, which would replace
/// itself), answer HTTP 429 with the reason, which SDKs show. Anything else about the
/// request is left to the signaling handler; the SFU still enforces the limit.
pub(crate) async fn refuse_full_rooms<R: Router>(
    State(state): State<SignalState<R>>,
    Query(params): Query<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let grant = token_from_request(authorization, params.get("access_token").map(String::as_str))
        .ok()
        .and_then(|t| state.keys.verify(t, unix_secs()).ok())
        .and_then(|claims| claims.join_grant().ok());
    if let Some(grant) = grant
        && let Some(why) = room_full(&state.router, &grant.room, &grant.identity).await
    {
        tracing::info!(room = %grant.room, participant = %grant.identity, "join refused: {why}");
        return (StatusCode::TOO_MANY_REQUESTS, why).into_response();
    }
    next.run(request).await
}

async fn room_full<R: Router>(router: &R, room: &RoomName, identity: &ParticipantIdentity) -> Option<String> {
    let Ok(AdminResponse::Rooms(rooms)) = router.admin(AdminRequest::ListRooms { names: vec![room.clone()] }).await else {
        return None;
    };
    let room_info = rooms.first()?;
    let max = room_info.max_participants;
    // The visible count is cheap; the full list (hidden participants, the identity
    // replacing itself) is fetched only for a room that looks full.
    if max == 0 || room_info.num_participants < max {
        return None;
    }
    let Ok(AdminResponse::Participants(ps)) = router.admin(AdminRequest::ListParticipants { room: room.clone() }).await else {
        return None;
    };
    if ps.len() < max as usize || ps.iter().any(|p| p.identity == *identity) {
        return None;
    }
    Some(format!("room {room} is full: it allows {max} participants"))
}
