//! Webhook bodies: LiveKit's `WebhookEvent` as protojson.

use hikari_types::{Egress, Ingress, ParticipantInfo, RoomInfo, TrackInfo};
use livekit_protocol as lk;

use crate::convert::{participant_to_proto, room_to_proto, track_to_proto};
use crate::egress::egress_to_proto;
use crate::ingress::ingress_to_proto;

/// What a webhook reports, before encoding.
#[derive(Clone, Copy, Debug)]
pub struct WebhookBody<'a> {
    /// The event name, e.g. `room_started`.
    pub event: &'a str,
    /// The room.
    pub room: Option<&'a RoomInfo>,
    /// The participant, for participant and track events.
    pub participant: Option<&'a ParticipantInfo>,
    /// The track, for track events.
    pub track: Option<&'a TrackInfo>,
    /// The ingress, for ingress events (`ingress_info`).
    pub ingress: Option<&'a Ingress>,
    /// The egress, for egress events (`egress_info`).
    pub egress: Option<&'a Egress>,
    /// A unique id of this event.
    pub id: &'a str,
    /// Unix seconds.
    pub created_at: i64,
    /// Events dropped before this one because the queue was full.
    pub num_dropped: i32,
}

/// Encodes a webhook body as protojson (camelCase, int64 as strings, defaults omitted).
pub fn encode_webhook(body: &WebhookBody<'_>) -> Vec<u8> {
    let event = lk::WebhookEvent {
        event: body.event.to_owned(),
        room: body.room.map(room_to_proto),
        participant: body.participant.map(participant_to_proto),
        track: body.track.map(track_to_proto),
        ingress_info: body.ingress.map(ingress_to_proto),
        egress_info: body.egress.map(egress_to_proto),
        id: body.id.to_owned(),
        created_at: body.created_at,
        num_dropped: body.num_dropped,
        ..Default::default()
    };
    // Serialising a generated message cannot fail.
    serde_json::to_vec(&event).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protojson_shape() {
        let room = RoomInfo { name: hikari_types::RoomName::new("r"), ..Default::default() };
        let bytes = encode_webhook(&WebhookBody {
            event: "room_started",
            room: Some(&room),
            participant: None,
            track: None,
            ingress: None,
            egress: None,
            id: "EV_1",
            created_at: 1_700_000_000,
            num_dropped: 0,
        });
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(v["event"], "room_started");
        assert_eq!(v["room"]["name"], "r");
        assert_eq!(v["createdAt"], "1700000000", "int64 is a string in protojson");
        assert!(v.get("participant").is_none());
        assert!(v.get("numDropped").is_none(), "defaults are omitted");
    }

    #[test]
    fn ingress_events_carry_ingress_info() {
        let room = RoomInfo { name: hikari_types::RoomName::new("r"), ..Default::default() };
        let ingress = Ingress { id: "IN_a".into(), stream_key: "k".into(), room_name: "r".into(), ..Default::default() };
        let bytes = encode_webhook(&WebhookBody {
            event: "ingress_started",
            room: Some(&room),
            participant: None,
            track: None,
            ingress: Some(&ingress),
            egress: None,
            id: "EV_2",
            created_at: 1,
            num_dropped: 0,
        });
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(v["ingressInfo"]["ingressId"], "IN_a");
        assert_eq!(v["ingressInfo"]["roomName"], "r");
        assert!(v["ingressInfo"]["state"].is_object());
    }
}
