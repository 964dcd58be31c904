use std::fmt;

/// A value broke a domain rule. `field` names the offending input (a JSON path or a form field),
/// `reason` says what is wrong in plain English, ready to show to an API client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// The input is malformed or out of range.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which input.
        field: String,
        /// Why it was refused.
        reason: String,
    },
}

impl DomainError {
    /// Builds an [`DomainError::Invalid`].
    pub fn invalid(field: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Self::Invalid { field: field.to_string(), reason: reason.to_string() }
    }
}
