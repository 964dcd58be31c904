//! `SyncState` after a resume, in virtual time: the session is set to what the client
//! believes (tracks it unsubscribed stay unsubscribed, tracks it disabled are paused), and
//! nothing it names that the server does not hold can hurt anyone.

mod common;

use std::time::Duration;

use common::{World, received_frames};
use hikari_types::{ClientSignal, LayerWant, LeaveAction, ParticipantState, Permissions, Scenario, ServerSignal, SyncState, TrackKind, TrackSid};
use str0m::format::Codec;
use str0m::media::{MediaKind, Mid};

/// alice publishes video and audio to bob: (world, alice, bob, video line, audio line,
/// video sid, audio sid).
fn call() -> (World, usize, usize, Mid, Mid, TrackSid, TrackSid) {
    let (mut w, alice, bob, video) = World::video_call();
    let audio = w.publish(alice, TrackKind::Audio);
    let sid = |w: &World, kind: &str| {
        w.client(alice)
            .signals
            .iter()
            .find_map(|s| match s {
                ServerSignal::TrackPublished { cid, track } if cid.ends_with(kind) => Some(track.sid.clone()),
                _ => None,
            })
            .expect("published")
    };
    let (video_sid, audio_sid) = (sid(&w, "Video"), sid(&w, "Audio"));
    frames(&mut w, alice, video, audio, 0, Duration::from_secs(1));
    assert!(!received_frames(w.client(bob), MediaKind::Audio).is_empty(), "bob hears alice");
    (w, alice, bob, video, audio, video_sid, audio_sid)
}

/// Video and audio frames from `c` for `d`, one of each every 33 ms, numbered from `from`.
fn frames(w: &mut World, c: usize, video: Mid, audio: Mid, from: u64, d: Duration) -> u64 {
    let n = d.as_millis() as u64 / 33;
    for i in from..from + n {
        w.write_frame(c, video, Codec::Vp8, i, i % 30 == 0);
        w.write_frame(c, audio, Codec::Opus, i, false);
        w.pass(Duration::from_millis(33));
    }
    w.run_until(Duration::from_millis(200), |_| false);
    from + n
}

fn counts(w: &World, c: usize) -> (usize, usize) {
    (received_frames(w.client(c), MediaKind::Video).len(), received_frames(w.client(c), MediaKind::Audio).len())
}

fn told_left(w: &World, c: usize, sid: &str) -> bool {
    w.client(c)
        .signals
        .iter()
        .any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.sid.as_str() == sid && p.state == ParticipantState::Disconnected)))
}

#[test]
fn after_a_resume_the_sync_state_unsubscribes_and_pauses_what_the_client_believes() {
    let (mut w, alice, bob, video, audio, video_sid, audio_sid) = call();
    let bob_sid = w.sid(bob);
    w.drop_signal(bob);
    let mut n = frames(&mut w, alice, video, audio, 100, Duration::from_secs(1));
    w.resume(bob, &bob_sid);
    // bob unsubscribed from the audio and disabled the video while away; it also names
    // tracks the server never had, and its own sid as a track.
    let nope: TrackSid = "TR_nope".into();
    w.signal(
        bob,
        ClientSignal::SyncState(SyncState {
            subscribe: false,
            track_sids: vec![audio_sid.clone(), nope.clone(), bob_sid.as_str().into()],
            published: Vec::new(),
            disabled: vec![video_sid.clone(), nope],
        }),
    );
    n = frames(&mut w, alice, video, audio, n, Duration::from_millis(500));
    let before = counts(&w, bob);
    n = frames(&mut w, alice, video, audio, n, Duration::from_secs(2));
    assert_eq!(counts(&w, bob), before, "no video (paused) and no audio (unsubscribed) reach bob");
    assert!(w.client(bob).closed.is_none() && w.client(alice).closed.is_none(), "no session ended");
    assert!(!told_left(&w, alice, &bob_sid));

    // The video was paused as UpdateTrackSettings pauses it: enabling it resumes it.
    w.signal(bob, ClientSignal::TrackSettings { track_sids: vec![video_sid], disabled: false, want: LayerWant::default(), fps: 0 });
    frames(&mut w, alice, video, audio, n, Duration::from_secs(2));
    let after = counts(&w, bob);
    assert!(after.0 >= before.0 + 30, "the video flows again: {before:?} -> {after:?}");
    assert_eq!(after.1, before.1, "the audio stays unsubscribed");
}

