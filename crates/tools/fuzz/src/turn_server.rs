//! The embedded TURN server's input path (`hikari_turn::fuzzing::feed`): UDP datagrams and
//! TLS stream bytes from a client, datagrams from a peer to a relayed address, and time,
//! fed to turn-server-proto's sans-IO servers the way the driver feeds them (credentials
//! learnt from USERNAME, stream framing with ChannelData padding). Nothing may panic.

pub fn run(data: &[u8]) {
    hikari_turn::fuzzing::feed(data);
}
