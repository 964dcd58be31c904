//! ICE over TCP (RFC 6544, passive host candidates) for clients whose UDP is blocked: a
//! listener on `rtc.tcp_port` and the connections clients open to it, each carrying
//! RFC 4571-framed packets (`framing.rs`) to and from the SFU.
//!
//! Bounded like the UDP path: at most [`MAX_CONNS`] connections; per connection at most
//! [`MAX_QUEUED`] bytes wait to be written (past that, packets are dropped, as a full UDP
//! buffer would drop them: media is real time); a connection that sends nothing for
//! [`IDLE`] (ICE checks consent every few seconds) or sends something that is not framing
//! is closed. One bad connection never touches another.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Registry, Token};

use crate::error::MediaError;
use crate::framing::{Deframer, frame};

/// The listener's token.
pub(crate) const LISTENER: Token = Token(usize::MAX - 1);
/// Connection tokens start here (below are the UDP sockets).
pub(crate) const CONN_BASE: usize = 1 << 30;
/// Most connections at once; more are refused.
pub(crate) const MAX_CONNS: usize = 4096;
/// Most bytes queued for writing on one connection.
pub(crate) const MAX_QUEUED: usize = 1 << 20;
/// A connection silent this long is closed.
pub(crate) const IDLE: Duration = Duration::from_secs(30);

struct Conn {
    stream: TcpStream,
    peer: SocketAddr,
    /// The candidate address the client reached (what the SFU is told).
    local: SocketAddr,
    deframer: Deframer,
    /// Framed bytes not yet written, from `written` on.
    out: Vec<u8>,
    written: usize,
    /// Registered for writability (the kernel buffer was full).
    waiting: bool,
    last_heard: Instant,
}

/// Counters of the TCP path.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TcpCounts {
    pub accepted: u64,
    pub refused: u64,
    pub closed_garbage: u64,
    pub dropped_packets: u64,
}

pub(crate) struct TcpMedia {
    listener: TcpListener,
    /// The address advertised for every connection (behind a 1:1 NAT, the public one);
    /// `None`: each connection's own local address.
    advertised: Option<SocketAddr>,
    conns: HashMap<usize, Conn>,
    by_peer: HashMap<SocketAddr, usize>,
    next_id: usize,
    pub counts: TcpCounts,
}

impl TcpMedia {
    pub fn bind(bind: SocketAddr, advertised: Option<SocketAddr>, registry: &Registry) -> Result<Self, MediaError> {
        let error = |source| MediaError::BindTcp { addr: bind, source };
        let mut listener = TcpListener::bind(bind).map_err(error)?;
        registry.register(&mut listener, LISTENER, Interest::READABLE).map_err(error)?;
        tracing::info!(%bind, ?advertised, "WebRTC TCP listener ready (ICE over TCP)");
        Ok(Self { listener, advertised, conns: HashMap::new(), by_peer: HashMap::new(), next_id: 0, counts: TcpCounts::default() })
    }

    /// Accepts waiting connections (bounded per call).
    pub fn accept(&mut self, registry: &Registry, now: Instant) {
        for _ in 0..64 {
            let (mut stream, peer) = match self.listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => {
                    tracing::debug!(error = %e, "tcp accept failed");
                    return;
                }
            };
            if self.conns.len() >= MAX_CONNS {
                self.counts.refused += 1;
                tracing::warn!(%peer, "too many ICE-TCP connections; refusing one");
                continue;
            }
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1) % (usize::MAX / 2 - CONN_BASE);
            if let Err(e) = registry.register(&mut stream, Token(CONN_BASE + id), Interest::READABLE) {
                tracing::debug!(error = %e, "tcp register failed");
                continue;
            }
            let _ = stream.set_nodelay(true);
            let Some(local) = self.advertised.or_else(|| stream.local_addr().ok()) else { continue };
            self.counts.accepted += 1;
            if let Some(old) = self.by_peer.insert(peer, id) {
                self.close(registry, old);
                self.by_peer.insert(peer, id);
            }
            self.conns.insert(id, Conn { stream, peer, local, deframer: Deframer::default(), out: Vec::new(), written: 0, waiting: false, last_heard: now });
        }
    }

    /// Reads what connection `id` sent and hands each packet to `each(peer, local, packet)`.
    pub fn readable(&mut self, registry: &Registry, id: usize, buf: &mut [u8], now: Instant, mut each: impl FnMut(SocketAddr, SocketAddr, &[u8])) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        let local = conn.local;
        let mut close = false;
        // Bounded per wake-up so one busy connection cannot starve the others.
        for _ in 0..64 {
            match conn.stream.read(buf) {
                Ok(0) => {
                    close = true;
                    break;
                }
                Ok(n) => {
                    conn.last_heard = now;
                    conn.deframer.push(&buf[..n]);
                    let peer = conn.peer;
                    if let Err(garbage) = conn.deframer.drain(|packet| each(peer, local, packet)) {
                        tracing::debug!(%peer, %garbage, "closing an ICE-TCP connection");
                        self.counts.closed_garbage += 1;
                        close = true;
                        break;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    close = true;
                    break;
                }
            }
        }
        if close {
            self.close(registry, id);
        }
    }

    /// Queues one packet for `destination` and writes what the kernel takes.
    pub fn send(&mut self, registry: &Registry, destination: SocketAddr, packet: &[u8]) {
        let Some(&id) = self.by_peer.get(&destination) else { return };
        let Some(conn) = self.conns.get_mut(&id) else { return };
        if conn.out.len() - conn.written + packet.len() + 2 > MAX_QUEUED || frame(packet, &mut conn.out).is_none() {
            self.counts.dropped_packets += 1;
            return;
        }
        self.flush(registry, id);
    }

    /// Writes queued bytes of connection `id` (also when it became writable again).
    pub fn flush(&mut self, registry: &Registry, id: usize) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        let mut failed = false;
        while conn.written < conn.out.len() {
            match conn.stream.write(&conn.out[conn.written..]) {
                Ok(0) => {
                    failed = true;
                    break;
                }
                Ok(n) => conn.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            self.close(registry, id);
            return;
        }
        if conn.written == conn.out.len() {
            conn.out.clear();
            conn.written = 0;
        } else if conn.written > MAX_QUEUED / 2 {
            conn.out.drain(..conn.written);
            conn.written = 0;
        }
        let want = conn.written < conn.out.len();
        if want != conn.waiting {
            let interest = if want { Interest::READABLE | Interest::WRITABLE } else { Interest::READABLE };
            if registry.reregister(&mut conn.stream, Token(CONN_BASE + id), interest).is_ok() {
                conn.waiting = want;
            }
        }
    }

    /// Closes connections silent for [`IDLE`].
    pub fn sweep(&mut self, registry: &Registry, now: Instant) {
        let idle: Vec<usize> = self.conns.iter().filter(|(_, c)| now.saturating_duration_since(c.last_heard) >= IDLE).map(|(id, _)| *id).collect();
        for id in idle {
            self.close(registry, id);
        }
    }

    fn close(&mut self, registry: &Registry, id: usize) {
        if let Some(mut conn) = self.conns.remove(&id) {
            let _ = registry.deregister(&mut conn.stream);
            if self.by_peer.get(&conn.peer) == Some(&id) {
                self.by_peer.remove(&conn.peer);
            }
        }
    }
}
