//! The claims of a LiveKit access token.

use std::collections::BTreeMap;

use hikari_types::{JoinGrant, ParticipantIdentity, ParticipantKind, Permissions, RoomName, TrackSource};
use serde::{Deserialize, Serialize};

use crate::error::AuthError;

/// The `video` grant. Field names follow LiveKit's JSON (camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VideoGrant {
    /// May create and delete rooms.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub room_create: bool,
    /// May list rooms.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub room_list: bool,
    /// May record.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub room_record: bool,
    /// May administer `room`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub room_admin: bool,
    /// May join `room`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub room_join: bool,
    /// The room the grant applies to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub room: String,
    /// May publish; missing means yes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_publish: Option<bool>,
    /// May subscribe; missing means yes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_subscribe: Option<bool>,
    /// May publish data; missing means yes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_publish_data: Option<bool>,
    /// Sources that may be published; empty means all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub can_publish_sources: Vec<String>,
    /// May update its own name, metadata and attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_update_own_metadata: Option<bool>,
    /// May manage ingress.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ingress_admin: bool,
    /// Invisible to others.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// A recorder.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recorder: bool,
    /// An agent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub agent: bool,
}

/// The claims of a token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Claims {
    /// The API key.
    pub iss: String,
    /// The participant identity.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sub: String,
    /// Not before, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Expiry, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Token id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub jti: String,
    /// Display name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The video grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoGrant>,
    /// Participant metadata.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Participant attributes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Participant kind (`standard`, `agent`, ...).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Webhooks: base64 SHA-256 of the body.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sha256: String,
}

impl Claims {
    /// The right to join, if the token grants one: `roomJoin`, a room and an identity.
    pub fn join_grant(&self) -> Result<JoinGrant, AuthError> {
        let video = self.video.as_ref().ok_or(AuthError::PermissionDenied)?;
        if !video.room_join || video.room.is_empty() || self.sub.is_empty() {
            return Err(AuthError::PermissionDenied);
        }
        Ok(JoinGrant {
            room: RoomName::new(video.room.clone()),
            identity: ParticipantIdentity::new(self.sub.clone()),
            name: self.name.clone(),
            metadata: self.metadata.clone(),
            attributes: self.attributes.clone(),
            permissions: video.permissions(&self.kind),
            kind: match self.kind.as_str() {
                "agent" => ParticipantKind::Agent,
                "ingress" => ParticipantKind::Ingress,
                "egress" => ParticipantKind::Egress,
                "sip" => ParticipantKind::Sip,
                _ if video.agent => ParticipantKind::Agent,
                _ => ParticipantKind::Standard,
            },
        })
    }
}

impl VideoGrant {
    /// The participant permissions this grant gives.
    pub fn permissions(&self, kind: &str) -> Permissions {
        Permissions {
            can_subscribe: self.can_subscribe.unwrap_or(true),
            can_publish: self.can_publish.unwrap_or(true),
            can_publish_data: self.can_publish_data.unwrap_or(true),
            can_publish_sources: self.can_publish_sources.iter().filter_map(|s| TrackSource::from_grant_name(s)).collect(),
            hidden: self.hidden,
            recorder: self.recorder,
            can_update_metadata: self.can_update_own_metadata.unwrap_or(false),
            agent: self.agent || kind == "agent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_publish_claims_mean_true_and_join_needs_room() {
        let claims: Claims =
            serde_json::from_str(r#"{"iss":"k","sub":"alice","video":{"roomJoin":true,"room":"r","canPublishSources":["camera"]}}"#).expect("valid json");
        let grant = claims.join_grant().expect("join allowed");
        assert!(grant.permissions.can_publish && grant.permissions.can_subscribe);
        assert!(grant.permissions.may_publish(TrackSource::Camera));
        assert!(!grant.permissions.may_publish(TrackSource::Microphone));
        let no_room: Claims = serde_json::from_str(r#"{"iss":"k","sub":"a","video":{"roomJoin":true}}"#).expect("json");
        assert_eq!(no_room.join_grant(), Err(AuthError::PermissionDenied));
        let denied: Claims = serde_json::from_str(r#"{"iss":"k","sub":"a","video":{"room":"r","canPublish":false}}"#).expect("json");
        assert_eq!(denied.join_grant(), Err(AuthError::PermissionDenied));
    }

    #[test]
    fn the_participant_kind_comes_from_the_token() {
        let kind = |json: &str| serde_json::from_str::<Claims>(json).expect("json").join_grant().expect("join allowed").kind;
        assert_eq!(kind(r#"{"sub":"a","video":{"roomJoin":true,"room":"r"}}"#), ParticipantKind::Standard);
        assert_eq!(kind(r#"{"sub":"a","kind":"agent","video":{"roomJoin":true,"room":"r"}}"#), ParticipantKind::Agent);
        assert_eq!(kind(r#"{"sub":"a","video":{"roomJoin":true,"room":"r","agent":true}}"#), ParticipantKind::Agent);
        assert_eq!(kind(r#"{"sub":"a","kind":"ingress","video":{"roomJoin":true,"room":"r"}}"#), ParticipantKind::Ingress);
        assert_eq!(kind(r#"{"sub":"a","kind":"nonsense","video":{"roomJoin":true,"room":"r"}}"#), ParticipantKind::Standard);
    }
}
