//! The embedded TURN server (RFC 8656 over UDP, TLS or plain TCP behind a TLS terminator),
//! for visitors whose network blocks UDP. The protocol is `turn-server-proto`'s sans-IO
//! server; this crate is its IO driver: the listeners, the relayed UDP sockets of
//! allocations, the clock and the timers, and the bounds (allocations, sessions, buffers,
//! handshake time). Credentials are the stateless, time-limited "TURN REST API" scheme
//! ([`TurnSecret`]).
//!
//! Each client 5-tuple (a UDP source address, a TLS connection) gets a sans-IO server of its
//! own, dropped with its last allocation or its connection, so nothing a client leaves behind
//! (nonces, users, buffers) outlives it.

mod clock;
mod config;
mod credentials;
mod error;
mod frame;
#[doc(hidden)]
pub mod fuzzing;
mod relay;
mod server;
mod session;
mod stream;
mod udp;

pub use config::{DEFAULT_MAX_ALLOCATIONS, DEFAULT_REALM, DEFAULT_RELAY_PORTS, DEFAULT_TLS_PORT, DEFAULT_UDP_PORT, TcpListen, TurnConfig};
pub use credentials::{TurnCredential, TurnSecret};
pub use error::TurnError;
pub use server::{TurnHandle, start};
