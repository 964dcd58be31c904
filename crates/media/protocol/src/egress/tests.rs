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
    for m in [EgressMethod::StartWebEgress, EgressMethod::StartEgress] {
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
    let segments = r.outputs.segments.expect("segments");
    assert_eq!((segments.filename_prefix.as_str(), segments.segment_duration, r.outputs.stream_urls.len()), ("hls/{room_name}", 2, 0));
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
    assert_eq!((r.audio_track_id, r.outputs.segments.expect("segments").playlist_name.as_str()), (None, "p.m3u8"));
    let p = br#"{"room_name":"r","identity":"host","screen_share":true,"segment_outputs":[{}]}"#;
    let EgressRequest::StartParticipant(r) = decode_egress_request(EgressMethod::StartParticipantEgress, TwirpFormat::Json, p).expect("p") else {
        panic!("kind")
    };
    assert!(r.screen_share && r.identity.as_str() == "host");
    for (m, body) in [
        (EgressMethod::StartTrackCompositeEgress, &br#"{"room_name":"r","video_track_id":"TR_v","file_outputs":[{"filepath":"x.ogg","file_type":"OGG"}]}"#[..]),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","file_outputs":[{"s3":{"bucket":"b"}}],"segment_outputs":[{}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","image_outputs":[{"filename_suffix":"IMAGE_SUFFIX_TIMESTAMP"}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{"s3":{"bucket":"b"}}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","stream_outputs":[{"protocol":"SRT","urls":["srt://x:1"]}]}"#),
    ] {
        assert!(matches!(decode_egress_request(m, TwirpFormat::Json, body), Err(ProtocolError::Unsupported(_))), "{}", String::from_utf8_lossy(body));
    }
    for (m, body) in [
        (EgressMethod::StartTrackCompositeEgress, &br#"{"room_name":"r","segment_outputs":[{}]}"#[..]),
        (EgressMethod::StartTrackCompositeEgress, br#"{"room_name":"r","video_track_id":"TR_v"}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","segment_outputs":[{}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{},{"playlist_name":"b.m3u8"}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","segment_outputs":[{"segment_duration":600}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h"}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","stream_outputs":[{"urls":[]}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","stream_outputs":[{"urls":["rtmp://a/b/c"]},{"urls":["rtmp://d/e/f"]}]}"#),
        (EgressMethod::UpdateStream, br#"{"egress_id":"EG_a"}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","image_outputs":[{"width":8}]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","image_outputs":[{"capture_interval":86400}]}"#),
        (EgressMethod::UpdateStream, br#"{"add_output_urls":["rtmp://a/b/c"]}"#),
        (EgressMethod::StartParticipantEgress, br#"{"room_name":"r","identity":"h","file_outputs":[{"filepath":"a.mp4"},{"filepath":"b.mp4"}]}"#),
    ] {
        assert!(matches!(decode_egress_request(m, TwirpFormat::Json, body), Err(ProtocolError::Invalid(_))), "{}", String::from_utf8_lossy(body));
    }
}

/// Stream outputs: alone or beside HLS; the Node SDK's same output in `stream` and
/// `stream_outputs` is one; UpdateStream carries both lists.
#[test]
fn stream_outputs_and_update_stream_decode() {
    let p = br#"{"room_name":"r","identity":"h","stream_outputs":[{"protocol":"RTMP","urls":["rtmp://a/b/k1","rtmps://c/d/k2"]}],"segment_outputs":[{}]}"#;
    let EgressRequest::StartParticipant(r) = decode_egress_request(EgressMethod::StartParticipantEgress, TwirpFormat::Json, p).expect("p") else {
        panic!("kind")
    };
    assert_eq!(r.outputs.stream_urls, ["rtmp://a/b/k1", "rtmps://c/d/k2"]);
    assert!(r.outputs.segments.is_some());
    let stream = lk::StreamOutput { protocol: lk::StreamProtocol::Rtmp as i32, urls: vec!["rtmp://a/b/k".into()] };
    let both = prost::Message::encode_to_vec(&lk::TrackCompositeEgressRequest {
        room_name: "r".into(),
        video_track_id: "TR_v".into(),
        #[allow(deprecated)]
        output: Some(lk::track_composite_egress_request::Output::Stream(stream.clone())),
        stream_outputs: vec![stream],
        ..Default::default()
    });
    let EgressRequest::StartTrackComposite(r) = decode_egress_request(EgressMethod::StartTrackCompositeEgress, TwirpFormat::Protobuf, &both).expect("both")
    else {
        panic!("kind")
    };
    assert_eq!((r.outputs.stream_urls.len(), r.outputs.segments), (1, None));
    let u = r#"{"egress_id":"EG_a","add_output_urls":["rtmp://a/b/k"],"remove_output_urls":["rtmp://c/d/{ab…yz}"]}"#.as_bytes();
    let want = EgressRequest::UpdateStream(UpdateStream { id: "EG_a".into(), add: vec!["rtmp://a/b/k".into()], remove: vec!["rtmp://c/d/{ab…yz}".into()] });
    assert_eq!(decode_egress_request(EgressMethod::UpdateStream, TwirpFormat::Json, u).expect("update"), want);
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
        streams: Vec::new(),
        images: None,
    };
    let p = egress_to_proto(&e);
    assert_eq!((p.egress_id.as_str(), p.status), ("EG_a", lk::EgressStatus::EgressComplete as i32));
    assert_eq!(p.file_results.len(), 1);
    assert!(matches!(p.result, Some(lk::egress_info::Result::File(ref f)) if f.filename == "r/f.ogg"));
    assert!(matches!(p.request, Some(lk::egress_info::Request::Track(ref t)) if t.track_id == "TR_c"));
    let json = String::from_utf8(encode_egress_response(TwirpFormat::Json, &EgressResponse::List(vec![e]))).expect("utf-8");
    assert!(json.contains("\"EGRESS_COMPLETE\"") && json.contains("\"EG_a\""), "{json}");
}

#[test]
#[allow(deprecated)]
fn stream_results_encode_with_the_redacted_request() {
    let url = "rtmp://h/app/{ab…yz}".to_string();
    let e = Egress {
        id: "EG_a".into(),
        room_id: "RM_b".into(),
        room_name: "r".into(),
        source: EgressSource::Participant {
            identity: "h".into(),
            screen_share: false,
            outputs: CompositeOutputs { stream_urls: vec![url.clone()], ..Default::default() },
        },
        status: EgressStatus::Active,
        started_at: 1,
        ended_at: 0,
        updated_at: 3,
        error: String::new(),
        file: None,
        segments: None,
        streams: vec![StreamResult { url: url.clone(), started_at: 2, retries: 3, last_retry_at: 4, error: "refused".into(), ..Default::default() }],
        images: Some(ImagesResult { filename_prefix: "t/r".into(), image_count: 3, started_at: 2, ended_at: 0 }),
    };
    let p = egress_to_proto(&e);
    assert_eq!(p.stream_results.len(), 1);
    let s = &p.stream_results[0];
    assert_eq!(
        (s.url.as_str(), s.status, s.retries, s.last_retry_at, s.error.as_str()),
        (url.as_str(), lk::stream_info::Status::Active as i32, 3, 4, "refused")
    );
    assert!(matches!(p.result, Some(lk::egress_info::Result::Stream(ref l)) if l.info.len() == 1));
    assert_eq!((p.image_results.len(), p.image_results[0].image_count), (1, 3));
    assert!(matches!(p.request, Some(lk::egress_info::Request::Participant(ref r)) if r.stream_outputs[0].urls == [url.clone()]));
}

/// An image output alone: JPEG thumbnails with sizes made even.
#[test]
fn an_image_output_decodes() {
    let p = br#"{"room_name":"r","identity":"h","image_outputs":[{"capture_interval":5,"width":321,"height":0,"filename_prefix":"t/{room_name}"}]}"#;
    let EgressRequest::StartParticipant(r) = decode_egress_request(EgressMethod::StartParticipantEgress, TwirpFormat::Json, p).expect("p") else {
        panic!("kind")
    };
    let want = hikari_types::ImagesOutput { capture_interval: 5, width: 320, height: 0, filename_prefix: "t/{room_name}".into() };
    assert_eq!((r.outputs.images, r.outputs.segments, r.outputs.stream_urls.len()), (Some(want), None, 0));
}

/// A room composite: layout, preset or advanced encoding, file and other outputs; what the
/// composite encoder cannot do is refused with a reason; UpdateLayout checks its name.
#[test]
fn room_composites_and_update_layout_decode() {
    let body = br#"{"room_name":"r","layout":"speaker-light","file_outputs":[{"filepath":"rec/{room_name}.mp4"}],"preset":"H264_1080P_30"}"#;
    let EgressRequest::StartRoomComposite(r) = decode_egress_request(EgressMethod::StartRoomCompositeEgress, TwirpFormat::Json, body).expect("rc") else {
        panic!("kind")
    };
    assert_eq!((r.room_name.as_str(), r.layout.as_str(), r.outputs.file.as_deref()), ("r", "speaker-light", Some("rec/{room_name}.mp4")));
    assert_eq!((r.encoding.width, r.encoding.height, r.encoding.fps, r.encoding.video_bitrate), (1920, 1080, 30, 4_500_000));
    let advanced = prost::Message::encode_to_vec(&lk::RoomCompositeEgressRequest {
        room_name: "r".into(),
        audio_only: true,
        options: Some(lk::room_composite_egress_request::Options::Advanced(lk::EncodingOptions {
            width: 641,
            height: 360,
            framerate: 25,
            audio_bitrate: 64,
            key_frame_interval: 1.5,
            ..Default::default()
        })),
        #[allow(deprecated)]
        output: Some(lk::room_composite_egress_request::Output::File(lk::EncodedFileOutput { filepath: "a.mp4".into(), ..Default::default() })),
        ..Default::default()
    });
    let EgressRequest::StartRoomComposite(r) = decode_egress_request(EgressMethod::StartRoomCompositeEgress, TwirpFormat::Protobuf, &advanced).expect("adv")
    else {
        panic!("kind")
    };
    let e = r.encoding;
    assert_eq!((e.width, e.height, e.fps, e.video_bitrate, e.audio_bitrate, e.keyframe_interval_ms), (640, 360, 25, 3_000_000, 64_000, 1500));
    assert!(r.audio_only && r.layout.is_empty() && r.outputs.file.as_deref() == Some("a.mp4"));
    let defaults = br#"{"room_name":"r","segment_outputs":[{}]}"#;
    let EgressRequest::StartRoomComposite(r) = decode_egress_request(EgressMethod::StartRoomCompositeEgress, TwirpFormat::Json, defaults).expect("d") else {
        panic!("kind")
    };
    assert_eq!(r.encoding, hikari_types::Encoding::H264_720P_30);
    for body in [
        &br#"{"room_name":"r","custom_base_url":"https://x","file_outputs":[{}]}"#[..],
        br#"{"room_name":"r","advanced":{"audio_codec":"AAC"},"file_outputs":[{}]}"#,
        br#"{"room_name":"r","advanced":{"video_codec":"VP8"},"file_outputs":[{}]}"#,
        br#"{"room_name":"r","file_outputs":[{"file_type":"MP3"}]}"#,
    ] {
        let e = decode_egress_request(EgressMethod::StartRoomCompositeEgress, TwirpFormat::Json, body).expect_err("unsupported");
        assert!(matches!(e, ProtocolError::Unsupported(_)), "{e}: {}", String::from_utf8_lossy(body));
    }
    for body in [
        &br#"{"file_outputs":[{}]}"#[..],
        br#"{"room_name":"r"}"#,
        br#"{"room_name":"r","layout":"mosaic","file_outputs":[{}]}"#,
        br#"{"room_name":"r","audio_only":true,"video_only":true,"file_outputs":[{}]}"#,
        br#"{"room_name":"r","preset":"PASSTHROUGH","file_outputs":[{}]}"#,
        br#"{"room_name":"r","advanced":{"width":8000},"file_outputs":[{}]}"#,
        br#"{"room_name":"r","advanced":{"framerate":240},"file_outputs":[{}]}"#,
        br#"{"room_name":"r","advanced":{"key_frame_interval":60},"file_outputs":[{}]}"#,
        br#"{"room_name":"r","audio_only":true,"image_outputs":[{}]}"#,
    ] {
        let e = decode_egress_request(EgressMethod::StartRoomCompositeEgress, TwirpFormat::Json, body).expect_err("invalid");
        assert!(matches!(e, ProtocolError::Invalid(_)), "{e}: {}", String::from_utf8_lossy(body));
    }
    let layout = decode_egress_request(EgressMethod::UpdateLayout, TwirpFormat::Json, br#"{"egress_id":"EG_a","layout":"grid-dark"}"#).expect("layout");
    assert_eq!(layout, EgressRequest::UpdateLayout { id: "EG_a".into(), layout: "grid-dark".into() });
    for body in [&br#"{"egress_id":"EG_a","layout":"tiles"}"#[..], br#"{"layout":"grid"}"#] {
        assert!(matches!(decode_egress_request(EgressMethod::UpdateLayout, TwirpFormat::Json, body), Err(ProtocolError::Invalid(_))));
    }
}

/// A room composite's `EgressInfo` echoes its request: layout, encoding, outputs.
#[test]
fn a_room_composite_encodes_with_its_request() {
    let e = Egress {
        id: "EG_r".into(),
        room_id: "RM_1".into(),
        room_name: "r".into(),
        source: EgressSource::RoomComposite {
            layout: "grid".into(),
            audio_only: false,
            video_only: false,
            encoding: hikari_types::Encoding::default(),
            outputs: CompositeOutputs { file: Some("a.mp4".into()), ..Default::default() },
        },
        status: EgressStatus::Active,
        started_at: 1,
        ended_at: 0,
        updated_at: 1,
        error: String::new(),
        file: None,
        segments: None,
        streams: Vec::new(),
        images: None,
    };
    let p = egress_to_proto(&e);
    let Some(lk::egress_info::Request::RoomComposite(r)) = p.request else { panic!("a room composite request") };
    assert_eq!((r.layout.as_str(), r.file_outputs.len(), r.file_outputs[0].filepath.as_str()), ("grid", 1, "a.mp4"));
    let Some(lk::room_composite_egress_request::Options::Advanced(o)) = r.options else { panic!("options") };
    assert_eq!((o.width, o.height, o.framerate, o.video_bitrate), (1280, 720, 30, 3000));
}

/// CreateRoom's `egress.room` is a room composite of the room being created (whatever room
/// the inner request names); `egress.participant` carries its outputs and encoding.
#[test]
fn create_room_carries_its_room_composite() {
    use crate::twirp::{RoomMethod, decode_room_request};
    let body = br#"{"name":"webinar","egress":{"room":{"room_name":"other","layout":"speaker","file_outputs":[{"filepath":"w.mp4"}]}}}"#;
    let hikari_types::AdminRequest::CreateRoom { name, auto_room_composite: Some(rc), auto_track_egress: None, .. } =
        decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, body).expect("create")
    else {
        panic!("a room with its composite")
    };
    assert_eq!((name.as_str(), rc.room_name.as_str(), rc.layout.as_str(), rc.outputs.file.as_deref()), ("webinar", "webinar", "speaker", Some("w.mp4")));
    let bad = br#"{"name":"webinar","egress":{"room":{"layout":"mosaic","file_outputs":[{}]}}}"#;
    let e = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, bad).expect_err("unknown layout");
    assert!(matches!(&e, ProtocolError::Invalid(m) if m.starts_with("CreateRoom: egress.room:")), "{e}");
    let participant = br#"{"name":"webinar","egress":{"participant":{"file_outputs":[{"filepath":"p/{room_name}.mp4"}],"preset":"H264_1080P_30"}}}"#;
    let hikari_types::AdminRequest::CreateRoom { auto_participant_egress: Some(p), .. } =
        decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, participant).expect("participant")
    else {
        panic!("a room recording its participants")
    };
    assert_eq!((p.outputs.file.as_deref(), p.encoding.map(|e| e.height)), (Some("p/{room_name}.mp4"), Some(1080)));
    let none = br#"{"name":"webinar","egress":{"participant":{}}}"#;
    let e = decode_room_request(RoomMethod::CreateRoom, TwirpFormat::Json, none).expect_err("no output");
    assert!(matches!(&e, ProtocolError::Invalid(m) if m.contains("egress.participant")), "{e}");
}
