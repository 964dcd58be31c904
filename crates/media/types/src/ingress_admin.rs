//! The requests of LiveKit's IngressService, independent of the wire.

use crate::ids::{IngressId, ParticipantIdentity, RoomName};
use crate::ingress::{Ingress, IngressInput};
use crate::ingress_options::{IngressAudioOptions, IngressVideoOptions};

/// `CreateIngress`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CreateIngress {
    /// How media arrives.
    pub input: IngressInput,
    /// URL input only: where to pull from.
    pub url: String,
    /// The owner's name for it.
    pub name: String,
    /// The room (required for URL input only).
    pub room_name: RoomName,
    /// The participant (required).
    pub participant_identity: ParticipantIdentity,
    /// Display name.
    pub participant_name: String,
    /// Metadata.
    pub participant_metadata: String,
    /// Deprecated: `!enable_transcoding`.
    pub bypass_transcoding: bool,
    /// Transcode or not; unset for the input type's default.
    pub enable_transcoding: Option<bool>,
    /// Audio options.
    pub audio: Option<IngressAudioOptions>,
    /// Video options.
    pub video: Option<IngressVideoOptions>,
    /// Unset means enabled.
    pub enabled: Option<bool>,
}

/// `UpdateIngress`: empty strings and unset options leave the value as it is.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UpdateIngress {
    /// Which.
    pub id: IngressId,
    /// New name.
    pub name: String,
    /// New room.
    pub room_name: RoomName,
    /// New participant identity.
    pub participant_identity: ParticipantIdentity,
    /// New display name.
    pub participant_name: String,
    /// New metadata.
    pub participant_metadata: String,
    /// Deprecated, ignored as LiveKit ignores it on update.
    pub bypass_transcoding: Option<bool>,
    /// New transcoding choice.
    pub enable_transcoding: Option<bool>,
    /// New audio options.
    pub audio: Option<IngressAudioOptions>,
    /// New video options.
    pub video: Option<IngressVideoOptions>,
    /// New enabled flag.
    pub enabled: Option<bool>,
}

/// `ListIngress`: an id wins over a room; neither lists all.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IngressFilter {
    /// Only this room's.
    pub room_name: Option<RoomName>,
    /// Only this one.
    pub id: Option<IngressId>,
}

/// A call of LiveKit's IngressService.
#[derive(Clone, Debug, PartialEq)]
pub enum IngressRequest {
    /// `CreateIngress`.
    Create(CreateIngress),
    /// `UpdateIngress`.
    Update(UpdateIngress),
    /// `ListIngress`.
    List(IngressFilter),
    /// `DeleteIngress`.
    Delete(IngressId),
}

/// What an IngressService call returns.
#[derive(Clone, Debug, PartialEq)]
pub enum IngressResponse {
    /// One ingress (`IngressInfo`).
    Ingress(Box<Ingress>),
    /// Several (`ListIngressResponse`).
    List(Vec<Ingress>),
}
