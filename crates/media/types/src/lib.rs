//! Domain types shared by Hikari's crates.
//!
//! These are the nouns of the media server — rooms, participants, tracks and the
//! signals exchanged with clients — without any wire format. `hikari-protocol` converts
//! them to and from LiveKit's protobuf; nothing else names protobuf types.
//!
//! Identifiers are newtypes so that a participant identity can never be passed where a
//! track SID is expected. SIDs carry LiveKit's prefixes (`RM_`, `PA_`, `TR_`), which the
//! official SDKs check.
#![deny(missing_docs)]

mod admin;
mod data;
mod egress;
mod grant;
mod ids;
mod info;
mod ingress;
mod ingress_admin;
mod ingress_options;
mod scenario;
mod signal;

pub use admin::{AdminError, AdminRequest, AdminResponse, MAX_METADATA, MAX_NAME};
pub use data::{DataPackets, DataRelay, DataSender, Reliability};
pub use egress::{
    AutoParticipant, CompositeOutputs, Egress, EgressFilter, EgressOutput, EgressRequest, EgressResponse, EgressSource, EgressStatus, Encoding, FileResult,
    ImagesOutput, ImagesResult, SegmentsOutput, SegmentsResult, StartParticipant, StartRoomComposite, StartTrackComposite, StartTrackEgress, StreamResult,
    StreamStatus, UpdateStream,
};
pub use grant::JoinGrant;
pub use ids::{EgressId, IngressId, ParticipantIdentity, ParticipantSid, RoomName, RoomSid, TrackSid};
pub use info::{
    ClientInfo, DisconnectReason, Encryption, ParticipantInfo, ParticipantKind, ParticipantState, Permissions, RoomInfo, SimulcastLayer, TrackInfo, TrackKind,
    TrackSource, VideoQuality,
};
pub use ingress::{Ingress, IngressInput, IngressState, IngressStatus, InputAudioState, InputVideoState};
pub use ingress_admin::{CreateIngress, IngressFilter, IngressRequest, IngressResponse, UpdateIngress};
pub use ingress_options::{
    AudioCodec, AudioEncoding, AudioEncodingOptions, AudioPreset, IngressAudioOptions, IngressVideoOptions, VideoCodec, VideoEncoding, VideoEncodingOptions,
    VideoPreset,
};
pub use scenario::{Scenario, SyncState};
pub use signal::{
    AddTrack, ClientSignal, ConnectionQuality, IceServer, JoinInfo, LayerWant, LeaveAction, QualityInfo, RequestOutcome, Sdp, SdpKind, ServerInfo,
    ServerSignal, SignalTarget, SpeakerInfo, StreamState, TrackPermission, Trickle, UpdateMetadata,
};
