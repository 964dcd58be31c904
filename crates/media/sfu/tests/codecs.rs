//! Codecs in virtual time: VP8 temporal layers, VP9 and AV1 spatial layers (SVC), the
//! room's enabled codecs and RED, between str0m clients writing and reading raw RTP.

mod common;

use std::time::Duration;

use common::{World, rtp_received};
use hikari_sfu::codec::{dd, vp8, vp9};
use hikari_types::{AddTrack, ClientSignal, LayerWant, Permissions, ServerSignal, TrackKind, TrackSid, TrackSource, VideoQuality};
use str0m::Event;
use str0m::format::Codec;
use str0m::media::{MediaKind, Mid};

const FRAME: Duration = Duration::from_millis(33);

/// A world for scripted publishers, which write keyframes where the test says and answer no
/// PLI: bandwidth estimation is off, so no layer waits on an estimate for a keyframe that
/// would never come (`bandwidth.rs` has its own tests).
fn scripted_world() -> World {
    World::with_config(|c| c.congestion_control = false)
}

/// A world in RTP mode where alice publishes one video line and the others subscribe.
fn rtp_call(subscribers: &[&str]) -> (World, usize, Vec<usize>, Mid, TrackSid) {
    let mut w = scripted_world();
    w.rtp_mode = true;
    let alice = w.join("room", "alice", Permissions::default());
    let subs: Vec<usize> = subscribers.iter().map(|id| w.join("room", id, Permissions::default())).collect();
    let mid = w.publish(alice, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| {
        subs.iter().all(|&s| w.client(s).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_))))
            && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
    }));
    let sid = w.published_sid(alice);
    (w, alice, subs, mid, sid)
}

fn settings(w: &mut World, c: usize, sid: &TrackSid, quality: VideoQuality, fps: u32) {
    w.signal(c, ClientSignal::TrackSettings { track_sids: vec![sid.clone()], disabled: false, want: LayerWant::Quality(quality), fps });
}

/// A VP8 packet with a full descriptor (15-bit PictureID, TL0PICIDX, TID with Y).
fn vp8_packet(pid: u16, tl0: u8, tid: u8, first: bool, key: bool) -> Vec<u8> {
    let mut p = vec![if first { 0x90 } else { 0x80 }, 0xe0, 0x80 | (pid >> 8) as u8, pid as u8, tl0, tid << 6 | 0x20];
    p.push(if key { 0x00 } else { 0x01 });
    p.resize(300, 0xab);
    p
}

/// Sequence numbers that go up by one.
fn continuous(seqs: &[u64]) -> bool {
    seqs.windows(2).all(|w| w[1] == w[0] + 1)
}

#[test]
fn a_leg_capped_at_temporal_layer_0_gets_tl0_frames_with_continuous_numbers() {
    let (mut w, alice, subs, mid, sid) = rtp_call(&["bob", "carol"]);
    let (bob, carol) = (subs[0], subs[1]);
    settings(&mut w, bob, &sid, VideoQuality::High, 7);
    let mut seq = 100;
    for i in 0..24u16 {
        let tid = [0, 2, 1, 2][usize::from(i % 4)];
        let tl0 = 3 + (i / 4) as u8;
        for first in [true, false] {
            let payload = vp8_packet(1000 + i, tl0, tid, first, i == 0);
            w.write_rtp(alice, mid, Codec::Vp8, (seq, u32::from(i) * 3000, !first), payload, None);
            seq += 1;
        }
        w.pump();
        w.pass(FRAME);
    }
    w.run_until(Duration::from_millis(300), |_| false);
    let got = |c: usize| -> Vec<(u64, vp8::Vp8Descriptor, bool)> {
        rtp_received(w.client(c)).iter().map(|p| (*p.seq_no, vp8::parse(&p.payload).expect("a VP8 descriptor"), p.header.marker)).collect()
    };
    let b = got(bob);
    let shown: Vec<_> = b.iter().map(|(s, d, m)| (*s, d.picture_id, d.tid, d.start, *m)).collect();
    assert_eq!(b.len(), 12, "six TL0 frames of two packets: {shown:?}");
    assert!(b.iter().all(|(_, d, _)| d.tid == Some(0)));
    assert!(continuous(&b.iter().map(|(s, _, _)| *s).collect::<Vec<_>>()), "no gap in sequence numbers");
    let pids: Vec<u16> = b.iter().filter(|(_, d, _)| d.start).filter_map(|(_, d, _)| d.picture_id).collect();
    assert_eq!(pids.len(), 6);
    assert!(pids.windows(2).all(|p| p[1] == p[0] + 1), "PictureIDs continuous: {pids:?}");
    let tl0s: Vec<u8> = b.iter().filter(|(_, d, _)| d.start).filter_map(|(_, d, _)| d.tl0_pic_idx).collect();
    assert_eq!(tl0s, (3..9).collect::<Vec<u8>>());
    assert!(b.iter().all(|(_, d, m)| *m != d.start), "markers end each frame");
    let c = got(carol);
    assert_eq!(c.len(), 48, "every layer for the uncapped leg");
    assert!(continuous(&c.iter().map(|(s, _, _)| *s).collect::<Vec<_>>()));
    assert_eq!(c.iter().filter(|(_, d, _)| d.start).filter_map(|(_, d, _)| d.picture_id).collect::<Vec<_>>(), (1000..1024).collect::<Vec<u16>>());
}

