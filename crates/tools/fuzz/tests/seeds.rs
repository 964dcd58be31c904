//! The seed corpus of every fuzz target, generated: `scripts/fuzz seeds` runs this with
//! `HIKARI_FUZZ_WRITE_SEEDS=1`, which (re)writes `fuzz/corpus/<target>/seed-*`. Without
//! it, the seeds are only built and checked against the decoders they are meant for.
//!
//! Inputs the fuzzer found and `scripts/fuzz run` merged into the corpus sit beside
//! these under their hash names; this program never touches them.
// User packets still carry their deprecated sender and destination fields.
#![allow(deprecated)]

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use base64::Engine;
use hikari_fuzz::shared::{self, chunk, setup};
use hikari_types::{ParticipantIdentity, Permissions, ServerSignal};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Resp;
use prost::Message;
use str0m::change::SdpOffer;
use str0m::media::{Direction, MediaKind};
use str0m::{Candidate, Rtc};

use hikari_fuzz::seed::{Seeds, emit};

fn request(m: Req) -> Vec<u8> {
    lk::SignalRequest { message: Some(m) }.encode_to_vec()
}

/// A publisher's offer as a browser makes it: media lines sending `send`, receiving
/// `recv` (single-PeerConnection slots), and the `_reliable` data channel.
fn offer_sdp(send: &[(MediaKind, &str)], recv: &[MediaKind]) -> String {
    let mut rtc = Rtc::builder().build(Instant::now());
    rtc.add_local_candidate(Candidate::host("10.0.0.99:5000".parse().expect("valid"), "udp").expect("host candidate"));
    let mut api = rtc.sdp_api();
    for (kind, cid) in send {
        api.add_media(*kind, Direction::SendOnly, Some("stream".into()), Some((*cid).into()), None);
    }
    for kind in recv {
        api.add_media(*kind, Direction::RecvOnly, None, None, None);
    }
    api.add_channel("_reliable".into());
    let (offer, _pending) = api.apply().expect("an offer");
    offer.to_sdp_string()
}

