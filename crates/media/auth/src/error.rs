//! Why a token was refused.

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
