//! Resuming a session after the signal connection dropped, in virtual time.

mod common;

use std::time::Duration;

use common::{World, received_frames};
use hikari_sfu::RoomEvent;
use hikari_types::{DisconnectReason, LeaveAction, ParticipantState, Permissions, ServerSignal};
use str0m::format::Codec;
use str0m::media::{MediaKind, Mid};

/// Frames from alice for `d`, one every 33 ms, numbered from `from`.
fn stream(w: &mut World, alice: usize, video: Mid, from: u64, d: Duration) -> u64 {
    let n = d.as_millis() as u64 / 33;
    for i in from..from + n {
        w.write_frame(alice, video, Codec::Vp8, i, i % 30 == 0);
        let end = w.now + Duration::from_millis(33);
        while w.now < end {
            w.advance(end - w.now);
        }
    }
    from + n
}

/// Whether `c` was told that the participant with `sid` left.
fn told_left(w: &World, c: usize, sid: &str) -> bool {
    w.client(c).signals.iter().any(|s| match s {
        ServerSignal::Update(ps) => ps.iter().any(|p| p.sid.as_str() == sid && p.state == ParticipantState::Disconnected),
        _ => false,
    })
}

fn ufrags(sdp: &str) -> Vec<&str> {
    sdp.lines().filter_map(|l| l.strip_prefix("a=ice-ufrag:")).collect()
}

#[test]
fn a_dropped_signal_connection_resumes_the_same_session_and_no_one_sees_a_leave() {
    let (mut w, alice, bob, video) = World::video_call();
    let bob_sid = w.sid(bob);
    let mut n = stream(&mut w, alice, video, 0, Duration::from_secs(1));
    let first_offer = w.client(bob).signals.iter().find_map(|s| if let ServerSignal::Offer(o) = s { Some(o.sdp.clone()) } else { None }).expect("an offer");

    w.drop_signal(bob);
    // While bob is away, carol joins: bob must hear of her when he is back.
    let carol = w.join("room", "carol", Permissions::default());
    n = stream(&mut w, alice, video, n, Duration::from_secs(5));
    assert!(!told_left(&w, alice, &bob_sid), "alice is not told bob left");
    assert!(!w.events.iter().any(|e| matches!(e, RoomEvent::ParticipantLeft(..))), "no participant_left webhook");
    assert_eq!(w.client(bob).closed, None);

    let before = w.client(bob).signals.len();
    w.resume(bob, &bob_sid);
    let after: Vec<_> = w.client(bob).signals[before..].to_vec();
    assert!(matches!(after.first(), Some(ServerSignal::Reconnect { .. })), "the first answer is a ReconnectResponse: {:?}", after.first());
    let carol_sid = w.sid(carol);
    assert!(
        after.iter().any(|s| matches!(s, ServerSignal::Update(ps) if ps.iter().any(|p| p.sid.as_str() == carol_sid))),
        "the missed update about carol is replayed"
    );
    let restart = after.iter().find_map(|s| if let ServerSignal::Offer(o) = s { Some(o.sdp.clone()) } else { None }).expect("the server restarts ICE");
    assert_ne!(ufrags(&restart), ufrags(&first_offer), "the offer carries new ICE credentials");
    assert!(!after.iter().any(|s| matches!(s, ServerSignal::Join(_))), "no second JoinResponse: the session goes on");

    let got = received_frames(w.client(bob), MediaKind::Video).len();
    stream(&mut w, alice, video, n, Duration::from_secs(2));
    assert!(received_frames(w.client(bob), MediaKind::Video).len() >= got + 40, "media flows on after the resume");
    w.run_until(Duration::from_secs(25), |_| false);
    assert!(!told_left(&w, alice, &bob_sid) && w.client(bob).closed.is_none(), "the resumed session outlives the resume window");
}

