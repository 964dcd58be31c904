//! The SRT listener's input path (`hikari_ingest::fuzzing::feed`): datagrams from two
//! callers and time, through the acceptor (datagram parsing, srt-protocol's handshakes,
//! access decisions on the stream id, the handshake cap and sweep). Nothing may panic.

pub fn run(data: &[u8]) {
    hikari_ingest::fuzzing::feed(data);
}
