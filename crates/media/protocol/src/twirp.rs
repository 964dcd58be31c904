//! RoomService over Twirp: request bodies (protobuf or protojson) into
//! [`AdminRequest`]s, and [`AdminResponse`]s into response bodies.
//!
//! The HTTP side (routes, tokens, error JSON) lives in `hikari-api`; this module only
//! knows the bytes. JSON is protojson: camelCase names, snake_case accepted, unknown
//! fields ignored, int64 as strings and bytes as base64.

use std::collections::BTreeMap;

use hikari_types::{AdminRequest, AdminResponse, MAX_METADATA, MAX_NAME, ParticipantIdentity, ParticipantSid, Permissions, RoomName, TrackSid};
use livekit_protocol as lk;
use prost::Message;

use crate::convert::{participant_to_proto, room_to_proto, source_from_proto, track_to_proto};
use crate::error::ProtocolError;

/// How a Twirp body is encoded; responses use the request's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwirpFormat {
    /// `application/protobuf` (the Python server SDK).
    Protobuf,
    /// `application/json`, protojson (the Node server SDK).
    Json,
}

impl TwirpFormat {
    /// The format for a `Content-Type` header value, parameters ignored.
    pub fn from_content_type(value: &str) -> Option<Self> {
        let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match mime.as_str() {
            "application/protobuf" | "application/x-protobuf" => Some(Self::Protobuf),
            "application/json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The `Content-Type` to answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/protobuf",
            Self::Json => "application/json",
        }
    }
}

/// The RoomService methods Hikari implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoomMethod {
    /// `CreateRoom`.
    CreateRoom,
    /// `ListRooms`.
    ListRooms,
    /// `DeleteRoom`.
    DeleteRoom,
    /// `ListParticipants`.
    ListParticipants,
    /// `GetParticipant`.
    GetParticipant,
    /// `RemoveParticipant`.
    RemoveParticipant,
    /// `MutePublishedTrack`.
    MutePublishedTrack,
    /// `UpdateParticipant`.
    UpdateParticipant,
    /// `UpdateSubscriptions`.
    UpdateSubscriptions,
    /// `SendData`.
    SendData,
    /// `UpdateRoomMetadata`.
    UpdateRoomMetadata,
}

impl RoomMethod {
    /// Every method, in the order of LiveKit's service definition.
    pub const ALL: [RoomMethod; 11] = [
        Self::CreateRoom,
        Self::ListRooms,
        Self::DeleteRoom,
        Self::ListParticipants,
        Self::GetParticipant,
        Self::RemoveParticipant,
        Self::MutePublishedTrack,
        Self::UpdateParticipant,
        Self::UpdateSubscriptions,
        Self::SendData,
        Self::UpdateRoomMetadata,
    ];

    /// The method named in a Twirp path, if Hikari implements it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The name in the Twirp path.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateRoom => "CreateRoom",
            Self::ListRooms => "ListRooms",
            Self::DeleteRoom => "DeleteRoom",
            Self::ListParticipants => "ListParticipants",
            Self::GetParticipant => "GetParticipant",
            Self::RemoveParticipant => "RemoveParticipant",
            Self::MutePublishedTrack => "MutePublishedTrack",
            Self::UpdateParticipant => "UpdateParticipant",
            Self::UpdateSubscriptions => "UpdateSubscriptions",
            Self::SendData => "SendData",
            Self::UpdateRoomMetadata => "UpdateRoomMetadata",
        }
    }
}

pub(crate) fn decode<M>(format: TwirpFormat, body: &[u8], what: &'static str) -> Result<M, ProtocolError>
where
    M: Message + Default + serde::de::DeserializeOwned,
{
    match format {
        TwirpFormat::Protobuf => M::decode(body).map_err(|source| ProtocolError::Malformed { what, source }),
        TwirpFormat::Json => {
            // protojson: an empty body is an empty message.
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(M::default());
            }
            let mut de = serde_json::Deserializer::from_slice(body);
            let decoded = match serde_path_to_error::deserialize(&mut de) {
                Ok(m) => de.end().map(|()| m).map_err(|e| e.to_string()),
                Err(e) => Err(json_message(&e)),
            };
            decoded.map_err(|message| ProtocolError::Json { what, message })
        }
    }
}

