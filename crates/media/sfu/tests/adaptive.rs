//! Per-subscriber layer choice, dynacast, active speakers and connection quality, in
//! virtual time with str0m clients.

mod common;

use std::time::Duration;

use common::World;
use common::simulcast::*;
use hikari_types::{ClientSignal, ConnectionQuality, LayerWant, Permissions, ServerSignal, TrackKind, VideoQuality};
use str0m::Event;
use str0m::media::MediaKind;

#[test]
fn each_subscriber_gets_the_layer_that_fits_the_size_it_shows() {
    let (mut w, mut enc, subs, sid) = simulcast_call(&["small", "large", "medium"]);
    let (small, large, medium) = (subs[0], subs[1], subs[2]);
    settings(&mut w, small, &sid, false, LayerWant::Size { width: 320, height: 180 });
    settings(&mut w, medium, &sid, false, LayerWant::Quality(VideoQuality::Medium));
    enc.run(&mut w, Duration::from_secs(2));
    let tail = |w: &World, c| {
        let t = layers_received(w, c).into_iter().rev().take(20).collect::<Vec<_>>();
        assert_eq!(t.len(), 20, "media flows to every subscriber");
        t
    };
    assert!(tail(&w, small).iter().all(|&l| l == b'q'), "small gets q: {:?}", tail(&w, small));
    assert!(tail(&w, medium).iter().all(|&l| l == b'h'), "medium gets h: {:?}", tail(&w, medium));
    assert!(tail(&w, large).iter().all(|&l| l == b'f'), "large (no settings) gets f: {:?}", tail(&w, large));
    assert!(layers_received(&w, large).len() >= 40, "media flows");

    // The small window grows: it switches up at the next keyframe of f, asked for by PLI.
    let before = common::received_frames(w.client(small), MediaKind::Video).len();
    let plis = enc.plis[2];
    settings(&mut w, small, &sid, false, LayerWant::Size { width: 1280, height: 720 });
    let switched_at = w.elapsed();
    enc.run(&mut w, Duration::from_secs(1));
    assert!(enc.plis[2] > plis, "switching up asks the publisher for a keyframe of f");
    let after = frames_since(&w, small, before);
    let first_f = after.iter().position(|&(_, l)| l == b'f').expect("small now gets f");
    assert_eq!(after[first_f].0, 0x00, "the switch happens at a keyframe");
    assert!(after[first_f..].iter().all(|&(_, l)| l == b'f'), "no going back: {after:?}");
    assert!(first_f <= 3, "the switch takes a frame or two ({first_f} frames after {switched_at:?})");
}

#[test]
fn a_layer_that_stops_flowing_falls_back_to_the_next_one_down() {
    let (mut w, mut enc, subs, _sid) = simulcast_call(&["bob"]);
    enc.run(&mut w, Duration::from_secs(1));
    assert_eq!(layers_received(&w, subs[0]).last(), Some(&b'f'));
    // The publisher's uplink cannot carry f any more (its encoder drops the layer).
    enc.on[2] = false;
    let before = common::received_frames(w.client(subs[0]), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_secs(2));
    let after = frames_since(&w, subs[0], before);
    assert_eq!(after.last().map(|f| f.1), Some(b'h'), "bob falls back to h: {after:?}");
}

#[test]
fn dynacast_switches_off_layers_no_one_needs_and_back_on_at_once() {
    let (mut w, mut enc, subs, sid) = simulcast_call(&["bob"]);
    let bob = subs[0];
    settings(&mut w, bob, &sid, false, LayerWant::Quality(VideoQuality::Low));
    enc.run(&mut w, Duration::from_secs(2));
    assert!(enc.updates.is_empty(), "layers go off only after a delay: {:?}", enc.updates);
    enc.run(&mut w, Duration::from_secs(2));
    assert_eq!(enc.updates, vec![[true, false, false]], "after the delay, only q");
    let before = common::received_frames(w.client(bob), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_millis(500));
    let since = frames_since(&w, bob, before);
    assert!(since.len() >= 10 && since.iter().all(|&(_, l)| l == b'q'), "bob still gets q: {since:?}");

    settings(&mut w, bob, &sid, false, LayerWant::Quality(VideoQuality::High));
    assert!(
        w.client(enc.c).signals.iter().rev().any(|s| matches!(s, ServerSignal::SubscribedQuality { enabled: [true, true, true], .. })),
        "a layer someone needs goes on at once"
    );
    enc.run(&mut w, Duration::from_secs(1));
    assert_eq!(layers_received(&w, bob).last(), Some(&b'f'), "bob gets f again");

    // No one receives the track: the publisher stops encoding it.
    w.signal(bob, ClientSignal::Subscription { track_sids: vec![sid.clone()], subscribe: false });
    enc.run(&mut w, Duration::from_secs(4));
    assert_eq!(enc.updates.last(), Some(&[false, false, false]));
}

