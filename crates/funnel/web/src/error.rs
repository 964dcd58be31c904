//! The crate's one error type and its one mapping to HTTP.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use hikari_funnel::DomainError;
use hikari_funnel_app::AppError;
use hikari_funnel_store::StoreError;

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FunnelError {
    /// Malformed request (bad JSON, wrong types, bad path or query).
    #[error("{0}")]
    BadRequest(String),
    /// A domain rule refused a value.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// No such thing.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Already exists.
    #[error("{0}")]
    Conflict(String),
    /// A stale page edit.
    #[error("the page was changed by someone else: it is now at version {current}; reload it and apply your edit again")]
    VersionConflict {
        /// The stored version.
        current: i64,
    },
    /// No or bad credentials.
    #[error("sign in or send a valid Bearer token")]
    Unauthorized,
    /// Not allowed for this caller.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Missing or wrong CSRF token.
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// Body too large.
    #[error("request body too large")]
    TooLarge,
    /// Rate limited.
    #[error("too many requests")]
    RateLimited,
    /// A write could not be completed now; the client may retry.
    #[error("{0}; try again")]
    Unavailable(&'static str),
    /// A visitor endpoint called from another site's page, or without an `Origin`.
    #[error("refused: this endpoint accepts requests from this site's own pages only")]
    CrossOrigin,
    /// Storage failed.
    #[error("storage failure")]
    Store(#[source] StoreError),
    /// The recordings library failed.
    #[error("{0}")]
    Library(String),
}

impl From<AppError> for FunnelError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::BadRequest(m) => Self::BadRequest(m),
            AppError::Invalid(d) => Self::Invalid(d),
            AppError::NotFound(what) => Self::NotFound(what),
            AppError::Conflict(m) => Self::Conflict(m),
            AppError::VersionConflict { current } => Self::VersionConflict { current },
            AppError::Store(e) => Self::Store(e),
            AppError::Unavailable(m) => Self::Unavailable(m),
            AppError::Forbidden(m) => Self::Forbidden(m),
            AppError::Library(m) => Self::Library(m),
        }
    }
}

/// The store's errors map as the application layer maps them.
impl From<StoreError> for FunnelError {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl FunnelError {
    /// The status and machine-readable code for this error.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::VersionConflict { .. } => (StatusCode::CONFLICT, "version_conflict"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::CrossOrigin => (StatusCode::FORBIDDEN, "cross_origin"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Store(_) | Self::Library(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for FunnelError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        if let Self::Store(e) = &self {
            tracing::error!(error = %e, "funnel storage failure");
        }
        if let Self::Library(e) = &self {
            tracing::error!(error = %e, "recordings library failure");
        }
        let mut body = serde_json::json!({ "error": code, "message": self.to_string() });
        if let Self::VersionConflict { current } = self {
            body["current_version"] = current.into();
        }
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Every limit here counts in one-minute windows.
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
        }
        response
    }
}

/// What an HTML error page said (kept on the response), so the admin can say it again in its
/// language (see `admin::errors`).
#[derive(Clone, Debug)]
pub(crate) struct ErrorNote {
    /// The response's status.
    pub status: StatusCode,
    /// The machine-readable code (`not_found`, `csrf`, …).
    pub code: &'static str,
    /// What was not found, for `not_found`.
    pub what: Option<&'static str>,
    /// The English message shown.
    pub message: String,
}

/// The same error, rendered as a small HTML page (for admin and visitor pages).
#[derive(Debug)]
pub(crate) struct HtmlError(pub FunnelError);

impl<E: Into<FunnelError>> From<E> for HtmlError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let (status, code) = self.0.status();
        if let FunnelError::Unauthorized = self.0 {
            return axum::response::Redirect::to("/admin/login").into_response();
        }
        let msg = if status.is_server_error() { "Something went wrong.".to_string() } else { self.0.to_string() };
        let page = maud::html! {
            (maud::DOCTYPE)
            html lang="en" { head { meta charset="utf-8"; title { (status) } } body { h1 { (status) } p { (msg) } } }
        };
        let what = if let FunnelError::NotFound(what) = self.0 { Some(what) } else { None };
        let mut response = (status, page).into_response();
        response.extensions_mut().insert(ErrorNote { status, code, what, message: msg });
        response
    }
}
