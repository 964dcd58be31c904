//! LiveKit's IngressService over Twirp (`livekit.Ingress`): request bodies (protobuf or
//! protojson) into [`IngressRequest`]s, [`IngressResponse`]s into response bodies. Sizes and
//! LiveKit's rules are the registry's to check; this only knows the bytes.

use hikari_types::{CreateIngress, IngressFilter, IngressId, IngressRequest, IngressResponse, ParticipantIdentity, RoomName, UpdateIngress};
use livekit_protocol as lk;

use crate::error::ProtocolError;
use crate::ingress::{audio_from_proto, ingress_to_proto, input_from_proto, video_from_proto};
use crate::twirp::{TwirpFormat, decode, encode};

/// The IngressService methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IngressMethod {
    /// `CreateIngress`.
    CreateIngress,
    /// `UpdateIngress`.
    UpdateIngress,
    /// `ListIngress`.
    ListIngress,
    /// `DeleteIngress`.
    DeleteIngress,
}

impl IngressMethod {
    /// Every method, in the order of LiveKit's service definition.
    pub const ALL: [IngressMethod; 4] = [Self::CreateIngress, Self::UpdateIngress, Self::ListIngress, Self::DeleteIngress];

    /// The method named in a Twirp path.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The name in the Twirp path.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateIngress => "CreateIngress",
            Self::UpdateIngress => "UpdateIngress",
            Self::ListIngress => "ListIngress",
            Self::DeleteIngress => "DeleteIngress",
        }
    }
}

fn ingress_id(id: String) -> Result<IngressId, ProtocolError> {
    if id.is_empty() {
        return Err(ProtocolError::Invalid("ingress_id is required".into()));
    }
    Ok(IngressId::new(id))
}

/// Decodes the body of an IngressService call.
pub fn decode_ingress_request(method: IngressMethod, format: TwirpFormat, body: &[u8]) -> Result<IngressRequest, ProtocolError> {
    Ok(match method {
        IngressMethod::CreateIngress => {
            let r: lk::CreateIngressRequest = decode(format, body, "CreateIngressRequest")?;
            IngressRequest::Create(CreateIngress {
                input: input_from_proto(r.input_type)?,
                url: r.url,
                name: r.name,
                room_name: RoomName::new(r.room_name),
                participant_identity: ParticipantIdentity::new(r.participant_identity),
                participant_name: r.participant_name,
                participant_metadata: r.participant_metadata,
                bypass_transcoding: r.bypass_transcoding,
                enable_transcoding: r.enable_transcoding,
                audio: r.audio.map(audio_from_proto).transpose()?,
                video: r.video.map(video_from_proto).transpose()?,
                enabled: r.enabled,
            })
        }
        IngressMethod::UpdateIngress => {
            let r: lk::UpdateIngressRequest = decode(format, body, "UpdateIngressRequest")?;
            IngressRequest::Update(UpdateIngress {
                id: ingress_id(r.ingress_id)?,
                name: r.name,
                room_name: RoomName::new(r.room_name),
                participant_identity: ParticipantIdentity::new(r.participant_identity),
                participant_name: r.participant_name,
                participant_metadata: r.participant_metadata,
                bypass_transcoding: r.bypass_transcoding,
                enable_transcoding: r.enable_transcoding,
                audio: r.audio.map(audio_from_proto).transpose()?,
                video: r.video.map(video_from_proto).transpose()?,
                enabled: r.enabled,
            })
        }
        IngressMethod::ListIngress => {
            // The page token is ignored, as LiveKit's server does: every match is returned.
            let r: lk::ListIngressRequest = decode(format, body, "ListIngressRequest")?;
            IngressRequest::List(IngressFilter {
                room_name: Some(r.room_name).filter(|n| !n.is_empty()).map(RoomName::new),
                id: Some(r.ingress_id).filter(|i| !i.is_empty()).map(IngressId::new),
            })
        }
        IngressMethod::DeleteIngress => {
            let r: lk::DeleteIngressRequest = decode(format, body, "DeleteIngressRequest")?;
            IngressRequest::Delete(ingress_id(r.ingress_id)?)
        }
    })
}

/// Encodes the outcome of an IngressService call as its response message (`IngressInfo`, or
/// `ListIngressResponse` for a list).
pub fn encode_ingress_response(format: TwirpFormat, response: &IngressResponse) -> Vec<u8> {
    match response {
        IngressResponse::Ingress(i) => encode(format, &ingress_to_proto(i)),
        IngressResponse::List(items) => encode(format, &lk::ListIngressResponse { items: items.iter().map(ingress_to_proto).collect(), next_page_token: None }),
    }
}

#[cfg(test)]
mod tests;
