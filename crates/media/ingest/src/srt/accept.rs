//! [`Acceptor`]: the sans-IO front of the SRT listener. It reads every datagram of the
//! port, runs one `srt_protocol` handshake (`Listen`) per caller address, asks the driver
//! to decide on each caller that completed its request ([`Event::Decide`]), and then routes
//! the caller's packets to its session. Bounded: at most [`MAX_HANDSHAKES`] callers in
//! handshake at once, each for at most [`HANDSHAKE_TIMEOUT`]; a datagram that does not
//! parse, or that is not a handshake from an unknown address, is dropped.
//!
//! A caller that set a passphrase is refused here (`Unsecure`), whatever the driver
//! decides: `srt_protocol` panics when it accepts a caller with keying material without
//! being configured for encryption, and Hikari's SRT has none. Datagrams are parsed by
//! `wire::parse`, and a panic of the handshake code drops that caller, not the listener.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use srt_protocol::connection::Connection;
use srt_protocol::packet::{ControlPacket, ControlTypes, CoreRejectReason, HandshakeVsInfo, Packet, RejectReason, ShakeType};
use srt_protocol::protocol::pending_connection::listen::Listen;
use srt_protocol::protocol::pending_connection::{AccessControlResponse, ConnectionResult};
use srt_protocol::settings::ConnInitSettings;

use super::guard::guarded;
use super::wire;

/// Most callers in handshake at once; more inductions are dropped until some finish.
pub const MAX_HANDSHAKES: usize = 256;
/// Longest a handshake may take, the decision included.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refused caller is answered with its refusal again (it may not have heard it).
const REFUSED_FOR: Duration = Duration::from_secs(5);

/// A caller's request, completed: whether to take it is the driver's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The caller.
    pub from: SocketAddr,
    /// Which of the caller's handshakes asks (a caller may start again from the same address).
    pub id: u64,
    /// Its stream id, if it sent one.
    pub stream_id: Option<String>,
    /// It set a passphrase (sent keying material): it is refused whatever the decision.
    pub passphrase: bool,
}

/// What the acceptor asks of its driver.
#[derive(Debug)]
pub enum Event {
    /// Send this datagram.
    Send(SocketAddr, Vec<u8>),
    /// Decide on a caller ([`Acceptor::decide`]).
    Decide(Request),
    /// The caller is connected: its session starts with this connection (the session's
    /// handle is [`Acceptor::session`]).
    Open(SocketAddr, Box<Connection>),
}

enum Peer<S> {
    /// `asked`: the request's id and whether it carried keying material, once made.
    Handshake {
        listen: Box<Listen>,
        since: Instant,
        asked: Option<(u64, bool)>,
    },
    Refused {
        reply: Option<Vec<u8>>,
        since: Instant,
    },
    Open(S),
}

/// The handshakes and the sessions of an SRT port; `S` is the driver's handle of a session.
pub struct Acceptor<S> {
    settings: ConnInitSettings,
    ipv6: bool,
    peers: HashMap<SocketAddr, Peer<S>>,
    handshakes: usize,
    requests: u64,
    events: VecDeque<Event>,
    /// Datagrams dropped: unparsable, from strangers, or over the handshake cap.
    pub dropped: u64,
}

impl<S> Acceptor<S> {
    /// An acceptor for a socket bound to an IPv6 (`ipv6`) or IPv4 address, in SRT's live
    /// mode with its defaults (120 ms latency).
    pub fn new(ipv6: bool) -> Self {
        Self { settings: ConnInitSettings::default(), ipv6, peers: HashMap::new(), handshakes: 0, requests: 0, events: VecDeque::new(), dropped: 0 }
    }

