//! The crate's one error type, [`MuxError`].
//!
//! Two kinds: a packet the depacketizers refuse (malformed payload, or a frame past the
//! size cap) is *not fatal*: the broken frame is dropped, the recorder goes on and the
//! caller may log the error and keep pushing. An I/O error from the output writer *is*
//! fatal: the file is in an unknown state ([`MuxError::is_fatal`]).

use hikari_codec::CodecError;

/// Why the muxer refused a packet or could not write.
#[derive(Debug, thiserror::Error)]
pub enum MuxError {
    /// The payload ended inside the named structure.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A field of the named structure holds a value the format does not allow.
    #[error("invalid {what}: {why}")]
    Invalid {
        /// The structure being read.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A frame grew past the size cap ([`crate::MAX_FRAME`]); it was dropped.
    #[error("frame larger than {0} bytes dropped")]
    FrameTooLarge(usize),
    /// The H.264 depacketizer refused a payload.
    #[error("H.264 payload: {0}")]
    H264(#[from] CodecError),
    /// The codec cannot go in the chosen container.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The output could not be written; the file is incomplete from here on.
    #[error("cannot write the recording: {0}")]
    Io(#[from] std::io::Error),
}

impl MuxError {
    /// Whether the recording cannot go on (an output error). Every other error only cost
    /// the current frame; keep pushing packets.
    pub fn is_fatal(&self) -> bool {
        matches!(self, MuxError::Io(_))
    }
}