/// A JSON error naming the field. pbjson reads numbers as "a number or a string" (an untagged
/// enum), whose own message says nothing useful; say what the value must be instead.
fn json_message(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let inner = e.inner().to_string();
    let path = e.path().to_string();
    let at = if path == "." { String::new() } else { format!("{path}: ") };
    if inner.contains("did not match any variant of untagged enum") {
        format!("{at}not a number this field can hold (an integer in range, as a JSON number or string)")
    } else {
        format!("{at}{inner}")
    }
}

fn check_len(field: &'static str, value: &str, limit: usize) -> Result<(), ProtocolError> {
    if value.len() > limit {
        return Err(ProtocolError::Invalid(format!("{field} is longer than {limit} bytes")));
    }
    Ok(())
}

fn room(name: String) -> Result<RoomName, ProtocolError> {
    check_len("room", &name, MAX_NAME)?;
    if name.is_empty() {
        return Err(ProtocolError::Invalid("room is required".into()));
    }
    Ok(RoomName::new(name))
}

fn identity(id: String) -> Result<ParticipantIdentity, ProtocolError> {
    check_len("identity", &id, MAX_NAME)?;
    if id.is_empty() {
        return Err(ProtocolError::Invalid("identity is required".into()));
    }
    Ok(ParticipantIdentity::new(id))
}

fn permission_from_proto(p: lk::ParticipantPermission) -> Permissions {
    Permissions {
        can_subscribe: p.can_subscribe,
        can_publish: p.can_publish,
        can_publish_data: p.can_publish_data,
        can_publish_sources: p.can_publish_sources.into_iter().map(source_from_proto).collect(),
        hidden: p.hidden,
        recorder: p.recorder,
        can_update_metadata: p.can_update_metadata,
        agent: p.agent,
    }
}

/// CreateRoom's `egress.participant`: a file and/or a segment output, and the encoding.
fn auto_participant(p: lk::AutoParticipantEgress) -> Result<hikari_types::AutoParticipant, ProtocolError> {
    const WHAT: &str = "CreateRoom: egress.participant";
    let outputs =
        crate::egress::outputs::Outputs { files: (None, p.file_outputs), segments: (None, p.segment_outputs), streams: (None, Vec::new()), images: Vec::new() };
    let outputs = outputs.decode(WHAT, &[])?;
    let encoding = match p.options {
        None => None,
        Some(lk::auto_participant_egress::Options::Preset(v)) => Some(crate::egress::room::preset(WHAT, v)?),
        Some(lk::auto_participant_egress::Options::Advanced(a)) => Some(crate::egress::room::advanced(WHAT, &a)?),
    };
    Ok(hikari_types::AutoParticipant { outputs, encoding })
}