#[test]
fn a_simulcast_switch_keeps_picture_ids_continuous_under_a_temporal_cap() {
    let mut w = scripted_world();
    w.rtp_mode = true;
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    let mid = w.publish_simulcast(alice);
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.client(bob).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_))) && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
    }));
    let sid = w.published_sid(alice);
    settings(&mut w, bob, &sid, VideoQuality::Low, 7);
    let mut seqs = [100u64, 7000];
    let mut frame = |w: &mut World, i: u16, keys: [bool; 2]| {
        let tid = [0, 2, 1, 2][usize::from(i % 4)];
        for (l, rid) in ["q", "h"].into_iter().enumerate() {
            let pid = [300, 20_000][l] + i;
            let tl0 = [10u8, 200][l].wrapping_add((i / 4) as u8);
            let payload = vp8_packet(pid, tl0, tid, true, keys[l]);
            w.write_rtp_rid(alice, (mid, Some(rid)), Codec::Vp8, (seqs[l], u32::from(i) * 3000, true), payload, None);
            seqs[l] += 1;
        }
        w.pump();
        w.pass(FRAME);
    };
    for i in 0..12 {
        frame(&mut w, i, [i == 0, i == 0]);
    }
    settings(&mut w, bob, &sid, VideoQuality::Medium, 7);
    for i in 12..24 {
        frame(&mut w, i, [false, i == 16]);
    }
    w.run_until(Duration::from_millis(300), |_| false);
    let got: Vec<(u64, vp8::Vp8Descriptor)> = rtp_received(w.client(bob)).iter().map(|p| (*p.seq_no, vp8::parse(&p.payload).expect("VP8"))).collect();
    assert!(got.iter().all(|(_, d)| d.tid == Some(0)), "TL0 only");
    assert!(continuous(&got.iter().map(|(s, _)| *s).collect::<Vec<_>>()), "no gap in sequence numbers");
    let pids: Vec<u16> = got.iter().filter_map(|(_, d)| d.picture_id).collect();
    assert!(pids.windows(2).all(|p| p[1] == p[0] + 1), "PictureIDs continue across the switch: {pids:?}");
    let tl0s: Vec<u8> = got.iter().filter_map(|(_, d)| d.tl0_pic_idx).collect();
    assert!(tl0s.windows(2).all(|t| t[1] == t[0].wrapping_add(1)), "TL0PICIDX continue: {tl0s:?}");
    // q keeps flowing until h's keyframe: q's frames 0, 4, 8, 12 and 16, then h's 16 and 20.
    assert_eq!(pids.len(), 7, "{pids:?} {:?}", got.iter().map(|(s, d)| (*s, d.tid, d.picture_id)).collect::<Vec<_>>());
}

/// A VP9 layer frame in one packet (non-flexible mode): keyframes predict upper spatial
/// layers from the lower ones (`L3T1_KEY`), and announce three layers (scalability
/// structure) on their first packet.
fn vp9_packet(pid: u16, sid: u8, key: bool, tl0: u8) -> Vec<u8> {
    let ss = key && sid == 0;
    let b0 = 0x80 | if key { 0 } else { 0x40 } | 0x20 | 0x08 | 0x04 | if ss { 0x02 } else { 0 };
    let mut p = vec![b0, 0x80 | (pid >> 8) as u8, pid as u8, sid << 1 | u8::from(key && sid > 0), tl0];
    if ss {
        p.push(2 << 5);
    }
    p.resize(300, sid);
    p
}

/// Writes `pictures` of three spatial layers each (one packet per layer, S2 ending the
/// picture), a keyframe at picture `key`, a frame interval apart; then lets the world settle.
fn write_vp9_pictures(w: &mut World, (alice, mid): (usize, Mid), seq: &mut u64, pictures: std::ops::Range<u16>, key: u16) {
    for i in pictures {
        for s in 0..3u8 {
            w.write_rtp(alice, mid, Codec::Vp9, (*seq, u32::from(i) * 3000, s == 2), vp9_packet(i, s, i == key, i as u8), None);
            *seq += 1;
        }
        w.pump();
        w.pass(FRAME);
    }
    w.run_until(Duration::from_millis(300), |_| false);
}

