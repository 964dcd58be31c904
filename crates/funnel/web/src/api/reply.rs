//! What the JSON API's handlers answer with (a leaf module, shared by them).

use crate::error::FunnelError;
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

pub(crate) type Res<T> = Result<T, FunnelError>;

/// `201 Created` with the created thing as JSON.
pub(crate) fn created<T: serde::Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}
