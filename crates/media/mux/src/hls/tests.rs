//! The packager on synthetic streams: 30 fps H.264 with a keyframe every 2 s (a real
//! SPS/PPS, slices tagged with their frame number) and 20 ms Opus packets. The parts are
//! parsed back (moof → traf → tfdt/trun, data offsets into the mdat) to check timing,
//! sync flags and that every frame's bytes land where the trun says.

use super::*;
use crate::Frame;
use crate::mp4::boxes::SYNC;
use std::time::Duration;

/// SPS and PPS of a 320×240 baseline stream (x264).
pub(super) const SPS: [u8; 24] =
    [0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0xa4, 0x80];
pub(super) const PPS: [u8; 5] = [0x68, 0xcb, 0x83, 0xcb, 0x20];
/// An Opus packet of 960 samples (CELT FB 20 ms, code 0).
pub(super) const OPUS: [u8; 3] = [0xfc, 0xff, 0xfe];

/// Access unit `n`: SPS + PPS + IDR slice when `key`, else one non-IDR slice; the slice
/// ends with `n`.
pub(super) fn au(n: u32, key: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let slice = [if key { 0x65 } else { 0x41 }, 0x88, (n >> 8) as u8, n as u8];
    let nals: Vec<&[u8]> = if key { vec![&SPS, &PPS, &slice] } else { vec![&slice] };
    for nal in nals {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
    out
}

fn frame(data: &[u8], keyframe: bool) -> Frame<'_> {
    Frame { ts: 0, keyframe, size: None, data }
}

/// Feeds `secs` seconds: video frame n at n × 3000 (keyframe every `gop` frames), audio
/// packet k at k × 960 arriving `lag_ms` late; returns every event.
pub(super) fn run(config: HlsConfig, secs: u32, gop: u32, lag_ms: u32, finish: bool) -> Vec<HlsEvent> {
    let mut p = HlsPackager::new(config, true, Some((2, 312))).expect("packager");
    let (frames, packets) = (secs * 30, secs * 50);
    let (mut n, mut k) = (0, 0);
    while n < frames || k < packets {
        // Video at n/30 s, audio at k/50 s + lag: whichever arrives first.
        if n < frames && (k >= packets || n * 5000 <= k * 3000 + lag_ms * 150) {
            p.video(u64::from(n) * 3000, frame(&au(n, n % gop == 0), n % gop == 0)).expect("video");
            n += 1;
        } else {
            p.audio(u64::from(k) * 960, frame(&OPUS, true)).expect("audio");
            k += 1;
        }
    }
    if finish {
        p.finish().expect("finish");
    }
    std::iter::from_fn(|| p.poll()).collect()
}

/// (track ID, tfdt, [(duration, size, flags)], data offset) of each traf of a part.
type Traf = (u32, u64, Vec<(u32, u32, u32)>, usize);

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// The boxes directly inside `b`: (type, body).
fn children(b: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= b.len() {
        let size = be32(b, at) as usize;
        assert!(size >= 8 && at + size <= b.len(), "box size {size}");
        out.push((b[at + 4..at + 8].try_into().expect("type"), &b[at + 8..at + size]));
        at += size;
    }
    out
}

pub(super) fn trafs(part: &[u8]) -> Vec<Traf> {
    let top = children(part);
    assert_eq!(top.iter().map(|(t, _)| t).collect::<Vec<_>>(), [b"moof", b"mdat"]);
    let mut out = Vec::new();
    for (kind, traf) in children(top[0].1) {
        if &kind != b"traf" {
            continue;
        }
        let (mut id, mut base, mut samples, mut offset) = (0, 0, Vec::new(), 0);
        for (kind, body) in children(traf) {
            match &kind {
                b"tfhd" => id = be32(body, 4),
                b"tfdt" => base = u64::from(be32(body, 4)) << 32 | u64::from(be32(body, 8)),
                b"trun" => {
                    offset = be32(body, 8) as usize;
                    samples = (0..be32(body, 4) as usize).map(|i| (be32(body, 12 + 12 * i), be32(body, 16 + 12 * i), be32(body, 20 + 12 * i))).collect();
                }
                _ => {}
            }
        }
        out.push((id, base, samples, offset));
    }
    out
}

/// The frame number a video sample's slice ends with.
fn tag(sample: &[u8]) -> u32 {
    u32::from(sample[sample.len() - 2]) << 8 | u32::from(sample[sample.len() - 1])
}

