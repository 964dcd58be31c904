//! The crate's one error enum.

use hikari_egress::EgressError;

/// Why an egress call failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The registry refused or failed.
    #[error(transparent)]
    Egress(#[from] EgressError),
    /// No such room or track (`not_found`).
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be run (`invalid_argument`): a codec that is not recorded.
    #[error("{0}")]
    Invalid(String),
    /// The media thread is overloaded or stopped (`unavailable`).
    #[error("{0}")]
    Unavailable(String),
    /// The node runs as many composites as it can (`resource_exhausted`).
    #[error("{0}")]
    Busy(String),
    /// The file could not be created (`internal`); the job was recorded as failed.
    #[error("{0}")]
    File(String),
}
