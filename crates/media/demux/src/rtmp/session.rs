//! [`RtmpSession`]: one publisher's connection, from the handshake to `publish` and the
//! media that follows, as a sans-IO state machine.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::chunk::ChunkDecoder;
use super::handshake::Handshake;
use super::limits::Limits;
use super::metadata::StreamMetadata;
use super::{command, message};
use crate::{DemuxError, Elementary, FlvDemuxer};

/// What a session tells its driver.
#[derive(Debug, Clone, PartialEq)]
pub enum RtmpEvent {
    /// The publisher asked to publish: the driver checks the key and calls
    /// [`RtmpSession::accept`] or [`RtmpSession::reject`].
    PublishRequested {
        /// The application (`x` in `rtmp://host:1935/x`).
        app: String,
        /// The stream key (without any `?query`).
        stream_key: String,
    },
    /// The encoder's `onMetaData`.
    Metadata(StreamMetadata),
    /// A unit of audio or video (only after [`RtmpSession::accept`]).
    Media(Elementary),
    /// The publisher stopped (`FCUnpublish`, `deleteStream` or `closeStream`).
    Unpublished,
}

/// Counters a driver can meter a connection by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RtmpStats {
    /// Bytes received, handshake included.
    pub bytes_in: u64,
    /// Messages reassembled.
    pub messages: u64,
    /// Audio messages read.
    pub audio_messages: u64,
    /// Video messages read.
    pub video_messages: u64,
    /// Audio and video bytes read.
    pub media_bytes: u64,
    /// Audio and video messages dropped because the publish was not accepted (yet).
    pub dropped_media: u64,
}

/// Where the publish stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Publish {
    /// No `publish` yet.
    None,
    /// `publish` told to the driver, no answer yet.
    Pending { stream_id: u32, key: String },
    /// Accepted: media flows.
    Live { stream_id: u32 },
    /// Unpublished after being live.
    Ended,
}

/// One RTMP connection from a publishing encoder. Feed it the socket's bytes with
/// [`receive`](Self::receive) and the time with [`handle_timeout`](Self::handle_timeout);
/// write what [`poll_transmit`](Self::poll_transmit) returns; act on
/// [`poll_event`](Self::poll_event). Any error ends the session: the driver closes the
/// connection (after writing what is left to transmit).
#[derive(Debug)]
pub struct RtmpSession {
    pub(crate) limits: Limits,
    handshake: Handshake,
    pub(crate) decoder: ChunkDecoder,
    pub(crate) out: Vec<u8>,
    pub(crate) events: VecDeque<RtmpEvent>,
    pub(crate) flv: FlvDemuxer,
    pub(crate) stats: RtmpStats,
    started: Instant,
    last_input: Instant,
    pub(crate) closed: bool,
    pub(crate) app: Option<String>,
    pub(crate) tc_url: Option<String>,
    pub(crate) publish: Publish,
    pub(crate) next_stream_id: u32,
    pub(crate) peer_window: Option<u32>,
    acked_bytes: u64,
}

impl RtmpSession {
    /// A session for a connection accepted at `now`.
    pub fn new(now: Instant, limits: Limits) -> Self {
        Self {
            decoder: ChunkDecoder::new(&limits),
            limits,
            handshake: Handshake::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            flv: FlvDemuxer::new(),
            stats: RtmpStats::default(),
            started: now,
            last_input: now,
            closed: false,
            app: None,
            tc_url: None,
            publish: Publish::None,
            next_stream_id: 1,
            peer_window: None,
            acked_bytes: 0,
        }
    }

    /// Reads bytes as they arrived from the socket (split anywhere). After an error, or
    /// after a rejection, input is ignored.
    pub fn receive(&mut self, bytes: &[u8], now: Instant) -> Result<(), DemuxError> {
        if self.closed {
            return Ok(());
        }
        self.last_input = now;
        self.stats.bytes_in += bytes.len() as u64;
        let r = self.read(bytes);
        if r.is_err() {
            self.closed = true;
        }
        r
    }

    fn read(&mut self, mut input: &[u8]) -> Result<(), DemuxError> {
        if !self.handshake.done() {
            self.handshake.feed(&mut input, &mut self.out)?;
        }
        while !self.closed
            && let Some(m) = self.decoder.next(&mut input)?
        {
            self.stats.messages += 1;
            self.on_message(m)?;
        }
        if let Some(window) = self.peer_window
            && self.stats.bytes_in - self.acked_bytes >= u64::from(window)
        {
            self.acked_bytes = self.stats.bytes_in;
            message::control(&mut self.out, message::ACK, self.stats.bytes_in as u32);
        }
        Ok(())
    }

    /// Bytes to write to the socket, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<RtmpEvent> {
        self.events.pop_front()
    }

    /// The deadlines in force: the handshake's, the publish command's, and silence's.
    fn deadlines(&self) -> [(Option<Instant>, DemuxError); 3] {
        let l = &self.limits;
        let at = |d: Duration, from: Instant| from.checked_add(d);
        [
            ((!self.handshake.done()).then(|| at(l.handshake_timeout, self.started)).flatten(), DemuxError::HandshakeTimeout(l.handshake_timeout)),
            ((self.publish == Publish::None).then(|| at(l.publish_timeout, self.started)).flatten(), DemuxError::PublishTimeout(l.publish_timeout)),
            (at(l.idle_timeout, self.last_input), DemuxError::IdleTimeout(l.idle_timeout)),
        ]
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called (`None` once closed).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        self.deadlines().into_iter().filter_map(|(t, _)| t).min()
    }

    /// Checks the deadlines at `now`: a missed one is an error that ends the session.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), DemuxError> {
        if self.closed {
            return Ok(());
        }
        for (t, e) in self.deadlines() {
            if t.is_some_and(|t| now >= t) {
                self.closed = true;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Accepts the pending publish: NetStream.Publish.Start; media events follow.
    pub fn accept(&mut self) {
        if let Publish::Pending { stream_id, key } = &self.publish {
            let (stream_id, key) = (*stream_id, key.clone());
            message::user_control(&mut self.out, message::UC_STREAM_BEGIN, stream_id);
            let body = command::on_status("status", "NetStream.Publish.Start", &format!("{key} is now published."));
            message::write(&mut self.out, message::CSID_STREAM, message::COMMAND_AMF0, stream_id, &body, self.limits.out_chunk_size);
            self.publish = Publish::Live { stream_id };
        }
    }

    /// Refuses the publish: an error onStatus (NetStream.Publish.BadName) carrying
    /// `reason`, after which the session is closed (write what remains, then close).
    pub fn reject(&mut self, reason: &str) {
        let stream_id = match &self.publish {
            Publish::Pending { stream_id, .. } | Publish::Live { stream_id } => *stream_id,
            _ => 1,
        };
        let body = command::on_status("error", "NetStream.Publish.BadName", reason);
        message::write(&mut self.out, message::CSID_STREAM, message::COMMAND_AMF0, stream_id, &body, self.limits.out_chunk_size);
        self.closed = true;
    }

    /// Whether the session ended (an error, a missed deadline or a rejection).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Counters for metering.
    pub fn stats(&self) -> &RtmpStats {
        &self.stats
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