#[test]
fn a_paused_subscription_gets_nothing_and_resumes_at_a_keyframe() {
    let (mut w, mut enc, subs, sid) = simulcast_call(&["bob"]);
    let bob = subs[0];
    enc.run(&mut w, Duration::from_secs(1));
    settings(&mut w, bob, &sid, true, LayerWant::default());
    w.pump();
    let paused_at = common::received_frames(w.client(bob), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_secs(4));
    assert!(frames_since(&w, bob, paused_at).len() <= 3, "nothing (bar frames in flight) while paused");
    assert_eq!(enc.updates.last(), Some(&[false, false, false]), "a paused subscriber needs no layer");
    settings(&mut w, bob, &sid, false, LayerWant::default());
    let resumed_at = common::received_frames(w.client(bob), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_secs(1));
    let after = frames_since(&w, bob, resumed_at);
    assert!(after.len() >= 10, "media flows again: {after:?}");
    assert_eq!(after[0].0, 0x00, "the first frame after the pause is a keyframe");
}

#[test]
fn speakers_are_announced_loudest_first_and_fade_out() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    let carol = w.join("room", "carol", Permissions::default());
    let a = w.publish(alice, TrackKind::Audio);
    let b = w.publish(bob, TrackKind::Audio);
    assert!(w.run_until(Duration::from_secs(5), |w| w.client(carol).sub_events.iter().filter(|e| matches!(e, Event::MediaAdded(_))).count() == 2));
    let sids: Vec<_> = [alice, bob]
        .iter()
        .map(|&c| w.client(c).signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.participant.sid.clone()) } else { None }).expect("joined"))
        .collect();
    let speakers = |w: &World| -> Vec<Vec<(String, bool, f32)>> {
        w.client(carol)
            .signals
            .iter()
            .filter_map(|s| match s {
                ServerSignal::SpeakersChanged(v) => Some(v.iter().map(|x| (x.sid.to_string(), x.active, x.level)).collect()),
                _ => None,
            })
            .collect()
    };
    // alice speaks loudly, bob quietly, for a second: 20 ms frames.
    for n in 0..50 {
        w.write_audio_level(alice, a, n, -10);
        w.write_audio_level(bob, b, n, -30);
        w.pump();
        w.pass(Duration::from_millis(20));
    }
    let first = speakers(&w).into_iter().next().expect("a SpeakersChanged arrived");
    let order: Vec<_> = first.iter().map(|(sid, _, _)| sid.clone()).collect();
    assert_eq!(order, vec![sids[0].to_string(), sids[1].to_string()], "loudest first");
    assert!(first.iter().all(|(_, active, level)| *active && *level > 0.0));
    let updates = speakers(&w).len();
    assert!(updates <= 6, "at most one update per tick: {updates} in a second");

    // A newcomer hears who is speaking although nothing changed since.
    let dave = w.join("room", "dave", Permissions::default());
    for n in 50..75 {
        w.write_audio_level(alice, a, n, -10);
        w.write_audio_level(bob, b, n, -30);
        w.pump();
        w.pass(Duration::from_millis(20));
    }
    let told: Vec<_> = w
        .client(dave)
        .signals
        .iter()
        .find_map(|s| match s {
            ServerSignal::SpeakersChanged(v) => Some(v.iter().filter(|x| x.active).map(|x| x.sid.clone()).collect()),
            _ => None,
        })
        .expect("dave is told who speaks");
    assert_eq!(told, sids, "both speakers, loudest first");

    // alice falls silent: within two seconds she is announced as no longer speaking.
    for n in 75..175 {
        w.write_audio_level(alice, a, n, -127);
        w.write_audio_level(bob, b, n, -30);
        w.pump();
        w.pass(Duration::from_millis(20));
    }
    let last_for_alice = speakers(&w).into_iter().flatten().rfind(|(sid, _, _)| *sid == sids[0].to_string()).expect("alice announced");
    assert!(!last_for_alice.1 && last_for_alice.2 == 0.0, "alice stopped speaking: {last_for_alice:?}");
    let bob_still = speakers(&w).into_iter().flatten().rfind(|(sid, _, _)| *sid == sids[1].to_string()).expect("bob announced");
    assert!(bob_still.1, "bob still speaks");
}

