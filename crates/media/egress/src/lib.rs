//! LiveKit's egress jobs, kept by Hikari: the [`Registry`] runs the EgressService's use cases
//! that need no media (start a job's record, list, stop) and the runtime's (a job became
//! active, ended), stores every change through the [`EgressStore`] port before returning
//! ([`SqliteEgressStore`]: a file in the data directory, durable), and tells each change as a
//! typed [`EgressEvent`] to the sink it was built with (the server's bus, from which webhooks
//! and the runtime learn of them). [`path`] turns a request's `filepath` into a file inside
//! the recordings directory, or refuses it; [`stream`] checks RTMP destinations and redacts
//! their stream keys; [`library`] reads the recordings ended egresses left.
//!
//! The nouns (`Egress`, `EgressStatus`, the requests) are `hikari-types`' and re-exported
//! here; `hikari-protocol` converts them to and from LiveKit's protobuf.
//!
//! **Architecture Invariant:** no HTTP, no wire format and no media here; no clock either:
//! every time is a parameter (Unix nanoseconds, as LiveKit's `EgressInfo` carries).
#![deny(missing_docs)]

mod error;
mod event;
pub mod library;
pub mod path;
mod registry;
mod row;
mod sqlite;
mod store;
pub mod stream;

pub use error::EgressError;
pub use event::{EgressEvent, EventSink};
pub use library::{Recording, RecordingFilter, RecordingKind};
pub use registry::{INTERRUPTED, Registry, new_egress_id};
pub use sqlite::SqliteEgressStore;
pub use store::EgressStore;

pub use hikari_types::{
    AutoParticipant, CompositeOutputs, Egress, EgressFilter, EgressId, EgressOutput, EgressRequest, EgressResponse, EgressSource, EgressStatus, Encoding,
    FileResult, ImagesOutput, ImagesResult, SegmentsOutput, SegmentsResult, StartParticipant, StartRoomComposite, StartTrackComposite, StartTrackEgress,
    StreamResult, StreamStatus, UpdateStream,
};

#[cfg(test)]
mod tests;
