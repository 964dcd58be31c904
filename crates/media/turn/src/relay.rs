//! Relayed UDP sockets: one per allocation, bound on the node's address in the configured
//! port range, each read by a task of its own that hands datagrams to the allocation's
//! owner on a bounded queue (full: dropped, as UDP would).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::net::UdpSocket;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tracing::debug;
use turn_server_proto::api::SocketAllocateError;

/// Ports tried for one allocation before it is refused.
const BIND_ATTEMPTS: u32 = 64;
/// The largest datagram a relay reads (larger ones are truncated by the kernel, as in any
/// UDP receiver; WebRTC keeps under 1500 bytes).
const MAX_DATAGRAM: usize = 4096;

/// A datagram a peer sent to a relayed address, for the client `client`.
#[derive(Debug)]
pub(crate) struct FromPeer {
    pub(crate) client: SocketAddr,
    pub(crate) relay: SocketAddr,
    pub(crate) peer: SocketAddr,
    pub(crate) data: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct RelayPool {
    bind: IpAddr,
    advertised: IpAddr,
    start: u16,
    end: u16,
    cursor: AtomicU32,
    permits: Arc<Semaphore>,
}

/// One relayed socket; dropping it closes the socket and ends its reader.
#[derive(Debug)]
pub(crate) struct Relay {
    /// The relayed transport address as the client and the sans-IO server know it.
    pub(crate) addr: SocketAddr,
    socket: Arc<UdpSocket>,
    reader: JoinHandle<()>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Relay {
    /// Sends without waiting; a full socket buffer drops the datagram.
    pub(crate) fn send(&self, data: &[u8], peer: SocketAddr) {
        if let Err(e) = self.socket.try_send_to(data, peer) {
            debug!(relay = %self.addr, %peer, error = %e, "relay send dropped");
        }
    }
}

impl RelayPool {
    pub(crate) fn new(bind: IpAddr, advertised: IpAddr, (start, end): (u16, u16), max: usize) -> Self {
        Self { bind, advertised, start, end, cursor: AtomicU32::new(0), permits: Arc::new(Semaphore::new(max)) }
    }

    pub(crate) fn family_ok(&self, v4: bool) -> bool {
        self.advertised.is_ipv4() == v4
    }

    /// Binds a relayed socket for `client`, whose reader sends to `to_owner`.
    pub(crate) fn allocate(&self, client: SocketAddr, to_owner: &mpsc::Sender<FromPeer>) -> Result<Relay, SocketAllocateError> {
        let permit = self.permits.clone().try_acquire_owned().map_err(|_| SocketAllocateError::InsufficientCapacity)?;
        let span = u32::from(self.end - self.start) + 1;
        for _ in 0..BIND_ATTEMPTS.min(span) {
            let offset = self.cursor.fetch_add(1, Ordering::Relaxed) % span;
            let Ok(port) = u16::try_from(u32::from(self.start) + offset) else { continue };
            let Ok(std_socket) = std::net::UdpSocket::bind((self.bind, port)) else { continue };
            let socket = match std_socket.set_nonblocking(true).and_then(|()| UdpSocket::from_std(std_socket)) {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    debug!(error = %e, "relay socket setup failed");
                    continue;
                }
            };
            let addr = SocketAddr::new(self.advertised, port);
            let reader = tokio::spawn(read_relay(socket.clone(), client, addr, to_owner.clone()));
            return Ok(Relay { addr, socket, reader, _permit: permit });
        }
        Err(SocketAllocateError::InsufficientCapacity)
    }
}

async fn read_relay(socket: Arc<UdpSocket>, client: SocketAddr, relay: SocketAddr, to_owner: mpsc::Sender<FromPeer>) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, peer)) => {
                let msg = FromPeer { client, relay, peer, data: buf[..n].to_vec() };
                match to_owner.try_send(msg) {
                    Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => {}
                    Err(mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
            // ICMP errors surface as recv errors on Linux: not fatal to the socket.
            Err(e) => debug!(%relay, error = %e, "relay receive error"),
        }
    }
}
