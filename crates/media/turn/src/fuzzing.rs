//! The input path of `fuzz/fuzz_targets/turn_server.rs`: what clients and peers send, fed to
//! the sans-IO servers (UDP and stream) the way the driver feeds them, without sockets.

use std::net::SocketAddr;
use std::time::Duration;

use turn_server_proto::api::{SocketAllocateError, TcpConnectError, TurnServerApi, TurnServerPollRet};
use turn_server_proto::server::TurnServer;
use turn_server_proto::stun::agent::Transmit;
use turn_server_proto::types::{Instant, TransportType};

use crate::credentials::TurnSecret;
use crate::frame::Framer;
use crate::session::learn_user;

/// The fuzzing secret; `seed_credential` gives a username and password it accepts.
const SECRET: &[u8] = b"fuzz-secret";
/// The Unix time of the fuzzing world.
pub const NOW_UNIX: i64 = 1_800_000_000;

/// A credential the fuzzing world's server accepts (for seeds).
pub fn seed_credential() -> (String, String) {
    let c = TurnSecret::new(SECRET).mint("fuzz", NOW_UNIX, Duration::from_secs(3600));
    (c.username, c.password)
}

/// Feeds `data` as a sequence of records `[kind, len_hi, len_lo, bytes...]`: kind 0 a UDP
/// datagram from the client, 1 stream bytes from a TLS client (framed as the driver frames
/// them), 2 a datagram from a peer to the relayed address, 3 time passing. Never panics
/// (that is what the fuzz target checks).
pub fn feed(data: &[u8]) {
    let secret = TurnSecret::new(SECRET);
    let listen: SocketAddr = SocketAddr::from(([192, 0, 2, 1], 3478));
    let client: SocketAddr = SocketAddr::from(([198, 51, 100, 7], 50_000));
    let peer: SocketAddr = SocketAddr::from(([203, 0, 113, 9], 7882));
    let relay: SocketAddr = SocketAddr::from(([192, 0, 2, 1], 30_000));
    let mut udp = TurnServer::new(TransportType::Udp, listen, "hikari".into());
    let mut tcp = TurnServer::new(TransportType::Tcp, listen, "hikari".into());
    let (mut udp_users, mut tcp_users) = (Vec::new(), Vec::new());
    let mut framer = Framer::default();
    let mut now = Instant::ZERO;
    let mut rest = data;
    while let [kind, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (chunk, next) = tail.split_at(len);
        rest = next;
        match kind % 4 {
            0 => {
                learn_user(&mut udp, &mut udp_users, &secret, chunk, NOW_UNIX);
                if let Some(t) = udp.recv(Transmit::new(chunk, TransportType::Udp, client, listen), now) {
                    let _ = t.build();
                }
                drive(&mut udp, relay, now);
            }
            1 => {
                if framer.push(chunk).is_err() {
                    framer = Framer::default();
                }
                for _ in 0..64 {
                    match framer.next_frame() {
                        Ok(Some(frame)) => {
                            learn_user(&mut tcp, &mut tcp_users, &secret, &frame, NOW_UNIX);
                            if let Some(t) = tcp.recv(Transmit::new(&frame[..], TransportType::Tcp, client, listen), now) {
                                let _ = t.build();
                            }
                        }
                        Ok(None) => break,
                        Err(_) => {
                            framer = Framer::default();
                            break;
                        }
                    }
                }
                drive(&mut tcp, relay, now);
            }
            2 => {
                for server in [&mut udp, &mut tcp] {
                    if let Some(t) = server.recv(Transmit::new(chunk, TransportType::Udp, peer, relay), now) {
                        let _ = t.build();
                    }
                    drive(server, relay, now);
                }
            }
            _ => {
                now += Duration::from_secs(u64::from(chunk.first().copied().unwrap_or(1)) * 30);
                drive(&mut udp, relay, now);
                drive(&mut tcp, relay, now);
            }
        }
    }
}

/// The driver's poll loop with a pretend relayed socket.
fn drive(server: &mut TurnServer, relay: SocketAddr, now: Instant) {
    for _ in 0..32 {
        match server.poll(now) {
            TurnServerPollRet::WaitUntil(_) => break,
            TurnServerPollRet::AllocateSocket { transport, listen_addr, client_addr, allocation_transport, family } => {
                let result = if allocation_transport == TransportType::Udp { Ok(relay) } else { Err(SocketAllocateError::InsufficientCapacity) };
                server.allocated_socket(transport, listen_addr, client_addr, allocation_transport, family, result, now);
            }
            TurnServerPollRet::TcpConnect { relayed_addr, peer_addr, listen_addr, client_addr } => {
                server.tcp_connected(relayed_addr, peer_addr, listen_addr, client_addr, Err(TcpConnectError::Forbidden), now);
            }
            TurnServerPollRet::SocketClose { .. } | TurnServerPollRet::TcpClose { .. } => {}
        }
    }
    for _ in 0..32 {
        if server.poll_transmit(now).is_none() {
            break;
        }
    }
}