/// Checks the invariants of a packager's output; returns (segment durations, total).
pub(super) fn check(events: &[HlsEvent], config: HlsConfig, audio_only: bool) -> (Vec<Duration>, Duration) {
    assert!(matches!(events.first(), Some(HlsEvent::Init(_))), "init first");
    assert_eq!(events.iter().filter(|e| matches!(e, HlsEvent::Init(_))).count(), 1);
    let (mut msn, mut index, mut in_segment) = (FIRST_MSN, 0, Duration::ZERO);
    let (mut segments, mut total) = (Vec::new(), Duration::ZERO);
    let mut next_base = [0u64; 3]; // per track ID: where its next traf must start
    let mut video_frame = 0;
    for e in &events[1..] {
        match e {
            HlsEvent::Part { msn: m, index: i, duration, independent, data } => {
                assert_eq!((*m, *i), (msn, index), "parts in sequence");
                assert!(*duration <= config.part_target, "part {m}.{i} lasts {duration:?}");
                assert!(!duration.is_zero());
                let trafs = trafs(data);
                let video = trafs.iter().find(|t| t.0 == 1);
                let first_key = video.is_some_and(|t| t.2[0].2 == SYNC);
                assert_eq!(*independent, first_key || audio_only, "part {m}.{i}");
                if index == 0 && !audio_only {
                    assert!(first_key, "segment {m} starts on a keyframe");
                }
                for (id, base, samples, offset) in &trafs {
                    assert_eq!(*base, next_base[*id as usize], "track {id} contiguous");
                    next_base[*id as usize] += samples.iter().map(|s| u64::from(s.0)).sum::<u64>();
                    let mut at = *offset;
                    for &(d, size, flags) in samples {
                        let bytes = &data[at..at + size as usize];
                        if *id == 1 {
                            assert_eq!((d, tag(bytes), flags == SYNC), (3000, video_frame, video_frame % 60 == 0));
                            video_frame += 1;
                        } else {
                            assert_eq!((d, bytes), (960, &OPUS[..]));
                        }
                        at += size as usize;
                    }
                }
                in_segment += *duration;
                index += 1;
            }
            HlsEvent::SegmentEnd { msn: m, duration } => {
                assert_eq!(*m, msn);
                assert!(duration.abs_diff(in_segment) < Duration::from_micros(10), "{duration:?} vs parts {in_segment:?}");
                segments.push(*duration);
                total += *duration;
                (msn, index, in_segment) = (msn + 1, 0, Duration::ZERO);
            }
            HlsEvent::End => assert!(std::ptr::eq(e, events.last().expect("last"))),
            HlsEvent::Init(_) => unreachable!(),
        }
    }
    assert_eq!(index, 0, "every part belongs to an ended segment");
    (segments, total)
}

#[test]
fn segments_start_at_keyframes_and_parts_stay_under_target() {
    let config = HlsConfig::default();
    let events = run(config, 10, 60, 60, true);
    let (segments, total) = check(&events, config, false);
    // Keyframes every 2 s, target 4 s: 4 s segments, the last one 2 s.
    assert_eq!(segments.len(), 3, "{segments:?}");
    for s in &segments[..2] {
        assert!(s.abs_diff(Duration::from_secs(4)) < Duration::from_millis(1), "{s:?}");
    }
    assert!(total.abs_diff(Duration::from_secs(10)) <= Duration::from_millis(34), "{total:?}");
    let parts = events.iter().filter(|e| matches!(e, HlsEvent::Part { .. })).count();
    assert!(parts >= 30, "{parts} parts");
}

#[test]
fn rare_keyframes_make_longer_segments() {
    let config = HlsConfig { segment_target: Duration::from_secs(1), ..HlsConfig::default() };
    let events = run(config, 10, 90, 0, true); // a keyframe every 3 s
    let (segments, _) = check_gop(&events, config, 90);
    assert_eq!(segments.len(), 4);
    assert!(segments[..3].iter().all(|s| s.abs_diff(Duration::from_secs(3)) < Duration::from_millis(1)), "{segments:?}");
}

