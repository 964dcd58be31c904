//! LiveKit access tokens: HS256 JWTs carrying grants.
//!
//! [`KeySet`] holds the API keys and secrets; [`KeySet::verify`] checks a token's
//! signature and validity window and returns its [`Claims`]. [`Claims::join_grant`] turns
//! the video grant into the checked capability a room join needs. [`AccessToken`] signs
//! tokens (CLI `create-join-token`, webhooks, tests).
//!
//! The time is a parameter (`now_unix`), never read here.
#![deny(missing_docs)]

mod claims;
mod token;

pub use claims::{Claims, JoinGrant, VideoGrant};
pub use token::{AccessToken, KeySet};

/// Why a token was refused. The messages match what LiveKit's server says.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No token at all.
    #[error("missing authorization token")]
    Missing,
    /// An `Authorization` header that is not `Bearer ...`.
    #[error("invalid authorization header. Must start with Bearer ")]
    BadHeader,
    /// Not a JWT, or its claims are not what a LiveKit token holds.
    #[error("invalid authorization token")]
    Malformed,
    /// The issuer (API key) is unknown.
    #[error("invalid API key")]
    UnknownKey,
    /// The signature does not match the key's secret.
    #[error("invalid authorization token: signature is invalid")]
    BadSignature,
    /// Expired.
    #[error("invalid authorization token: token is expired")]
    Expired,
    /// Not valid yet.
    #[error("invalid authorization token: token is not valid yet")]
    NotYetValid,
    /// Valid, but its grants do not allow this.
    #[error("permissions denied")]
    PermissionDenied,
}

/// Extracts the token from an `Authorization` header or an `access_token` parameter,
/// the header taking precedence as LiveKit's server does.
pub fn token_from_request<'a>(authorization: Option<&'a str>, access_token: Option<&'a str>) -> Result<&'a str, AuthError> {
    match authorization {
        Some(h) if !h.is_empty() => h.strip_prefix("Bearer ").ok_or(AuthError::BadHeader),
        _ => access_token.filter(|t| !t.is_empty()).ok_or(AuthError::Missing),
    }
}
