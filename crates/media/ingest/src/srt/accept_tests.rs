//! Unit tests of the acceptor against `srt_protocol`'s own caller (`Connect`): a handshake
//! that is accepted or refused, a caller with a passphrase refused whatever the decision,
//! the handshake cap and sweep, and garbage that never panics nor grows state.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use srt_protocol::options::KeySize;
use srt_protocol::packet::{Packet, RejectReason, SeqNumber, ServerRejectReason};
use srt_protocol::protocol::pending_connection::connect::Connect;
use srt_protocol::protocol::pending_connection::{ConnectionReject, ConnectionResult};
use srt_protocol::settings::{ConnInitSettings, KeySettings};

use super::{Acceptor, Event, HANDSHAKE_TIMEOUT, MAX_HANDSHAKES, Request, serialize};

const LISTENER: &str = "127.0.0.1:9710";

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn listener() -> SocketAddr {
    LISTENER.parse().expect("an address")
}

fn caller(port: u16, stream_id: Option<&str>, passphrase: bool) -> Connect {
    let mut settings = ConnInitSettings::default();
    if passphrase {
        settings.key_settings = Some(KeySettings { key_size: KeySize::AES128, passphrase: "0123456789abcdef".into() });
    }
    Connect::new(listener(), addr(port).ip(), settings, stream_id.map(str::to_owned), SeqNumber::new_truncate(1))
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Connected,
    Refused(RejectReason),
    Stuck,
}

/// Runs a caller's handshake against the acceptor, deciding with `decide`; returns what
/// the caller saw, the requests made and whether the acceptor opened a session.
fn shake(
    acceptor: &mut Acceptor<u32>,
    port: u16,
    mut connect: Connect,
    decide: impl Fn(&Request) -> Result<u32, RejectReason>,
) -> (Outcome, Vec<Request>, bool) {
    let now = Instant::now();
    let (mut requests, mut opened) = (Vec::new(), false);
    let ConnectionResult::SendPacket((first, _)) = connect.handle_tick(now) else { panic!("the caller starts") };
    let mut to_listener = vec![serialize(&first)];
    for _ in 0..10 {
        for datagram in to_listener.drain(..) {
            assert!(acceptor.receive(now, addr(port), &datagram).is_none(), "no session yet");
        }
        let mut to_caller = Vec::new();
        while let Some(event) = acceptor.poll() {
            match event {
                Event::Send(to, bytes) => {
                    assert_eq!(to, addr(port));
                    to_caller.push(bytes);
                }
                Event::Decide(request) => {
                    acceptor.decide(now, &request, decide(&request));
                    requests.push(request);
                }
                Event::Open(from, _) => opened = from == addr(port),
            }
        }
        for bytes in to_caller {
            let packet = Packet::parse(&mut &bytes[..], false).expect("the acceptor sends SRT");
            match connect.handle_packet(Ok((packet, listener())), now) {
                ConnectionResult::SendPacket((p, _)) => to_listener.push(serialize(&p)),
                ConnectionResult::Connected(..) => return (Outcome::Connected, requests, opened),
                ConnectionResult::Reject(_, ConnectionReject::Rejected(reason)) => return (Outcome::Refused(reason), requests, opened),
                _ => {}
            }
        }
    }
    (Outcome::Stuck, requests, opened)
}

#[test]
fn a_caller_is_accepted_with_its_stream_id_and_its_packets_reach_its_session() {
    let mut acceptor = Acceptor::new(false);
    let (outcome, requests, opened) = shake(&mut acceptor, 4000, caller(4000, Some("#!::r=sk_1"), false), |_| Ok(7));
    assert_eq!(outcome, Outcome::Connected);
    assert!(opened, "the session opens");
    assert_eq!(requests.len(), 1);
    assert_eq!((requests[0].stream_id.as_deref(), requests[0].passphrase), (Some("#!::r=sk_1"), false));
    assert_eq!(acceptor.session(addr(4000)), Some(&mut 7));
    let keepalive = serialize(&Packet::Control(srt_protocol::packet::ControlPacket {
        timestamp: srt_protocol::packet::TimeStamp::from_micros(0),
        dest_sockid: srt_protocol::packet::SocketId(1),
        control_type: srt_protocol::packet::ControlTypes::KeepAlive,
    }));
    assert!(acceptor.receive(Instant::now(), addr(4000), &keepalive).is_some(), "routed to the session");
    acceptor.sweep(Instant::now(), |_| false);
    assert_eq!(acceptor.peers(), 0, "an ended session is forgotten");
}

