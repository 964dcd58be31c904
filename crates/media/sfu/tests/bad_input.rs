//! Bad input never panics the SFU and never hurts other participants.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{SERVER, World, received_frames};
use hikari_sfu::{Command, ConnId};
use hikari_types::{ClientSignal, DisconnectReason, Permissions, Sdp, SdpKind, ServerSignal, TrackKind};
use str0m::Event;
use str0m::format::Codec;
use str0m::media::MediaKind;

fn offer(sdp: &str) -> ClientSignal {
    ClientSignal::Offer(Sdp { kind: SdpKind::Offer, sdp: sdp.to_owned(), id: 1, mid_to_track: BTreeMap::new() })
}

fn still_flowing(w: &mut World, alice: usize, bob: usize, video: str0m::media::Mid, from: u64) {
    let before = received_frames(w.client(bob), MediaKind::Video).len();
    for n in from..from + 40 {
        w.write_frame(alice, video, Codec::Vp8, n, n == from);
        w.pass(Duration::from_millis(33));
    }
    w.run_until(Duration::from_millis(300), |_| false);
    let after = received_frames(w.client(bob), MediaKind::Video).len();
    assert!(after >= before + 35, "bob still receives video ({before} -> {after})");
}

#[test]
fn garbage_datagrams_are_dropped() {
    let (mut w, alice, bob, video) = World::video_call();
    let server = SERVER.parse().expect("valid");
    let known = w.client(alice).pub_addr;
    let stranger = "10.9.9.9:1234".parse().expect("valid");
    let samples: [&[u8]; 6] = [
        &[],
        &[0x00],
        &[0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x00, 0x06, 0xff, 0xff],
        &[0x80; 1500],
        &[0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
        &[0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0xff],
    ];
    for from in [known, stranger] {
        for d in samples {
            w.sfu.handle_datagram(w.now, from, server, d);
        }
    }
    w.pump();
    still_flowing(&mut w, alice, bob, video, 100);
}

#[test]
fn hostile_sdp_ends_only_that_session() {
    let (mut w, alice, bob, video) = World::video_call();
    let mallory = w.join("room", "mallory", Permissions::default());
    let hostile = [
        "garbage",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 999999999999\r\n",
        &format!("v=0\r\n{}", "a=x\r\n".repeat(20_000)),
    ];
    w.signal(mallory, offer(hostile[0]));
    assert_eq!(w.client(mallory).closed, Some(DisconnectReason::StateMismatch), "a bad offer ends the session");
    for sdp in &hostile[1..] {
        let m = w.join("room", "mallory2", Permissions::default());
        w.signal(m, offer(sdp));
        assert!(w.client(m).closed.is_some(), "refused: {:.40}", sdp);
    }
    // An answer nobody asked for, a trickle of nonsense, signals for unknown connections.
    w.signal(bob, ClientSignal::Answer(Sdp { kind: SdpKind::Answer, sdp: "v=0".into(), id: 99, mid_to_track: BTreeMap::new() }));
    w.signal(
        bob,
        ClientSignal::Trickle(hikari_types::Trickle { candidate: "candidate:garbage".into(), target: hikari_types::SignalTarget::Subscriber, is_final: false }),
    );
    w.command(Command::Signal { conn: ConnId(999), signal: ClientSignal::Ping(1) });
    w.command(Command::Closed { conn: ConnId(998) });
    assert!(w.client(alice).closed.is_none() && w.client(bob).closed.is_none());
    still_flowing(&mut w, alice, bob, video, 200);
}

#[test]
fn client_that_never_answers_is_disconnected() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    // Bob publishes, so the server offers alice his track; she never answers.
    w.clients[alice].answers = false;
    w.publish(bob, TrackKind::Audio);
    let offers = |w: &World| w.client(alice).signals.iter().filter(|s| matches!(s, ServerSignal::Offer(_))).count();
    assert!(w.run_until(Duration::from_secs(2), |w| offers(w) == 2), "a second offer went to alice");
    assert!(w.run_until(Duration::from_secs(30), |w| w.client(alice).closed.is_some()), "alice is dropped");
    assert_eq!(w.client(alice).closed, Some(DisconnectReason::StateMismatch));
    assert!(w.client(bob).closed.is_none());
}

#[test]
fn vanished_client_is_removed_and_others_continue() {
    let (mut w, alice, bob, video) = World::video_call();
    let carol = w.join("room", "carol", Permissions::default());
    assert!(w.run_until(Duration::from_secs(5), |w| w.client(carol).sub_events.iter().any(|e| matches!(e, Event::Connected))));
    w.clients[carol].vanished = true;
    let removed = w.run_until(Duration::from_secs(60), |w| w.client(carol).closed.is_some());
    assert!(removed, "carol is removed after her media stopped");
    let n = 300;
    let gone = w.client(bob).signals.iter().any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.identity.as_str() == "carol" && p.state == hikari_types::ParticipantState::Disconnected)));
    assert!(gone, "bob is told carol left");
    still_flowing(&mut w, alice, bob, video, n + 1000);
}

#[test]
fn oversized_and_excess_requests_are_refused() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions { can_update_metadata: true, ..Default::default() });
    w.signal(alice, ClientSignal::UpdateMetadata(hikari_types::UpdateMetadata { metadata: "x".repeat(70_000), request_id: 3, ..Default::default() }));
    assert!(
        w.client(alice)
            .signals
            .iter()
            .any(|s| matches!(s, ServerSignal::RequestResponse { request_id: 3, outcome: hikari_types::RequestOutcome::LimitExceeded, .. }))
    );
    for i in 0..100 {
        w.signal(alice, ClientSignal::AddTrack(hikari_types::AddTrack { cid: format!("c{i}"), kind: TrackKind::Audio, ..Default::default() }));
    }
    let published = w.client(alice).signals.iter().filter(|s| matches!(s, ServerSignal::TrackPublished { .. })).count();
    assert_eq!(published, 32, "track announcements are capped");
}

#[test]
fn a_storm_of_track_settings_with_lying_sizes_hurts_no_one_else() {
    use common::simulcast::*;
    use hikari_types::{LayerWant, VideoQuality};
    let (mut w, mut enc, subs, sid) = simulcast_call(&["bob", "carol"]);
    let (bob, carol) = (subs[0], subs[1]);
    enc.run(&mut w, Duration::from_secs(1));
    let updates = enc.updates.len();
    // Bob claims absurd element sizes, flips quality and pauses, thousands of times in a burst.
    for i in 0..5_000u32 {
        let want = match i % 4 {
            0 => LayerWant::Size { width: u32::MAX, height: u32::MAX },
            1 => LayerWant::Size { width: 0, height: 0 },
            2 => LayerWant::Quality(VideoQuality::Low),
            _ => LayerWant::Quality(VideoQuality::High),
        };
        let conn = w.clients[bob].conn;
        w.sfu.handle_command(
            w.now,
            Command::Signal { conn, signal: ClientSignal::TrackSettings { track_sids: vec![sid.clone()], disabled: i % 7 == 0, want, fps: u32::MAX } },
        );
    }
    w.pump();
    let before = received_frames(w.client(carol), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_secs(2));
    let after = frames_since(&w, carol, before);
    assert!(after.len() >= 50 && after.iter().all(|&(_, l)| l == b'f'), "carol keeps the top layer: {} frames", after.len());
    assert!(enc.updates.len() - updates <= 2, "the publisher's encoder is not made to flap: {:?}", &enc.updates[updates..]);
    assert!(w.client(bob).closed.is_none(), "odd settings are not an offence");
}
