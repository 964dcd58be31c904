//! The host console's chat: every message of a session (hidden ones included) and the host's
//! own lines, as JSON for `assets/console.js`. Writes carry the session's CSRF token in
//! `X-CSRF-Token`, as the admin's other scripts do. Moderation is the JSON API's
//! (`PATCH /api/v1/messages/{id}`).

use crate::{
    admin::auth::{Admin, check_csrf},
    error::FunnelError,
    extract::{ApiJson, ApiPath},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use hikari_common::clock::unix_millis;
use hikari_webinar::{Message, NewMessage, SessionId, Viewer};

/// `GET /admin/sessions/{id}/messages`.
pub(crate) async fn list(_: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<Json<Vec<Message>>, FunnelError> {
    Ok(Json(st.app.chat.history(SessionId(id), Viewer::Host).await?))
}

/// `POST /admin/sessions/{id}/messages`: the host says something.
pub(crate) async fn say(
    admin: Admin,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewMessage>,
) -> Result<Response, FunnelError> {
    check_csrf(&admin, headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or(""))?;
    let m = st.app.chat.host_says(SessionId(id), admin.user, "Host", new, unix_millis()).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}