#[test]
fn vp9_svc_legs_get_the_spatial_layers_up_to_their_target() {
    let (mut w, alice, subs, mid, sid) = rtp_call(&["bob", "carol"]);
    let (bob, carol) = (subs[0], subs[1]);
    settings(&mut w, bob, &sid, VideoQuality::Low, 0);
    let mut seq = 500;
    write_vp9_pictures(&mut w, (alice, mid), &mut seq, 0..10, 0);
    let got = |w: &World, c: usize| -> Vec<(u64, vp9::Vp9Descriptor, bool)> {
        rtp_received(w.client(c)).iter().map(|p| (*p.seq_no, vp9::parse(&p.payload).expect("a VP9 descriptor"), p.header.marker)).collect()
    };
    let b = got(&w, bob);
    assert_eq!(b.len(), 10, "one base-layer packet per picture");
    assert!(b.iter().all(|(_, d, m)| d.sid == 0 && *m), "only S0, each marked as the end of the picture");
    assert!(continuous(&b.iter().map(|(s, _, _)| *s).collect::<Vec<_>>()));
    let c = got(&w, carol);
    assert_eq!(c.len(), 30);
    assert_eq!(c.iter().filter(|(_, _, m)| *m).count(), 10, "only S2 ends a picture");
    assert!(continuous(&c.iter().map(|(s, _, _)| *s).collect::<Vec<_>>()));

    // bob wants more: S1 from the next keyframe on (asked for with a PLI), not before.
    let before = b.len();
    settings(&mut w, bob, &sid, VideoQuality::Medium, 0);
    write_vp9_pictures(&mut w, (alice, mid), &mut seq, 10..14, 12);
    let b = got(&w, bob);
    let sids: Vec<u8> = b[before..].iter().map(|(_, d, _)| d.sid).collect();
    assert_eq!(sids, vec![0, 0, 0, 1, 0, 1], "S1 joins at the keyframe of picture 12");
    assert!(continuous(&b.iter().map(|(s, _, _)| *s).collect::<Vec<_>>()));
    assert!(w.client(alice).pub_events.iter().any(|e| matches!(e, Event::KeyframeRequest(_))), "the publisher was asked for a keyframe");
    assert_eq!(mimes_seen_by_a_newcomer(&mut w), vec!["video/VP9"], "from the first packet");
}

/// Writes bits most significant first.
#[derive(Default)]
struct Bits(Vec<u8>, usize);

impl Bits {
    fn put(&mut self, n: u32, v: u32) -> &mut Self {
        for i in (0..n).rev() {
            if self.1.is_multiple_of(8) {
                self.0.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.0.len() - 1;
                self.0[last] |= 0x80 >> (self.1 % 8);
            }
            self.1 += 1;
        }
        self
    }
}

/// A dependency descriptor of an L2T1 stream: templates S0 and S1, decode targets S0, S1.
fn av1_dd(frame: u16, spatial: u8, key: bool) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(1, 1).put(1, 1).put(6, u32::from(spatial)).put(16, u32::from(frame));
    if key {
        b.put(1, 1).put(4, 0);
        b.put(6, 0).put(5, 1).put(2, 2).put(2, 3);
        b.put(2, 2).put(2, 2).put(2, 0).put(2, 2);
        b.put(1, 0).put(1, 1).put(4, 0).put(1, 0);
        b.put(2, 0).put(1, 0);
    }
    b.0
}

#[test]
fn av1_svc_follows_the_dependency_descriptor_and_forwards_it() {
    let (mut w, alice, subs, mid, sid) = rtp_call(&["bob", "carol"]);
    let (bob, carol) = (subs[0], subs[1]);
    settings(&mut w, bob, &sid, VideoQuality::Low, 0);
    let mut seq = 40;
    for i in 0..8u16 {
        for s in 0..2u8 {
            // Aggregation header: N set on the keyframe's first packet.
            let mut payload = vec![if i == 0 && s == 0 { 0x18 } else { 0x10 }];
            payload.resize(200, s);
            let dd = av1_dd(i, s, i == 0 && s == 0);
            w.write_rtp(alice, mid, Codec::Av1, (seq, u32::from(i) * 3000, s == 1), payload, Some(&dd));
            seq += 1;
        }
        w.pump();
        w.pass(FRAME);
    }
    w.run_until(Duration::from_millis(300), |_| false);
    let b = rtp_received(w.client(bob));
    assert_eq!(b.len(), 8, "S0 only");
    assert!(b.iter().all(|p| p.header.marker && p.payload[1] == 0));
    let c = rtp_received(w.client(carol));
    assert_eq!(c.len(), 16);
    // The descriptor reaches subscribers unchanged, and parses with the structure it brought.
    let first = c.first().and_then(|p| p.header.ext_vals.user_values.get::<hikari_sfu::codec::dd_ext::DdBytes>()).expect("a descriptor");
    assert_eq!(first.as_slice(), av1_dd(0, 0, true).as_slice());
    let (frame, s) = dd::parse(first.as_slice(), None).expect("valid");
    assert_eq!((frame.spatial, s.map(|s| s.decode_targets)), (0, Some(2)));
}

