//! The media I/O driver: one thread owns the sans-IO SFU ([`hikari_sfu::Sfu`]) and the
//! WebRTC UDP sockets (and the ICE-over-TCP listener with its connections), and drives
//! the SFU with datagrams, commands and time. Everything
//! else reaches it through a [`MediaHandle`]: joins, client signals and admin requests go
//! in on a bounded queue; signals come back on each connection's own bounded outbox;
//! room events leave through the sink given to [`start`]; internal sinks (recorders) get
//! their track's packets in batches on their own bounded channel ([`SinkOut`]); counters are
//! published about once a second ([`MediaStats`]).
//!
//! **Architecture Invariant:** the media thread has no tokio runtime, no lock and no
//! await; it never blocks on a consumer (every hand-off is a `try_send`). Datagrams go
//! out in batches (`sendmmsg`, UDP GSO).
#![deny(missing_docs)]

mod driver;
mod error;
mod framing;
mod handle;
mod holder;
mod sinks;
mod stats;
mod tcp;
mod udp_batch;

pub use driver::{MediaSocket, MediaTcp, start};
pub use error::MediaError;
pub use framing::{Deframer, Garbage, MAX_PACKET, frame};
pub use handle::MediaHandle;
pub use sinks::SinkOut;
pub use stats::{LATENCY_BOUNDS_US, LatencyHistogram, MediaStats};
