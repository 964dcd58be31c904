//! Starting and stopping the listeners.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tracing::info;

use crate::clock::Clock;
use crate::config::{TcpListen, TurnConfig};
use crate::error::TurnError;
use crate::relay::RelayPool;
use crate::session::Shared;
use crate::{stream, udp};

/// The running TURN server.
#[derive(Debug)]
pub struct TurnHandle {
    udp: Option<SocketAddr>,
    tcp: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl TurnHandle {
    /// The UDP listener's address.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp
    }

    /// The TLS (or plain TCP) listener's address.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp
    }

    /// Stops the listeners and closes every allocation, waiting at most `within`.
    pub async fn shutdown(self, within: Duration) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(within, async {
            for t in self.tasks {
                let _ = t.await;
            }
        })
        .await;
    }
}

/// Binds the listeners (a bad certificate or a taken port fails here, naming it) and
/// starts serving on the current tokio runtime.
pub async fn start(cfg: TurnConfig) -> Result<TurnHandle, TurnError> {
    cfg.check()?;
    let tls = match &cfg.tcp {
        Some(TcpListen::Tls { cert_file, key_file, .. }) => Some(acceptor(cert_file, key_file)?),
        _ => None,
    };
    let udp_socket = match cfg.udp {
        Some(addr) => Some(UdpSocket::bind(addr).await.map_err(|source| TurnError::Bind { what: "UDP", addr, source })?),
        None => None,
    };
    let tcp_listener = match &cfg.tcp {
        Some(TcpListen::Tls { addr, .. } | TcpListen::Plain { addr }) => {
            let what = if tls.is_some() { "TLS" } else { "TCP" };
            Some(TcpListener::bind(*addr).await.map_err(|source| TurnError::Bind { what, addr: *addr, source })?)
        }
        None => None,
    };
    let shared = Arc::new(Shared {
        realm: cfg.realm.clone(),
        secret: cfg.secret.clone(),
        pool: RelayPool::new(cfg.relay_bind, cfg.relay_ip, cfg.relay_ports, cfg.max_allocations),
    });
    let clock = Clock::new();
    let (stop, stop_rx) = watch::channel(false);
    let mut handle = TurnHandle { udp: None, tcp: None, stop, tasks: Vec::new() };
    let max_sessions = cfg.max_allocations.saturating_add(cfg.max_pending);
    if let Some(socket) = udp_socket {
        handle.udp = socket.local_addr().ok();
        handle.tasks.push(tokio::spawn(udp::run(socket, shared.clone(), clock, max_sessions, stop_rx.clone())));
    }
    if let Some(listener) = tcp_listener {
        handle.tcp = listener.local_addr().ok();
        let l = stream::Listener { listener, tls, handshake_timeout: cfg.handshake_timeout, max_connections: max_sessions };
        handle.tasks.push(tokio::spawn(stream::run(l, shared, clock, stop_rx)));
    }
    info!(udp = ?handle.udp, tcp = ?handle.tcp, relay_ip = %cfg.relay_ip, relay_ports = ?cfg.relay_ports, "TURN server listening");
    Ok(handle)
}

/// The TLS acceptor from PEM files: a clear error naming the file when one is missing or
/// holds no certificate or key.
fn acceptor(cert_file: &Path, key_file: &Path) -> Result<TlsAcceptor, TurnError> {
    let cert_err = |reason: String| TurnError::Cert { path: cert_file.to_owned(), reason };
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert_file).map_err(|e| cert_err(e.to_string()))?.collect::<Result<_, _>>().map_err(|e| cert_err(e.to_string()))?;
    if certs.is_empty() {
        return Err(cert_err("no CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| TurnError::Key { path: key_file.to_owned(), reason: e.to_string() })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider).with_safe_default_protocol_versions()?.with_no_client_auth().with_single_cert(certs, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
