//! Loss recovery and keyframe requests in virtual time.

mod common;

use std::time::Duration;

use common::{World, contains_all, received_frames};

use str0m::Event;
use str0m::format::Codec;
use str0m::media::{KeyframeRequestKind, MediaKind};

/// With every 20th media datagram to bob lost (5%), bob's NACKs make the server resend from
/// its per-leg cache over RTX, and frames that loss alone would have cost arrive.
///
/// Recovery in this zero-latency harness is partial (about half the lost frames come back);
/// every loss being recovered is not asserted until that is understood.
#[test]
fn lost_packets_are_retransmitted() {
    let (mut w, alice, bob, video) = World::video_call();
    w.clients[bob].drop_every = 20;
    let mut sent = Vec::new();
    for n in 0..120u64 {
        sent.push(w.write_frame(alice, video, Codec::Vp8, n, n == 0));
        w.pass(Duration::from_millis(33));
    }
    w.run_until(Duration::from_secs(2), |_| false);
    assert!(w.client(bob).dropped > 8, "the network lost packets ({})", w.client(bob).dropped);
    let got = received_frames(w.client(bob), MediaKind::Video);
    let bob_c = w.client(bob);
    let rtx = bob_c.pts_in.iter().filter(|(pt, _)| **pt != 96).map(|(_, n)| *n).sum::<usize>();
    assert!(bob_c.pts_in.get(&96).copied().unwrap_or(0) > 200, "media flows on VP8's payload type: {:?}", bob_c.pts_in);
    assert!(rtx > 0, "the server retransmits over RTX: {:?}", bob_c.pts_in);
    assert!(w.sfu.stats().counters.nacks_received > 0, "the NACKs are counted: {:?}", w.sfu.stats());
    // Each dropped datagram is a different frame (two datagrams a frame, every 20th dropped).
    let without_rtx = sent.len() - bob_c.dropped;
    assert!(got.len() > without_rtx, "retransmission recovers frames: {} received, {} without it", got.len(), without_rtx);
    assert!(contains_all(&got, &sent[..1]) && got.iter().all(|f| sent.contains(f)), "frames arrive intact");
}

/// A subscriber's picture-loss indication reaches the publisher, at most twice a second.
#[test]
fn keyframe_requests_are_relayed_and_throttled() {
    let (mut w, alice, bob, video) = World::video_call();
    for n in 0..10u64 {
        w.write_frame(alice, video, Codec::Vp8, n, n == 0);
        w.pass(Duration::from_millis(33));
    }
    let requests = |w: &World| w.client(alice).pub_events.iter().filter(|e| matches!(e, Event::KeyframeRequest(_))).count();
    w.run_until(Duration::from_secs(1), |_| false);
    let before = requests(&w);
    let mid = w
        .client(bob)
        .sub_events
        .iter()
        .find_map(|e| match e {
            Event::MediaAdded(m) if m.kind == MediaKind::Video => Some(m.mid),
            _ => None,
        })
        .expect("bob has the video line");
    let rtp_in = w.sfu.stats().counters.rtp_in;
    // Three requests within 100 ms count as one.
    for _ in 0..3 {
        w.clients[bob].subscriber.writer(mid).expect("media").request_keyframe(None, KeyframeRequestKind::Pli).expect("request");
        w.pump();
        w.pass(Duration::from_millis(30));
    }
    assert!(w.run_until(Duration::from_millis(400), |w| requests(w) > before), "the publisher is asked for a keyframe");
    assert_eq!(requests(&w), before + 1, "throttled to one request");
    let stats = w.sfu.stats().counters;
    assert_eq!(stats.rtp_in, rtp_in, "a keyframe request is no incoming RTP packet");
    assert!(stats.keyframe_requests >= 1);
}
