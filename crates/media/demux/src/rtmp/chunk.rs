//! The chunk stream layer, receiving side: basic headers (one to three bytes), the four
//! message header types, extended timestamps, interleaved chunk streams, Set Chunk Size
//! and Abort. Input may be split anywhere; payload bytes go straight into the message
//! they belong to, which grows as bytes arrive (never allocated from a peer's length).

use std::collections::HashMap;

use bytes::Bytes;

use super::limits::Limits;
use super::message::Message;
use crate::DemuxError;

/// The longest chunk header: a 3-byte basic header, 11 bytes, an extended timestamp.
const MAX_HEADER: usize = 18;

/// What the last headers of one chunk stream said, and its unfinished message.
#[derive(Debug, Default)]
struct Stream {
    timestamp: u32,
    delta: u32,
    len: u32,
    type_id: u8,
    stream_id: u32,
    extended: bool,
    partial: Option<Vec<u8>>,
}

/// A parsed chunk header.
#[derive(Debug)]
struct Header {
    fmt: u8,
    csid: u32,
    time: u32,
    len: u32,
    type_id: u8,
    stream_id: u32,
    extended: bool,
}

#[derive(Debug, Clone, Copy)]
enum Read {
    Header,
    Payload { csid: u32, left: usize },
}

/// Reassembles messages from chunks.
#[derive(Debug)]
pub(crate) struct ChunkDecoder {
    chunk_size: u32,
    streams: HashMap<u32, Stream>,
    header: Vec<u8>,
    read: Read,
    buffered: usize,
    max_message_len: u32,
    max_chunk_streams: usize,
    max_buffered: usize,
}