#[test]
fn a_session_not_resumed_in_time_is_removed() {
    let (mut w, alice, bob, _video) = World::video_call();
    let bob_sid = w.sid(bob);
    w.drop_signal(bob);
    assert!(!w.run_until(Duration::from_secs(15), |w| told_left(w, alice, &bob_sid)), "kept while it may resume");
    assert!(w.run_until(Duration::from_secs(10), |w| told_left(w, alice, &bob_sid)), "removed after the resume window");
    assert!(w.events.iter().any(|e| matches!(e, RoomEvent::ParticipantLeft(_, p) if p.sid.as_str() == bob_sid)));
    // Too late now: a resume is refused with a leave asking for a fresh join.
    let conn = w.resume(bob, &bob_sid);
    assert!(matches!(w.client(bob).signals.last(), Some(ServerSignal::Leave { action: LeaveAction::Reconnect, .. })));
    assert!(w.client(bob).closed.is_some(), "and that connection is closed ({conn:?})");
}

#[test]
fn a_resume_naming_another_session_is_refused_and_hurts_no_one() {
    let (mut w, alice, bob, video) = World::video_call();
    let alice_sid = w.sid(alice);
    // bob's token, alice's session.
    w.resume(bob, &alice_sid);
    assert!(matches!(w.client(bob).signals.last(), Some(ServerSignal::Leave { reason: DisconnectReason::JoinFailure, action: LeaveAction::Reconnect })));
    // Neither session was touched: the refusal closed only the new connection, and alice
    // still sends to bob's PeerConnections.
    assert_eq!(w.client(alice).closed, None);
    let got = received_frames(w.client(bob), MediaKind::Video).len();
    stream(&mut w, alice, video, 0, Duration::from_secs(1));
    assert!(received_frames(w.client(bob), MediaKind::Video).len() > got, "bob's media still flows");
    assert!(!told_left(&w, alice, &w.sid(bob)));
}

/// The candidate lines of the first server offer client `c` received.
fn offered_candidates(w: &World, c: usize) -> Vec<String> {
    let sdp = w.client(c).signals.iter().find_map(|s| if let ServerSignal::Offer(o) = s { Some(o.sdp.clone()) } else { None }).expect("an offer");
    sdp.lines().filter(|l| l.starts_with("a=candidate:")).map(str::to_owned).collect()
}

#[test]
fn force_tcp_gives_the_next_session_tcp_candidates_only() {
    let tcp: std::net::SocketAddr = "10.0.0.1:7881".parse().expect("valid");
    let mut w = World::with_config(|cfg| cfg.tcp_candidates = vec![tcp]);
    let alice = w.join("room", "alice", Permissions::default());
    let first = offered_candidates(&w, alice);
    assert!(first.iter().any(|c| c.contains(" udp ")) && first.iter().any(|c| c.contains(" tcp ") && c.contains("tcptype passive")), "{first:?}");
    w.signal(alice, hikari_types::ClientSignal::Simulate(hikari_types::Scenario::ForceTcp));
    // The SDK then joins afresh (full reconnect) with the same identity.
    let again = w.join("room", "alice", Permissions::default());
    let second = offered_candidates(&w, again);
    assert!(!second.is_empty() && second.iter().all(|c| c.contains(" tcp ")), "TCP only: {second:?}");
    let third = w.join("room", "alice", Permissions::default());
    assert!(offered_candidates(&w, third).iter().any(|c| c.contains(" udp ")), "only the next session");
}

#[test]
fn leave_scenarios_end_only_the_asking_session() {
    let (mut w, alice, bob, _video) = World::video_call();
    w.signal(bob, hikari_types::ClientSignal::Simulate(hikari_types::Scenario::LeaveFullReconnect));
    assert!(w.client(bob).signals.iter().any(|s| matches!(s, ServerSignal::Leave { action: LeaveAction::Reconnect, .. })), "bob is asked to join afresh");
    assert_eq!(w.client(alice).closed, None, "alice stays");
    w.signal(alice, hikari_types::ClientSignal::Simulate(hikari_types::Scenario::ServerLeave));
    assert!(w.client(alice).closed.is_some(), "server-leave ends alice's session");
}
