//! `room.simulateScenario(...)` scenarios the server plays, in virtual time: each about the
//! asking participant only. (`server-leave`, `leave-full-reconnect` and `force-tcp` are in
//! `resume.rs`.)

mod common;

use std::time::Duration;

use common::{World, received_frames};
use hikari_types::{ClientSignal, DisconnectReason, ParticipantState, Permissions, Scenario, ServerSignal};
use str0m::format::Codec;
use str0m::media::{MediaKind, Mid};

/// Video frames from alice for `d`, one every 33 ms, numbered from `from`.
fn stream(w: &mut World, alice: usize, video: Mid, from: u64, d: Duration) -> u64 {
    let n = d.as_millis() as u64 / 33;
    for i in from..from + n {
        w.write_frame(alice, video, Codec::Vp8, i, i % 30 == 0);
        w.pass(Duration::from_millis(33));
    }
    from + n
}

fn told_left(w: &World, c: usize, sid: &str) -> bool {
    w.client(c)
        .signals
        .iter()
        .any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.sid.as_str() == sid && p.state == ParticipantState::Disconnected)))
}

/// Whether a signal is the server's offer (an ICE restart after a resume).
fn is_offer(s: &ServerSignal) -> bool {
    matches!(s, ServerSignal::Offer(_))
}

/// Media from alice reaches bob over the next two seconds.
fn flows(w: &mut World, alice: usize, bob: usize, video: Mid, from: u64) -> u64 {
    let got = received_frames(w.client(bob), MediaKind::Video).len();
    let n = stream(w, alice, video, from, Duration::from_secs(2));
    let now = received_frames(w.client(bob), MediaKind::Video).len();
    assert!(now >= got + 40, "media flows to bob ({got} -> {now})");
    n
}

#[test]
fn node_failure_and_migration_close_the_signal_without_a_leave_and_the_session_resumes() {
    let (mut w, alice, bob, video) = World::video_call();
    let bob_sid = w.sid(bob);
    let mut n = 0;
    for scenario in [Scenario::NodeFailure, Scenario::Migration] {
        let before = w.client(bob).signals.len();
        w.signal(bob, ClientSignal::Simulate(scenario));
        assert_eq!(w.client(bob).closed, Some(DisconnectReason::SignalClose), "{scenario:?}: the signal connection closes");
        assert!(!w.client(bob).signals[before..].iter().any(|s| matches!(s, ServerSignal::Leave { .. })), "{scenario:?}: without a leave");
        n = stream(&mut w, alice, video, n, Duration::from_secs(1));
        assert!(!told_left(&w, alice, &bob_sid), "{scenario:?}: alice sees no leave");

        // The client resumes, as the SDKs do when the signal connection drops.
        w.clients[bob].closed = None;
        let before = w.client(bob).signals.len();
        w.resume(bob, &bob_sid);
        let after = &w.client(bob).signals[before..];
        assert!(matches!(after.first(), Some(ServerSignal::Reconnect { .. })), "{scenario:?}: resumed: {:?}", after.first());
        assert!(after.iter().any(is_offer), "{scenario:?}: ICE restarts");
        n = flows(&mut w, alice, bob, video, n);
    }
    assert!(w.client(alice).closed.is_none() && w.client(bob).closed.is_none());
}

#[test]
fn speaker_reports_the_asking_participant_as_speaking_then_not() {
    let (mut w, alice, bob, _video) = World::video_call();
    let bob_sid = w.sid(bob);
    let speech = |w: &World, c: usize| -> Vec<bool> {
        w.client(c)
            .signals
            .iter()
            .filter_map(|s| match s {
                ServerSignal::SpeakersChanged(v) => v.iter().find(|x| x.sid.as_str() == bob_sid).map(|x| x.active),
                _ => None,
            })
            .collect()
    };
    let start = w.now;
    w.signal(bob, ClientSignal::Simulate(Scenario::Speaker { secs: 3 }));
    assert_eq!(speech(&w, alice), vec![true], "alice hears bob speak at once");
    assert_eq!(speech(&w, bob), vec![true], "and so does bob");
    // Asking again extends the speech and tells no one again.
    w.signal(bob, ClientSignal::Simulate(Scenario::Speaker { secs: 3 }));
    assert_eq!(speech(&w, alice), vec![true]);
    assert!(w.run_until(Duration::from_secs(5), |w| speech(w, alice).len() == 2), "the speech ends");
    let took = w.now - start;
    assert!(took >= Duration::from_secs(3) && took < Duration::from_millis(3500), "after 3 s ({took:?})");
    assert_eq!(speech(&w, alice), vec![true, false]);
    assert_eq!(speech(&w, bob), vec![true, false]);
}

