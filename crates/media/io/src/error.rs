//! The media driver's one error type: why the media thread could not start, or could not
//! answer a request.

use std::net::SocketAddr;

use hikari_sfu::AdminError;

/// Why the media thread could not start (the cause is the `source`, which error
/// reporters show after the message), or why a request to it got no answer.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Starting: the poller or its waker could not be created.
    #[error("creating the media {what}")]
    Poller {
        /// `poller` or `waker`.
        what: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Starting: a UDP socket could not be bound or registered with the poller.
    #[error("cannot bind the WebRTC UDP port {addr}{}", holder.as_deref().map(|h| format!(": {h} holds it (stop it, or set rtc.udp_port)")).unwrap_or_default())]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The process holding the port, when the port is in use and `/proc` tells.
        holder: Option<String>,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Starting: the ICE-TCP listener could not be bound or registered with the poller.
    #[error("cannot listen on the WebRTC TCP port {addr} (ICE over TCP; set rtc.tcp_port, or 0 to turn it off)")]
    BindTcp {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Starting: the thread could not be spawned.
    #[error("starting the media thread")]
    Thread(#[source] std::io::Error),
    /// A request failed.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// The media thread is overloaded or gone.
    #[error("{0}")]
    Unavailable(&'static str),
}