/// Decodes the body of a RoomService call. Names longer than [`MAX_NAME`] and metadata
/// longer than [`MAX_METADATA`] are refused here, before anything runs.
pub fn decode_room_request(method: RoomMethod, format: TwirpFormat, body: &[u8]) -> Result<AdminRequest, ProtocolError> {
    use RoomMethod as M;
    Ok(match method {
        M::CreateRoom => {
            let r: lk::CreateRoomRequest = decode(format, body, "CreateRoomRequest")?;
            check_len("metadata", &r.metadata, MAX_METADATA)?;
            let name = room(r.name)?;
            let mut auto_room_composite = None;
            let mut auto_participant_egress = None;
            let auto_track_egress = match r.egress {
                None => None,
                Some(e) => match e.tracks {
                    Some(t) if t.output.is_some() => {
                        return Err(ProtocolError::Unsupported(
                            "CreateRoom: egress.tracks uploads given in the request (S3, GCP, Azure, AliOSS) are not taken; set egress.s3 in the server's configuration and every recording is copied there".into(),
                        ));
                    }
                    t => {
                        if let Some(mut rc) = e.room {
                            rc.room_name = name.to_string();
                            let start = crate::egress::room::start_room_composite(rc).map_err(|e| match e {
                                ProtocolError::Invalid(m) => ProtocolError::Invalid(format!("CreateRoom: egress.room: {m}")),
                                ProtocolError::Unsupported(m) => ProtocolError::Unsupported(format!("CreateRoom: egress.room: {m}")),
                                other => other,
                            })?;
                            auto_room_composite = Some(Box::new(start));
                        }
                        if let Some(p) = e.participant {
                            auto_participant_egress = Some(Box::new(auto_participant(p)?));
                        }
                        t.map(|t| t.filepath)
                    }
                },
            };
            AdminRequest::CreateRoom {
                name,
                empty_timeout: r.empty_timeout,
                departure_timeout: r.departure_timeout,
                max_participants: r.max_participants,
                metadata: r.metadata,
                auto_track_egress,
                auto_room_composite,
                auto_participant_egress,
            }
        }
        M::ListRooms => {
            let r: lk::ListRoomsRequest = decode(format, body, "ListRoomsRequest")?;
            AdminRequest::ListRooms { names: r.names.into_iter().map(room).collect::<Result<_, _>>()? }
        }
        M::DeleteRoom => {
            let r: lk::DeleteRoomRequest = decode(format, body, "DeleteRoomRequest")?;
            AdminRequest::DeleteRoom { room: room(r.room)? }
        }
        M::ListParticipants => {
            let r: lk::ListParticipantsRequest = decode(format, body, "ListParticipantsRequest")?;
            AdminRequest::ListParticipants { room: room(r.room)? }
        }
        M::GetParticipant | M::RemoveParticipant => {
            let r: lk::RoomParticipantIdentity = decode(format, body, "RoomParticipantIdentity")?;
            let (room, identity) = (room(r.room)?, identity(r.identity)?);
            if method == M::GetParticipant { AdminRequest::GetParticipant { room, identity } } else { AdminRequest::RemoveParticipant { room, identity } }
        }
        M::MutePublishedTrack => {
            let r: lk::MuteRoomTrackRequest = decode(format, body, "MuteRoomTrackRequest")?;
            check_len("track_sid", &r.track_sid, MAX_NAME)?;
            AdminRequest::MutePublishedTrack { room: room(r.room)?, identity: identity(r.identity)?, track_sid: TrackSid::new(r.track_sid), muted: r.muted }
        }
        M::UpdateParticipant => {
            let r: lk::UpdateParticipantRequest = decode(format, body, "UpdateParticipantRequest")?;
            check_len("metadata", &r.metadata, MAX_METADATA)?;
            check_len("name", &r.name, MAX_NAME)?;
            let attributes: BTreeMap<String, String> = r.attributes.into_iter().collect();
            let attribute_bytes: usize = attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
            if attribute_bytes > MAX_METADATA {
                return Err(ProtocolError::Invalid(format!("attributes are longer than {MAX_METADATA} bytes")));
            }
            AdminRequest::UpdateParticipant {
                room: room(r.room)?,
                identity: identity(r.identity)?,
                // As LiveKit: an empty string leaves the value unchanged.
                metadata: Some(r.metadata).filter(|m| !m.is_empty()),
                name: Some(r.name).filter(|n| !n.is_empty()),
                attributes,
                permission: r.permission.map(permission_from_proto),
            }
        }
        M::UpdateSubscriptions => {
            let r: lk::UpdateSubscriptionsRequest = decode(format, body, "UpdateSubscriptionsRequest")?;
            let mut track_sids: Vec<TrackSid> = r.track_sids.into_iter().map(TrackSid::new).collect();
            track_sids.extend(r.participant_tracks.into_iter().flat_map(|p| p.track_sids).map(TrackSid::new));
            AdminRequest::UpdateSubscriptions { room: room(r.room)?, identity: identity(r.identity)?, track_sids, subscribe: r.subscribe }
        }
        M::SendData => {
            let r: lk::SendDataRequest = decode(format, body, "SendDataRequest")?;
            if let Some(t) = &r.topic {
                check_len("topic", t, MAX_NAME)?;
            }
            AdminRequest::SendData {
                room: room(r.room)?,
                data: r.data,
                reliable: r.kind != lk::data_packet::Kind::Lossy as i32,
                destination_identities: r.destination_identities.into_iter().map(identity).collect::<Result<_, _>>()?,
                destination_sids: r.destination_sids.into_iter().map(ParticipantSid::new).collect(),
                topic: r.topic.filter(|t| !t.is_empty()),
            }
        }
        M::UpdateRoomMetadata => {
            let r: lk::UpdateRoomMetadataRequest = decode(format, body, "UpdateRoomMetadataRequest")?;
            check_len("metadata", &r.metadata, MAX_METADATA)?;
            AdminRequest::UpdateRoomMetadata { room: room(r.room)?, metadata: r.metadata }
        }
    })
}

