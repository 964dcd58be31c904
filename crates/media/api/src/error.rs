//! Twirp errors: one enum, one mapping to Twirp's code and HTTP status.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikari_egress::EgressError;
use hikari_ingress::IngressError;
use hikari_protocol::ProtocolError;
use hikari_types::AdminError;

/// Why a Twirp call failed. Each variant is one Twirp error code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No such service or method, or not a POST, or an unsupported content type.
    #[error("{0}")]
    BadRoute(String),
    /// The body could not be decoded.
    #[error("{0}")]
    Malformed(String),
    /// A value breaks a rule (too long, required, too large).
    #[error("{0}")]
    InvalidArgument(String),
    /// The room, participant or track does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The call cannot be done in the current state (stopping an egress that ended).
    #[error("{0}")]
    FailedPrecondition(String),
    /// No valid token.
    #[error("{0}")]
    Unauthenticated(String),
    /// A valid token without the grant this call needs.
    #[error("{0}")]
    PermissionDenied(String),
    /// A LiveKit method Hikari does not implement.
    #[error("{0}")]
    Unimplemented(String),
    /// The media server is overloaded or stopping.
    #[error("{0}")]
    Unavailable(String),
    /// The server failed (a store error); nothing was changed.
    #[error("{0}")]
    Internal(String),
    /// Too many failed authentications from this address; retry after this many seconds.
    #[error("too many failed authentications from this address; retry in {0} s")]
    RateLimited(u64),
    /// The server runs as much of this work as it can (`resource_exhausted`); try later.
    #[error("{0}")]
    Exhausted(String),
}

impl ApiError {
    /// Twirp's error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRoute(_) => "bad_route",
            Self::Malformed(_) => "malformed",
            Self::InvalidArgument(_) => "invalid_argument",
            Self::NotFound(_) => "not_found",
            Self::FailedPrecondition(_) => "failed_precondition",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::PermissionDenied(_) => "permission_denied",
            Self::Unimplemented(_) => "unimplemented",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
            Self::RateLimited(_) | Self::Exhausted(_) => "resource_exhausted",
        }
    }

    /// The HTTP status Twirp uses for the code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRoute(_) | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Malformed(_) | Self::InvalidArgument(_) => StatusCode::BAD_REQUEST,
            Self::FailedPrecondition(_) => StatusCode::PRECONDITION_FAILED,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::PermissionDenied(_) => StatusCode::FORBIDDEN,
            Self::Unimplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RateLimited(_) | Self::Exhausted(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound(m) => Self::NotFound(m),
            AdminError::InvalidArgument(m) => Self::InvalidArgument(m),
        }
    }
}

impl From<IngressError> for ApiError {
    fn from(e: IngressError) -> Self {
        match e {
            IngressError::NotFound => Self::NotFound(e.to_string()),
            IngressError::InvalidArgument(m) => Self::InvalidArgument(m),
            IngressError::Unimplemented(m) => Self::Unimplemented(m),
            IngressError::Store(m) => {
                tracing::error!(error = %m, "ingress store failed");
                Self::Internal("the ingress store failed".into())
            }
        }
    }
}

impl From<EgressError> for ApiError {
    fn from(e: EgressError) -> Self {
        match e {
            EgressError::NotFound(_) => Self::NotFound(e.to_string()),
            EgressError::InvalidArgument(m) => Self::InvalidArgument(m),
            EgressError::FailedPrecondition(m) => Self::FailedPrecondition(m),
            EgressError::Store(m) => {
                tracing::error!(error = %m, "egress store failed");
                Self::Internal("the egress store failed; nothing was changed".into())
            }
        }
    }
}

impl From<ProtocolError> for ApiError {
    fn from(e: ProtocolError) -> Self {
        match e {
            ProtocolError::Invalid(m) => Self::InvalidArgument(m),
            ProtocolError::Unsupported(m) => Self::Unimplemented(m),
            ProtocolError::TooLarge { .. } => Self::InvalidArgument(e.to_string()),
            other => Self::Malformed(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Twirp errors are always JSON, whatever the request's content type.
        let body = serde_json::json!({ "code": self.code(), "msg": self.to_string() });
        let mut response = (self.status(), [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
        if let Self::RateLimited(secs) = self {
            response.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}
