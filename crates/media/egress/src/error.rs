//! The crate's one error enum. Messages that reach API clients say what to do.

/// Why an egress operation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// No egress with that id (`not_found`).
    #[error("egress {0} does not exist")]
    NotFound(String),
    /// The request breaks a rule (`invalid_argument`): a bad path, say.
    #[error("{0}")]
    InvalidArgument(String),
    /// The job cannot do that in its state (`failed_precondition`): stopping an ended egress.
    #[error("{0}")]
    FailedPrecondition(String),
    /// The store failed (a disk or database error); nothing was changed.
    #[error("egress store: {0}")]
    Store(String),
}

impl From<sqlx::Error> for EgressError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}
