//! LiveKit's wire format, and the only crate that names its protobuf types.
//!
//! Everything here converts between bytes on the wire and `hikari-types`:
//! [`decode_signal`] turns a client's binary WebSocket frame into a [`ClientSignal`],
//! [`encode_signal`] turns a [`ServerSignal`] into a frame, [`decode_join_request`] reads
//! the single-PeerConnection (`/rtc/v1`) join request, and [`relay_data_packet`] rewrites
//! a data packet for its receivers.
//!
//! **Architecture Invariant:** no other crate depends on `livekit-protocol` or `prost`.
//! Decoding never panics on hostile input; it returns [`ProtocolError`].
#![deny(missing_docs)]
// Older SDKs still read fields LiveKit has since deprecated; we keep filling them.
#![allow(deprecated)]

mod client;
mod convert;
mod data;
mod join;
mod signal;
mod twirp;
mod webhook;

pub use client::{decode_server_signal, encode_client_signal};
pub use data::{DataRelay, Reliability, relay_data_packet, user_data_packet};
pub use join::{JoinRequest, decode_join_request};
pub use signal::{decode_signal, encode_signal};
pub use twirp::{RoomMethod, TwirpFormat, decode_room_request, encode_room_response};
pub use webhook::{WebhookBody, encode_webhook};

/// The protocol version this server speaks.
pub const PROTOCOL_VERSION: i32 = 16;

/// Why bytes from the network could not be understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Not a valid protobuf message of the expected type.
    #[error("malformed {what}: {source}")]
    Malformed {
        /// The message type expected.
        what: &'static str,
        /// The decoder's complaint.
        source: prost::DecodeError,
    },
    /// A valid message without the content it must carry.
    #[error("{0}")]
    Missing(&'static str),
    /// Larger than allowed.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Not valid base64, gzip or UTF-8 where one was required.
    #[error("invalid encoding of {0}")]
    Encoding(&'static str),
    /// Not valid protojson for the expected message.
    #[error("malformed {what} JSON: {message}")]
    Json {
        /// The message type expected.
        what: &'static str,
        /// The parser's complaint.
        message: String,
    },
    /// Well-formed, but a value breaks a rule (a name too long, a required field empty).
    #[error("{0}")]
    Invalid(String),
}
