//! RoomService request bodies (`decode_room_request`): the first byte picks the method
//! and the format (protobuf or protojson), the rest is the body. Nothing may panic, and a
//! decoded request respects the limits the decoder promises.

use hikari_protocol::{RoomMethod, TwirpFormat, decode_room_request};
use hikari_types::{AdminRequest, MAX_METADATA, MAX_NAME};

pub fn run(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let method = RoomMethod::ALL[usize::from(selector >> 1) % RoomMethod::ALL.len()];
    let format = if selector & 1 == 0 { TwirpFormat::Protobuf } else { TwirpFormat::Json };
    let Ok(request) = decode_room_request(method, format, body) else { return };
    let name_ok = |s: &str| !s.is_empty() && s.len() <= MAX_NAME;
    match &request {
        AdminRequest::CreateRoom { name, metadata, auto_room_composite, .. } => {
            assert!(name_ok(name.as_str()) && metadata.len() <= MAX_METADATA);
            // The room's composite records this room, whatever the request named.
            assert!(auto_room_composite.as_ref().is_none_or(|c| c.room_name == *name));
        }
        AdminRequest::ListRooms { names } => assert!(names.iter().all(|n| name_ok(n.as_str()))),
        AdminRequest::DeleteRoom { room } | AdminRequest::ListParticipants { room } => assert!(name_ok(room.as_str())),
        AdminRequest::GetParticipant { room, identity } | AdminRequest::RemoveParticipant { room, identity } => {
            assert!(name_ok(room.as_str()) && name_ok(identity.as_str()));
        }
        AdminRequest::MutePublishedTrack { room, identity, track_sid, .. } => {
            assert!(name_ok(room.as_str()) && name_ok(identity.as_str()) && track_sid.as_str().len() <= MAX_NAME);
        }
        AdminRequest::UpdateParticipant { room, identity, metadata, name, attributes, .. } => {
            assert!(name_ok(room.as_str()) && name_ok(identity.as_str()));
            assert!(metadata.as_ref().is_none_or(|m| !m.is_empty() && m.len() <= MAX_METADATA));
            assert!(name.as_ref().is_none_or(|n| !n.is_empty() && n.len() <= MAX_NAME));
            assert!(attributes.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() <= MAX_METADATA);
        }
        AdminRequest::UpdateSubscriptions { room, identity, .. } => assert!(name_ok(room.as_str()) && name_ok(identity.as_str())),
        AdminRequest::SendData { room, destination_identities, topic, .. } => {
            assert!(name_ok(room.as_str()) && destination_identities.iter().all(|i| name_ok(i.as_str())));
            assert!(topic.as_ref().is_none_or(|t| !t.is_empty() && t.len() <= MAX_NAME));
        }
        AdminRequest::UpdateRoomMetadata { room, metadata } => assert!(name_ok(room.as_str()) && metadata.len() <= MAX_METADATA),
        #[allow(unreachable_patterns)]
        _ => {}
    }
}
