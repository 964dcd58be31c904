//! LiveKit's ingress definitions, kept by Hikari: the [`Registry`] runs the IngressService's
//! use cases (create, update, list, delete) and the runtime's (find an ingress by stream key,
//! report a session's state), stores every change through the [`IngressStore`] port before
//! returning ([`SqliteIngressStore`]: a file in the data directory, durable), and tells each
//! change as a typed [`IngressEvent`] to the sink it was built with (the server's bus, from
//! which webhooks and the runtime learn of them).
//!
//! The nouns (`Ingress`, `IngressState`, the requests) are `hikari-types`' and re-exported
//! here; `hikari-protocol` converts them to and from LiveKit's protobuf.
//!
//! **Architecture Invariant:** no HTTP and no wire format here (no axum, no protobuf); no clock
//! either: every time is a parameter (Unix nanoseconds, as LiveKit's ingress states carry).
#![deny(missing_docs)]

mod error;
mod event;
mod ids;
mod registry;
mod row;
mod rules;
mod session;
mod sqlite;
mod store;

pub use error::IngressError;
pub use event::{EventSink, IngressEvent};
pub use ids::{STREAM_KEY_CHARS, new_resource_id};
pub use registry::{IngressUrls, Registry};
pub use rules::validate;
pub use session::INTERRUPTED;
pub use sqlite::SqliteIngressStore;
pub use store::IngressStore;

pub use hikari_types::{
    AudioCodec, AudioEncoding, AudioEncodingOptions, AudioPreset, CreateIngress, Ingress, IngressAudioOptions, IngressFilter, IngressId, IngressInput,
    IngressRequest, IngressResponse, IngressState, IngressStatus, IngressVideoOptions, InputAudioState, InputVideoState, UpdateIngress, VideoCodec,
    VideoEncoding, VideoEncodingOptions, VideoPreset,
};

#[cfg(test)]
mod tests;
