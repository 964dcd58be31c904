//! A call in virtual time: publish, forward, data, unpublish, leave.

mod common;

use std::time::Duration;

use common::{World, contains_all, received_frames};
use hikari_sfu::RoomEvent;
use hikari_types::{ClientSignal, DisconnectReason, ParticipantState, Permissions, ServerSignal, TrackKind};
use str0m::Event;
use str0m::format::Codec;
use str0m::media::MediaKind;

fn connected(w: &World, c: usize) -> bool {
    let cl = w.client(c);
    cl.pub_events.iter().any(|e| matches!(e, Event::Connected)) || cl.sub_events.iter().any(|e| matches!(e, Event::Connected))
}

/// Alice publishes audio and video; Bob joins and gets both, frame for frame.
#[test]
fn two_party_call_forwards_media_and_data() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    assert!(matches!(w.client(alice).signals.first(), Some(ServerSignal::Join(_))), "join response comes first");
    assert!(w.run_until(Duration::from_secs(5), |w| connected(w, alice) && connected(w, bob)), "both connect");

    let audio = w.publish(alice, TrackKind::Audio);
    let video = w.publish(alice, TrackKind::Video);
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))),
        "publisher PeerConnection connects"
    );
    // Bob learns about the tracks and gets a server offer carrying them.
    assert!(w.run_until(Duration::from_secs(5), |w| { w.client(bob).sub_events.iter().filter(|e| matches!(e, Event::MediaAdded(_))).count() == 2 }));

    let mut sent_video = Vec::new();
    let mut sent_audio = Vec::new();
    for n in 0..90u64 {
        // A keyframe every 30 frames, like an encoder answering a PLI late.
        sent_video.push(w.write_frame(alice, video, Codec::Vp8, n, n % 30 == 0));
        sent_audio.push(w.write_frame(alice, audio, Codec::Opus, n, false));
        w.pass(Duration::from_millis(33));
    }
    w.run_until(Duration::from_millis(500), |_| false);
    let got_video = received_frames(w.client(bob), MediaKind::Video);
    let got_audio = received_frames(w.client(bob), MediaKind::Audio);
    // Forwarding starts at a keyframe; everything from the second keyframe on arrives intact.
    assert!(contains_all(&got_video, &sent_video[30..]), "video frames from frame 30 on ({} received)", got_video.len());
    assert!(got_video.first().is_some_and(|f| f[0] & 1 == 0), "the first forwarded video frame is a keyframe");
    assert!(got_audio.len() >= 80, "audio frames arrive ({} of 90)", got_audio.len());
    assert!(contains_all(&got_audio, &sent_audio[10..]));

    // A data packet on Alice's reliable channel reaches Bob with Alice's identity stamped.
    let channel = w
        .client(alice)
        .pub_events
        .iter()
        .find_map(|e| match e {
            Event::ChannelOpen(id, label) if label == "_reliable" => Some(*id),
            _ => None,
        })
        .expect("alice's data channel opened");
    let packet = data_packet_bytes("mallory", b"hello bob");
    w.clients[alice].publisher.channel(channel).expect("open channel").write(true, &packet).expect("written");
    w.pump();
    assert!(
        w.run_until(Duration::from_secs(2), |w| {
            w.client(bob)
                .sub_events
                .iter()
                .any(|e| matches!(e, Event::ChannelData(d) if contains(&d.data, b"alice") && contains(&d.data, b"hello bob") && !contains(&d.data, b"mallory")))
        }),
        "bob receives the packet stamped with alice's identity"
    );

    // Alice leaves: Bob hears she is gone, and the room reports it.
    w.signal(alice, ClientSignal::Leave { reason: DisconnectReason::ClientInitiated });
    assert_eq!(w.client(alice).closed, Some(DisconnectReason::ClientInitiated));
    let gone = w.client(bob).signals.iter().any(|s| match s {
        ServerSignal::Update(ps) => ps.iter().any(|p| p.identity.as_str() == "alice" && p.state == ParticipantState::Disconnected),
        _ => false,
    });
    assert!(gone, "bob gets alice's disconnected update");
    assert!(w.events.iter().any(|e| matches!(e, RoomEvent::TrackUnpublished(..))));
    assert!(w.events.iter().any(|e| matches!(e, RoomEvent::ParticipantLeft(_, p) if p.identity.as_str() == "alice")));
}

/// Subscriber legs are drained once per burst, not per packet: two publishers' 40
/// packets each all reach the server before anything is polled, and the subscriber still
/// gets every one (more than the 32 writes after which a leg is drained mid-burst).
#[test]
fn a_burst_larger_than_the_send_ring_reaches_the_subscriber_whole() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let carol = w.join("room", "carol", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    let a_audio = w.publish(alice, TrackKind::Audio);
    let c_audio = w.publish(carol, TrackKind::Audio);
    assert!(
        w.run_until(Duration::from_secs(5), |w| {
            w.client(bob).sub_events.iter().filter(|e| matches!(e, Event::MediaAdded(_))).count() == 2
                && [alice, carol].iter().all(|&c| w.client(c).pub_events.iter().any(|e| matches!(e, Event::Connected)))
        }),
        "bob subscribes to both and both publishers connect"
    );
    // One frame each first, so forwarding is set up.
    w.write_frame(alice, a_audio, Codec::Opus, 0, false);
    w.write_frame(carol, c_audio, Codec::Opus, 0, false);
    w.run_until(Duration::from_millis(200), |_| false);
    let before = received_frames(w.client(bob), MediaKind::Audio).len();
    let mut sent = Vec::new();
    for n in 1..=40u64 {
        sent.push(w.write_frame_unsent(alice, a_audio, Codec::Opus, n, false));
        sent.push(w.write_frame_unsent(carol, c_audio, Codec::Opus, 1000 + n, false));
    }
    w.pump();
    w.run_until(Duration::from_millis(500), |_| false);
    let got = received_frames(w.client(bob), MediaKind::Audio);
    assert!(contains_all(&got, &sent), "all 80 packets of the burst arrive ({} new)", got.len() - before);
}