impl ChunkDecoder {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            chunk_size: 128,
            streams: HashMap::new(),
            header: Vec::with_capacity(MAX_HEADER),
            read: Read::Header,
            buffered: 0,
            max_message_len: limits.max_message_len,
            max_chunk_streams: limits.max_chunk_streams,
            max_buffered: limits.max_buffered,
        }
    }

    /// The peer's chunk size from now on (already checked against the limits).
    pub(crate) fn set_chunk_size(&mut self, size: u32) {
        self.chunk_size = size;
    }

    /// Drops the unfinished message of chunk stream `csid` (the Abort message).
    pub(crate) fn abort(&mut self, csid: u32) {
        if let Some(p) = self.streams.get_mut(&csid).and_then(|s| s.partial.take()) {
            self.buffered -= p.len();
        }
        if let Read::Payload { csid: c, .. } = self.read
            && c == csid
        {
            self.read = Read::Header;
        }
    }

    /// Reads from `input` until a message is complete (returned) or the input runs out.
    pub(crate) fn next(&mut self, input: &mut &[u8]) -> Result<Option<Message>, DemuxError> {
        loop {
            match self.read {
                Read::Header => loop {
                    if let Some(h) = self.parse_header()? {
                        self.header.clear();
                        if let Some(m) = self.start_chunk(h)? {
                            return Ok(Some(m));
                        }
                        break;
                    }
                    let Some((&b, rest)) = input.split_first() else { return Ok(None) };
                    self.header.push(b);
                    *input = rest;
                },
                Read::Payload { csid, left } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let n = left.min(input.len());
                    let s = self.streams.get_mut(&csid).ok_or(DemuxError::invalid("chunk stream", "payload without a stream"))?;
                    let p = s.partial.get_or_insert_with(Vec::new);
                    p.extend_from_slice(&input[..n]);
                    *input = &input[n..];
                    self.buffered += n;
                    if self.buffered > self.max_buffered {
                        return Err(DemuxError::TooMuchBuffered(self.max_buffered));
                    }
                    if left > n {
                        self.read = Read::Payload { csid, left: left - n };
                        continue;
                    }
                    self.read = Read::Header;
                    if p.len() >= s.len as usize {
                        let body = s.partial.take().unwrap_or_default();
                        self.buffered -= body.len();
                        return Ok(Some(Message { type_id: s.type_id, stream_id: s.stream_id, timestamp: s.timestamp, payload: Bytes::from(body) }));
                    }
                }
            }
        }
    }

    /// The header in `self.header`, if all of it has arrived.
    fn parse_header(&self) -> Result<Option<Header>, DemuxError> {
        let b = &self.header[..];
        let Some(&first) = b.first() else { return Ok(None) };
        let fmt = first >> 6;
        let (csid, basic) = match first & 0x3f {
            0 if b.len() >= 2 => (64 + u32::from(b[1]), 2),
            1 if b.len() >= 3 => (64 + u32::from(b[1]) + 256 * u32::from(b[2]), 3),
            0 | 1 => return Ok(None),
            c => (u32::from(c), 1),
        };
        let prev = self.streams.get(&csid);
        if fmt != 0 && prev.is_none() {
            return Err(DemuxError::NoPreviousHeader { fmt, csid });
        }
        let m = [11, 7, 3, 0][usize::from(fmt)];
        if b.len() < basic + m {
            return Ok(None);
        }
        let h = &b[basic..basic + m];
        let u24 = |i: usize| u32::from_be_bytes([0, h[i], h[i + 1], h[i + 2]]);
        let field = if fmt < 3 { u24(0) } else { 0 };
        let extended = if fmt < 3 { field == 0xff_ffff } else { prev.is_some_and(|s| s.extended) };
        let need = basic + m + if extended { 4 } else { 0 };
        if b.len() < need {
            return Ok(None);
        }
        let time = if extended { u32::from_be_bytes([b[need - 4], b[need - 3], b[need - 2], b[need - 1]]) } else { field };
        let (len, type_id) = if fmt < 2 { (u24(3), h[6]) } else { (0, 0) };
        let stream_id = if fmt == 0 { u32::from_le_bytes([h[7], h[8], h[9], h[10]]) } else { 0 };
        Ok(Some(Header { fmt, csid, time, len, type_id, stream_id, extended }))
    }

    /// Applies a header: continues the stream's message or starts a new one. Returns a
    /// message already complete (one of length zero).
    fn start_chunk(&mut self, h: Header) -> Result<Option<Message>, DemuxError> {
        let known = self.streams.len();
        let s = match self.streams.entry(h.csid) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                if known >= self.max_chunk_streams {
                    return Err(DemuxError::TooManyChunkStreams(self.max_chunk_streams));
                }
                e.insert(Stream::default())
            }
        };
        let continuing = h.fmt == 3 && s.partial.is_some();
        if !continuing {
            if let Some(p) = s.partial.take() {
                self.buffered -= p.len(); // a new header abandons the unfinished message
            }
            match h.fmt {
                0 => {
                    (s.timestamp, s.delta, s.len, s.type_id, s.stream_id) = (h.time, 0, h.len, h.type_id, h.stream_id);
                }
                1 => {
                    (s.delta, s.len, s.type_id) = (h.time, h.len, h.type_id);
                    s.timestamp = s.timestamp.wrapping_add(s.delta);
                }
                2 => {
                    s.delta = h.time;
                    s.timestamp = s.timestamp.wrapping_add(s.delta);
                }
                _ => s.timestamp = s.timestamp.wrapping_add(s.delta),
            }
            if h.fmt < 3 {
                s.extended = h.extended;
            }
            if s.len > self.max_message_len {
                return Err(DemuxError::MessageTooLarge { len: s.len, max: self.max_message_len });
            }
            if s.len == 0 {
                return Ok(Some(Message { type_id: s.type_id, stream_id: s.stream_id, timestamp: s.timestamp, payload: Bytes::new() }));
            }
            s.partial = Some(Vec::with_capacity(s.len.min(self.chunk_size).min(64 * 1024) as usize));
        }
        let have = s.partial.as_ref().map_or(0, Vec::len);
        let left = (s.len as usize).saturating_sub(have).min(self.chunk_size as usize);
        self.read = Read::Payload { csid: h.csid, left };
        Ok(None)
    }
}

#[cfg(test)]
#[path = "chunk_tests.rs"]
mod tests;
