//! Bandwidth estimation in virtual time: a subscriber behind a narrow downlink steps down
//! (or is paused) instead of losing packets, and steps back up when the link clears.

mod common;

use std::time::Duration;

use common::simulcast::*;
use hikari_types::{ClientSignal, Scenario, ServerSignal, StreamState};
use str0m::media::MediaKind;

/// Frame sizes of a camera's three layers: about 130 kbit/s, 450 kbit/s and 1.3 Mbit/s at 30 fps.
const SIZES: [usize; 3] = [500, 1700, 5000];

/// The layer letters of the last `n` video frames a client received.
fn last_layers(w: &common::World, c: usize, n: usize) -> Vec<u8> {
    let mut l = layers_received(w, c);
    l.drain(..l.len().saturating_sub(n));
    l
}

fn stream_states(w: &common::World, c: usize) -> Vec<StreamState> {
    w.client(c)
        .signals
        .iter()
        .filter_map(|s| match s {
            ServerSignal::StreamState(list) => list.first().map(|(_, _, state)| *state),
            _ => None,
        })
        .collect()
}

/// Runs the encoder until `done` holds; how long that took. Fails after `limit`.
fn run_until(w: &mut common::World, enc: &mut Encoder, limit: Duration, done: impl Fn(&common::World) -> bool) -> Duration {
    let start = w.now;
    while !done(w) {
        assert!(w.now - start < limit, "not within {limit:?}");
        enc.step(w);
    }
    w.now - start
}

#[test]
fn a_narrow_downlink_steps_the_subscriber_down_and_a_clear_one_back_up() {
    let (mut w, mut enc, subs, _sid) = simulcast_call(&["bob"]);
    enc.sizes = SIZES;
    let bob = subs[0];
    enc.run(&mut w, Duration::from_secs(6));
    assert!(last_layers(&w, bob, 10).iter().all(|&l| l == b'f'), "an open link carries f: {:?}", last_layers(&w, bob, 10));

    // The link narrows to 600 kbit/s: f (1.3 Mbit/s) no longer fits, h does.
    w.clients[bob].downlink = Some(600_000);
    let down = run_until(&mut w, &mut enc, Duration::from_secs(8), |w| last_layers(w, bob, 5) == [b'h'; 5]);
    eprintln!("stepped down to h in {down:?} (virtual time)");
    enc.run(&mut w, Duration::from_secs(4));
    let tail = last_layers(&w, bob, 30);
    assert!(tail.iter().all(|&l| l == b'h'), "bob stays on h: {tail:?}");
    let dropped = w.client(bob).link_dropped;
    enc.run(&mut w, Duration::from_secs(4));
    assert!(w.client(bob).link_dropped - dropped <= 2, "once down, the link loses (almost) nothing: {}", w.client(bob).link_dropped - dropped);

    // The link clears: probing finds the room and bob goes back up.
    w.clients[bob].downlink = None;
    let up = run_until(&mut w, &mut enc, Duration::from_secs(20), |w| last_layers(w, bob, 5) == [b'f'; 5]);
    eprintln!("stepped back up to f in {up:?} (virtual time)");
    assert!(stream_states(&w, bob).is_empty(), "never paused: {:?}", stream_states(&w, bob));
}

#[test]
fn without_allow_pause_a_starved_subscriber_keeps_the_lowest_layer() {
    let (mut w, mut enc, subs, _sid) = simulcast_call(&["bob"]);
    enc.sizes = SIZES;
    let bob = subs[0];
    w.signal(bob, ClientSignal::Simulate(Scenario::SubscriberBandwidth(50_000)));
    enc.run(&mut w, Duration::from_secs(3));
    assert!(last_layers(&w, bob, 10).iter().all(|&l| l == b'q'), "{:?}", last_layers(&w, bob, 10));
    assert!(stream_states(&w, bob).is_empty(), "never paused");
}

#[test]
fn a_subscriber_bandwidth_limit_steps_down_pauses_and_resumes() {
    let (mut w, mut enc, subs, _sid) = simulcast_call_with(&["bob"], |cfg| cfg.allow_pause = true);
    enc.sizes = SIZES;
    let bob = subs[0];
    enc.run(&mut w, Duration::from_secs(2));
    assert_eq!(last_layers(&w, bob, 1), [b'f']);

    // `room.simulateScenario('subscriber-bandwidth', 300_000)`: only q fits.
    w.signal(bob, ClientSignal::Simulate(Scenario::SubscriberBandwidth(300_000)));
    enc.run(&mut w, Duration::from_secs(2));
    assert!(last_layers(&w, bob, 10).iter().all(|&l| l == b'q'), "{:?}", last_layers(&w, bob, 10));

    // Not even q fits: the track is paused and bob is told.
    w.signal(bob, ClientSignal::Simulate(Scenario::SubscriberBandwidth(50_000)));
    enc.run(&mut w, Duration::from_millis(700));
    assert_eq!(stream_states(&w, bob), [StreamState::Paused]);
    let frames = common::received_frames(w.client(bob), MediaKind::Video).len();
    enc.run(&mut w, Duration::from_secs(1));
    assert_eq!(common::received_frames(w.client(bob), MediaKind::Video).len(), frames, "nothing flows while paused");
    // With no one receiving it, dynacast switches the publisher's layers off after its delay.
    enc.run(&mut w, Duration::from_secs(3));
    assert_eq!(enc.updates.last(), Some(&[false, false, false]), "{:?}", enc.updates);

    // The limit is lifted: the track resumes at a keyframe and climbs back to f.
    w.signal(bob, ClientSignal::Simulate(Scenario::SubscriberBandwidth(0)));
    enc.run(&mut w, Duration::from_secs(3));
    assert_eq!(stream_states(&w, bob), [StreamState::Paused, StreamState::Active]);
    let after = frames_since(&w, bob, frames);
    assert_eq!(after.first().map(|f| f.0), Some(0x00), "resumes at a keyframe: {after:?}");
    assert_eq!(last_layers(&w, bob, 1), [b'f']);
}

/// While a bandwidth probe waits for padding, str0m asks for `now` again after every
/// timeout. Each `handle_timeout` feeds a PeerConnection once per deadline it had when
/// called (the next one comes with the next call), not thousands of times in a row.
#[test]
fn a_peer_connection_asking_for_now_again_is_fed_once_per_call() {
    let (mut w, alice, bob, video) = common::World::video_call();
    let start = w.sfu.stats().timeouts_fed;
    let mut calls = 0u64;
    for n in 0..10 {
        w.write_frame(alice, video, str0m::format::Codec::Vp8, 1000 + n, n == 0);
        let end = w.now + Duration::from_millis(33);
        while w.now < end {
            w.advance(end - w.now);
            calls += 1;
        }
    }
    let fed = w.sfu.stats().timeouts_fed - start;
    // bench/README.md quotes this line.
    eprintln!("timeouts fed: {fed} in {calls} handle_timeout calls (330 ms of a bandwidth probe)");
    // The server has four PeerConnections: at most one feeding each per call.
    assert!(fed <= 4 * calls, "{fed} timeouts fed in {calls} calls");
    assert!(calls > 100, "the probe kept the timers due: {calls} steps");
    assert!(w.client(bob).pts_in.len() >= 2, "video and padding reached bob: {:?}", w.client(bob).pts_in);
}
