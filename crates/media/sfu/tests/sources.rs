//! Internal publishers (the seam for ingest): a participant without a PeerConnection whose
//! tracks' media arrives as commands, forwarded to str0m subscribers like any other, in
//! virtual time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{World, received_frames};
use hikari_sfu::{Command, ConnId, Join, RoomEvent, SignalMode, SourcePacket};
use hikari_types::{AddTrack, ClientInfo, ClientSignal, DisconnectReason, JoinGrant, ParticipantKind, Permissions, ServerSignal, TrackKind, TrackSource};
use str0m::media::MediaKind;

const INGRESS: ConnId = ConnId(9_000);

fn track(cid: &str, kind: TrackKind, source: TrackSource, codec: &str) -> AddTrack {
    AddTrack { cid: cid.into(), name: cid.into(), kind, source, width: 640, height: 360, codecs: vec![codec.into()], ..Default::default() }
}

/// An ingest publishing H.264 video and Opus audio into `room`.
fn join_ingress(w: &mut World) {
    let grant = JoinGrant {
        room: "room".into(),
        identity: "obs".into(),
        name: "OBS".into(),
        permissions: Permissions { can_publish: true, can_subscribe: false, ..Permissions::default() },
        kind: ParticipantKind::Ingress,
        metadata: String::new(),
        attributes: Default::default(),
    };
    let tracks = vec![
        track("camera", TrackKind::Video, TrackSource::Camera, "video/H264"),
        track("microphone", TrackKind::Audio, TrackSource::Microphone, "audio/opus"),
    ];
    let join = Join { conn: INGRESS, grant, client: ClientInfo::default(), auto_subscribe: false, mode: SignalMode::Internal { tracks }, resume: None };
    w.command(Command::Join(Box::new(join)));
}

/// One H.264 frame as a single NAL unit packet: an IDR slice (type 5) or a non-IDR one (1).
fn h264_frame(n: u64, keyframe: bool) -> SourcePacket {
    let mut payload = vec![if keyframe { 0x65 } else { 0x41 }, 0x88];
    payload.extend_from_slice(&n.to_be_bytes());
    SourcePacket { seq: n, ts: (n as u32).wrapping_mul(3000), marker: true, payload: Arc::from(payload) }
}

fn send_video(w: &mut World, n: u64, keyframe: bool) {
    w.command(Command::SourceMedia { conn: INGRESS, track: 0, layer: 0, received: None, packets: vec![h264_frame(n, keyframe)] });
    w.pass(Duration::from_millis(33));
}

#[test]
fn an_internal_publisher_reaches_a_subscriber_and_hears_its_keyframe_requests() {
    let mut w = World::new();
    w.h264_only = true;
    let bob = w.join("room", "bob", Permissions::default());
    join_ingress(&mut w);
    w.run_until(Duration::from_millis(500), |_| false);

    let joined = w.events.iter().find_map(|e| match e {
        RoomEvent::ParticipantJoined(_, p) if p.identity.as_str() == "obs" => Some(p.clone()),
        _ => None,
    });
    assert_eq!(joined.map(|p| p.kind), Some(ParticipantKind::Ingress), "the ingest joins as an INGRESS participant");
    let published: Vec<_> = w
        .other_signals
        .iter()
        .filter_map(|(c, s)| match s {
            ServerSignal::TrackPublished { cid, track } if *c == INGRESS => Some((cid.clone(), track.mime_type.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(published, vec![("camera".into(), "video/H264".into()), ("microphone".into(), "audio/opus".into())], "its tracks are published at once");
    let bob_sees = |w: &World| {
        w.client(bob).signals.iter().any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.identity.as_str() == "obs" && p.tracks.len() == 2)))
    };
    assert!(bob_sees(&w), "bob hears of both tracks");

    // Frames before a keyframe: bob's leg waits, and the publisher is asked for one.
    for n in 0..3 {
        send_video(&mut w, n, false);
    }
    assert!(w.source_keyframes.contains(&(INGRESS, 0, 0)), "a keyframe request reaches the internal publisher: {:?}", w.source_keyframes);
    for n in 3..30 {
        send_video(&mut w, n, n == 3);
    }
    let frames = received_frames(w.client(bob), MediaKind::Video);
    assert!(frames.len() >= 20, "bob decodes the ingest's video from its keyframe on: {} frames", frames.len());
    assert!(frames[0].windows(5).any(|b| b == [0, 0, 0, 1, 0x65]), "the first frame bob gets is the keyframe: {:?}", &frames[0]);

    // Audio: Opus packets, 20 ms apart.
    for n in 0..25u64 {
        let packet = SourcePacket { seq: n, ts: (n as u32) * 960, marker: false, payload: Arc::from(vec![0xfc, 0xff, 0xfe, n as u8]) };
        w.command(Command::SourceMedia { conn: INGRESS, track: 1, layer: 0, received: None, packets: vec![packet] });
        w.pass(Duration::from_millis(20));
    }
    assert!(received_frames(w.client(bob), MediaKind::Audio).len() >= 20, "bob receives the ingest's audio");

    // Media for a track it does not have is ignored.
    w.command(Command::SourceMedia { conn: INGRESS, track: 7, layer: 0, received: None, packets: vec![h264_frame(99, true)] });

    w.command(Command::Signal { conn: INGRESS, signal: ClientSignal::Leave { reason: DisconnectReason::ClientInitiated } });
    let unpublished = w.events.iter().filter(|e| matches!(e, RoomEvent::TrackUnpublished(_, p, _) if p.identity.as_str() == "obs")).count();
    assert_eq!(unpublished, 2, "leaving unpublishes both tracks");
    assert!(w.events.iter().any(|e| matches!(e, RoomEvent::ParticipantLeft(_, p) if p.identity.as_str() == "obs")));
}

#[test]
fn an_internal_track_with_a_codec_it_cannot_forward_is_not_published_and_offers_are_ignored() {
    let mut w = World::new();
    let grant = JoinGrant {
        room: "room".into(),
        identity: "odd".into(),
        name: String::new(),
        metadata: String::new(),
        attributes: Default::default(),
        permissions: Permissions::default(),
        kind: ParticipantKind::Ingress,
    };
    let tracks = vec![track("x", TrackKind::Video, TrackSource::Camera, "video/H265")];
    let join = Join { conn: INGRESS, grant, client: ClientInfo::default(), auto_subscribe: false, mode: SignalMode::Internal { tracks }, resume: None };
    w.command(Command::Join(Box::new(join)));
    assert!(!w.events.iter().any(|e| matches!(e, RoomEvent::TrackPublished(..))), "no track published");
    // What a PeerConnection would get makes no sense here: ignored, no panic.
    let offer = hikari_types::Sdp { kind: hikari_types::SdpKind::Offer, sdp: "v=0".into(), id: 1, mid_to_track: Default::default() };
    w.command(Command::Signal { conn: INGRESS, signal: ClientSignal::Offer(offer) });
    w.run_until(Duration::from_millis(100), |_| false);
}
