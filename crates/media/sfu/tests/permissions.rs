//! Subscription permissions, `TrackSubscribed` and `RoomUpdate`, in virtual time.

mod common;

use std::time::Duration;

use common::World;
use hikari_types::{ClientSignal, Permissions, ServerSignal, TrackKind, TrackPermission};
use str0m::Event;

fn media_lines(w: &World, c: usize) -> usize {
    w.client(c).sub_events.iter().filter(|e| matches!(e, Event::MediaAdded(_))).count()
}

fn permission_updates(w: &World, c: usize) -> Vec<bool> {
    w.client(c).signals.iter().filter_map(|s| if let ServerSignal::SubscriptionPermissionUpdate { allowed, .. } = s { Some(*allowed) } else { None }).collect()
}

#[test]
fn a_publisher_allows_only_some_and_can_grant_and_revoke() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    let carol = w.join("room", "carol", Permissions::default());
    // alice lets only carol (by identity) receive her tracks, before publishing.
    let only_carol = vec![TrackPermission { participant_identity: "carol".into(), all_tracks: true, ..Default::default() }];
    w.signal(alice, ClientSignal::SubscriptionPermission { all: false, tracks: only_carol });
    w.publish(alice, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| media_lines(w, carol) == 1));
    w.run_until(Duration::from_secs(1), |_| false);
    assert_eq!(media_lines(&w, bob), 0, "bob may not receive it");
    assert_eq!(permission_updates(&w, bob), vec![false], "and is told so");
    let sid = w.published_sid(alice);

    // alice allows bob this track by sid: bob is told and subscribed.
    let bob_sid = w.sid(bob);
    let both = vec![
        TrackPermission { participant_identity: "carol".into(), all_tracks: true, ..Default::default() },
        TrackPermission { participant_sid: bob_sid, track_sids: vec![sid.clone()], ..Default::default() },
    ];
    w.signal(alice, ClientSignal::SubscriptionPermission { all: false, tracks: both });
    assert!(w.run_until(Duration::from_secs(5), |w| media_lines(w, bob) == 1), "bob receives it once allowed");
    assert_eq!(permission_updates(&w, bob), vec![false, true]);

    // alice takes it back from carol: carol's leg goes, carol is told.
    let only_bob = vec![TrackPermission { participant_identity: "bob".into(), all_tracks: true, ..Default::default() }];
    let offers = |w: &World| w.client(carol).signals.iter().filter(|s| matches!(s, ServerSignal::Offer(_))).count();
    let before = offers(&w);
    w.signal(alice, ClientSignal::SubscriptionPermission { all: false, tracks: only_bob });
    w.run_until(Duration::from_secs(1), |_| false);
    assert_eq!(permission_updates(&w, carol), vec![false], "carol is told");
    assert!(offers(&w) > before, "and her media line is removed by a new offer");
    // Everyone again.
    w.signal(alice, ClientSignal::SubscriptionPermission { all: true, tracks: Vec::new() });
    w.run_until(Duration::from_secs(1), |_| false);
    assert_eq!(permission_updates(&w, carol), vec![false, true], "carol is allowed again");
}

#[test]
fn the_publisher_hears_of_its_first_subscriber_and_everyone_of_the_counts() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    w.publish(alice, TrackKind::Audio);
    w.run_until(Duration::from_secs(2), |_| false);
    let subscribed = |w: &World| w.client(alice).signals.iter().filter(|s| matches!(s, ServerSignal::TrackSubscribed(_))).count();
    assert_eq!(subscribed(&w), 0, "no subscriber yet");
    let bob = w.join("room", "bob", Permissions::default());
    assert!(w.run_until(Duration::from_secs(5), |w| subscribed(w) == 1), "TrackSubscribed when bob receives it");
    let carol = w.join("room", "carol", Permissions::default());
    w.run_until(Duration::from_secs(3), |_| false);
    assert_eq!(subscribed(&w), 1, "once, not per subscriber");
    let counts: Vec<_> =
        w.client(bob).signals.iter().filter_map(|s| if let ServerSignal::RoomUpdate(r) = s { Some(r.num_participants) } else { None }).collect();
    assert_eq!(counts.last(), Some(&3), "bob hears the room has three: {counts:?}");
    assert!(w.client(carol).signals.iter().any(|s| matches!(s, ServerSignal::RoomUpdate(r) if r.num_participants == 3 && r.num_publishers == 1)));
}

/// A visible publisher made hidden without publishing rights (an attendee sent back from a
/// webinar's stage): the others hear its tracks go, then see it leave; made visible again,
/// it comes back.
#[test]
fn a_publisher_made_hidden_loses_its_tracks_and_leaves_others_views() {
    use hikari_sfu::{AdminRequest, Command};
    use hikari_types::ParticipantState;
    let (mut w, alice, bob, _video) = World::video_call();
    let update = |hidden: bool, can_publish: bool| Command::Admin {
        id: 1,
        request: AdminRequest::UpdateParticipant {
            room: "room".into(),
            identity: "alice".into(),
            metadata: None,
            name: None,
            attributes: Default::default(),
            permission: Some(Permissions { hidden, can_publish, ..Permissions::default() }),
        },
    };
    let seen_by_bob = |w: &World| -> Vec<(usize, ParticipantState)> {
        w.client(bob)
            .signals
            .iter()
            .filter_map(|s| match s {
                ServerSignal::Update(ps) => ps.iter().find(|p| p.identity.as_str() == "alice").map(|p| (p.tracks.len(), p.state)),
                _ => None,
            })
            .collect()
    };
    let before = seen_by_bob(&w).len();
    w.command(update(true, false));
    w.pump();
    let after: Vec<_> = seen_by_bob(&w).split_off(before);
    assert!(after.iter().any(|&(tracks, state)| tracks == 0 && state != ParticipantState::Disconnected), "bob hears the track go: {after:?}");
    assert_eq!(after.last().map(|a| a.1), Some(ParticipantState::Disconnected), "then alice leaves bob's view: {after:?}");
    assert!(w.client(alice).closed.is_none(), "alice stays connected");
    let hidden_at = seen_by_bob(&w).len();
    w.command(update(false, true));
    w.pump();
    let back = seen_by_bob(&w).split_off(hidden_at);
    assert!(back.iter().any(|a| a.1 != ParticipantState::Disconnected), "visible again, alice is back: {back:?}");
}