#[test]
fn connection_quality_reflects_loss_and_reaches_the_participant_and_its_subscribers() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    let sid_of = |w: &World, c: usize| {
        w.client(c).signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.participant.sid.clone()) } else { None }).expect("joined")
    };
    let (alice_sid, bob_sid) = (sid_of(&w, alice), sid_of(&w, bob));
    // bob is told of himself before alice publishes; subscribing to her tells him of her.
    assert!(w.run_until(Duration::from_secs(3), |w| w.client(bob).signals.iter().any(|s| matches!(s, ServerSignal::ConnectionQuality(_)))));
    let video = w.publish(alice, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| w.client(bob).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_)))));
    let quality_of = |w: &World, to: usize, sid: &hikari_types::ParticipantSid| {
        w.client(to).signals.iter().rev().find_map(|s| match s {
            ServerSignal::ConnectionQuality(v) => v.iter().find(|q| q.sid == *sid).map(|q| q.quality),
            _ => None,
        })
    };
    let mut frame = 0;
    let mut run = |w: &mut World, d: Duration| {
        for _ in 0..d.as_millis() / 33 {
            w.write_frame(alice, video, str0m::format::Codec::Vp8, frame, frame % 30 == 0);
            frame += 1;
            w.pass(Duration::from_millis(33));
        }
    };
    run(&mut w, Duration::from_secs(3));
    assert_eq!(quality_of(&w, bob, &alice_sid), Some(ConnectionQuality::Excellent), "bob hears of alice");
    assert_eq!(quality_of(&w, bob, &bob_sid), Some(ConnectionQuality::Excellent), "and of himself");
    // A fifth of what bob receives is lost.
    w.clients[bob].drop_every = 5;
    run(&mut w, Duration::from_secs(8));
    assert_eq!(quality_of(&w, bob, &bob_sid), Some(ConnectionQuality::Poor), "bob hears his link is poor");
    assert_eq!(quality_of(&w, bob, &alice_sid), Some(ConnectionQuality::Excellent), "alice's link is fine");
    assert_eq!(quality_of(&w, alice, &bob_sid), None, "alice receives nothing from bob, so she is not told of him");
    w.clients[bob].drop_every = 0;
    run(&mut w, Duration::from_secs(8));
    assert_eq!(quality_of(&w, bob, &bob_sid), Some(ConnectionQuality::Excellent), "bob's link recovered");
}

#[test]
fn a_sink_gets_the_top_layer_and_dynacast_keeps_it_encoded() {
    let (mut w, mut enc, subs, sid) = simulcast_call(&["bob"]);
    settings(&mut w, subs[0], &sid, false, LayerWant::Quality(VideoQuality::Low));
    enc.run(&mut w, Duration::from_secs(4));
    assert_eq!(enc.updates.last(), Some(&[true, false, false]), "only q is needed");
    w.command(hikari_sfu::Command::AttachSink { sink: hikari_sfu::SinkId(1), room: "room".into(), track: sid.clone() });
    enc.run(&mut w, Duration::from_secs(1));
    assert_eq!(enc.updates.last(), Some(&[true, true, true]), "a recorder needs f: it is switched back on");
    // RTP payloads: the VP8 descriptor, then the frame (its keyframe byte, its layer letter).
    let layers: Vec<u8> = w.sink_packets.iter().filter_map(|(_, p)| p.payload.iter().take(4).find(|b| b"qhf".contains(b)).copied()).collect();
    assert_eq!(layers.last(), Some(&b'f'), "the sink receives f");
}
