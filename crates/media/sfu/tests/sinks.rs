//! Internal sinks (the seam for recording and packaging), in virtual time.

mod common;

use std::time::Duration;

use common::World;
use hikari_sfu::{Command, SinkEnd, SinkId};
use str0m::format::Codec;

#[test]
fn a_sink_receives_a_track_from_a_keyframe_with_continuous_numbers_until_detached() {
    let (mut w, alice, _bob, video) = World::video_call();
    let sid = w.published_sid(alice);
    let mut n = 0;
    for _ in 0..10 {
        w.write_frame(alice, video, Codec::Vp8, n, n == 0);
        n += 1;
        w.pass(Duration::from_millis(33));
    }
    let plis = w.sfu.stats().counters.keyframe_requests;
    w.command(Command::AttachSink { sink: SinkId(7), room: "room".into(), track: sid.clone() });
    assert!(w.sfu.stats().counters.keyframe_requests > plis, "attaching asks the publisher for a keyframe");
    for _ in 0..30 {
        // The publisher answers the PLI with the next frame.
        w.write_frame(alice, video, Codec::Vp8, n, n == 12);
        n += 1;
        w.pass(Duration::from_millis(33));
    }
    let got: Vec<_> = w.sink_packets.iter().filter(|(s, _)| *s == SinkId(7)).map(|(_, p)| p.clone()).collect();
    assert!(got.len() >= 30, "the sink receives the track: {} packets", got.len());
    assert!(got[0].keyframe, "from a keyframe");
    assert!(got.windows(2).all(|p| p[1].seq == p[0].seq + 1), "sequence numbers are continuous");
    assert!(got.windows(2).all(|p| p[1].ts.wrapping_sub(p[0].ts) < 90_000), "timestamps move forward");

    w.command(Command::DetachSink { sink: SinkId(7) });
    let before = w.sink_packets.len();
    w.write_frame(alice, video, Codec::Vp8, n, false);
    w.run_until(Duration::from_millis(200), |_| false);
    assert_eq!(w.sink_packets.len(), before, "nothing after detaching");
}

#[test]
fn a_sink_is_told_when_its_track_goes_and_an_unknown_track_is_refused() {
    let (mut w, alice, _bob, video) = World::video_call();
    let sid = w.published_sid(alice);
    w.command(Command::AttachSink { sink: SinkId(1), room: "room".into(), track: "TR_nope".into() });
    w.command(Command::AttachSink { sink: SinkId(2), room: "nope".into(), track: sid.clone() });
    assert_eq!(w.sinks_closed, vec![(SinkId(1), SinkEnd::NotFound), (SinkId(2), SinkEnd::NotFound)]);
    w.command(Command::AttachSink { sink: SinkId(3), room: "room".into(), track: sid });
    w.write_frame(alice, video, Codec::Vp8, 0, true);
    // alice leaves: her track is unpublished and the sink is told.
    w.signal(alice, hikari_types::ClientSignal::Leave { reason: hikari_types::DisconnectReason::ClientInitiated });
    assert!(w.sinks_closed.contains(&(SinkId(3), SinkEnd::Unpublished)), "{:?}", w.sinks_closed);
}

/// A publisher whose signal connection drops and resumes (LiveKit's `reconnect=1`) keeps its
/// track: a recording's sink is not told anything and its packets go on, numbers continuous.
#[test]
fn a_sink_outlives_its_publishers_resume() {
    let (mut w, alice, _bob, video) = World::video_call();
    let sid = w.published_sid(alice);
    let alice_sid = w.sid(alice);
    w.command(Command::AttachSink { sink: SinkId(5), room: "room".into(), track: sid });
    let mut n = 0;
    let mut frames = |w: &mut World, count: u64| {
        for _ in 0..count {
            w.write_frame(alice, video, Codec::Vp8, n, n % 30 == 0);
            n += 1;
            w.pass(Duration::from_millis(33));
        }
    };
    frames(&mut w, 40);
    let before = w.sink_packets.len();
    w.drop_signal(alice);
    frames(&mut w, 60);
    w.resume(alice, &alice_sid);
    frames(&mut w, 60);
    assert!(w.sinks_closed.is_empty(), "the sink was never closed: {:?}", w.sinks_closed);
    let got: Vec<_> = w.sink_packets.iter().filter(|(s, _)| *s == SinkId(5)).map(|(_, p)| p.seq).collect();
    assert!(w.sink_packets.len() >= before + 100, "packets went on through the drop and the resume: {} then {}", before, w.sink_packets.len());
    assert!(got.windows(2).all(|p| p[1] == p[0] + 1), "sequence numbers stay continuous");
}
