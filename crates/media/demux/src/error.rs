//! The crate's one error type: everything a peer can get wrong in RTMP, FLV or MPEG-TS.

use std::time::Duration;

/// Why a session or a demuxer refused its input. Every variant comes from the network (or
/// from time passing without it) and says what was wrong in words a log line can carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemuxError {
    /// C0 named another protocol version: not an RTMP client (or RTMPE, which is not served).
    #[error("RTMP version {0} in C0, expected 3 (not a plain RTMP client)")]
    BadVersion(u8),
    /// The handshake (C0, C1, C2) did not complete in time: the slowloris case.
    #[error("RTMP handshake not completed within {0:?}")]
    HandshakeTimeout(Duration),
    /// No `publish` command arrived in time after the connection opened.
    #[error("no publish command within {0:?} of connecting")]
    PublishTimeout(Duration),
    /// Nothing at all arrived for this long.
    #[error("no data from the peer for {0:?}")]
    IdleTimeout(Duration),
    /// The peer's Set Chunk Size was above the limit.
    #[error("chunk size {size} too large (at most {max})")]
    ChunkSizeTooLarge {
        /// What the peer asked for.
        size: u32,
        /// The configured limit.
        max: u32,
    },
    /// The peer's Set Chunk Size was zero.
    #[error("chunk size 0 is invalid")]
    ChunkSizeZero,
    /// A message header announced a message longer than the limit.
    #[error("message of {len} bytes too large (at most {max})")]
    MessageTooLarge {
        /// The announced length.
        len: u32,
        /// The configured limit.
        max: u32,
    },
    /// More chunk streams carried partial messages at once than allowed.
    #[error("more than {0} chunk streams in flight")]
    TooManyChunkStreams(usize),
    /// Partial messages together held more bytes than allowed.
    #[error("more than {0} bytes of partial messages buffered")]
    TooMuchBuffered(usize),
    /// A chunk header of type 1, 2 or 3 on a chunk stream that never had a type 0 header.
    #[error("chunk header type {fmt} on chunk stream {csid} with no previous header")]
    NoPreviousHeader {
        /// The chunk header type (1, 2 or 3).
        fmt: u8,
        /// The chunk stream id.
        csid: u32,
    },
    /// A header changed a message's length or type in the middle of the message.
    #[error("chunk stream {0} started a new message before finishing the last")]
    InterruptedMessage(u32),
    /// A structure ended before its fields did.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A field held a value the format does not allow.
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// The structure or field.
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// AMF0 nested deeper than the limit.
    #[error("AMF0 nested deeper than {0} levels")]
    AmfTooDeep(usize),
    /// A PES packet grew beyond the limit.
    #[error("PES packet larger than {0} bytes")]
    PesTooLarge(usize),
    /// Too many bytes arrived with no MPEG-TS sync byte pattern in them.
    #[error("no MPEG-TS sync in {0} bytes (not a transport stream?)")]
    NoSync(usize),
}

impl DemuxError {
    /// An [`DemuxError::Invalid`] from a field name and a description.
    pub(crate) fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid { what, detail: detail.into() }
    }
}
