//! IngressService bodies: protobuf as the Python SDK sends it, protojson as the Node SDK sends
//! it, and responses that decode back to what was encoded.

use hikari_types::{
    AudioEncoding, AudioPreset, Ingress, IngressId, IngressInput, IngressResponse, IngressState, IngressStatus, InputVideoState, SimulcastLayer, TrackInfo,
    TrackKind, TrackSource, VideoCodec, VideoEncoding, VideoPreset, VideoQuality,
};
use prost::Message;

use super::*;
use crate::ingress::ingress_from_proto;

fn create(format: TwirpFormat, body: &[u8]) -> CreateIngress {
    match decode_ingress_request(IngressMethod::CreateIngress, format, body) {
        Ok(IngressRequest::Create(c)) => c,
        other => panic!("not a create: {other:?}"),
    }
}

#[test]
fn create_from_protobuf_and_from_node_json() {
    let msg = lk::CreateIngressRequest {
        input_type: lk::IngressInput::WhipInput as i32,
        name: "obs".into(),
        room_name: "webinar".into(),
        participant_identity: "host".into(),
        participant_name: "Host".into(),
        enable_transcoding: Some(true),
        video: Some(lk::IngressVideoOptions {
            source: lk::TrackSource::ScreenShare as i32,
            encoding_options: Some(lk::ingress_video_options::EncodingOptions::Preset(lk::IngressVideoEncodingPreset::H2641080p30fps1Layer as i32)),
            ..Default::default()
        }),
        audio: Some(lk::IngressAudioOptions {
            encoding_options: Some(lk::ingress_audio_options::EncodingOptions::Preset(lk::IngressAudioEncodingPreset::OpusMono64kbs as i32)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pb = create(TwirpFormat::Protobuf, &msg.encode_to_vec());
    // protojson as the Node SDK writes it: enum names, camelCase, the oneof's member by name.
    let json = r#"{"inputType":"WHIP_INPUT","name":"obs","roomName":"webinar","participantIdentity":"host","participantName":"Host",
        "enableTranscoding":true,"video":{"source":"SCREEN_SHARE","preset":"H264_1080P_30FPS_1_LAYER"},"audio":{"preset":"OPUS_MONO_64KBS"}}"#;
    let js = create(TwirpFormat::Json, json.as_bytes());
    assert_eq!(pb, js);
    assert_eq!((pb.input, pb.room_name.as_str(), pb.participant_identity.as_str(), pb.enable_transcoding), (IngressInput::Whip, "webinar", "host", Some(true)));
    let video = pb.video.expect("video");
    assert_eq!((video.source, video.encoding), (TrackSource::ScreenShare, Some(VideoEncoding::Preset(VideoPreset::H264_1080p30_1Layer))));
    assert_eq!(pb.audio.and_then(|a| a.encoding), Some(AudioEncoding::Preset(AudioPreset::OpusMono64Kbps)));
    // The Node SDK's smallest create: RTMP is 0, so it is left out.
    let minimal = create(TwirpFormat::Json, br#"{"name":"n","roomName":"r","participantIdentity":"p"}"#);
    assert_eq!((minimal.input, minimal.enable_transcoding, minimal.enabled), (IngressInput::Rtmp, None, None));
}

#[test]
fn explicit_options_list_update_and_delete() {
    let json = r#"{"participantIdentity":"p","video":{"options":{"videoCodec":"H264_BASELINE","frameRate":25,
        "layers":[{"quality":"HIGH","width":1280,"height":720,"bitrate":2000000}]}}}"#;
    let c = create(TwirpFormat::Json, json.as_bytes());
    let Some(VideoEncoding::Options(o)) = c.video.and_then(|v| v.encoding) else { panic!("options") };
    assert_eq!((o.codec, o.frame_rate), (VideoCodec::H264Baseline, 25.0));
    assert_eq!(o.layers, vec![SimulcastLayer { quality: VideoQuality::High, width: 1280, height: 720, bitrate: 2_000_000 }]);

    let list = decode_ingress_request(IngressMethod::ListIngress, TwirpFormat::Json, br#"{"roomName":"r"}"#).expect("list");
    assert_eq!(list, IngressRequest::List(IngressFilter { room_name: Some(RoomName::new("r")), id: None }));
    let all = decode_ingress_request(IngressMethod::ListIngress, TwirpFormat::Protobuf, b"").expect("all");
    assert_eq!(all, IngressRequest::List(IngressFilter::default()));
    let by_id = lk::ListIngressRequest { ingress_id: "IN_a".into(), ..Default::default() };
    let by_id = decode_ingress_request(IngressMethod::ListIngress, TwirpFormat::Protobuf, &by_id.encode_to_vec()).expect("by id");
    assert_eq!(by_id, IngressRequest::List(IngressFilter { room_name: None, id: Some(IngressId::new("IN_a")) }));

    let update = lk::UpdateIngressRequest { ingress_id: "IN_a".into(), name: "new".into(), enabled: Some(false), ..Default::default() };
    let Ok(IngressRequest::Update(u)) = decode_ingress_request(IngressMethod::UpdateIngress, TwirpFormat::Protobuf, &update.encode_to_vec()) else {
        panic!("update")
    };
    assert_eq!((u.id.as_str(), u.name.as_str(), u.enabled, u.enable_transcoding), ("IN_a", "new", Some(false), None));
    let delete = decode_ingress_request(IngressMethod::DeleteIngress, TwirpFormat::Json, br#"{"ingressId":"IN_a"}"#).expect("delete");
    assert_eq!(delete, IngressRequest::Delete(IngressId::new("IN_a")));
}

#[test]
fn bad_bodies_are_refused_with_livekits_messages() {
    let refused = |method, format, body: &[u8]| decode_ingress_request(method, format, body).expect_err("refused").to_string();
    assert_eq!(
        refused(IngressMethod::CreateIngress, TwirpFormat::Protobuf, &lk::CreateIngressRequest { input_type: 4, ..Default::default() }.encode_to_vec()),
        "invalid ingress type"
    );
    let preset = lk::CreateIngressRequest {
        video: Some(lk::IngressVideoOptions { encoding_options: Some(lk::ingress_video_options::EncodingOptions::Preset(99)), ..Default::default() }),
        ..Default::default()
    };
    assert_eq!(refused(IngressMethod::CreateIngress, TwirpFormat::Protobuf, &preset.encode_to_vec()), "invalid video parameters: invalid preset");
    assert!(refused(IngressMethod::CreateIngress, TwirpFormat::Json, br#"{"inputType":"SRT_INPUT"}"#).contains("inputType"));
    assert!(refused(IngressMethod::DeleteIngress, TwirpFormat::Json, b"{}").contains("ingress_id is required"));
    assert!(matches!(decode_ingress_request(IngressMethod::UpdateIngress, TwirpFormat::Protobuf, &[0xff, 0xff]), Err(ProtocolError::Malformed { .. })));
}

fn full() -> Ingress {
    Ingress {
        id: IngressId::new("IN_abc"),
        name: "obs".into(),
        stream_key: "k3y".into(),
        url: "rtmp://h:1935/x".into(),
        input: IngressInput::Rtmp,
        enable_transcoding: Some(true),
        reusable: true,
        enabled: Some(true),
        video: Some(hikari_types::IngressVideoOptions {
            name: "v".into(),
            source: TrackSource::Camera,
            encoding: Some(VideoEncoding::Preset(VideoPreset::H264_540p25_2LayersHighMotion)),
        }),
        room_name: RoomName::new("r"),
        participant_identity: ParticipantIdentity::new("p"),
        participant_metadata: "m".into(),
        state: IngressState {
            status: IngressStatus::Publishing,
            video: Some(InputVideoState { mime_type: "video/h264".into(), average_bitrate: 3_000_000, width: 1920, height: 1080, framerate: 30.0 }),
            started_at: 1_800_000_000_000_000_000,
            resource_id: "RS_x".into(),
            tracks: vec![TrackInfo { sid: "TR_v".into(), kind: TrackKind::Video, width: 1920, height: 1080, ..Default::default() }],
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn responses_round_trip_in_both_formats() {
    let i = full();
    let pb = encode_ingress_response(TwirpFormat::Protobuf, &IngressResponse::Ingress(Box::new(i.clone())));
    let back = ingress_from_proto(lk::IngressInfo::decode(pb.as_slice()).expect("decodes")).expect("converts");
    assert_eq!(back, i);
    let js = encode_ingress_response(TwirpFormat::Json, &IngressResponse::List(vec![i.clone()]));
    let v: serde_json::Value = serde_json::from_slice(&js).expect("json");
    let item = &v["items"][0];
    assert_eq!((item["ingressId"].as_str(), item["streamKey"].as_str()), (Some("IN_abc"), Some("k3y")));
    assert!(item.get("inputType").is_none(), "RTMP_INPUT is the default, left out as protojson does");
    assert_eq!(item["state"]["status"], "ENDPOINT_PUBLISHING");
    assert_eq!(item["state"]["startedAt"], "1800000000000000000", "int64 is a string in protojson");
    assert_eq!(item["video"]["preset"], "H264_540P_25FPS_2_LAYERS_HIGH_MOTION");
    assert_eq!(item["enableTranscoding"], true);
    let decoded: lk::ListIngressResponse = serde_json::from_slice(&js).expect("protojson decodes");
    assert_eq!(ingress_from_proto(decoded.items[0].clone()).expect("converts"), i);
    // An inactive ingress still carries its state (the SDKs read `state.status`).
    let fresh = Ingress { state: IngressState::default(), ..i };
    let v: serde_json::Value = serde_json::from_slice(&encode_ingress_response(TwirpFormat::Json, &IngressResponse::Ingress(Box::new(fresh)))).expect("json");
    assert!(v["state"].is_object(), "{v}");
}

#[test]
fn every_preset_keeps_its_wire_value() {
    for (n, preset) in VideoPreset::ALL.into_iter().enumerate() {
        let wire = lk::IngressVideoOptions { encoding_options: Some(lk::ingress_video_options::EncodingOptions::Preset(n as i32)), ..Default::default() };
        let ours = crate::ingress::video_from_proto(wire.clone()).expect("known");
        assert_eq!(ours.encoding, Some(VideoEncoding::Preset(preset)));
        let i = Ingress { video: Some(ours), ..Default::default() };
        assert_eq!(crate::ingress::ingress_to_proto(&i).video, Some(wire));
    }
}
