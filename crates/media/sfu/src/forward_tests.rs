use super::*;
use std::time::Duration;

const ALL: u8 = u8::MAX;

fn pkt(layer: u8, seq: u64, ts: u32, keyframe: bool) -> Packet {
    Packet { layer, seq, ts, keyframe, frame: FrameInfo { keyframe, ..Default::default() } }
}

fn fwd(seq: u64, ts: u32) -> Verdict {
    Verdict::Forward { seq, ts, end_of_frame: false, picture: None }
}

#[test]
fn audio_is_renumbered_from_the_start() {
    let now = Instant::now();
    let mut f = Forwarder::new(false, 48_000, 1000);
    assert_eq!(f.on_packet(pkt(0, 5000, 960, false), 0, ALL, now), fwd(1000, 960));
    assert_eq!(f.on_packet(pkt(0, 5001, 1920, false), 0, ALL, now), fwd(1001, 1920));
    // Reordered packet keeps its relative place.
    assert_eq!(f.on_packet(pkt(0, 4999, 0, false), 0, ALL, now), fwd(999, 0));
}

#[test]
fn video_waits_for_a_keyframe() {
    let now = Instant::now();
    let mut f = Forwarder::new(true, 90_000, 2000);
    assert!(f.needs_keyframe(0));
    assert_eq!(f.on_packet(pkt(0, 10, 0, false), 0, ALL, now), Verdict::Drop);
    assert_eq!(f.on_packet(pkt(0, 11, 3000, true), 0, ALL, now), fwd(2000, 3000));
    assert_eq!(f.on_packet(pkt(0, 12, 3000, false), 0, ALL, now), fwd(2001, 3000));
    assert!(!f.needs_keyframe(0));
}

#[test]
fn layer_switch_is_continuous() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(true, 90_000, 2000);
    f.on_packet(pkt(0, 100, 1000, true), 0, ALL, t0);
    f.on_packet(pkt(0, 101, 1000, false), 0, ALL, t0);
    // Target moves to layer 2; layer 2 non-keyframes are dropped, layer 0 keeps flowing.
    assert_eq!(f.on_packet(pkt(2, 7000, 50_000, false), 2, ALL, t0), Verdict::Drop);
    assert_eq!(f.on_packet(pkt(0, 102, 4000, true), 2, ALL, t0), fwd(2002, 4000));
    assert!(f.needs_keyframe(2));
    let t1 = t0 + Duration::from_millis(100);
    match f.on_packet(pkt(2, 7001, 60_000, true), 2, ALL, t1) {
        Verdict::Forward { seq, ts, .. } => {
            assert_eq!(seq, 2003, "sequence continues");
            assert_eq!(ts, 4000 + 9000, "timestamp advances by 100 ms at 90 kHz");
        }
        Verdict::Drop => panic!("keyframe of the target must switch"),
    }
    assert_eq!(f.current(), Some(2));
    // The old layer is now dropped.
    assert_eq!(f.on_packet(pkt(0, 103, 7000, false), 2, ALL, t1), Verdict::Drop);
    assert_eq!(f.on_packet(pkt(2, 7002, 60_000, false), 2, ALL, t1), fwd(2004, 13_000));
}

#[test]
fn after_a_resync_video_resumes_at_a_keyframe_with_continuous_numbers() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(true, 90_000, 2000);
    f.on_packet(pkt(1, 10, 0, true), 1, ALL, t0);
    f.resync();
    assert!(f.needs_keyframe(1));
    assert_eq!(f.on_packet(pkt(1, 50, 120_000, false), 1, ALL, t0), Verdict::Drop, "no delta frame before the keyframe");
    let t1 = t0 + Duration::from_secs(1);
    assert_eq!(f.on_packet(pkt(1, 51, 123_000, true), 1, ALL, t1), fwd(2001, 90_000));
}

fn vp8(seq: u64, pid: u16, tl0: u8, tid: u8) -> Packet {
    let keyframe = seq == 0;
    let frame = FrameInfo {
        temporal: tid,
        starts_frame: true,
        starts_picture: true,
        switch_up: true,
        keyframe,
        picture_id: Some((pid, true)),
        tl0_pic_idx: Some(tl0),
        ..Default::default()
    };
    Packet { layer: 0, seq, ts: u32::from(pid) * 3000, keyframe, frame }
}

#[test]
fn dropped_temporal_layers_leave_no_gap_in_numbers_or_picture_ids() {
    let now = Instant::now();
    let mut f = Forwarder::new(true, 90_000, 2000);
    let tids = [0, 2, 1, 2, 0, 2, 1, 2, 0];
    let mut sent = Vec::new();
    for (i, tid) in tids.into_iter().enumerate() {
        let tl0 = 5 + (i / 4) as u8;
        if let Verdict::Forward { seq, picture, .. } = f.on_packet(vp8(i as u64, 10 + i as u16, tl0, tid), 0, 0, now) {
            sent.push((seq, picture));
        }
    }
    assert_eq!(sent, vec![(2000, None), (2001, Some((11, Some(6)))), (2002, Some((12, Some(7))))]);
    // A late packet of a dropped frame changes nothing; one from before the drops is not sent.
    assert_eq!(f.on_packet(vp8(7, 17, 6, 2), 0, 0, now), Verdict::Drop);
    assert_eq!(f.on_packet(vp8(4, 14, 6, 0), 0, 0, now), Verdict::Drop);
    assert!(matches!(f.on_packet(vp8(9, 19, 7, 0), 0, 0, now), Verdict::Forward { seq: 2003, picture: Some((13, Some(7))), .. }));
    // All layers again from a sync frame on: nothing more is dropped, numbers go on.
    assert!(matches!(f.on_packet(vp8(10, 20, 7, 1), 0, ALL, now), Verdict::Forward { seq: 2004, picture: Some((14, Some(7))), .. }));
    assert!(matches!(f.on_packet(vp8(11, 21, 7, 2), 0, ALL, now), Verdict::Forward { seq: 2005, picture: Some((15, Some(7))), .. }));
}

#[test]
fn a_simulcast_switch_continues_picture_ids() {
    let now = Instant::now();
    let mut f = Forwarder::new(true, 90_000, 2000);
    assert!(matches!(f.on_packet(vp8(0, 100, 9, 0), 0, ALL, now), Verdict::Forward { picture: None, .. }));
    let mut other = vp8(500, 7000, 40, 0);
    other.layer = 1;
    other.keyframe = true;
    other.frame.keyframe = true;
    assert!(matches!(f.on_packet(other, 1, ALL, now), Verdict::Forward { seq: 2001, picture: Some((101, Some(10))), .. }));
}