    /// The next thing to do.
    pub fn poll(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// A datagram arrived. For a connected caller, returns its session and the packet.
    pub fn receive(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) -> Option<(&mut S, Packet)> {
        let Some(packet) = wire::parse(datagram, self.ipv6) else {
            self.dropped += 1;
            return None;
        };
        let induction =
            matches!(&packet, Packet::Control(ControlPacket { control_type: ControlTypes::Handshake(h), .. }) if h.shake_type == ShakeType::Induction);
        if induction && matches!(self.peers.get(&from), None | Some(Peer::Refused { .. })) {
            if self.handshakes >= MAX_HANDSHAKES {
                self.dropped += 1;
                return None;
            }
            let listen = Box::new(Listen::new(self.settings.copy_randomize(), true));
            self.peers.insert(from, Peer::Handshake { listen, since: now, asked: None });
            self.handshakes += 1;
        }
        if let Some(Peer::Open(_)) = self.peers.get(&from) {
            return self.session(from).map(|session| (session, packet));
        }
        match self.peers.get_mut(&from) {
            Some(Peer::Refused { reply: Some(reply), .. }) => self.events.push_back(Event::Send(from, reply.clone())),
            Some(Peer::Handshake { listen, asked, .. }) => {
                let keying = has_keying_material(&packet);
                let Some(result) = guarded(|| listen.handle_packet(now, Ok((packet, from)))) else {
                    self.close(from);
                    return None;
                };
                if let ConnectionResult::RequestAccess(request) = &result {
                    self.requests += 1;
                    *asked = Some((self.requests, keying));
                    let stream_id = request.stream_id.as_ref().map(|s| s.to_string());
                    self.events.push_back(Event::Decide(Request { from, id: self.requests, stream_id, passphrase: keying }));
                } else {
                    self.result(now, from, result, None);
                }
            }
            _ => self.dropped += 1,
        }
        None
    }

    /// The driver's decision on a [`Request`]: the caller's session handle, or why it is
    /// refused. A decision for a request no longer waiting for one is dropped (and with it
    /// the session handle).
    pub fn decide(&mut self, now: Instant, request: &Request, decision: Result<S, RejectReason>) {
        let Some(Peer::Handshake { listen, asked: Some((id, keying)), .. }) = self.peers.get_mut(&request.from) else { return };
        if *id != request.id {
            return;
        }
        let from = request.from;
        let decision = if *keying { Err(RejectReason::Core(CoreRejectReason::Unsecure)) } else { decision };
        let (response, session) = match decision {
            Ok(session) => (AccessControlResponse::Accepted(None), Some(session)),
            Err(reason) => (AccessControlResponse::Rejected(reason), None),
        };
        match guarded(|| listen.handle_access_control_response(now, response)) {
            Some(result) => self.result(now, from, result, session),
            None => self.close(from),
        }
    }

    /// The session of a connected caller.
    pub fn session(&mut self, from: SocketAddr) -> Option<&mut S> {
        match self.peers.get_mut(&from) {
            Some(Peer::Open(session)) => Some(session),
            _ => None,
        }
    }

    /// Forgets a caller (its session ended).
    pub fn close(&mut self, from: SocketAddr) {
        if let Some(Peer::Handshake { .. }) = self.peers.remove(&from) {
            self.handshakes -= 1;
        }
    }

    /// Drops handshakes that took too long, old refusals, and sessions `alive` says ended.
    pub fn sweep(&mut self, now: Instant, alive: impl Fn(&S) -> bool) {
        let mut handshakes = 0;
        self.peers.retain(|_, peer| match peer {
            Peer::Handshake { since, .. } => {
                let keep = now.saturating_duration_since(*since) < HANDSHAKE_TIMEOUT;
                handshakes += usize::from(keep);
                keep
            }
            Peer::Refused { since, .. } => now.saturating_duration_since(*since) < REFUSED_FOR,
            Peer::Open(session) => alive(session),
        });
        self.handshakes = handshakes;
    }

    /// Callers known: in handshake, refused lately, or connected.
    pub fn peers(&self) -> usize {
        self.peers.len()
    }

    fn result(&mut self, now: Instant, from: SocketAddr, result: ConnectionResult, session: Option<S>) {
        let send = |events: &mut VecDeque<Event>, packet: Option<(Packet, SocketAddr)>| {
            if let Some((packet, to)) = packet {
                events.push_back(Event::Send(to, serialize(&packet)));
            }
        };
        match result {
            ConnectionResult::SendPacket(packet) => send(&mut self.events, Some(packet)),
            ConnectionResult::Connected(packet, connection) => {
                send(&mut self.events, packet);
                match session {
                    Some(session) => {
                        self.close(from);
                        self.peers.insert(from, Peer::Open(session));
                        self.events.push_back(Event::Open(from, Box::new(connection)));
                    }
                    None => self.close(from),
                }
            }
            ConnectionResult::Reject(packet, _) => {
                let reply = packet.as_ref().map(|(p, _)| serialize(p));
                send(&mut self.events, packet);
                self.close(from);
                self.peers.insert(from, Peer::Refused { reply, since: now });
            }
            ConnectionResult::Failure(_) => self.close(from),
            ConnectionResult::NotHandled(_) | ConnectionResult::NoAction | ConnectionResult::RequestAccess(_) => {}
        }
    }
}

/// Whether a packet is a handshake carrying keying material (the caller set a passphrase).
fn has_keying_material(packet: &Packet) -> bool {
    matches!(packet, Packet::Control(ControlPacket { control_type: ControlTypes::Handshake(h), .. })
        if matches!(&h.info, HandshakeVsInfo::V5(v5) if v5.ext_km.is_some()))
}

/// A packet's bytes on the wire.
pub fn serialize(packet: &Packet) -> Vec<u8> {
    let mut out = Vec::with_capacity(packet.wire_size());
    packet.serialize(&mut out);
    out
}

#[cfg(test)]
#[path = "accept_tests.rs"]
mod tests;
