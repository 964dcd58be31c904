//! Why the media thread could not start, or could not answer.

use std::net::SocketAddr;

use hikari_sfu::AdminError;

/// Why the media thread could not start. The cause is the `source` (shown after the
/// message by error reporters).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The poller or its waker could not be created.
    #[error("creating the media {what}")]
    Poller {
        /// `poller` or `waker`.
        what: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A UDP socket could not be bound or registered with the poller.
    #[error("cannot bind the WebRTC UDP port {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The thread could not be spawned.
    #[error("starting the media thread")]
    Thread(#[source] std::io::Error),
}

/// Why a request to the media thread got no answer.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The request failed.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// The media thread is overloaded or gone.
    #[error("{0}")]
    Unavailable(&'static str),
}