/// H.264 from a publisher that offers nothing else reaches a subscriber intact, on the
/// subscriber's own payload type for the same packetization mode.
#[test]
fn h264_is_forwarded() {
    let mut w = World::new();
    w.h264_only = true;
    let alice = w.join("room", "alice", Permissions::default());
    w.h264_only = false;
    let bob = w.join("room", "bob", Permissions::default());
    let video = w.publish(alice, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.client(bob).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_))) && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
    }));
    let mut sent = Vec::new();
    for n in 0..60u64 {
        sent.push(w.write_frame(alice, video, Codec::H264, n, n % 30 == 0));
        w.pass(Duration::from_millis(33));
    }
    w.run_until(Duration::from_millis(500), |_| false);
    let got: Vec<(Codec, Vec<u8>)> = w
        .client(bob)
        .sub_events
        .iter()
        .filter_map(|e| match e {
            Event::MediaData(d) if d.params.spec().codec != Codec::Opus => Some((d.params.spec().codec, d.data.to_vec())),
            _ => None,
        })
        .collect();
    assert!(got.iter().all(|(c, _)| *c == Codec::H264), "bob decodes H.264");
    let frames: Vec<Vec<u8>> = got.into_iter().map(|(_, d)| d).collect();
    assert!(contains_all(&frames, &sent[30..]), "H.264 frames from the second IDR on arrive ({} received)", frames.len());
}

/// Updates carry increasing versions, so clients never drop one as stale.
#[test]
fn participant_versions_increase() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions { can_update_metadata: true, ..Default::default() });
    let bob = w.join("room", "bob", Permissions::default());
    w.signal(alice, ClientSignal::UpdateMetadata(hikari_types::UpdateMetadata { metadata: "m1".into(), request_id: 7, ..Default::default() }));
    w.signal(alice, ClientSignal::UpdateMetadata(hikari_types::UpdateMetadata { name: "Alice".into(), ..Default::default() }));
    let versions: Vec<u32> = w
        .client(bob)
        .signals
        .iter()
        .filter_map(|s| match s {
            ServerSignal::Update(ps) => ps.iter().find(|p| p.identity.as_str() == "alice").map(|p| p.version),
            _ => None,
        })
        .collect();
    assert!(versions.len() >= 2 && versions.windows(2).all(|v| v[1] > v[0]), "versions {versions:?}");
    assert!(
        w.client(alice).signals.iter().any(|s| matches!(s, ServerSignal::RequestResponse { request_id: 7, outcome: hikari_types::RequestOutcome::Ok, .. }))
    );
    // Without the grant, the update is refused and nothing changes.
    w.signal(bob, ClientSignal::UpdateMetadata(hikari_types::UpdateMetadata { metadata: "x".into(), request_id: 9, ..Default::default() }));
    assert!(
        w.client(bob)
            .signals
            .iter()
            .any(|s| matches!(s, ServerSignal::RequestResponse { request_id: 9, outcome: hikari_types::RequestOutcome::NotAllowed, .. }))
    );
}

/// A second connection with the same identity replaces the first.
#[test]
fn duplicate_identity_replaces_old_connection() {
    let mut w = World::new();
    let first = w.join("room", "alice", Permissions::default());
    let second = w.join("room", "alice", Permissions::default());
    assert_eq!(w.client(first).closed, Some(DisconnectReason::DuplicateIdentity));
    assert!(w.client(first).signals.iter().any(|s| matches!(s, ServerSignal::Leave { reason: DisconnectReason::DuplicateIdentity, .. })));
    assert!(w.client(second).closed.is_none());
}

/// Publishing a source the token does not allow is refused.
#[test]
fn publish_permission_is_enforced() {
    let mut w = World::new();
    let viewer = w.join("room", "viewer", Permissions { can_publish: false, ..Default::default() });
    w.signal(viewer, ClientSignal::AddTrack(hikari_types::AddTrack { cid: "c".into(), kind: TrackKind::Audio, ..Default::default() }));
    assert!(!w.client(viewer).signals.iter().any(|s| matches!(s, ServerSignal::TrackPublished { .. })));
    assert!(w.client(viewer).signals.iter().any(|s| matches!(s, ServerSignal::RequestResponse { outcome: hikari_types::RequestOutcome::NotAllowed, .. })));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A user data packet, encoded by hand (protobuf stays in hikari-protocol): field 4
/// `participant_identity`, field 2 `user` with field 2 `payload`.
fn data_packet_bytes(claimed: &str, payload: &[u8]) -> Vec<u8> {
    let mut user = vec![0x12, payload.len() as u8];
    user.extend_from_slice(payload);
    let mut p = vec![0x22, claimed.len() as u8];
    p.extend_from_slice(claimed.as_bytes());
    p.push(0x12);
    p.push(user.len() as u8);
    p.extend_from_slice(&user);
    p
}
