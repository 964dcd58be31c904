//! The RTMP server session (`hikari_demux::fuzzing::feed_rtmp`): bytes from the first byte of a
//! connection, or after a valid handshake and publish, cut into pieces, then the deadlines.
//! Nothing may panic; an error closes the session.

pub fn run(data: &[u8]) {
    hikari_demux::fuzzing::feed_rtmp(data);
}