fn sdp(kind: &str, sdp: String, id: u32) -> lk::SessionDescription {
    lk::SessionDescription { r#type: kind.into(), sdp, id, ..Default::default() }
}

fn add_track(cid: &str, video: bool) -> lk::AddTrackRequest {
    lk::AddTrackRequest {
        cid: cid.into(),
        name: if video { "camera".into() } else { "mic".into() },
        r#type: if video { lk::TrackType::Video } else { lk::TrackType::Audio } as i32,
        source: if video { lk::TrackSource::Camera } else { lk::TrackSource::Microphone } as i32,
        width: if video { 640 } else { 0 },
        height: if video { 360 } else { 0 },
        layers: if video {
            vec![lk::VideoLayer { quality: lk::VideoQuality::High as i32, width: 640, height: 360, bitrate: 500_000, ..Default::default() }]
        } else {
            Vec::new()
        },
        stream: "stream".into(),
        ..Default::default()
    }
}

const CANDIDATE: &str = r#"{"candidate":"candidate:1 1 udp 2122260223 10.0.0.99 5000 typ host generation 0","sdpMid":"0","sdpMLineIndex":0}"#;

fn client_frames(video_sid: &str) -> Vec<(&'static str, Vec<u8>)> {
    let offer = offer_sdp(&[(MediaKind::Video, "mallory-Video")], &[]);
    vec![
        ("offer", request(Req::Offer(sdp("offer", offer, 1)))),
        ("answer", request(Req::Answer(sdp("answer", "v=0\r\n".into(), 2)))),
        (
            "trickle",
            request(Req::Trickle(lk::TrickleRequest { candidate_init: CANDIDATE.into(), target: lk::SignalTarget::Subscriber as i32, r#final: false })),
        ),
        ("add-track", request(Req::AddTrack(add_track("mallory-Video", true)))),
        ("mute", request(Req::Mute(lk::MuteTrackRequest { sid: video_sid.into(), muted: true }))),
        (
            "subscription",
            request(Req::Subscription(lk::UpdateSubscription {
                track_sids: vec![video_sid.into()],
                subscribe: false,
                participant_tracks: vec![lk::ParticipantTracks { participant_sid: "PA_x".into(), track_sids: vec![video_sid.into()] }],
            })),
        ),
        (
            "track-setting",
            request(Req::TrackSetting(lk::UpdateTrackSettings {
                track_sids: vec![video_sid.into()],
                disabled: true,
                width: 320,
                height: 180,
                ..Default::default()
            })),
        ),
        (
            "update-layers",
            #[allow(deprecated)]
            request(Req::UpdateLayers(lk::UpdateVideoLayers {
                track_sid: video_sid.into(),
                layers: vec![lk::VideoLayer { quality: lk::VideoQuality::Medium as i32, width: 640, height: 360, ..Default::default() }],
            })),
        ),
        ("leave", request(Req::Leave(lk::LeaveRequest { reason: lk::DisconnectReason::ClientInitiated as i32, ..Default::default() }))),
        (
            "update-metadata",
            request(Req::UpdateMetadata(lk::UpdateParticipantMetadata {
                metadata: "{\"hand\":true}".into(),
                name: "Mallory".into(),
                attributes: [("k".to_owned(), "v".to_owned()), ("gone".to_owned(), String::new())].into(),
                request_id: 7,
            })),
        ),
        ("ping", request(Req::Ping(1_800_000_000_000))),
        ("ping-req", request(Req::PingReq(lk::Ping { timestamp: 1_800_000_000_000, rtt: 40 }))),
        ("sync-state", request(Req::SyncState(lk::SyncState::default()))),
    ]
}

fn server_frames() -> Seeds {
    let participant = lk::ParticipantInfo {
        sid: "PA_a".into(),
        identity: "alice".into(),
        state: lk::participant_info::State::Active as i32,
        tracks: vec![lk::TrackInfo { sid: "TR_v".into(), r#type: lk::TrackType::Video as i32, mid: "0".into(), ..Default::default() }],
        attributes: [("k".to_owned(), "v".to_owned())].into(),
        ..Default::default()
    };
    let response = |m: Resp| lk::SignalResponse { message: Some(m) }.encode_to_vec();
    vec![
        (
            "server-join",
            response(Resp::Join(lk::JoinResponse {
                room: Some(lk::Room { sid: "RM_r".into(), name: "room".into(), ..Default::default() }),
                participant: Some(participant.clone()),
                other_participants: vec![participant.clone()],
                server_version: "1.9.0".into(),
                ping_interval: 5,
                ping_timeout: 15,
                ..Default::default()
            })),
        ),
        ("server-update", response(Resp::Update(lk::ParticipantUpdate { participants: vec![participant] }))),
        (
            "server-track-published",
            response(Resp::TrackPublished(lk::TrackPublishedResponse {
                cid: "c".into(),
                track: Some(lk::TrackInfo { sid: "TR_v".into(), ..Default::default() }),
            })),
        ),
        ("server-leave", response(Resp::Leave(lk::LeaveRequest { reason: lk::DisconnectReason::RoomDeleted as i32, action: 1, ..Default::default() }))),
        ("server-pong", response(Resp::PongResp(lk::Pong { last_ping_timestamp: 1, timestamp: 2 }))),
    ]
}

#[test]
fn ice_tcp_framing() {
    // A STUN binding request and an RTP packet, framed; read in pieces of 7 and of 255 bytes.
    let mut stream = Vec::new();
    let stun = [0u8, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    hikari_media_io::frame(&stun, &mut stream).expect("small");
    hikari_media_io::frame(&[0x80; 1200], &mut stream).expect("small");
    let seeds = vec![("stun-rtp-step7", [&[7u8][..], &stream].concat()), ("stun-rtp-step255", [&[255u8][..], &stream].concat())];
    for (name, bytes) in emit("ice_tcp_framing", seeds) {
        let mut d = hikari_media_io::Deframer::default();
        d.push(&bytes[1..]);
        let mut n = 0;
        d.drain(|_| n += 1).expect("valid framing");
        assert_eq!(n, 2, "{name}");
    }
}

#[test]
fn signal_frame() {
    let mut seeds = client_frames("TR_video");
    seeds.extend(server_frames());
    for (name, bytes) in emit("signal_frame", seeds) {
        let ok = hikari_protocol::decode_signal(&bytes).is_ok() || hikari_protocol::decode_server_signal(&bytes).is_ok();
        assert!(ok, "{name} decodes");
    }
}

fn wrap(req: &lk::JoinRequest, gzip: bool) -> Vec<u8> {
    let inner = req.encode_to_vec();
    let (compression, join_request) = if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&inner).expect("in-memory write");
        (1, enc.finish().expect("in-memory gzip"))
    } else {
        (0, inner)
    };
    lk::WrappedJoinRequest { compression, join_request }.encode_to_vec()
}

#[test]
fn join_request() {
    let offer = offer_sdp(&[(MediaKind::Audio, "mic")], &[MediaKind::Audio, MediaKind::Video]);
    let js = lk::JoinRequest {
        client_info: Some(lk::ClientInfo {
            sdk: lk::client_info::Sdk::Js as i32,
            version: "2.15.0".into(),
            protocol: 16,
            client_protocol: 1,
            os: "Linux".into(),
            browser: "Chrome".into(),
            ..Default::default()
        }),
        connection_settings: Some(lk::ConnectionSettings { auto_subscribe: true, adaptive_stream: true, ..Default::default() }),
        metadata: "m".into(),
        participant_attributes: [("role".to_owned(), "host".to_owned())].into(),
        add_track_requests: vec![add_track("mic", false)],
        publisher_offer: Some(sdp("offer", offer, 1)),
        ..Default::default()
    };
    let bare = lk::JoinRequest { reconnect: true, ..Default::default() };
    let std = &base64::engine::general_purpose::STANDARD;
    let url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let seeds = vec![
        // The JS SDK: gzip'd, standard base64 with padding.
        ("js-gzip", std.encode(wrap(&js, true)).into_bytes()),
        ("url-gzip", url.encode(wrap(&js, true)).into_bytes()),
        ("url-plain", url.encode(wrap(&js, false)).into_bytes()),
        ("reconnect", url.encode(wrap(&bare, true)).into_bytes()),
    ];
    for (name, bytes) in emit("join_request", seeds) {
        assert!(hikari_protocol::decode_join_request(std::str::from_utf8(&bytes).expect("text")).is_ok(), "{name} decodes");
    }
}

#[test]
fn twirp_body() {
    use hikari_protocol::RoomMethod as M;
    let pb_json = |m: M| -> (Vec<u8>, String) {
        match m {
            M::CreateRoom => (
                lk::CreateRoomRequest { name: "r".into(), empty_timeout: 30, max_participants: 4, metadata: "m".into(), ..Default::default() }.encode_to_vec(),
                r#"{"name":"r","emptyTimeout":30,"max_participants":"4","metadata":"m"}"#.into(),
            ),
            M::ListRooms => (lk::ListRoomsRequest { names: vec!["r".into(), "s".into()] }.encode_to_vec(), r#"{"names":["r","s"]}"#.into()),
            M::DeleteRoom => (lk::DeleteRoomRequest { room: "r".into() }.encode_to_vec(), r#"{"room":"r"}"#.into()),
            M::ListParticipants => (lk::ListParticipantsRequest { room: "r".into() }.encode_to_vec(), r#"{"room":"r"}"#.into()),
            M::GetParticipant | M::RemoveParticipant => (
                lk::RoomParticipantIdentity { room: "r".into(), identity: "alice".into(), ..Default::default() }.encode_to_vec(),
                r#"{"room":"r","identity":"alice"}"#.into(),
            ),
            M::MutePublishedTrack => (
                lk::MuteRoomTrackRequest { room: "r".into(), identity: "alice".into(), track_sid: "TR_v".into(), muted: true }.encode_to_vec(),
                r#"{"room":"r","identity":"alice","trackSid":"TR_v","muted":true}"#.into(),
            ),
            M::UpdateParticipant => (
                lk::UpdateParticipantRequest {
                    room: "r".into(),
                    identity: "alice".into(),
                    metadata: "m".into(),
                    name: "Alice".into(),
                    permission: Some(lk::ParticipantPermission { can_subscribe: true, can_publish_sources: vec![1, 2], ..Default::default() }),
                    attributes: [("k".to_owned(), "v".to_owned())].into(),
                }
                .encode_to_vec(),
                r#"{"room":"r","identity":"alice","name":"Alice","permission":{"canSubscribe":true,"canPublishSources":["CAMERA"]},"attributes":{"k":"v"}}"#
                    .into(),
            ),
            M::UpdateSubscriptions => (
                lk::UpdateSubscriptionsRequest {
                    room: "r".into(),
                    identity: "bob".into(),
                    track_sids: vec!["TR_v".into()],
                    subscribe: true,
                    participant_tracks: vec![lk::ParticipantTracks { participant_sid: "PA_a".into(), track_sids: vec!["TR_a".into()] }],
                }
                .encode_to_vec(),
                r#"{"room":"r","identity":"bob","trackSids":["TR_v"],"subscribe":true}"#.into(),
            ),
            M::SendData => (
                lk::SendDataRequest {
                    room: "r".into(),
                    data: b"hi".to_vec(),
                    kind: lk::data_packet::Kind::Lossy as i32,
                    destination_identities: vec!["bob".into()],
                    topic: Some("chat".into()),
                    ..Default::default()
                }
                .encode_to_vec(),
                r#"{"room":"r","data":"aGk=","kind":"LOSSY","destinationIdentities":["bob"],"topic":"chat"}"#.into(),
            ),
            M::UpdateRoomMetadata => {
                (lk::UpdateRoomMetadataRequest { room: "r".into(), metadata: "m".into() }.encode_to_vec(), r#"{"room":"r","metadata":"m"}"#.into())
            }
        }
    };
    const NAMES: [(&str, &str); 11] = [
        ("create-room", "create-room-json"),
        ("list-rooms", "list-rooms-json"),
        ("delete-room", "delete-room-json"),
        ("list-participants", "list-participants-json"),
        ("get-participant", "get-participant-json"),
        ("remove-participant", "remove-participant-json"),
        ("mute-published-track", "mute-published-track-json"),
        ("update-participant", "update-participant-json"),
        ("update-subscriptions", "update-subscriptions-json"),
        ("send-data", "send-data-json"),
        ("update-room-metadata", "update-room-metadata-json"),
    ];
    let mut seeds: Seeds = Vec::new();
    for (i, m) in M::ALL.into_iter().enumerate() {
        let (pb, json) = pb_json(m);
        let selector = u8::try_from(i).expect("few methods") << 1;
        seeds.push((NAMES[i].0, [&[selector][..], &pb].concat()));
        seeds.push((NAMES[i].1, [&[selector | 1][..], json.as_bytes()].concat()));
    }
    for (name, bytes) in emit("twirp_body", seeds) {
        let method = M::ALL[usize::from(bytes[0] >> 1)];
        let format = if bytes[0] & 1 == 0 { hikari_protocol::TwirpFormat::Protobuf } else { hikari_protocol::TwirpFormat::Json };
        assert!(hikari_protocol::decode_room_request(method, format, &bytes[1..]).is_ok(), "{name} decodes");
    }
}

#[test]
fn ingress_body() {
    use hikari_protocol::IngressMethod as M;
    let video = lk::IngressVideoOptions {
        source: lk::TrackSource::Camera as i32,
        encoding_options: Some(lk::ingress_video_options::EncodingOptions::Options(lk::IngressVideoEncodingOptions {
            video_codec: lk::VideoCodec::H264Baseline as i32,
            frame_rate: 30.0,
            layers: vec![lk::VideoLayer { quality: lk::VideoQuality::High as i32, width: 1280, height: 720, bitrate: 2_000_000, ..Default::default() }],
        })),
        ..Default::default()
    };
    let audio = lk::IngressAudioOptions {
        encoding_options: Some(lk::ingress_audio_options::EncodingOptions::Preset(lk::IngressAudioEncodingPreset::OpusStereo96kbps as i32)),
        ..Default::default()
    };
    let create = lk::CreateIngressRequest {
        input_type: lk::IngressInput::RtmpInput as i32,
        name: "obs".into(),
        room_name: "r".into(),
        participant_identity: "host".into(),
        video: Some(video),
        audio: Some(audio),
        enabled: Some(true),
        ..Default::default()
    };
    let bodies: [(M, &str, Vec<u8>, &str); 4] = [
        (
            M::CreateIngress,
            "create",
            create.encode_to_vec(),
            r#"{"inputType":"WHIP_INPUT","name":"obs","roomName":"r","participantIdentity":"host","enableTranscoding":false,"video":{"preset":"H264_720P_30FPS_3_LAYERS"}}"#,
        ),
        (
            M::UpdateIngress,
            "update",
            lk::UpdateIngressRequest { ingress_id: "IN_a".into(), name: "n".into(), enabled: Some(false), ..Default::default() }.encode_to_vec(),
            r#"{"ingressId":"IN_a","roomName":"s","audio":{"options":{"audioCodec":"OPUS","channels":1}}}"#,
        ),
        (M::ListIngress, "list", lk::ListIngressRequest { room_name: "r".into(), ..Default::default() }.encode_to_vec(), r#"{"ingressId":"IN_a"}"#),
        (M::DeleteIngress, "delete", lk::DeleteIngressRequest { ingress_id: "IN_a".into() }.encode_to_vec(), r#"{"ingressId":"IN_a"}"#),
    ];
    let mut seeds: Seeds = Vec::new();
    for (method, name, pb, json) in bodies {
        let selector = u8::try_from(M::ALL.iter().position(|m| *m == method).expect("listed")).expect("few methods") << 1;
        let json_name: &'static str = match name {
            "create" => "create-json",
            "update" => "update-json",
            "list" => "list-json",
            _ => "delete-json",
        };
        seeds.push((name, [&[selector][..], &pb].concat()));
        seeds.push((json_name, [&[selector | 1][..], json.as_bytes()].concat()));
    }
    for (name, bytes) in emit("ingress_body", seeds) {
        let method = M::ALL[usize::from(bytes[0] >> 1)];
        let format = if bytes[0] & 1 == 0 { hikari_protocol::TwirpFormat::Protobuf } else { hikari_protocol::TwirpFormat::Json };
        assert!(hikari_protocol::decode_ingress_request(method, format, &bytes[1..]).is_ok(), "{name} decodes");
    }
}

#[test]
fn egress_body() {
    use hikari_protocol::EgressMethod as M;
    use lk::track_composite_egress_request::Output as Legacy;
    let file = lk::DirectFileOutput { filepath: "tracks/{room_name}-{track_id}.ogg".into(), ..Default::default() };
    let track = lk::TrackEgressRequest {
        room_name: "r".into(),
        track_id: "TR_a".into(),
        output: Some(lk::track_egress_request::Output::File(file)),
        ..Default::default()
    };
    let hls = lk::SegmentedFileOutput {
        protocol: lk::SegmentedFileProtocol::HlsProtocol as i32,
        filename_prefix: "hls/{room_name}".into(),
        playlist_name: "index.m3u8".into(),
        live_playlist_name: "live.m3u8".into(),
        segment_duration: 2,
        ..Default::default()
    };
    let participant = |segment_outputs: Vec<lk::SegmentedFileOutput>, stream_outputs: Vec<lk::StreamOutput>| lk::ParticipantEgressRequest {
        room_name: "r".into(),
        identity: "host".into(),
        segment_outputs,
        stream_outputs,
        ..Default::default()
    };
    let thumbs = lk::ImageOutput { capture_interval: 5, width: 320, filename_prefix: "thumbs/{room_name}".into(), ..Default::default() };
    let rtmp = |urls: &[&str]| lk::StreamOutput { protocol: lk::StreamProtocol::Rtmp as i32, urls: urls.iter().map(|u| (*u).into()).collect() };
    let youtube = "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop";
    let twitch = "rtmps://u:secret@live.example:443/app/0123456789abcdef?token=zzz";
    // The Node SDK fills the deprecated `stream` field and the list with the same output.
    let stream = rtmp(&[youtube]);
    let composite = lk::TrackCompositeEgressRequest {
        room_name: "r".into(),
        audio_track_id: "TR_a".into(),
        video_track_id: "TR_v".into(),
        output: Some(Legacy::Stream(stream.clone())),
        stream_outputs: vec![stream],
        ..Default::default()
    };
    let update = lk::UpdateStreamRequest {
        egress_id: "EG_a".into(),
        add_output_urls: vec!["rtmp://b.rtmp.youtube.com/live2?backup=1/abcd-efgh-ijkl-mnop".into()],
        remove_output_urls: vec!["rtmp://a.rtmp.youtube.com/live2/{ab…op}".into(), twitch.into()],
    };
    let bodies: [(M, &str, &str, Vec<u8>, String); 7] = [
        (
            M::StartTrackEgress,
            "track-file",
            "track-file-json",
            track.encode_to_vec(),
            r#"{"roomName":"r","trackId":"TR_a","file":{"filepath":"tracks/{track_id}.webm"}}"#.into(),
        ),
        (
            M::StartParticipantEgress,
            "participant-hls",
            "participant-hls-json",
            lk::ParticipantEgressRequest { image_outputs: vec![thumbs], ..participant(vec![hls], Vec::new()) }.encode_to_vec(),
            r#"{"roomName":"r","identity":"host","screenShare":true,"segmentOutputs":[{"protocol":"HLS_PROTOCOL","filenamePrefix":"hls/{room_name}","playlistName":"index.m3u8","livePlaylistName":"live.m3u8","segmentDuration":4,"filenameSuffix":"INDEX"}],"imageOutputs":[{"captureInterval":5,"width":320,"filenamePrefix":"thumbs/{room_name}","imageCodec":"IC_JPEG"}]}"#.into(),
        ),
        (
            M::StartParticipantEgress,
            "participant-rtmp",
            "participant-rtmp-json",
            participant(Vec::new(), vec![rtmp(&[youtube, twitch])]).encode_to_vec(),
            format!(r#"{{"room_name":"r","identity":"host","stream_outputs":[{{"protocol":"RTMP","urls":["{youtube}","{twitch}"]}}],"segment_outputs":[{{}}]}}"#),
        ),
        (
            M::StartTrackCompositeEgress,
            "composite-stream",
            "composite-stream-json",
            composite.encode_to_vec(),
            format!(r#"{{"roomName":"r","audioTrackId":"TR_a","videoTrackId":"TR_v","stream":{{"protocol":"RTMP","urls":["{youtube}"]}}}}"#),
        ),
        (
            M::UpdateStream,
            "update-stream",
            "update-stream-json",
            update.encode_to_vec(),
            format!(r#"{{"egressId":"EG_a","addOutputUrls":["{twitch}"],"removeOutputUrls":["rtmp://a.rtmp.youtube.com/live2/{{ab…op}}"]}}"#),
        ),
        (
            M::ListEgress,
            "list",
            "list-json",
            lk::ListEgressRequest { room_name: "r".into(), active: true, ..Default::default() }.encode_to_vec(),
            r#"{"egressId":"EG_a"}"#.into(),
        ),
        (M::StopEgress, "stop", "stop-json", lk::StopEgressRequest { egress_id: "EG_a".into() }.encode_to_vec(), r#"{"egressId":"EG_a"}"#.into()),
    ];
    let mut seeds: Seeds = Vec::new();
    for (method, name, json_name, pb, json) in bodies {
        let selector = u8::try_from(M::ALL.iter().position(|m| *m == method).expect("listed")).expect("few methods") << 1;
        seeds.push((name, [&[selector][..], &pb].concat()));
        seeds.push((json_name, [&[selector | 1][..], json.as_bytes()].concat()));
    }
    for (name, bytes) in emit("egress_body", seeds) {
        let method = M::ALL[usize::from(bytes[0] >> 1)];
        let format = if bytes[0] & 1 == 0 { hikari_protocol::TwirpFormat::Protobuf } else { hikari_protocol::TwirpFormat::Json };
        let decoded = hikari_protocol::decode_egress_request(method, format, &bytes[1..]);
        assert!(decoded.is_ok(), "{name} decodes: {decoded:?}");
        hikari_fuzz::egress_body::run(&bytes);
    }
}

#[test]
fn data_packet() {
    use lk::data_packet::Value;
    let packet = |flags: u8, value: Value, to: &[&str]| {
        let p = lk::DataPacket {
            participant_identity: "mallory".into(),
            destination_identities: to.iter().map(|s| (*s).into()).collect(),
            value: Some(value),
            ..Default::default()
        };
        [&[flags][..], &p.encode_to_vec()].concat()
    };
    let user = lk::UserPacket {
        participant_identity: "mallory".into(),
        payload: b"hello".to_vec(),
        destination_identities: vec!["bob".into()],
        topic: Some("chat".into()),
        ..Default::default()
    };
    let seeds = vec![
        ("user", packet(0, Value::User(user.clone()), &[])),
        ("user-hidden-lossy", packet(5, Value::User(user), &["bob"])),
        ("chat", packet(0, Value::ChatMessage(lk::ChatMessage { id: "m1".into(), timestamp: 1, message: "hi".into(), ..Default::default() }), &["bob"])),
        ("rpc", packet(0, Value::RpcRequest(lk::RpcRequest { id: "r1".into(), method: "m".into(), payload: "{}".into(), ..Default::default() }), &["bob"])),
        ("transcription-agent", packet(2, Value::Transcription(lk::Transcription::default()), &[])),
        ("stream-chunk", packet(0, Value::StreamChunk(lk::data_stream::Chunk { stream_id: "s".into(), content: b"abc".to_vec(), ..Default::default() }), &[])),
        ("dtmf", packet(0, Value::SipDtmf(lk::SipDtmf { code: 1, digit: "1".into() }), &[])),
    ];
    for (name, bytes) in emit("data_packet", seeds) {
        let relayed = hikari_protocol::relay_data_packet(
            &bytes[1..],
            &ParticipantIdentity::from("alice"),
            &"PA_a".into(),
            false,
            true,
            hikari_types::Reliability::Reliable,
        );
        assert!(matches!(relayed, Ok(Some(_))), "{name} is relayed");
    }
}

#[test]
fn access_token() {
    let token = hikari_auth::AccessToken::new("devkey", 1_800_000_000, 600)
        .identity("alice")
        .video(hikari_auth::VideoGrant { room_join: true, room: "r".into(), ..Default::default() })
        .sign("fuzzing-secret")
        .expect("signs");
    let seeds = vec![
        ("bearer", [&[0][..], format!("Bearer {token}").as_bytes()].concat()),
        (
            "claims-join",
            [&[1][..], br#"{"iss":"devkey","sub":"alice","nbf":1799999990,"exp":1800000600,"name":"Alice","video":{"roomJoin":true,"room":"r","canPublish":false,"canPublishSources":["camera","microphone"],"canUpdateOwnMetadata":true},"metadata":"m","attributes":{"k":"v"},"kind":"agent"}"#].concat(),
        ),
        ("claims-admin", [&[1][..], br#"{"iss":"devkey","video":{"roomCreate":true,"roomList":true,"roomAdmin":true,"room":"r"}}"#].concat()),
        ("claims-webhook", [&[1][..], br#"{"iss":"devkey","nbf":1800000000,"exp":1800000300,"sha256":"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}"#].concat()),
        // Validity times at the ends of the range (`exp + 60` once overflowed).
        ("claims-far-times", [&[1][..], br#"{"iss":"devkey","nbf":-9223372036854775808,"exp":9223372036854775807}"#].concat()),
    ];
    let keys = hikari_auth::KeySet::new([("devkey".to_owned(), "fuzzing-secret".to_owned())]);
    emit("access_token", seeds);
    assert!(keys.verify(&token, 1_800_000_001).is_ok());
}

/// Bytes for the targets that take `Arbitrary` input, where any bytes are an input: a
/// fixed xorshift stream, so the seeds are the same on every run.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn webhook_payload() {
    let mut text = b"room_started\0EV_1\0".repeat(4);
    text.extend(noise(7, 200));
    let seeds = vec![("noise-64", noise(1, 64)), ("noise-512", noise(2, 512)), ("noise-2048", noise(3, 2048)), ("text", text)];
    emit("webhook_payload", seeds);
}

#[test]
fn sfu_media() {
    let seeds = vec![("noise-256", noise(11, 256)), ("noise-1024", noise(12, 1024)), ("noise-4096", noise(13, 4096))];
    emit("sfu_media", seeds);
}

#[test]
fn funnel_json() {
    let page = r##"{"version":1,"css":".hero{color:red}","page":{"sections":[{"id":"s","columns":[{"id":"c","width":50,"blocks":[
        {"id":"h","type":"heading","text":"Hi","level":2},
        {"id":"t","type":"text","text":"Line\nnext"},
        {"id":"i","type":"image","src":"/a.png","alt":"a"},
        {"id":"v","type":"video","src":"https://example.com/v.mp4","title":"v"},
        {"id":"b","type":"button","label":"Go","href":"#form"},
        {"id":"f","type":"form","fields":[{"name":"email","type":"email","required":true},{"name":"plan","type":"select","options":["a","b"]},
            {"name":"co","type":"text","show_if":{"field":"plan","op":"equals","value":"b"}},{"name":"ok","label":"I agree","type":"consent"}],
         "submit_label":"Send","event":"sign_up"},
        {"id":"d","type":"countdown","until":1800000000000,"label":"Starts in"},
        {"id":"x","type":"html","html":"<b>bold</b>"},
        {"id":"sp","type":"spacer","height":40}]}]}]}}"##;
    let bodies: [(&str, u8, &str); 14] = [
        ("funnel", 0, r#"{"slug":"webinar-1","name":"Webinar","locale":"ja"}"#),
        ("step", 1, r#"{"slug":"optin","name":"Opt-in","kind":"optin"}"#),
        ("step-redirect", 1, r#"{"slug":"go","name":"Go","kind":"redirect","redirect_url":"https://example.com/x"}"#),
        ("edge-form", 2, r#"{"from_step":1,"to_step":2,"condition":{"type":"form_submitted","form":"f"},"priority":1}"#),
        ("edge-property", 2, r#"{"from_step":1,"to_step":3,"condition":{"type":"property","field":"plan","op":"in","value":"pro, max"}}"#),
        ("edge-event", 2, r#"{"from_step":1,"to_step":2,"condition":{"type":"event_occurred","name":"video_complete"}}"#),
        ("page", 3, page),
        (
            "experiment",
            4,
            r#"{"name":"Headline","step":1,"arms":[{"name":"A","weight":1},{"name":"B","weight":3,"page":2,"next":3}],"goal":{"type":"conversion","event":"generate_lead","window_hours":24}}"#,
        ),
        (
            "experiment-bandit",
            4,
            r#"{"name":"Price","step":1,"arms":[{"name":"A","weight":0.5},{"name":"B","weight":0.5}],"goal":{"type":"value","event":"purchase","window_hours":168},"mode":"bandit","auto_winner":true,"min_units_per_arm":50}"#,
        ),
        ("change", 5, r#"{"weights":[0.2,0.8],"auto_winner":false,"status":"decided","winner":1}"#),
        ("compare-binomial", 6, r#"{"arms":[{"name":"A","n":1000,"conversions":100},{"name":"B","n":1000,"conversions":130}],"weights":[0.5,0.5]}"#),
        ("compare-value", 6, r#"{"arms":[{"n":500,"sum":2500.5,"sum_squares":40000},{"n":480,"sum":2700,"sum_squares":45000}]}"#),
        ("beacon", 7, r#"{"events":[{"name":"video_progress","props":{"percent":50,"value":1.5}},{"id":"abc-1","name":"cta_click","funnel":1,"step":2}]}"#),
        ("funnel-patch", 8, r#"{"name":"Renamed","locale":"en"}"#),
    ];
    let mut seeds: Seeds = bodies.iter().map(|(name, kind, body)| (*name, [&[*kind][..], body.as_bytes()].concat())).collect();
    seeds.push(("order", [&[9][..], br#"{"order":[3,1,2]}"#].concat()));
    for (name, bytes) in emit("funnel_json", seeds) {
        assert!(serde_json::from_slice::<serde_json::Value>(&bytes[1..]).is_ok(), "{name} is JSON");
    }
}

#[test]
fn webinar_json() {
    let bodies: [(&str, u8, &str); 14] = [
        ("message", 0, r#"{"text":"こんにちは\n皆さん"}"#),
        ("question", 0, r#"{"kind":"question","text":"価格はいくらですか？"}"#),
        ("poll", 1, r#"{"question":"今日の目的は？","options":["集客","売上","学び"]}"#),
        ("offer-path", 2, r#"{"title":"本講座","price":"¥29,800（税込）","url":"/f/sale/checkout?plan=a","stock":5,"ends_at":1800000000000}"#),
        ("offer-https", 2, r#"{"title":"外部決済","url":"https://pay.example/x"}"#),
        ("identity", 3, "attendee-12"),
        ("host", 3, "host-1"),
        ("vote", 4, r#"{"choice":1}"#),
        ("reaction", 4, r#"{"reaction":"clap"}"#),
        ("moderation", 5, r#"{"hidden":true,"highlighted":false}"#),
        ("segment", 3, "left_before_offer"),
        ("local-time", 3, "2026-12-24T20:00"),
        ("hand", 4, r#"{"raised":true}"#),
        ("stage", 4, r#"{"registrant":12,"on":true}"#),
    ];
    let seeds: Seeds = bodies.iter().map(|(name, kind, body)| (*name, [&[*kind][..], body.as_bytes()].concat())).collect();
    for (_, bytes) in emit("webinar_json", seeds) {
        hikari_fuzz::webinar_json::run(&bytes);
    }
}

#[test]
fn funnel_form() {
    let seeds = vec![
        ("optin", [&[0][..], b"_form=f&name=+%E5%B1%B1%E7%94%B0+&email=A%40Example.COM&plan=b&company=Acme&agree=on"].concat()),
        ("optin-invalid", [&[0][..], b"_form=f&email=nope&plan=c&_hp="].concat()),
        ("phone", [&[1][..], b"phone=%2B81+90-1234-5678&news=on&must=yes&short=ab%3F&why=because&other=x%40y.jp&consent_b=1"].concat()),
        ("email-only", [&[2][..], b"email=%20user%40example.org%20&name="].concat()),
        ("utm", [&[0][..], b"utm_source=news&utm_medium=email&utm_campaign=spring+sale&utm_term=a%26b&utm_content=%E2%9C%93&gclid=abc"].concat()),
        ("accept-language", [&[2][..], b"fr-CH, fr;q=0.9, en;q=0.8, ja;q=0.95, *;q=0.5"].concat()),
    ];
    emit("funnel_form", seeds);
}

/// The server's ICE ufrag in an SDP.
fn ufrag(sdp: &str) -> String {
    sdp.lines().find_map(|l| l.strip_prefix("a=ice-ufrag:")).expect("an ICE ufrag").trim().to_owned()
}

#[test]
fn sfu_signal() {
    // The scene of the target with mallory as a world client: the server's offer to
    // her, answered by a browser-like client, is the answer the input can give.
    let mut scene = shared::alice_and_bob(0);
    let video_sid = scene
        .w
        .client(scene.alice)
        .signals
        .iter()
        .find_map(|s| match s {
            ServerSignal::TrackPublished { track, .. } => Some(track.sid.to_string()),
            _ => None,
        })
        .expect("alice's track");
    let mallory = scene.w.join("room", "mallory", Permissions::default());
    let server_offer = scene
        .w
        .client(mallory)
        .signals
        .iter()
        .find_map(|s| match s {
            ServerSignal::Offer(o) => Some(o.sdp.clone()),
            _ => None,
        })
        .expect("the server offers alice's video");
    let mut browser = Rtc::builder().build(Instant::now());
    browser.add_local_candidate(Candidate::host("10.0.0.98:5001".parse().expect("valid"), "udp").expect("host candidate"));
    let answer = browser.sdp_api().accept_offer(SdpOffer::from_sdp_string(&server_offer).expect("valid offer")).expect("accepted").to_sdp_string();

    let frames: BTreeMap<&str, Vec<u8>> = client_frames(&video_sid).into_iter().collect();
    let f = |name: &str| frames[name].clone();
    let mallory_header = |pause: u8| pause << 2;
    let to_alice = 2;
    let to_bob = 3;
    let session = |setup: u8, steps: Vec<(u8, Vec<u8>)>| -> Vec<u8> {
        let mut out = vec![setup];
        for (header, body) in steps {
            out.extend(chunk(header, &body));
        }
        out
    };
    let single_offer = request(Req::Offer(sdp(
        "offer",
        offer_sdp(&[(MediaKind::Video, "mallory-Video"), (MediaKind::Audio, "mallory-Audio")], &[MediaKind::Audio, MediaKind::Video]),
        1,
    )));
    let seeds = vec![
        (
            "publish",
            session(
                0,
                vec![
                    (mallory_header(0), f("add-track")),
                    (mallory_header(1), f("offer")),
                    (mallory_header(0), f("trickle")),
                    (mallory_header(1), f("ping-req")),
                    (mallory_header(2), f("leave")),
                ],
            ),
        ),
        ("answer", session(0, vec![(mallory_header(1), request(Req::Answer(sdp("answer", answer, 1)))), (mallory_header(2), f("subscription"))])),
        (
            "single-pc",
            session(
                setup::SINGLE_PC | setup::UPDATE_METADATA,
                vec![
                    (mallory_header(0), request(Req::AddTrack(add_track("mallory-Video", true)))),
                    (mallory_header(0), request(Req::AddTrack(add_track("mallory-Audio", false)))),
                    (mallory_header(1), single_offer),
                    (mallory_header(0), f("update-metadata")),
                    (mallory_header(3), f("ping")),
                ],
            ),
        ),
        (
            "others",
            session(
                setup::ALICE_AUDIO | setup::NO_AUTO_SUBSCRIBE,
                vec![
                    (to_alice, f("mute")),
                    (to_bob | mallory_header(1), f("track-setting")),
                    (to_bob, f("subscription")),
                    (mallory_header(0), f("subscription")),
                    (0xf0, Vec::new()),
                ],
            ),
        ),
    ];
    emit("sfu_signal", seeds);
}

/// A STUN binding request from a browser to the server.
fn stun_binding(username: &str) -> Vec<u8> {
    let mut attr = vec![0x00, 0x06];
    attr.extend_from_slice(&u16::try_from(username.len()).expect("short").to_be_bytes());
    attr.extend_from_slice(username.as_bytes());
    while attr.len() % 4 != 0 {
        attr.push(0);
    }
    // PRIORITY, ICE-CONTROLLING and a MESSAGE-INTEGRITY that cannot be right.
    attr.extend_from_slice(&[0x00, 0x24, 0x00, 0x04, 0x6e, 0x7f, 0x1e, 0xff]);
    attr.extend_from_slice(&[0x80, 0x2a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
    attr.extend_from_slice(&[0x00, 0x08, 0x00, 0x14]);
    attr.extend_from_slice(&[0xaa; 20]);
    let mut d = vec![0x00, 0x01];
    d.extend_from_slice(&u16::try_from(attr.len()).expect("short").to_be_bytes());
    d.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
    d.extend_from_slice(&[7; 12]);
    d.extend_from_slice(&attr);
    d
}

#[test]
fn sfu_datagram() {
    let (w, alice, _bob, _video) = shared::call();
    let answer = w
        .client(alice)
        .signals
        .iter()
        .find_map(|s| match s {
            ServerSignal::Answer(a) => Some(a.sdp.clone()),
            _ => None,
        })
        .expect("the server answered alice");
    let server_ufrag = ufrag(&answer);
    let stun = stun_binding(&format!("{server_ufrag}:abcd"));
    // DTLS 1.2 records: a handshake record (epoch 0) and application data (epoch 1).
    let dtls_handshake = [&[22u8, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 5, 0, 12][..], &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]].concat();
    let dtls_data = [&[23u8, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 16][..], &[0x5a; 16]].concat();
    // RTP (VP8-like payload, extension header) and RTCP (receiver report + PLI).
    let rtp =
        [&[0x90u8, 96, 0x12, 0x34, 0, 0, 0x0b, 0xb8, 0xde, 0xad, 0xbe, 0xef, 0xbe, 0xde, 0, 1, 0x10, 0x01, 0, 0][..], &[0x10, 0, 0x9d, 1, 0x2a], &[0xab; 40]]
            .concat();
    let rtcp = [&[0x81u8, 201, 0, 7, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef][..], &[0; 20], &[0x81, 206, 0, 2, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]].concat();
    let from_alice = 0;
    let from_stranger = 4;
    let seeds = vec![
        ("stun-stranger", chunk(from_stranger, &stun)),
        ("stun-alice", [chunk(from_alice, &stun), chunk(from_alice | (1 << 3), &stun)].concat()),
        ("dtls", [chunk(from_stranger, &dtls_handshake), chunk(from_alice, &dtls_data)].concat()),
        ("rtp-rtcp", [chunk(from_alice, &rtp), chunk(from_alice | (2 << 3), &rtcp), chunk(from_stranger + 1, &rtp)].concat()),
        ("garbage", [chunk(from_stranger, &[]), chunk(from_alice, &[0x00]), chunk(3, &[0x80; 200])].concat()),
    ];
    emit("sfu_datagram", seeds);
    // Every run of the scene pins the same ufrag: the seeds stay valid.
    let (again, a2, _, _) = shared::call();
    let answer2 = again.client(a2).signals.iter().find_map(|s| match s {
        ServerSignal::Answer(a) => Some(a.sdp.clone()),
        _ => None,
    });
    assert_eq!(answer2.map(|a| ufrag(&a)), Some(server_ufrag), "the server's ufrag is the same in every run");
}

/// One record of the turn_server target: `[kind, len_hi, len_lo, bytes...]`.
fn turn_record(kind: u8, bytes: &[u8]) -> Vec<u8> {
    [&[kind][..], &u16::try_from(bytes.len()).expect("short").to_be_bytes(), bytes].concat()
}

/// A STUN request (`method`) with the given attributes `(type, value)`, padded.
fn stun_request(method: u16, attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in attrs {
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&u16::try_from(v.len()).expect("short").to_be_bytes());
        body.extend_from_slice(v);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    let mut d = method.to_be_bytes().to_vec();
    d.extend_from_slice(&u16::try_from(body.len()).expect("short").to_be_bytes());
    d.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
    d.extend_from_slice(&[9; 12]);
    d.extend_from_slice(&body);
    d
}

#[test]
fn turn_server() {
    let (username, _password) = hikari_turn::fuzzing::seed_credential();
    let udp_transport: &[u8] = &[17, 0, 0, 0];
    let allocate = stun_request(0x0003, &[(0x0019, udp_transport)]);
    let signed = stun_request(
        0x0003,
        &[(0x0019, udp_transport), (0x0006, username.as_bytes()), (0x0014, b"hikari"), (0x0015, b"0123456789abcdef"), (0x0008, &[0xaa; 20])],
    );
    let binding = stun_request(0x0001, &[]);
    let channel = [&[0x40u8, 0x00, 0x00, 0x05][..], &[1, 2, 3, 4, 5, 0, 0, 0]].concat();
    let seeds = vec![
        ("udp-allocate", [turn_record(0, &allocate), turn_record(0, &signed), turn_record(0, &channel)].concat()),
        ("stream-allocate", [turn_record(1, &[allocate.clone(), signed.clone(), channel.clone()].concat())].concat()),
        ("stream-split", [turn_record(1, &signed[..7]), turn_record(1, &signed[7..]), turn_record(1, &binding)].concat()),
        ("peer-and-time", [turn_record(0, &binding), turn_record(2, &[0x80; 40]), turn_record(3, &[200]), turn_record(0, &allocate)].concat()),
    ];
    for (name, bytes) in &seeds {
        hikari_turn::fuzzing::feed(bytes);
        assert!(bytes.len() > 4, "{name} holds records");
    }
    emit("turn_server", seeds);
}

#[test]
fn codec_descriptor_seeds() {
    use hikari_sfu::codec::{dd, red, vp8, vp9};
    // VP8: a keyframe start with every field, a 7-bit PictureID inter frame, a plain descriptor.
    let vp8_seeds: Seeds = vec![
        ("full", vec![0x90, 0xf0, 0x92, 0x34, 0x09, 0xa5, 0x00, 0x9d, 0x01, 0x2a]),
        ("short-picture-id", vec![0x90, 0x80, 0x05, 0x01, 0xab]),
        ("plain", vec![0x10, 0x00, 0xab]),
    ];
    for (name, bytes) in emit("vp8_descriptor", vp8_seeds) {
        assert!(vp8::parse(&bytes).is_some(), "{name}");
    }
    // VP9: non-flexible with layer indices and a scalability structure; flexible with references.
    let vp9_seeds: Seeds = vec![
        ("non-flexible-ss", vec![0xaa, 0x80, 0x01, 0x00, 0x00, 0x58, 0, 1, 0, 1, 0, 2, 0, 2, 0, 4, 0, 4, 0x01, 0x08, 0x01, 0x02, 0xaa]),
        ("flexible", vec![0xf8, 0x09, 0x20, 0x03, 0x04, 0xaa]),
        ("upper-layer", vec![0xac, 0x92, 0x34, 0x53, 0x07, 0xaa]),
    ];
    for (name, bytes) in emit("vp9_descriptor", vp9_seeds) {
        assert!(vp9::parse(&bytes).is_some(), "{name}");
    }
    // The dependency descriptor: an L2T1 keyframe with its structure, then S1 and the next
    // picture's S0 (each behind a length byte).
    let dd_seeds: Seeds = vec![("l2t1", vec![8, 192, 0, 0, 128, 1, 186, 36, 0, 3, 193, 0, 0, 3, 192, 0, 1])];
    for (name, bytes) in emit("av1_dependency_descriptor", dd_seeds) {
        let (frame, structure) = dd::parse(&bytes[1..9], None).expect(name);
        assert_eq!((frame.spatial, structure.map(|s| s.decode_targets)), (0, Some(2)));
    }
    // RED: one redundant block and the primary; no redundancy.
    let red_seeds: Seeds = vec![("one-redundant", vec![0xef, 0x03, 0xc0, 0x03, 0x6f, 1, 2, 3, 9, 9]), ("primary-only", vec![0x6f, 7, 7])];
    for (name, bytes) in emit("red_payload", red_seeds) {
        assert!(red::primary(&bytes).is_some(), "{name}");
    }
}

#[test]
fn codec_seeds() {
    use hikari_codec::{Depacketizer, RtpView, SenderReport, SpsInfo};
    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
    }
    // RTP as ffmpeg sends it (Opus, an H.264 FU-A start), one with CSRCs, an extension and
    // padding, and ffmpeg's RTCP sender report followed by its SDES.
    let mut opus = vec![0x80, 0x80 | 111, 0x00, 0x01, 0x00, 0x00, 0x03, 0xc0, 0x00, 0x00, 0x03, 0xe8];
    opus.extend_from_slice(&[0xfc, 0xff, 0xfe]);
    let mut fu = vec![0x80, 102, 0x00, 0x02, 0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x07, 0xd0, 0x7c, 0x85];
    fu.extend_from_slice(&[0xb8; 40]);
    let mut ext = vec![0xb2, 102, 0, 3, 0, 0, 0, 9, 0, 0, 7, 0xd0, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0];
    ext.extend_from_slice(&[0x41, 0x9a, 0, 0, 2]);
    let mut sr = vec![0x80, 200, 0, 6, 0, 0, 0x03, 0xe8, 0xec, 0x4b, 0x1a, 0x00, 0x80, 0, 0, 0, 0, 0, 0x03, 0xc0, 0, 0, 0, 1, 0, 0, 0, 3];
    sr.extend_from_slice(&[0x81, 202, 0, 3, 0, 0, 0x03, 0xe8, 1, 4, b'h', b'k', b'r', b'i', 0, 0]);
    let rtp: Seeds = vec![("opus", opus), ("h264-fu-a", fu), ("csrc-extension-padding", ext), ("sender-report", sr.clone())];
    for (name, bytes) in emit("rtp_header", rtp) {
        assert!(RtpView::parse(&bytes).is_ok() || SenderReport::parse(&bytes).is_ok(), "{name}");
    }
    assert!(SenderReport::parse(&sr).is_ok());
    // x264's SPS: constrained baseline 640x360, high 1080p with B-frames, main 720p.
    let sps: Seeds = vec![
        ("baseline-360", hex("6742c01ed900a02ff970110000030001000003003c0f162e48")),
        ("high-1080", hex("67640028acd940780227e5c044000003000400000300f03c60c658")),
        ("main-720", hex("674d401feca02802dd8088000003000800000301e078c18cb0")),
    ];
    for (name, bytes) in emit("h264_sps", sps) {
        assert!(SpsInfo::parse(&bytes).is_ok(), "{name}");
    }
    // A payload size byte, then length-prefixed payloads: a STAP-A of SPS and PPS, a FU-A
    // IDR in two fragments, a single slice.
    let sps = hex("6742c01ed900a02ff970110000030001000003003c0f162e48");
    let pps = hex("68cb83cb20");
    let mut stap = vec![0x78, 0, sps.len() as u8];
    stap.extend_from_slice(&sps);
    stap.extend_from_slice(&[0, pps.len() as u8]);
    stap.extend_from_slice(&pps);
    let mut stream = vec![150u8];
    for p in [stap, [&[0x7c, 0x85][..], &[0xab; 60]].concat(), [&[0x7c, 0x45][..], &[0xcd; 30]].concat(), [&[0x41][..], &[0x9a; 20]].concat()] {
        stream.push(p.len() as u8);
        stream.extend_from_slice(&p);
    }
    for (name, bytes) in emit("h264_payload", vec![("stap-fu-single", stream)]) {
        let (mut d, mut units, mut rest) = (Depacketizer::new(1 << 16), Vec::new(), &bytes[1..]);
        while let Some((&len, tail)) = rest.split_first() {
            d.push(&tail[..usize::from(len)], &mut units).expect(name);
            rest = &tail[usize::from(len)..];
        }
        assert_eq!(units.len(), 4, "{name}");
    }
}

/// A short ffmpeg encode (160x120 x264 with B-frames, AAC 48 kHz mono) in `format`.
fn ffmpeg_encode(format: &str, seconds: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("hikari-seeds-{format}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("out");
    let args = format!(
        "-hide_banner -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=15 -f lavfi -i sine=frequency=440:sample_rate=48000 -t {seconds} \
         -c:v libx264 -preset veryfast -bf 2 -g 15 -pix_fmt yuv420p -c:a aac -b:a 32k -ar 48000 -fflags +bitexact -f {format}"
    );
    let status = std::process::Command::new("/usr/bin/ffmpeg").args(args.split_whitespace()).arg(&path).status().expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg made the {format} file");
    let bytes = std::fs::read(&path).expect("the file");
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

/// The audio (8) and video (9) tags of an FLV file: `(type, timestamp, body)`.
fn flv_tags(flv: &[u8]) -> Vec<(u8, u32, Vec<u8>)> {
    let mut tags = Vec::new();
    let mut at = 9 + 4;
    while at + 11 <= flv.len() {
        let size = u32::from_be_bytes([0, flv[at + 1], flv[at + 2], flv[at + 3]]) as usize;
        let ts = u32::from_be_bytes([flv[at + 7], flv[at + 4], flv[at + 5], flv[at + 6]]);
        let Some(body) = flv.get(at + 11..at + 11 + size) else { break };
        if flv[at] == 8 || flv[at] == 9 {
            tags.push((flv[at], ts, body.to_vec()));
        }
        at += 11 + size + 4;
    }
    tags
}

#[test]
fn broadcast_input_seeds() {
    use hikari_demux::fuzzing::{client_message, feed_flv, feed_rtmp, feed_ts, publish_prefix};
    use hikari_demux::{Elementary, FlvDemuxer, TsDemuxer};

    // FLV tag bodies from ffmpeg: the sequence headers and the first few frames.
    let tags = flv_tags(&ffmpeg_encode("flv", "0.4"));
    let first: Vec<_> = tags.iter().take(8).collect();
    let mut flv = FlvDemuxer::new();
    let mut configs = 0;
    for (t, ts, body) in &first {
        let b = bytes::Bytes::copy_from_slice(body);
        let unit = if *t == 8 { flv.audio(*ts, &b) } else { flv.video(*ts, &b) }.expect("ffmpeg's tags parse");
        configs += usize::from(matches!(unit, Some(Elementary::VideoConfig(_) | Elementary::AudioConfig(_))));
    }
    assert_eq!(configs, 2, "both sequence headers among the first tags");
    let record =
        |kind: u8, body: &[u8]| [&[kind][..], &u16::try_from(body.len().min(65535)).expect("short").to_be_bytes(), &body[..body.len().min(65535)]].concat();
    let flv_seed: Vec<u8> = first.iter().flat_map(|(t, _, body)| record(if *t == 8 { 0 } else { 1 }, body)).collect();
    let enhanced = [record(1, b"\x90hvc1\x01\x02"), record(0, b"\x9fOpus"), record(1, &[0x17, 1, 0xff, 0xff, 0xf0, 0, 0, 0, 2, 0x65, 0x88])].concat();
    let flv_seeds = emit("flv_tag", vec![("ffmpeg", flv_seed), ("enhanced-and-negative-cts", enhanced)]);

    // RTMP: ffmpeg's publish flow, then those tags as media messages.
    let media: Vec<u8> = first.iter().flat_map(|(t, ts, body)| client_message(if *t == 8 { 4 } else { 6 }, *t, 1, *ts, body, 4096)).collect();
    let rtmp_seeds = emit(
        "rtmp_session",
        vec![
            ("from-scratch", [&[0xfc][..], &publish_prefix("x", "key"), &media].concat()),
            ("after-publish", [&[0xfd][..], &media].concat()),
            ("small-pieces", [&[0x05][..], &publish_prefix("live", "abc?x=1")].concat()),
        ],
    );

    // MPEG-TS from ffmpeg.
    let ts = ffmpeg_encode("mpegts", "0.3");
    let mut d = TsDemuxer::new();
    d.push(&ts).expect("ffmpeg's TS");
    d.flush();
    assert!(std::iter::from_fn(|| d.poll()).any(|u| matches!(u, Elementary::VideoConfig(_))));
    let ts_seeds =
        emit("mpegts_demux", vec![("ffmpeg", [&[187u8][..], &ts].concat()), ("ffmpeg-small-pieces", [&[6u8][..], &ts[..ts.len().min(188 * 40)]].concat())]);

    for (_, s) in &flv_seeds {
        feed_flv(s);
    }
    for (_, s) in &rtmp_seeds {
        feed_rtmp(s);
    }
    for (_, s) in &ts_seeds {
        feed_ts(s);
    }
}

#[test]
fn srt_listener_seeds() {
    use hikari_ingest::fuzzing::{feed, record, seed};
    let keepalive = [0x80u8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let seeds = emit(
        "srt_listener",
        vec![
            ("accepted", seed("sk", &keepalive)),
            ("access-control-refused", [seed("#!::u=obs,r=other", &keepalive), record(2, &[60]), record(1, &[0x47; 188])].concat()),
            ("ended-and-swept", [seed("#!::r=sk", &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x47]), record(3, &[]), record(2, &[120])].concat()),
        ],
    );
    let opened: Vec<usize> = seeds.iter().map(|(_, bytes)| feed(bytes)).collect();
    assert_eq!(opened, vec![1, 0, 1], "the seeds reach the decision and the sessions");
}

#[test]
fn whip_offer_seeds() {
    use hikari_ingest::whip::{frag, offer};
    let browser = offer_sdp(&[(MediaKind::Audio, "mic"), (MediaKind::Video, "cam")], &[]);
    let simulcast = browser.replace("a=msid:stream cam\r\n", "a=msid:stream cam\r\na=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n");
    let restart = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
    let trickle = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2113 10.77.0.2 5000 typ host\r\na=end-of-candidates\r\n";
    let seeds = emit(
        "whip_offer",
        vec![
            ("browser", browser.clone().into_bytes()),
            ("simulcast", simulcast.clone().into_bytes()),
            ("restart", format!("{browser}\0{restart}").into_bytes()),
            ("trickle", format!("{simulcast}\0{trickle}").into_bytes()),
        ],
    );
    let counts: Vec<usize> =
        seeds.iter().map(|(_, s)| offer::tracks(String::from_utf8_lossy(s).split('\0').next().unwrap_or_default()).map_or(0, |t| t.len())).collect();
    assert_eq!(counts, vec![2, 2, 2, 2], "every seed is an offer the server takes");
    assert!(matches!(frag::parse(restart), Ok(frag::Patch::Restart(_))));
    assert_eq!(frag::parse(trickle), Ok(frag::Patch::Trickle));
    assert_eq!(offer::tracks(&simulcast).expect("valid")[1].layers.len(), 3);
}
