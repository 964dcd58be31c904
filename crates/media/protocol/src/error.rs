//! Why bytes from the network could not be understood.

/// Why bytes from the network could not be understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Not a valid protobuf message of the expected type.
    #[error("malformed {what}: {source}")]
    Malformed {
        /// The message type expected.
        what: &'static str,
        /// The decoder's complaint.
        source: prost::DecodeError,
    },
    /// A valid message without the content it must carry.
    #[error("{0}")]
    Missing(&'static str),
    /// Larger than allowed.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Not valid base64, gzip or UTF-8 where one was required.
    #[error("invalid encoding of {0}")]
    Encoding(&'static str),
    /// Not valid protojson for the expected message.
    #[error("malformed {what} JSON: {message}")]
    Json {
        /// The message type expected.
        what: &'static str,
        /// The parser's complaint.
        message: String,
    },
    /// Well-formed, but a value breaks a rule (a name too long, a required field empty).
    #[error("{0}")]
    Invalid(String),
    /// A request this server does not run (yet); the message says what works instead.
    #[error("{0}")]
    Unsupported(String),
}
