//! What an RTMP session accepts from its peer: sizes, counts and deadlines.

use std::time::Duration;

/// Bounds on what a peer may make an [`RtmpSession`](super::RtmpSession) hold or wait
/// for. The defaults fit OBS and ffmpeg (chunk sizes of 4096 to 65536, a 4K keyframe)
/// with room to spare.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest Set Chunk Size accepted (default 1 MiB).
    pub max_chunk_size: u32,
    /// The longest message accepted (default 16 MiB).
    pub max_message_len: u32,
    /// How many chunk streams may be known at once (default 64).
    pub max_chunk_streams: usize,
    /// How many bytes of unfinished messages may be held across chunk streams (default 32 MiB).
    pub max_buffered: usize,
    /// Time from the connection to the end of the handshake (default 10 s).
    pub handshake_timeout: Duration,
    /// Time from the connection to the `publish` command (default 20 s).
    pub publish_timeout: Duration,
    /// Longest silence from the peer (default 30 s).
    pub idle_timeout: Duration,
    /// The acknowledgement window announced to the peer (default 2 500 000 bytes).
    pub window_ack_size: u32,
    /// The chunk size the server sends with (default 4096).
    pub out_chunk_size: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_chunk_size: 1 << 20,
            max_message_len: 16 << 20,
            max_chunk_streams: 64,
            max_buffered: 32 << 20,
            handshake_timeout: Duration::from_secs(10),
            publish_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(30),
            window_ack_size: 2_500_000,
            out_chunk_size: 4096,
        }
    }
}