/// [`check`] for a GOP other than 60 frames (only timing and sequence).
fn check_gop(events: &[HlsEvent], config: HlsConfig, gop: u32) -> (Vec<Duration>, Duration) {
    let mut segments = Vec::new();
    for e in events {
        match e {
            HlsEvent::Part { index, duration, data, .. } => {
                assert!(*duration <= config.part_target);
                let trafs = trafs(data);
                let video = trafs.iter().find(|t| t.0 == 1).expect("video");
                if *index == 0 {
                    assert_eq!((video.1 % u64::from(gop * 3000), video.2[0].2), (0, SYNC));
                }
            }
            HlsEvent::SegmentEnd { duration, .. } => segments.push(*duration),
            _ => {}
        }
    }
    let total = segments.iter().sum();
    (segments, total)
}

#[test]
fn audio_only_cuts_on_time() {
    let config = HlsConfig::default();
    let mut p = HlsPackager::new(config, false, Some((1, 0))).expect("packager");
    for k in 0..500u64 {
        p.audio(1_000_000 + k * 960, frame(&OPUS, true)).expect("audio");
    }
    assert!(!p.wants_keyframe());
    p.finish().expect("finish");
    let events: Vec<HlsEvent> = std::iter::from_fn(|| p.poll()).collect();
    let (segments, total) = check(&events, config, true);
    assert_eq!(segments.len(), 3);
    assert!(segments[..2].iter().all(|s| *s == Duration::from_secs(4)), "{segments:?}");
    assert_eq!(total, Duration::from_secs(10));
}

#[test]
fn wants_keyframe_once_then_again_after_three_parts() {
    let config = HlsConfig::default();
    let mut p = HlsPackager::new(config, true, None).expect("packager");
    let mut asked = Vec::new();
    for n in 0..600u32 {
        let key = n == 0 || n == 300;
        p.video(u64::from(n) * 3000, frame(&au(n, key), key)).expect("video");
        if p.wants_keyframe() {
            asked.push(n);
        }
    }
    // Target reached at frame 120 (4 s); again every 1 s (3 × 333 ms ≈ 30 frames); the
    // keyframe at 300 cuts the segment, the next one reaches its target at 420.
    assert_eq!(asked.first(), Some(&120));
    assert_eq!(asked.iter().filter(|&&n| n < 300).count(), 6, "{asked:?}");
    assert!(asked.contains(&420) && !asked.iter().any(|&n| (300..420).contains(&n)), "{asked:?}");
    p.finish().expect("finish");
    assert!(!p.wants_keyframe());
}

/// A camera muted for 20 s: audio keeps cutting segments of about the target length, so
/// the playlist's target duration holds and the live window moves.
#[test]
fn video_stall_keeps_segments_coming_on_audio() {
    let config = HlsConfig::default();
    // Video for 5 s (one keyframe: no segment cut yet), so the stall shows past the target.
    let mut p = HlsPackager::new(config, true, Some((2, 312))).expect("packager");
    for n in 0..150u32 {
        p.video(u64::from(n) * 3000, frame(&au(n, n == 0), n == 0)).expect("video");
    }
    for k in 0..1250u64 {
        p.audio(k * 960, frame(&OPUS, true)).expect("audio");
    }
    let events: Vec<HlsEvent> = std::iter::from_fn(|| p.poll()).collect();
    let ends: Vec<Duration> = events.iter().filter_map(|e| if let HlsEvent::SegmentEnd { duration, .. } = e { Some(*duration) } else { None }).collect();
    assert!(ends.len() >= 4, "segments while the camera is muted: {ends:?}");
    // The first segment holds the 5 s of video; the ones after it keep the target.
    for d in ends.iter().skip(1) {
        assert!(*d <= config.segment_target + config.part_target, "a segment of {d:?}");
    }
    for e in &events {
        if let HlsEvent::Part { duration, .. } = e {
            assert!(*duration <= config.part_target, "a part of {duration:?}");
        }
    }
}

