//! The crate's one error enum. Messages that reach API clients are LiveKit's.

/// Why an ingress operation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IngressError {
    /// No ingress with that id (LiveKit: `not_found`, "ingress does not exist").
    #[error("ingress does not exist")]
    NotFound,
    /// The request breaks a rule; the message is LiveKit's (`invalid_argument`).
    #[error("{0}")]
    InvalidArgument(String),
    /// Something LiveKit offers that this server does not (URL input without a puller).
    #[error("{0}")]
    Unimplemented(String),
    /// The store failed (a disk or database error); nothing was changed.
    #[error("ingress store: {0}")]
    Store(String),
}

impl IngressError {
    /// LiveKit's "invalid ingress: …" (`ingress.ErrInvalidIngress`).
    pub(crate) fn invalid_ingress(what: &str) -> Self {
        Self::InvalidArgument(format!("invalid ingress: {what}"))
    }

    /// LiveKit's "invalid video parameters: …".
    pub(crate) fn invalid_video(what: &str) -> Self {
        Self::InvalidArgument(format!("invalid video parameters: {what}"))
    }

    /// LiveKit's "invalid audio parameters: …".
    pub(crate) fn invalid_audio(what: &str) -> Self {
        Self::InvalidArgument(format!("invalid audio parameters: {what}"))
    }

    /// LiveKit's "invalid transcoding bypass configuration: …".
    pub(crate) fn invalid_bypass(what: &str) -> Self {
        Self::InvalidArgument(format!("invalid transcoding bypass configuration: {what}"))
    }
}

impl From<sqlx::Error> for IngressError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}