#[test]
fn a_room_restricted_to_vp8_and_opus_negotiates_nothing_else() {
    let mut w = World::with_config(|cfg| cfg.room.enabled_codecs = vec!["video/VP8".into(), "audio/opus".into()]);
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    w.publish(alice, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| w.client(bob).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_)))));
    let join = w.client(alice).signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.clone()) } else { None }).expect("joined");
    assert_eq!(join.publish_codecs, vec!["audio/opus", "video/VP8"]);
    assert_eq!(join.room.enabled_codecs, vec!["audio/opus", "video/VP8"]);
    let offer = w.client(bob).signals.iter().rev().find_map(|s| if let ServerSignal::Offer(o) = s { Some(o.sdp.clone()) } else { None }).expect("an offer");
    assert!(offer.contains("VP8/90000"), "{offer}");
    for absent in ["VP9", "AV1", "H264", "red/48000"] {
        assert!(!offer.contains(absent), "{absent} offered: {offer}");
    }
    // By default every codec is offered (RED to a client that has it).
    let mut w = scripted_world();
    w.red = true;
    let carol = w.join("room", "carol", Permissions::default());
    let dave = w.join("room", "dave", Permissions::default());
    w.publish(carol, TrackKind::Audio);
    w.publish(carol, TrackKind::Video);
    assert!(w.run_until(Duration::from_secs(5), |w| w.client(dave).sub_events.iter().filter(|e| matches!(e, Event::MediaAdded(_))).count() == 2));
    let offer = w.client(dave).signals.iter().rev().find_map(|s| if let ServerSignal::Offer(o) = s { Some(o.sdp.clone()) } else { None }).expect("an offer");
    for present in ["VP9", "AV1", "H264", "red/48000"] {
        assert!(offer.contains(present), "{present} not offered: {offer}");
    }
}

#[test]
fn red_audio_reaches_red_and_plain_opus_subscribers() {
    let mut w = scripted_world();
    w.red = true;
    let alice = w.join("room", "alice", Permissions::default());
    let bob = w.join("room", "bob", Permissions::default());
    w.red = false;
    let carol = w.join("room", "carol", Permissions::default());
    let mid = w.publish(alice, TrackKind::Audio);
    assert!(w.run_until(Duration::from_secs(5), |w| {
        [bob, carol].iter().all(|&s| w.client(s).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_))))
            && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
    }));
    let mut sent = Vec::new();
    for i in 0..20 {
        sent.push(w.write_frame(alice, mid, Codec::Opus, i, false));
        w.pass(Duration::from_millis(20));
    }
    w.run_until(Duration::from_millis(500), |_| false);
    for c in [bob, carol] {
        let frames = common::received_frames(w.client(c), MediaKind::Audio);
        assert!(frames.len() >= 18, "{} got {} frames", w.client(c).identity, frames.len());
        assert!(common::contains_all(&sent, &frames), "every frame received is one sent, not RED bytes");
    }
    assert!(w.client(bob).pts_in.keys().any(|pt| *pt == 63), "bob gets RED: {:?}", w.client(bob).pts_in);
    assert!(!w.client(carol).pts_in.contains_key(&63), "carol gets plain Opus");
    // A RED track is reported as LiveKit reports it.
    assert_eq!(mimes_seen_by_a_newcomer(&mut w), vec!["audio/red"]);
}

/// The MIME types of the published tracks, as a participant joining now is told.
fn mimes_seen_by_a_newcomer(w: &mut World) -> Vec<String> {
    let late = w.join("room", "late", Permissions::default());
    let join = w.client(late).signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.clone()) } else { None }).expect("joined");
    join.others.iter().flat_map(|p| p.tracks.iter().map(|t| t.mime_type.clone())).collect()
}

#[test]
fn the_announced_codec_names_the_track_until_its_packets_do() {
    let mut w = scripted_world();
    let alice = w.join("room", "alice", Permissions::default());
    let add =
        AddTrack { cid: "cam".into(), kind: TrackKind::Video, source: TrackSource::Camera, codecs: vec!["vp9".into(), "vp8".into()], ..Default::default() };
    w.publish_track(alice, add, None);
    let announced =
        w.client(alice).signals.iter().find_map(|s| if let ServerSignal::TrackPublished { track, .. } = s { Some(track.mime_type.clone()) } else { None });
    assert_eq!(announced.as_deref(), Some("video/VP9"));
}
