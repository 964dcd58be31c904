//! A server shutdown in virtual time: every participant is told to leave with
//! `ServerShutdown`, its connection closes, and every room finishes.

mod common;

use common::World;
use hikari_sfu::{Command, RoomEvent};
use hikari_types::{DisconnectReason, LeaveAction, ServerSignal};

#[test]
fn shutdown_sends_every_participant_a_leave_and_finishes_every_room() {
    let (mut w, alice, bob, _video) = World::video_call();
    assert!(w.sfu.stats().participants >= 2, "{:?}", w.sfu.stats());
    w.command(Command::Shutdown);
    w.pump();
    for c in [alice, bob] {
        let client = w.client(c);
        let leave = client.signals.iter().rev().find(|s| matches!(s, ServerSignal::Leave { .. }));
        assert_eq!(leave, Some(&ServerSignal::Leave { reason: DisconnectReason::ServerShutdown, action: LeaveAction::Disconnect }), "{}", client.identity);
        assert_eq!(client.closed, Some(DisconnectReason::ServerShutdown), "{}", client.identity);
    }
    assert!(w.events.iter().any(|e| matches!(e, RoomEvent::RoomFinished(_))), "the room finished: {:?}", w.events);
    assert_eq!(w.sfu.rooms().count(), 0);
    assert_eq!(w.sfu.stats().participants, 0);
}