pub(crate) fn encode<M: Message + serde::Serialize>(format: TwirpFormat, m: &M) -> Vec<u8> {
    match format {
        TwirpFormat::Protobuf => m.encode_to_vec(),
        // Serialising a generated message to JSON cannot fail (no maps with non-string keys).
        TwirpFormat::Json => serde_json::to_vec(m).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

/// Encodes the outcome of a RoomService call as its response message.
pub fn encode_room_response(format: TwirpFormat, response: &AdminResponse) -> Vec<u8> {
    match response {
        AdminResponse::Room(r) => encode(format, &room_to_proto(r)),
        AdminResponse::Rooms(rs) => encode(format, &lk::ListRoomsResponse { rooms: rs.iter().map(room_to_proto).collect() }),
        AdminResponse::Participant(p) => encode(format, &participant_to_proto(p)),
        AdminResponse::Participants(ps) => encode(format, &lk::ListParticipantsResponse { participants: ps.iter().map(participant_to_proto).collect() }),
        AdminResponse::Track(t) => encode(format, &lk::MuteRoomTrackResponse { track: Some(track_to_proto(t)) }),
        AdminResponse::Done => encode(format, &lk::DeleteRoomResponse {}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(method: RoomMethod, message: &impl Message, json: &str) -> (AdminRequest, AdminRequest) {
        let pb = decode_room_request(method, TwirpFormat::Protobuf, &message.encode_to_vec()).expect("protobuf");
        let js = decode_room_request(method, TwirpFormat::Json, json.as_bytes()).expect("json");
        (pb, js)
    }

    #[test]
    fn create_room_from_protobuf_camel_and_snake_json() {
        let msg = lk::CreateRoomRequest { name: "r1".into(), empty_timeout: 30, max_participants: 2, metadata: "m".into(), ..Default::default() };
        let (pb, camel) = both(RoomMethod::CreateRoom, &msg, r#"{"name":"r1","emptyTimeout":30,"maxParticipants":2,"metadata":"m"}"#);
        let snake = decode_room_request(
            RoomMethod::CreateRoom,
            TwirpFormat::Json,
            br#"{"name":"r1","empty_timeout":30,"max_participants":2,"metadata":"m","unknown":1}"#,
        )
        .expect("snake");
        assert_eq!(pb, camel);
        assert_eq!(pb, snake);
        assert!(matches!(pb, AdminRequest::CreateRoom { max_participants: 2, empty_timeout: 30, .. }));
    }

    #[test]
    fn update_participant_and_send_data() {
        let msg = lk::UpdateParticipantRequest {
            room: "r".into(),
            identity: "alice".into(),
            metadata: String::new(),
            name: "Alice".into(),
            permission: Some(lk::ParticipantPermission { can_subscribe: true, ..Default::default() }),
            attributes: [("k".to_owned(), "v".to_owned())].into(),
        };
        let json = r#"{"room":"r","identity":"alice","name":"Alice","permission":{"canSubscribe":true},"attributes":{"k":"v"}}"#;
        let (pb, js) = both(RoomMethod::UpdateParticipant, &msg, json);
        assert_eq!(pb, js);
        let AdminRequest::UpdateParticipant { metadata, name, permission, .. } = pb else { panic!("wrong request") };
        assert_eq!(metadata, None, "empty metadata leaves it unchanged");
        assert_eq!(name.as_deref(), Some("Alice"));
        assert!(permission.is_some_and(|p| p.can_subscribe && !p.can_publish));

        let msg = lk::SendDataRequest {
            room: "r".into(),
            data: b"hi".to_vec(),
            kind: lk::data_packet::Kind::Lossy as i32,
            destination_identities: vec!["bob".into()],
            topic: Some("chat".into()),
            ..Default::default()
        };
        let json = r#"{"room":"r","data":"aGk=","kind":"LOSSY","destinationIdentities":["bob"],"topic":"chat"}"#;
        let (pb, js) = both(RoomMethod::SendData, &msg, json);
        assert_eq!(pb, js);
        assert!(matches!(pb, AdminRequest::SendData { reliable: false, ref data, .. } if data == b"hi"));
    }

    #[test]
    fn bad_bodies_are_clear_errors() {
        let garbage = decode_room_request(RoomMethod::DeleteRoom, TwirpFormat::Protobuf, &[0xff, 0xff, 0xff]);
        assert!(matches!(garbage, Err(ProtocolError::Malformed { .. })));
        let json = decode_room_request(RoomMethod::DeleteRoom, TwirpFormat::Json, b"{not json");
        assert!(matches!(json, Err(ProtocolError::Json { .. })));
        let wrong_type = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, br#"{"name":5}"#);
        assert!(matches!(wrong_type, Err(ProtocolError::Json { .. })));
        let long = format!(r#"{{"name":"{}"}}"#, "x".repeat(MAX_NAME + 1));
        let too_long = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, long.as_bytes());
        assert!(matches!(too_long, Err(ProtocolError::Invalid(ref m)) if m.contains("room")), "{too_long:?}");
        let missing = decode_room_request(RoomMethod::DeleteRoom, TwirpFormat::Json, b"");
        assert!(matches!(missing, Err(ProtocolError::Invalid(ref m)) if m.contains("required")));
    }

    #[test]
    fn responses_round_trip() {
        let room = hikari_types::RoomInfo { name: RoomName::new("r"), max_participants: 3, ..Default::default() };
        let pb = encode_room_response(TwirpFormat::Protobuf, &AdminResponse::Rooms(vec![room.clone()]));
        let decoded = lk::ListRoomsResponse::decode(pb.as_slice()).expect("decodes");
        assert_eq!(decoded.rooms[0].name, "r");
        let js = encode_room_response(TwirpFormat::Json, &AdminResponse::Room(room));
        let v: serde_json::Value = serde_json::from_slice(&js).expect("json");
        assert_eq!(v["maxParticipants"], 3);
        assert_eq!(encode_room_response(TwirpFormat::Json, &AdminResponse::Done), b"{}");
        assert!(encode_room_response(TwirpFormat::Protobuf, &AdminResponse::Done).is_empty());
        assert_eq!(TwirpFormat::from_content_type("application/json; charset=utf-8"), Some(TwirpFormat::Json));
        assert_eq!(TwirpFormat::from_content_type("text/plain"), None);
    }

    #[test]
    fn an_out_of_range_number_gets_a_message_naming_the_field() {
        for body in [r#"{"name":"r","maxParticipants":-1}"#, r#"{"name":"r","maxParticipants":99999999999}"#, r#"{"name":"r","emptyTimeout":true}"#] {
            let Err(ProtocolError::Json { message, .. }) = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, body.as_bytes()) else {
                panic!("{body} accepted")
            };
            assert!(message.contains("not a number this field can hold"), "{body}: {message}");
            assert!(message.starts_with("maxParticipants") || message.starts_with("emptyTimeout"), "{body}: {message}");
            assert!(!message.contains("untagged"), "{message}");
        }
        let Err(ProtocolError::Json { message, .. }) = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, br#"{"name":"r"} x"#) else {
            panic!("trailing characters accepted")
        };
        assert!(message.contains("trailing"), "{message}");
    }
}
