//! Data packets relayed between participants over the data channels.

use hikari_types::{DataPackets, DataRelay, DataSender, ParticipantIdentity, ParticipantSid, Reliability};
use livekit_protocol as lk;
use lk::data_packet::Value;
use prost::Message;

use crate::error::ProtocolError;

/// LiveKit's `DataPacket` protobuf, as the SFU core's [`DataPackets`] port.
#[derive(Clone, Copy, Debug, Default)]
pub struct LiveKitData;

impl DataPackets for LiveKitData {
    fn relay(&self, bytes: &[u8], sender: DataSender<'_>, reliability: Reliability) -> Result<Option<DataRelay>, String> {
        relay_data_packet(bytes, sender.identity, sender.sid, sender.hidden, sender.agent, reliability).map_err(|e| e.to_string())
    }

    fn user_packet(&self, payload: Vec<u8>, topic: Option<String>, destination_identities: &[ParticipantIdentity], reliability: Reliability) -> Vec<u8> {
        user_data_packet(payload, topic, destination_identities, reliability)
    }
}

/// Parses a data packet from `sender` and stamps the sender's real identity on it.
///
/// Returns `Ok(None)` for packets that are not relayed to other participants
/// (speaker and metrics updates, and transcriptions from anyone but an agent).
pub fn relay_data_packet(
    bytes: &[u8],
    sender: &ParticipantIdentity,
    sender_sid: &ParticipantSid,
    sender_hidden: bool,
    sender_is_agent: bool,
    reliability: Reliability,
) -> Result<Option<DataRelay>, ProtocolError> {
    let mut packet = lk::DataPacket::decode(bytes).map_err(|source| ProtocolError::Malformed { what: "DataPacket", source })?;
    let relayed = match &packet.value {
        Some(Value::Speaker(_) | Value::Metrics(_)) | None => false,
        Some(Value::Transcription(_)) => sender_is_agent,
        Some(_) => true,
    };
    if !relayed {
        return Ok(None);
    }
    let (identity, sid) = if sender_hidden { (String::new(), String::new()) } else { (sender.as_str().to_owned(), sender_sid.as_str().to_owned()) };
    #[allow(deprecated)]
    {
        packet.kind = match reliability {
            Reliability::Reliable => lk::data_packet::Kind::Reliable,
            Reliability::Lossy => lk::data_packet::Kind::Lossy,
        } as i32;
    }
    packet.participant_identity = identity.clone();
    packet.participant_sid = sid.clone();
    let mut destination_sids = Vec::new();
    if let Some(Value::User(user)) = &mut packet.value {
        user.participant_identity = identity;
        user.participant_sid = sid;
        if packet.destination_identities.is_empty() {
            packet.destination_identities = user.destination_identities.clone();
        } else if user.destination_identities.is_empty() {
            user.destination_identities = packet.destination_identities.clone();
        }
        destination_sids = user.destination_sids.iter().map(|s| s.as_str().into()).collect();
    }
    Ok(Some(DataRelay {
        destination_identities: packet.destination_identities.iter().map(|s| s.as_str().into()).collect(),
        destination_sids,
        bytes: packet.encode_to_vec(),
    }))
}

/// Builds a user data packet sent by the server itself (the `SendData` API).
pub fn user_data_packet(payload: Vec<u8>, topic: Option<String>, destination_identities: &[ParticipantIdentity], reliability: Reliability) -> Vec<u8> {
    let destinations: Vec<String> = destination_identities.iter().map(|d| d.to_string()).collect();
    #[allow(deprecated)]
    let packet = lk::DataPacket {
        kind: match reliability {
            Reliability::Reliable => lk::data_packet::Kind::Reliable,
            Reliability::Lossy => lk::data_packet::Kind::Lossy,
        } as i32,
        destination_identities: destinations.clone(),
        value: Some(Value::User(lk::UserPacket { payload, topic, destination_identities: destinations, ..Default::default() })),
        ..Default::default()
    };
    packet.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_packet(claimed_sender: &str, to: &[&str]) -> Vec<u8> {
        lk::DataPacket {
            participant_identity: claimed_sender.into(),
            value: Some(Value::User(lk::UserPacket {
                payload: b"hello".to_vec(),
                topic: Some("t1".into()),
                destination_identities: to.iter().map(|s| (*s).into()).collect(),
                ..Default::default()
            })),
            ..Default::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn stamps_real_sender_and_copies_destinations() {
        let relay = relay_data_packet(&user_packet("mallory", &["bob"]), &"alice".into(), &"PA_a".into(), false, false, Reliability::Reliable)
            .expect("valid")
            .expect("relayed");
        assert_eq!(relay.destination_identities, vec![ParticipantIdentity::from("bob")]);
        let back = lk::DataPacket::decode(relay.bytes.as_slice()).expect("round trip");
        assert_eq!(back.participant_identity, "alice");
        assert_eq!(back.destination_identities, vec!["bob".to_owned()]);
        match back.value {
            Some(Value::User(u)) => {
                assert_eq!(u.participant_identity, "alice");
                assert_eq!(u.topic.as_deref(), Some("t1"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hidden_senders_are_anonymous_and_speaker_packets_stay() {
        let relay = relay_data_packet(&user_packet("x", &[]), &"a".into(), &"PA_a".into(), true, false, Reliability::Lossy).expect("valid").expect("relayed");
        let back = lk::DataPacket::decode(relay.bytes.as_slice()).expect("round trip");
        assert_eq!(back.participant_identity, "");
        let speaker = lk::DataPacket { value: Some(Value::Speaker(Default::default())), ..Default::default() };
        assert!(relay_data_packet(&speaker.encode_to_vec(), &"a".into(), &"PA_a".into(), false, false, Reliability::Lossy).expect("valid").is_none());
        assert!(relay_data_packet(&[0xff; 4], &"a".into(), &"PA_a".into(), false, false, Reliability::Lossy).is_err());
    }
}
