//! What the TURN server needs to start, with LiveKit's defaults.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::TurnSecret;
use crate::error::TurnError;

pub const DEFAULT_UDP_PORT: u16 = 3478;
pub const DEFAULT_TLS_PORT: u16 = 5349;
/// The ports of relayed addresses (LiveKit's `turn.relay_range_start`/`relay_range_end`).
pub const DEFAULT_RELAY_PORTS: (u16, u16) = (30000, 40000);
pub const DEFAULT_MAX_ALLOCATIONS: usize = 1000;
pub const DEFAULT_REALM: &str = "hikari";

/// The stream listener: TLS with a certificate, or plain TCP behind a TLS terminator
/// (a load balancer that owns the certificate: LiveKit's `turn.external_tls`).
#[derive(Clone, Debug)]
pub enum TcpListen {
    Tls { addr: SocketAddr, cert_file: PathBuf, key_file: PathBuf },
    Plain { addr: SocketAddr },
}

/// The TURN server's settings. [`TurnConfig::new`] gives the defaults.
#[derive(Clone, Debug)]
pub struct TurnConfig {
    /// The REALM of the long-term credentials.
    pub realm: String,
    /// The UDP listener (`None`: no UDP).
    pub udp: Option<SocketAddr>,
    /// The TLS (or plain TCP) listener (`None`: none).
    pub tcp: Option<TcpListen>,
    /// The address relayed sockets are bound on.
    pub relay_bind: IpAddr,
    /// The address clients are told their relayed transport address has (the node IP).
    pub relay_ip: IpAddr,
    /// The inclusive port range of relayed sockets.
    pub relay_ports: (u16, u16),
    /// Relayed sockets open at once; beyond it an Allocate gets 508 (Insufficient Capacity).
    pub max_allocations: usize,
    /// Clients without an allocation yet (UDP source addresses, TCP connections) held at once.
    pub max_pending: usize,
    /// Time a TLS client has to finish its handshake.
    pub handshake_timeout: Duration,
    /// Signs and checks credentials.
    pub secret: TurnSecret,
}

impl TurnConfig {
    /// The defaults: UDP on 0.0.0.0:3478, no TLS, relays on `relay_ip` ports 30000-40000.
    pub fn new(secret: TurnSecret, relay_ip: IpAddr) -> Self {
        Self {
            realm: DEFAULT_REALM.into(),
            udp: Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), DEFAULT_UDP_PORT)),
            tcp: None,
            relay_bind: relay_ip,
            relay_ip,
            relay_ports: DEFAULT_RELAY_PORTS,
            max_allocations: DEFAULT_MAX_ALLOCATIONS,
            max_pending: 1024,
            handshake_timeout: Duration::from_secs(10),
            secret,
        }
    }

    pub(crate) fn check(&self) -> Result<(), TurnError> {
        let (start, end) = self.relay_ports;
        if start == 0 || end < start {
            return Err(TurnError::Config(format!("relay ports {start}-{end}: need 1 <= relay_range_start <= relay_range_end")));
        }
        if self.max_allocations == 0 || self.max_pending == 0 {
            return Err(TurnError::Config("max_allocations and max_pending must be at least 1".into()));
        }
        if self.realm.is_empty() || self.realm.len() > 127 {
            return Err(TurnError::Config("realm: 1 to 127 characters".into()));
        }
        if self.udp.is_none() && self.tcp.is_none() {
            return Err(TurnError::Config("neither a UDP nor a TLS listener".into()));
        }
        Ok(())
    }
}
