//! One client 5-tuple and its own sans-IO TURN server: credentials learnt from its
//! requests, its relayed sockets, the routing of what the server emits.

use std::net::SocketAddr;

use tokio::sync::mpsc;
use tracing::{debug, trace};
use turn_server_proto::api::{SocketAllocateError, TcpConnectError, TurnServerApi, TurnServerPollRet};
use turn_server_proto::server::TurnServer;
use turn_server_proto::stun::agent::Transmit;
use turn_server_proto::types::stun::attribute::Username;
use turn_server_proto::types::stun::message::Message;
use turn_server_proto::types::{AddressFamily, Instant, TransportType};

use crate::credentials::TurnSecret;
use crate::relay::{FromPeer, Relay, RelayPool};

/// Distinct usernames one client may present (a client uses one; a refresh may bring a new one).
const MAX_USERS: usize = 4;
/// Relayed sockets per client: one per address family.
const MAX_RELAYS: usize = 2;
/// Bound on the server's answers to one poll round (it has at most a handful).
const MAX_POLLS: usize = 32;

/// What every session shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) realm: String,
    pub(crate) secret: TurnSecret,
    pub(crate) pool: RelayPool,
}

#[derive(Debug)]
pub(crate) struct Session {
    server: TurnServer,
    transport: TransportType,
    listen: SocketAddr,
    client: SocketAddr,
    users: Vec<String>,
    relays: Vec<Relay>,
    /// When the server next wants to be polled.
    pub(crate) wake: Instant,
    /// The last datagram or bytes from the client.
    pub(crate) last_seen: Instant,
}

impl Session {
    pub(crate) fn new(shared: &Shared, transport: TransportType, listen: SocketAddr, client: SocketAddr, now: Instant) -> Self {
        let server = TurnServer::new(transport, listen, shared.realm.clone());
        Self { server, transport, listen, client, users: Vec::new(), relays: Vec::new(), wake: now, last_seen: now }
    }

    pub(crate) fn has_allocation(&self) -> bool {
        !self.relays.is_empty()
    }

    /// One whole STUN or ChannelData message from the client; what is for the client is
    /// appended to `out`.
    pub(crate) fn on_client(&mut self, sh: &Shared, tx: &mpsc::Sender<FromPeer>, data: &[u8], now: Instant, unix_now: i64, out: &mut Vec<Vec<u8>>) {
        self.last_seen = now;
        self.learn_user(sh, data, unix_now);
        if let Some(t) = self.server.recv(Transmit::new(data, self.transport, self.client, self.listen), now) {
            self.route(t.build(), out);
        }
        self.drive(sh, tx, now, out);
    }

    /// A datagram a peer sent to one of this client's relayed addresses.
    pub(crate) fn on_peer(&mut self, sh: &Shared, tx: &mpsc::Sender<FromPeer>, p: &FromPeer, now: Instant, out: &mut Vec<Vec<u8>>) {
        if let Some(t) = self.server.recv(Transmit::new(&p.data[..], TransportType::Udp, p.peer, p.relay), now) {
            self.route(t.build(), out);
        }
        self.drive(sh, tx, now, out);
    }

    /// Polls the server: allocations to make, sockets to close, datagrams to send, and when
    /// to come back.
    pub(crate) fn drive(&mut self, sh: &Shared, tx: &mpsc::Sender<FromPeer>, now: Instant, out: &mut Vec<Vec<u8>>) {
        for _ in 0..MAX_POLLS {
            match self.server.poll(now) {
                TurnServerPollRet::WaitUntil(at) => {
                    self.wake = at;
                    break;
                }
                TurnServerPollRet::AllocateSocket { transport, listen_addr, client_addr, allocation_transport, family } => {
                    let result = if allocation_transport != TransportType::Udp || self.relays.len() >= MAX_RELAYS {
                        Err(SocketAllocateError::InsufficientCapacity)
                    } else if !sh.pool.family_ok(family == AddressFamily::IPV4) {
                        Err(SocketAllocateError::AddressFamilyNotSupported)
                    } else {
                        sh.pool.allocate(self.client, tx).map(|relay| {
                            let addr = relay.addr;
                            self.relays.push(relay);
                            addr
                        })
                    };
                    debug!(client = %self.client, result = ?result, "TURN allocation");
                    self.server.allocated_socket(transport, listen_addr, client_addr, allocation_transport, family, result, now);
                }
                TurnServerPollRet::SocketClose { listen_addr, .. } => {
                    debug!(client = %self.client, relay = %listen_addr, "TURN allocation closed");
                    self.relays.retain(|r| r.addr != listen_addr);
                }
                TurnServerPollRet::TcpConnect { relayed_addr, peer_addr, listen_addr, client_addr } => {
                    // TCP allocations (RFC 6062) are refused at allocation; never reached.
                    self.server.tcp_connected(relayed_addr, peer_addr, listen_addr, client_addr, Err(TcpConnectError::Forbidden), now);
                }
                TurnServerPollRet::TcpClose { .. } => {}
            }
        }
        for _ in 0..MAX_POLLS {
            let Some(t) = self.server.poll_transmit(now) else { break };
            self.route(t, out);
        }
    }

    fn route(&mut self, t: Transmit<Vec<u8>>, out: &mut Vec<Vec<u8>>) {
        if t.from == self.listen && t.to == self.client {
            out.push(t.data);
        } else if let Some(relay) = self.relays.iter().find(|r| r.addr == t.from) {
            relay.send(&t.data, t.to);
        } else {
            trace!(from = %t.from, to = %t.to, "TURN transmit with no socket dropped");
        }
    }

    fn learn_user(&mut self, sh: &Shared, data: &[u8], unix_now: i64) {
        learn_user(&mut self.server, &mut self.users, &sh.secret, data, unix_now);
    }
}

/// The stateless credentials: a request's USERNAME, if well formed and unexpired, is taught
/// to the server with the password the secret gives it; the server then checks
/// MESSAGE-INTEGRITY. An expired or malformed username stays unknown (401).
pub(crate) fn learn_user(server: &mut TurnServer, users: &mut Vec<String>, secret: &TurnSecret, data: &[u8], unix_now: i64) {
    let Ok(msg) = Message::from_bytes(data) else { return };
    let Ok(user) = msg.attribute::<Username>() else { return };
    let name = user.username();
    if users.len() >= MAX_USERS || users.iter().any(|u| u == name) {
        return;
    }
    match secret.password_for(name, unix_now) {
        Ok(password) => {
            server.add_user(name.to_owned(), password);
            users.push(name.to_owned());
        }
        Err(e) => debug!(username = name, reason = %e, "TURN credential refused"),
    }
}
