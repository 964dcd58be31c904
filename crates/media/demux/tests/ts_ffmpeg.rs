//! MPEG-TS as ffmpeg writes it for SRT (`-f mpegts`): a 3 s file of x264 with B-frames
//! and AAC, pushed in pieces of random sizes, gives the same configurations and counts as
//! the RTMP path; a damaged copy gives counters and errors, never a panic. Needs
//! /usr/bin/ffmpeg.

use std::process::Command;

use hikari_demux::{Elementary, TsDemuxer};

const FFMPEG: &str = "/usr/bin/ffmpeg";

/// A 3 s TS file made by ffmpeg (in a temporary directory of this test's own).
fn ffmpeg_ts(name: &str) -> Vec<u8> {
    assert!(std::path::Path::new(FFMPEG).exists(), "{FFMPEG} is needed (apt-get install ffmpeg)");
    let dir = std::env::temp_dir().join(format!("hikari-demux-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("in.ts");
    let args = "-hide_banner -loglevel error -y -f lavfi -i testsrc=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 \
                -c:v libx264 -preset veryfast -bf 2 -g 30 -pix_fmt yuv420p -c:a aac -b:a 64k -ar 48000 -f mpegts";
    let status = Command::new(FFMPEG).args(args.split_whitespace()).arg(&path).status().expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the TS");
    let bytes = std::fs::read(&path).expect("TS file");
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

/// A small deterministic generator for piece sizes and damage.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

/// Pushes `ts` in pieces of 1 to 999 bytes; returns the units and how many pushes failed.
fn demux(ts: &[u8], seed: u64) -> (Vec<Elementary>, usize, TsDemuxer) {
    let mut d = TsDemuxer::new();
    let mut rng = Rng(seed);
    let (mut out, mut errors, mut at) = (Vec::new(), 0, 0);
    while at < ts.len() {
        let n = (1 + rng.next(999)).min(ts.len() - at);
        errors += usize::from(d.push(&ts[at..at + n]).is_err());
        at += n;
        out.extend(std::iter::from_fn(|| d.poll()));
    }
    d.flush();
    out.extend(std::iter::from_fn(|| d.poll()));
    (out, errors, d)
}

#[test]
fn ffmpeg_mpegts_in_random_pieces() {
    let ts = ffmpeg_ts("clean");
    let (units, errors, d) = demux(&ts, 0x1234_5678);
    assert_eq!(errors, 0);
    let s = d.stats();
    assert_eq!((s.skipped_bytes, s.cc_errors, s.dropped_units, s.psi_errors, s.bad_packets), (0, 0, 0, 0, 0), "{s:?}");
    let configs: Vec<_> = units.iter().filter_map(|u| if let Elementary::VideoConfig(c) = u { Some(c) } else { None }).collect();
    assert_eq!(configs.len(), 1, "the in-band SPS/PPS are told once");
    assert_eq!((configs[0].width, configs[0].height, configs[0].profile_idc), (320, 240, 100));
    let audio_configs: Vec<_> = units.iter().filter_map(|u| if let Elementary::AudioConfig(c) = u { Some(c) } else { None }).collect();
    assert_eq!(audio_configs.len(), 1);
    assert_eq!((audio_configs[0].object_type, audio_configs[0].sample_rate, audio_configs[0].channels), (2, 48000, 1));
    assert!(
        matches!(units.iter().find(|u| !matches!(u, Elementary::Audio(_) | Elementary::AudioConfig(_))), Some(Elementary::VideoConfig(_))),
        "the config before the first frame"
    );
    let frames: Vec<_> = units.iter().filter_map(|u| if let Elementary::Video(f) = u { Some(f) } else { None }).collect();
    assert!((85..=92).contains(&frames.len()), "{} video frames", frames.len());
    assert!(frames.iter().any(|f| f.pts_ms > f.dts_ms), "B-frames reorder");
    assert!(frames.windows(2).all(|w| w[1].dts_ms > w[0].dts_ms), "decode order");
    let keys: Vec<usize> = frames.iter().enumerate().filter(|(_, f)| f.keyframe).map(|(i, _)| i).collect();
    assert_eq!(keys.first(), Some(&0));
    assert!(keys.windows(2).all(|w| w[1] - w[0] <= 30) && (3..=6).contains(&keys.len()), "keyframes at {keys:?}");
    let audio: Vec<_> = units.iter().filter_map(|u| if let Elementary::Audio(a) = u { Some(a) } else { None }).collect();
    assert!((130..=150).contains(&audio.len()), "{} AAC frames", audio.len());
    // 1024 samples at 48 kHz: 21.33 ms apart, rounded.
    assert!(audio.windows(2).all(|w| (21..=22).contains(&(w[1].pts_ms - w[0].pts_ms))), "audio times step by a frame");
    assert!(audio.iter().all(|a| !a.data.is_empty() && a.data[0] != 0xff), "raw frames without ADTS headers");
    // Another split gives the same units.
    assert_eq!(demux(&ts, 99).0, units);
}

#[test]
fn damaged_mpegts_is_counted_not_fatal() {
    let ts = ffmpeg_ts("damaged");
    let mut rng = Rng(0xdead_beef);
    let mut bad = ts.clone();
    for _ in 0..200 {
        let i = rng.next(bad.len());
        bad[i] ^= 1 << rng.next(8);
    }
    for _ in 0..50 {
        let i = rng.next(bad.len());
        let n = 1 + rng.next(300);
        bad.drain(i..(i + n).min(bad.len()));
    }
    let (units, _errors, d) = demux(&bad, 7);
    let s = d.stats();
    assert!(s.skipped_bytes > 0 && s.cc_errors > 0 && s.dropped_units > 0, "{s:?}");
    let frames = units.iter().filter(|u| matches!(u, Elementary::Video(_))).count();
    assert!(frames > 20, "most video survives: {frames} frames, {s:?}");
    // Garbage alone is refused: no transport stream there.
    let mut g = TsDemuxer::new();
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8 & 0x46).collect();
    assert!(g.push(&garbage).is_err());
    assert_eq!(g.poll(), None);
}
