//! EgressService decoding and encoding.

use super::*;

#[test]
fn a_track_egress_decodes_from_json_and_protobuf() {
    let json = br#"{"room_name":"r","track_id":"TR_a","file":{"filepath":"x/{track_id}.ogg"}}"#;
    let want = EgressRequest::StartTrack(StartTrackEgress { room_name: "r".into(), track_id: "TR_a".into(), filepath: "x/{track_id}.ogg".into() });
    assert_eq!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, json).expect("json"), want);
    let pb = prost::Message::encode_to_vec(&lk::TrackEgressRequest {
        room_name: "r".into(),
        track_id: "TR_a".into(),
        output: Some(lk::track_egress_request::Output::File(lk::DirectFileOutput { filepath: "x/{track_id}.ogg".into(), ..Default::default() })),
        ..Default::default()
    });
    assert_eq!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Protobuf, &pb).expect("protobuf"), want);
}

#[test]
fn what_is_not_run_here_is_unsupported_with_a_hint_and_bad_bodies_are_refused() {
    for m in [EgressMethod::StartRoomCompositeEgress, EgressMethod::StartWebEgress, EgressMethod::UpdateStream, EgressMethod::UpdateLayout] {
        let e = decode_egress_request(m, TwirpFormat::Json, b"{}").expect_err("unsupported");
        assert!(matches!(&e, ProtocolError::Unsupported(msg) if msg.starts_with(m.name())), "{e}");
    }
    let ws = br#"{"room_name":"r","track_id":"TR_a","websocket_url":"wss://x"}"#;
    assert!(matches!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, ws), Err(ProtocolError::Unsupported(_))));
    let s3 = br#"{"room_name":"r","track_id":"TR_a","file":{"filepath":"a","s3":{"bucket":"b"}}}"#;
    assert!(matches!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, s3), Err(ProtocolError::Unsupported(_))));
    for body in [&br#"{"room_name":"r","track_id":"TR_a"}"#[..], br#"{"track_id":"TR_a","file":{}}"#, b"{"] {
        assert!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, body).is_err());
    }
    assert!(matches!(decode_egress_request(EgressMethod::StopEgress, TwirpFormat::Json, b"{}"), Err(ProtocolError::Invalid(_))));
    let list = decode_egress_request(EgressMethod::ListEgress, TwirpFormat::Json, br#"{"room_name":"r","active":true}"#).expect("list");
    assert_eq!(list, EgressRequest::List(EgressFilter { room_name: Some("r".into()), id: None, active: true }));
}

#[test]
fn composite_and_participant_egress_decode_to_hls_and_other_outputs_are_refused() {
    let tc =
        br#"{"room_name":"r","video_track_id":"TR_v","audio_track_id":"TR_a","segment_outputs":[{"filename_prefix":"hls/{room_name}","segment_duration":2}]}"#;
    let EgressRequest::StartTrackComposite(r) = decode_egress_request(EgressMethod::StartTrackCompositeEgress, TwirpFormat::Json, tc).expect("tc") else {
        panic!("kind")
    };
    assert_eq!((r.video_track_id, r.audio_track_id), (Some("TR_v".into()), Some("TR_a".into())));
    assert_eq!((r.segments.filename_prefix.as_str(), r.segments.segment_duration), ("hls/{room_name}", 2));
    let legacy = prost::Message::encode_to_vec(&lk::TrackCompositeEgressRequest {
        room_name: "r".into(),
        video_track_id: "TR_v".into(),
        #[allow(deprecated)]
        output: Some(lk::track_composite_egress_request::Output::Segments(lk::SegmentedFileOutput { playlist_name: "p.m3u8".into(), ..Default::default() })),
        ..Default::default()
    });
    let EgressRequest::StartTrackComposite(r) = decode_egress_request(EgressMethod::StartTrackCompositeEgress, TwirpFormat::Protobuf, &legacy).expect("legacy")
    else {
        panic!("kind")
    };
    assert_eq!((r.audio_track_id, r.segments.playlist_name.as_str()), (None, "p.m3u8"));
    let p = br#"{"room_name":"r","identity":"host","screen_share":true,"segment_outputs":[{}]}"#;
    let EgressRequest::StartParticipant(r) = decode_egress_request(EgressMethod::StartParticipantEgress, TwirpFormat::Json, p).expect("p") else {
        panic!("kind")
    };
    assert!(r.screen_share && r.identity.as_str() == "host");
    for (m, body) in [
        (EgressMethod::StartTrackCompositeEgress, &br#"{"room_name":"r","video_track_id":"TR_v","file_outputs":[{"filepath":"x.mp4"}]}"#[..]),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","stream_outputs":[{"urls":["rtmp://x"]}],"segment_outputs":[{}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{"s3":{"bucket":"b"}}]}"#),
    ] {
        assert!(matches!(decode_egress_request(m, TwirpFormat::Json, body), Err(ProtocolError::Unsupported(_))), "{}", String::from_utf8_lossy(body));
    }
    for (m, body) in [
        (EgressMethod::StartTrackCompositeEgress, &br#"{"room_name":"r","segment_outputs":[{}]}"#[..]),
        (EgressMethod::StartTrackCompositeEgress, br#"{"room_name":"r","video_track_id":"TR_v"}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","segment_outputs":[{}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{},{}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{"segment_duration":600}]}"#),
    ] {
        assert!(matches!(decode_egress_request(m, TwirpFormat::Json, body), Err(ProtocolError::Invalid(_))), "{}", String::from_utf8_lossy(body));
    }
}

#[test]
#[allow(deprecated)]
fn an_egress_encodes_with_its_request_status_and_file() {
    let e = Egress {
        id: "EG_a".into(),
        room_id: "RM_b".into(),
        room_name: "r".into(),
        source: EgressSource::Track { track_id: "TR_c".into(), filepath: "f.ogg".into() },
        status: EgressStatus::Complete,
        started_at: 1,
        ended_at: 3,
        updated_at: 3,
        error: String::new(),
        file: Some(FileResult { filename: "r/f.ogg".into(), size: 10, duration: 2, ..Default::default() }),
        segments: None,
    };
    let p = egress_to_proto(&e);
    assert_eq!((p.egress_id.as_str(), p.status), ("EG_a", lk::EgressStatus::EgressComplete as i32));
    assert_eq!(p.file_results.len(), 1);
    assert!(matches!(p.result, Some(lk::egress_info::Result::File(ref f)) if f.filename == "r/f.ogg"));
    assert!(matches!(p.request, Some(lk::egress_info::Request::Track(ref t)) if t.track_id == "TR_c"));
    let json = String::from_utf8(encode_egress_response(TwirpFormat::Json, &EgressResponse::List(vec![e]))).expect("utf-8");
    assert!(json.contains("\"EGRESS_COMPLETE\"") && json.contains("\"EG_a\""), "{json}");
}