#[test]
fn a_sync_state_with_auto_subscribe_off_subscribes_the_tracks_it_lists() {
    let (mut w, alice, bob, video, audio, _video_sid, audio_sid) = call();
    w.signal(bob, ClientSignal::Subscription { track_sids: vec![audio_sid.clone()], subscribe: false });
    let mut n = frames(&mut w, alice, video, audio, 100, Duration::from_millis(500));
    let before = counts(&w, bob);
    n = frames(&mut w, alice, video, audio, n, Duration::from_secs(1));
    assert_eq!(counts(&w, bob).1, before.1, "unsubscribed");
    let bob_sid = w.sid(bob);
    w.drop_signal(bob);
    w.resume(bob, &bob_sid);
    w.signal(bob, ClientSignal::SyncState(SyncState { subscribe: true, track_sids: vec![audio_sid], ..Default::default() }));
    frames(&mut w, alice, video, audio, n, Duration::from_secs(2));
    assert!(counts(&w, bob).1 >= before.1 + 30, "subscribed again as the client believes");
}

#[test]
fn a_sync_state_outside_a_resume_that_matches_the_session_changes_nothing() {
    let (mut w, alice, bob, video, audio, video_sid, audio_sid) = call();
    let state = SyncState { subscribe: false, track_sids: Vec::new(), published: vec![video_sid, audio_sid], disabled: Vec::new() };
    w.signal(alice, ClientSignal::SyncState(state));
    w.signal(bob, ClientSignal::SyncState(SyncState::default()));
    let n = frames(&mut w, alice, video, audio, 100, Duration::from_millis(300));
    let before = counts(&w, bob);
    frames(&mut w, alice, video, audio, n, Duration::from_secs(1));
    let after = counts(&w, bob);
    assert!(after.0 >= before.0 + 25 && after.1 >= before.1 + 25, "both tracks still flow: {before:?} -> {after:?}");
    assert!(w.client(alice).closed.is_none() && w.client(bob).closed.is_none());
}

#[test]
fn a_sync_state_naming_a_publication_the_server_does_not_hold_asks_that_client_for_a_fresh_join() {
    let (mut w, alice, bob, video, audio, video_sid, _audio_sid) = call();
    let bob_sid = w.sid(bob);
    // bob claims alice's video as its own publication.
    w.signal(bob, ClientSignal::SyncState(SyncState { published: vec![video_sid], ..Default::default() }));
    assert!(w.client(bob).signals.iter().any(|s| matches!(s, ServerSignal::Leave { action: LeaveAction::Reconnect, .. })), "bob must join afresh");
    assert!(w.client(bob).closed.is_some());
    assert!(w.client(alice).closed.is_none(), "alice stays");
    assert!(told_left(&w, alice, &bob_sid));
    // alice still publishes: a newcomer receives her.
    let carol = w.join("room", "carol", Permissions::default());
    frames(&mut w, alice, video, audio, 100, Duration::from_secs(2));
    assert!(counts(&w, carol).0 > 20, "carol receives alice");
}

#[test]
fn a_storm_of_sync_states_and_scenarios_costs_bounded_work_and_hurts_no_one() {
    let (mut w, alice, bob, video, audio, _video_sid, _audio_sid) = call();
    let junk: Vec<TrackSid> = (0..5000).map(|i| format!("TR_{i}").as_str().into()).collect();
    let speakers_before = w.client(alice).signals.iter().filter(|s| matches!(s, ServerSignal::SpeakersChanged(_))).count();
    for i in 0..200u32 {
        w.signal(bob, ClientSignal::SyncState(SyncState { subscribe: i % 2 == 0, track_sids: junk.clone(), published: Vec::new(), disabled: junk.clone() }));
        w.signal(bob, ClientSignal::Simulate(Scenario::Speaker { secs: 1 }));
        w.signal(bob, ClientSignal::Simulate(Scenario::DisconnectSignalOnResume { no_messages: i % 2 == 0 }));
    }
    let speakers = w.client(alice).signals.iter().filter(|s| matches!(s, ServerSignal::SpeakersChanged(_))).count() - speakers_before;
    assert_eq!(speakers, 1, "alice hears of bob's simulated speech once");
    let n = frames(&mut w, alice, video, audio, 100, Duration::from_millis(300));
    let before = counts(&w, bob);
    frames(&mut w, alice, video, audio, n, Duration::from_secs(1));
    let after = counts(&w, bob);
    assert!(after.0 >= before.0 + 25 && after.1 >= before.1 + 25, "media still flows: {before:?} -> {after:?}");
    assert!(w.client(alice).closed.is_none() && w.client(bob).closed.is_none());
}
