//! The crate's one error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the TURN server cannot start, or why a credential is refused.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("turn: cannot listen on {what} {addr}: {source}")]
    Bind { what: &'static str, addr: SocketAddr, source: std::io::Error },
    #[error("turn.cert_file: cannot read a PEM certificate chain from {}: {reason}", path.display())]
    Cert { path: PathBuf, reason: String },
    #[error("turn.key_file: cannot read a PEM private key from {}: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
    #[error("turn.cert_file/turn.key_file: not a usable certificate and key: {0}")]
    Tls(#[from] tokio_rustls::rustls::Error),
    #[error("turn: {0}")]
    Config(String),
    #[error("TURN username is not `<unix expiry>:<id>`")]
    MalformedUsername,
    #[error("TURN credential expired")]
    Expired,
    #[error("TURN password does not match its username")]
    Forged,
}