#[test]
fn disconnect_signal_on_resume_drops_the_next_resumed_connection_once_after_the_response() {
    let (mut w, alice, bob, video) = World::video_call();
    let bob_sid = w.sid(bob);
    w.signal(bob, ClientSignal::Simulate(Scenario::DisconnectSignalOnResume { no_messages: false }));
    assert!(w.client(bob).closed.is_none(), "nothing happens until the resume");
    // The SDK then closes its signal connection itself and resumes.
    w.drop_signal(bob);
    let before = w.client(bob).signals.len();
    w.resume(bob, &bob_sid);
    let after = w.client(bob).signals[before..].to_vec();
    assert!(matches!(after.first(), Some(ServerSignal::Reconnect { .. })), "the reconnect response first: {after:?}");
    assert!(!after.iter().any(is_offer), "no ICE restart on a connection about to close");
    assert_eq!(w.client(bob).closed, Some(DisconnectReason::SignalClose), "then the connection closes");

    // The client resumes again: this time the session goes on.
    w.clients[bob].closed = None;
    let before = w.client(bob).signals.len();
    w.resume(bob, &bob_sid);
    let after = w.client(bob).signals[before..].to_vec();
    assert!(matches!(after.first(), Some(ServerSignal::Reconnect { .. })));
    assert!(after.iter().any(is_offer), "ICE restarts");
    assert!(w.client(bob).closed.is_none(), "only once");
    flows(&mut w, alice, bob, video, 0);
    assert!(!told_left(&w, alice, &bob_sid));
}

#[test]
fn disconnect_signal_on_resume_no_messages_drops_it_before_anything_and_keeps_the_missed_signals() {
    let (mut w, alice, bob, video) = World::video_call();
    let bob_sid = w.sid(bob);
    w.signal(bob, ClientSignal::Simulate(Scenario::DisconnectSignalOnResume { no_messages: true }));
    w.drop_signal(bob);
    // carol joins while bob is away: bob must hear of her on the resume that goes through.
    let carol = w.join("room", "carol", Permissions::default());
    let carol_sid = w.sid(carol);
    let before = w.client(bob).signals.len();
    w.resume(bob, &bob_sid);
    assert_eq!(w.client(bob).signals.len(), before, "nothing is sent on the dropped connection");
    assert_eq!(w.client(bob).closed, Some(DisconnectReason::SignalClose));

    w.clients[bob].closed = None;
    w.resume(bob, &bob_sid);
    let after = w.client(bob).signals[before..].to_vec();
    assert!(matches!(after.first(), Some(ServerSignal::Reconnect { .. })), "{:?}", after.first());
    assert_eq!(after.iter().filter(|s| matches!(s, ServerSignal::Reconnect { .. })).count(), 1, "one reconnect response");
    assert!(after.iter().any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.sid.as_str() == carol_sid))), "the missed update is replayed");
    assert!(after.iter().any(is_offer));
    flows(&mut w, alice, bob, video, 0);
}

#[test]
fn disconnect_signal_on_resume_expires_after_five_seconds() {
    let (mut w, _alice, bob, _video) = World::video_call();
    let bob_sid = w.sid(bob);
    w.signal(bob, ClientSignal::Simulate(Scenario::DisconnectSignalOnResume { no_messages: false }));
    w.run_until(Duration::from_secs(6), |_| false);
    w.drop_signal(bob);
    let before = w.client(bob).signals.len();
    w.resume(bob, &bob_sid);
    assert!(w.client(bob).signals[before..].iter().any(is_offer), "a plain resume");
    assert!(w.client(bob).closed.is_none());
}

/// Whether client `c`'s join response asked it to relay.
fn told_to_relay(w: &World, c: usize) -> bool {
    w.client(c).signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.force_relay) } else { None }).expect("joined")
}

#[test]
fn force_tls_asks_the_next_session_of_that_identity_only_to_relay() {
    let (mut w, alice, bob, _video) = World::video_call();
    assert!(!told_to_relay(&w, alice));
    w.signal(alice, ClientSignal::Simulate(Scenario::ForceTls));
    // The SDK then joins afresh (full reconnect) with the same identity.
    let again = w.join("room", "alice", Permissions::default());
    assert!(told_to_relay(&w, again), "the next session relays");
    let third = w.join("room", "alice", Permissions::default());
    assert!(!told_to_relay(&w, third), "only the next one");
    let dave = w.join("room", "dave", Permissions::default());
    assert!(!told_to_relay(&w, dave), "no one else");
    assert!(w.client(bob).closed.is_none());
}
