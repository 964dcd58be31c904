//! ICE over TCP from the outside: a connection that sends garbage is closed, and only
//! that one.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hikari_media_io::{MediaSocket, MediaTcp, frame, start};
use hikari_sfu::SfuConfig;
use hikari_types::{DataPackets, DataRelay, DataSender, ParticipantIdentity, Reliability};

fn free_port() -> u16 {
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

/// Whether the server closed `s` within `limit` (reads EOF or a reset).
fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(100))).expect("timeout");
    let end = Instant::now() + limit;
    let mut buf = [0u8; 256];
    while Instant::now() < end {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn a_connection_sending_garbage_is_closed_and_no_other() {
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut cfg = SfuConfig::new(vec![addr], (Instant::now(), 1_800_000_000_000), 7, Arc::new(NoData));
    cfg.tcp_candidates = vec![addr];
    let _media = start(cfg, vec![MediaSocket { bind: addr, advertised: addr }], Some(MediaTcp { bind: addr, advertised: None }), false, |_| {})
        .expect("the media thread starts");

    let mut good = TcpStream::connect(addr).expect("connects");
    // A framed STUN binding request for a ufrag no one has: ignored, not fatal.
    let mut stun = vec![0u8, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42];
    stun.extend_from_slice(&[9; 12]);
    let mut framed = Vec::new();
    frame(&stun, &mut framed).expect("small");
    good.write_all(&framed).expect("written");

    let mut bad = TcpStream::connect(addr).expect("connects");
    bad.write_all(&[0xff, 0xff, 0xde, 0xad]).expect("written");
    assert!(closed_within(&mut bad, Duration::from_secs(5)), "the server closes a connection that is not RFC 4571 framing");
    assert!(!closed_within(&mut good, Duration::from_millis(500)), "the other connection stays open");
    good.write_all(&framed).expect("still writable");
}

/// The core parses no data packets here.
#[derive(Debug)]
struct NoData;

impl DataPackets for NoData {
    fn relay(&self, _: &[u8], _: DataSender<'_>, _: Reliability) -> Result<Option<DataRelay>, String> {
        Ok(None)
    }

    fn user_packet(&self, payload: Vec<u8>, _: Option<String>, _: &[ParticipantIdentity], _: Reliability) -> Vec<u8> {
        payload
    }
}