#[test]
fn a_refusal_reaches_the_caller_with_its_reason() {
    let mut acceptor = Acceptor::new(false);
    let forbidden = RejectReason::Server(ServerRejectReason::Forbidden);
    let (outcome, _, opened) = shake(&mut acceptor, 4001, caller(4001, Some("wrong"), false), |_| Err(forbidden));
    assert_eq!(outcome, Outcome::Refused(forbidden));
    assert!(!opened);
}

#[test]
fn a_caller_with_a_passphrase_is_refused_even_if_accepted() {
    let mut acceptor = Acceptor::new(false);
    let (outcome, requests, opened) = shake(&mut acceptor, 4002, caller(4002, Some("sk_1"), true), |_| Ok(1));
    assert!(matches!(outcome, Outcome::Refused(RejectReason::Core(_))), "{outcome:?}");
    assert!(requests[0].passphrase);
    assert!(!opened);
    // The acceptor still works.
    let (outcome, ..) = shake(&mut acceptor, 4003, caller(4003, Some("sk_1"), false), |_| Ok(1));
    assert_eq!(outcome, Outcome::Connected);
}

#[test]
fn handshakes_are_capped_and_swept() {
    let mut acceptor = Acceptor::<u32>::new(false);
    let now = Instant::now();
    for port in 0..(MAX_HANDSHAKES as u16 + 50) {
        let mut connect = caller(5000 + port, None, false);
        let ConnectionResult::SendPacket((induction, _)) = connect.handle_tick(now) else { panic!("the caller starts") };
        acceptor.receive(now, addr(5000 + port), &serialize(&induction));
    }
    assert_eq!(acceptor.peers(), MAX_HANDSHAKES);
    assert_eq!(acceptor.dropped, 50);
    acceptor.sweep(now + HANDSHAKE_TIMEOUT - Duration::from_millis(1), |_| true);
    assert_eq!(acceptor.peers(), MAX_HANDSHAKES);
    acceptor.sweep(now + HANDSHAKE_TIMEOUT, |_| true);
    assert_eq!(acceptor.peers(), 0);
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_never_panics_nor_grows_state() {
    let mut acceptor = Acceptor::<u32>::new(false);
    let now = Instant::now();
    // Real handshake packets to mutate: an induction and a conclusion with a stream id.
    let mut connect = caller(6000, Some("sk_1"), false);
    let ConnectionResult::SendPacket((induction, _)) = connect.handle_tick(now) else { panic!("the caller starts") };
    let mut seeds = vec![serialize(&induction)];
    acceptor.receive(now, addr(6000), &seeds[0]);
    while let Some(event) = acceptor.poll() {
        if let Event::Send(_, bytes) = event
            && let Ok(packet) = Packet::parse(&mut &bytes[..], false)
            && let ConnectionResult::SendPacket((conclusion, _)) = connect.handle_packet(Ok((packet, listener())), now)
        {
            seeds.push(serialize(&conclusion));
        }
    }
    assert_eq!(seeds.len(), 2, "a conclusion to mutate");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..40_000u32 {
        let datagram: Vec<u8> = if i % 2 == 0 {
            let len = (rng.next() % 1600) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        } else {
            let mut d = seeds[(i as usize / 2) % 2].clone();
            for _ in 0..(1 + rng.next() % 4) {
                let at = (rng.next() as usize) % d.len();
                d[at] = rng.next() as u8;
            }
            d
        };
        let from = addr(7000 + (rng.next() % 512) as u16);
        let _ = acceptor.receive(now, from, &datagram);
        while let Some(event) = acceptor.poll() {
            if let Event::Decide(request) = event {
                acceptor.decide(now, &request, Ok(i));
            }
        }
        assert!(acceptor.peers() <= MAX_HANDSHAKES + 512, "bounded by the addresses used");
    }
    acceptor.sweep(now + HANDSHAKE_TIMEOUT, |_| false);
    assert_eq!(acceptor.peers(), 0);
}