#[test]
fn video_stall_keeps_parts_coming_on_audio() {
    let config = HlsConfig::default();
    let mut p = HlsPackager::new(config, true, Some((2, 312))).expect("packager");
    for n in 0..60u32 {
        p.video(u64::from(n) * 3000, frame(&au(n, n == 0), n == 0)).expect("video");
    }
    for k in 0..250u64 {
        p.audio(k * 960, frame(&OPUS, true)).expect("audio");
    }
    let events: Vec<HlsEvent> = std::iter::from_fn(|| p.poll()).collect();
    let audio_only_parts = events.iter().filter(|e| matches!(e, HlsEvent::Part { data, .. } if trafs(data).iter().all(|t| t.0 == 2))).count();
    assert!(audio_only_parts >= 6, "{audio_only_parts} audio-only parts while video stalled");
    for e in &events {
        if let HlsEvent::Part { duration, .. } = e {
            assert!(*duration <= config.part_target, "{duration:?}");
        }
    }
    p.video(300 * 3000, frame(&au(300, true), true)).expect("video resumes");
    p.finish().expect("finish");
    let rest: Vec<HlsEvent> = std::iter::from_fn(|| p.poll()).collect();
    // The frame before the stall lasts until the next one: no gap in the video track.
    let durations: Vec<u32> = events
        .iter()
        .chain(&rest)
        .filter_map(|e| if let HlsEvent::Part { data, .. } = e { Some(trafs(data)) } else { None })
        .flatten()
        .filter(|t| t.0 == 1)
        .flat_map(|t| t.2)
        .map(|s| s.0)
        .collect();
    assert_eq!(durations.iter().map(|&d| u64::from(d)).sum::<u64>(), 301 * 3000);
    assert_eq!(durations[59], 241 * 3000);
}

#[test]
fn bad_input_is_refused_without_panic() {
    let config = HlsConfig::default();
    assert!(HlsPackager::new(config, false, None).is_err());
    assert!(HlsPackager::new(HlsConfig { part_target: Duration::ZERO, ..config }, true, None).is_err());
    assert!(HlsPackager::new(HlsConfig { live_segments: 0, ..config }, true, None).is_err());
    let mut p = HlsPackager::new(config, true, Some((2, 312))).expect("packager");
    p.audio(0, frame(&OPUS, true)).expect("audio before video is dropped");
    p.video(0, frame(&au(0, false), false)).expect("delta before keyframe is dropped");
    p.video(1, frame(&[0, 0, 0, 2, 0x65, 0x88], true)).expect("keyframe without SPS is dropped");
    assert_eq!(p.dropped(), 3);
    assert!(p.poll().is_none());
    p.video(3000, frame(&au(0, true), true)).expect("keyframe");
    assert!(matches!(p.poll(), Some(HlsEvent::Init(_))));
    assert!(p.video(6000, frame(&[], false)).is_err());
    assert!(p.audio(6000, frame(&[], true)).is_err());
    assert!(p.audio(6000, frame(&[0xfb], true)).is_err()); // code 3 without a count
    p.video(6000, frame(&au(1, false), false)).expect("delta");
    assert!(p.video(6000, frame(&au(2, false), false)).is_err()); // same time
    assert!(p.video(3000, frame(&au(2, false), false)).is_err()); // backwards
    assert!(p.video(6000 + 601 * 90_000, frame(&au(2, false), false)).is_err()); // jump
    assert!(p.video(u64::MAX, frame(&au(2, false), false)).is_err());
    p.audio(0, frame(&OPUS, true)).expect("audio before the first keyframe's time is dropped");
    p.audio(3200, frame(&OPUS, true)).expect("audio");
    assert!(p.audio(3200, frame(&OPUS, true)).is_err());
    assert!(p.audio(u64::MAX, frame(&OPUS, true)).is_err());
    p.video(9000, frame(&au(2, false), false)).expect("delta");
    p.finish().expect("finish");
    assert!(p.finish().is_err());
    assert!(p.video(12_000, frame(&au(3, false), false)).is_err());
    assert!(p.audio(9600, frame(&OPUS, true)).is_err());
    let events: Vec<HlsEvent> = std::iter::from_fn(|| p.poll()).collect();
    let Some(HlsEvent::Part { duration, data, .. }) = events.first() else { panic!("{events:?}") };
    assert_eq!(*duration, Duration::from_millis(100)); // 3 frames from 3000 to 12000
    let trafs = trafs(data);
    assert_eq!((trafs[0].1, trafs[1].1), (0, 3200 - 1600)); // audio 1600 = the keyframe's time
    assert!(matches!(events[1..], [HlsEvent::SegmentEnd { msn: 1, .. }, HlsEvent::End]));
    let mut v = HlsPackager::new(config, true, None).expect("video only");
    assert!(v.audio(0, frame(&OPUS, true)).is_err());
    v.finish().expect("finish an empty stream");
    assert!(matches!((v.poll(), v.poll()), (Some(HlsEvent::End), None)));
}
