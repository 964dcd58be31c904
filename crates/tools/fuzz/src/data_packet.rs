//! Data packets a participant sends on its data channels (`relay_data_packet`): parsed,
//! re-stamped with the real sender and re-encoded for the receivers. Nothing may panic,
//! and a relayed packet decodes again, carrying the sender's identity and not the one
//! the packet claimed.

use hikari_protocol::relay_data_packet;
use hikari_types::{ParticipantIdentity, ParticipantSid, Reliability};
use livekit_protocol as lk;
use prost::Message;

pub fn run(data: &[u8]) {
    let Some((&flags, packet)) = data.split_first() else { return };
    let hidden = flags & 1 != 0;
    let agent = flags & 2 != 0;
    let reliability = if flags & 4 != 0 { Reliability::Lossy } else { Reliability::Reliable };
    let sender = ParticipantIdentity::from("alice");
    let sid = ParticipantSid::from("PA_alice");
    let Ok(Some(relay)) = relay_data_packet(packet, &sender, &sid, hidden, agent, reliability) else { return };
    let back = lk::DataPacket::decode(relay.bytes.as_slice()).expect("a relayed packet decodes");
    let (identity, stamped_sid) = if hidden { ("", "") } else { ("alice", "PA_alice") };
    assert_eq!(back.participant_identity, identity);
    assert_eq!(back.participant_sid, stamped_sid);
    // The user packet's own copies of the sender, deprecated but still read by older SDKs.
    #[allow(deprecated)]
    if let Some(lk::data_packet::Value::User(user)) = &back.value {
        assert_eq!(user.participant_identity, identity);
        assert_eq!(user.participant_sid, stamped_sid);
    }
    let destinations: Vec<ParticipantIdentity> = back.destination_identities.iter().map(|d| d.as_str().into()).collect();
    assert_eq!(destinations, relay.destination_identities);
}
