//! LiveKit's wire format, and the only crate that names its protobuf types.
//!
//! Everything here converts between bytes on the wire and `hikari-types`:
//! [`decode_signal`] turns a client's binary WebSocket frame into a [`ClientSignal`],
//! [`encode_signal`] turns a [`ServerSignal`] into a frame, [`decode_join_request`] reads
//! the single-PeerConnection (`/rtc/v1`) join request, and [`relay_data_packet`] rewrites
//! a data packet for its receivers, and the Twirp bodies of RoomService and IngressService
//! ([`decode_room_request`], [`decode_ingress_request`]) and webhooks ([`encode_webhook`]).
//!
//! **Architecture Invariant:** no other crate depends on `livekit-protocol` or `prost`.
//! Decoding never panics on hostile input; it returns [`ProtocolError`].
#![deny(missing_docs)]
// Older SDKs still read fields LiveKit has since deprecated; we keep filling them.
#![allow(deprecated)]

mod client;
mod convert;
mod data;
mod egress;
mod error;
mod ingress;
mod ingress_twirp;
mod join;
mod signal;
mod sync;
mod twirp;
mod webhook;

pub use client::{decode_server_signal, encode_client_signal};
pub use convert::PROTOCOL_VERSION;
pub use data::{LiveKitData, relay_data_packet, user_data_packet};
pub use egress::{EgressMethod, decode_egress_request, egress_to_proto, encode_egress_response, known_layout};
pub use error::ProtocolError;
pub use ingress::{ingress_from_proto, ingress_to_proto};
pub use ingress_twirp::{IngressMethod, decode_ingress_request, encode_ingress_response};
pub use join::{JoinRequest, decode_join_request};
pub use signal::{decode_signal, encode_signal};
pub use twirp::{RoomMethod, TwirpFormat, decode_room_request, encode_room_response};
pub use webhook::{WebhookBody, encode_webhook};
