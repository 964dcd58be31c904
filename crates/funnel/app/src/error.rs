//! The application layer's one error type. It knows no HTTP: the web front end maps it to a
//! status in one place (`funnel-web/src/error.rs`).

use hikari_funnel::DomainError;
use hikari_funnel_store::StoreError;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed input (wrong shape, out of range).
    #[error("{0}")]
    BadRequest(String),
    /// A domain rule refused a value.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// No such thing.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Already exists, or not allowed in the current state.
    #[error("{0}")]
    Conflict(String),
    /// A stale page edit.
    #[error("the page was changed by someone else: it is now at version {current}; reload it and apply your edit again")]
    VersionConflict {
        /// The stored version.
        current: i64,
    },
    /// Storage failed.
    #[error("storage failure")]
    Store(#[source] StoreError),
    /// Not allowed for this caller (a registrant a host removed).
    #[error("{0}")]
    Forbidden(&'static str),
    /// A write could not be completed now (the caller may retry).
    #[error("{0}")]
    Unavailable(&'static str),
    /// The recordings library failed (its files or its records).
    #[error("the recordings library failed: {0}")]
    Library(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::VersionConflict { current } => Self::VersionConflict { current },
            StoreError::Invalid(d) => Self::Invalid(d),
            other => Self::Store(other),
        }
    }
}
