//! Extractors whose rejections are [`FunnelError`]s, so malformed input gets the same JSON
//! error shape as everything else.

use crate::error::FunnelError;
use axum::{
    extract::{FromRequest, FromRequestParts, Path, Query, Request, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

/// A JSON body.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = FunnelError;

    async fn from_request(req: Request, state: &S) -> Result<Self, FunnelError> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => {
                if has_nul(&v) {
                    return Err(FunnelError::BadRequest("strings must not contain NUL characters".into()));
                }
                serde_json::from_value(v).map(Self).map_err(|e| FunnelError::BadRequest(format!("invalid body: {e}")))
            }
            Err(r) => Err(json_rejection(r)),
        }
    }
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn json_rejection(r: JsonRejection) -> FunnelError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE { FunnelError::TooLarge } else { FunnelError::BadRequest(r.body_text()) }
}

/// A path parameter.
pub(crate) struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = FunnelError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, FunnelError> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| Self(v)).map_err(|r| FunnelError::BadRequest(r.body_text()))
    }
}

/// A query string.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = FunnelError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, FunnelError> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| Self(v)).map_err(|r| FunnelError::BadRequest(r.body_text()))
    }
}

/// The client's address as the server saw it (needs `into_make_service_with_connect_info`);
/// `"unknown"` otherwise, which then shares one rate-limit bucket.
pub(crate) struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts).unwrap_or_else(|| "unknown".to_string())))
    }
}

/// The client's address, if the server recorded it.
pub(crate) fn client_ip(parts: &Parts) -> Option<String> {
    parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
}
