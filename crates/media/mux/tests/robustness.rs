//! What happens around the happy path: a process that dies before `finish` (the bytes
//! written so far must still be a readable file of nearly everything fed), a lost packet
//! (the recording skips to the next keyframe, decodes cleanly, and the drop is counted),
//! and a publisher pause with `gap()` (the file goes on and keeps the pause's time).

mod common;

use common::*;
use hikari_mux::{Codec, Packet, TrackRecorder};
use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

fn vp8_frames(dir: &Path, seconds: u32) -> Vec<Vec<u8>> {
    let args = ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-auto-alt-ref", "0", "-g", "30", "-b:v", "800k", "-f", "ivf"];
    ivf_frames(&make_media(dir, "src.ivf", true, seconds, &args))
}

fn h264_packets(dir: &Path, seconds: u32, mtu: usize) -> Vec<Rtp> {
    let args = ["-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "30", "-b:v", "800k", "-pix_fmt", "yuv420p", "-f", "h264"];
    let annex_b = make_media(dir, "src.h264", true, seconds, &args);
    packetize_h264_mtu(&access_units(&annex_b_nals(&annex_b)), 0, 12_345, mtu)
}

fn opus_packets(dir: &Path, seconds: u32) -> Vec<Vec<u8>> {
    let ogg = make_media(dir, "src.ogg", false, seconds, &["-ac", "2", "-c:a", "libopus", "-b:a", "48k", "-f", "ogg"]);
    ogg_packets(&ogg)[2..].to_vec()
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Feeds the packets of the first 3 s, never calls `finish`, and probes what was written.
fn crash_after_3s(codec: Codec, packets: &[Rtp], clock: u32, dir: &Path) {
    let mut rec = recorder(codec);
    let ts0 = packets[0].ts;
    let fed: Vec<Rtp> = packets.iter().filter(|p| p.ts.wrapping_sub(ts0) <= 3 * clock).cloned().collect();
    feed(&mut rec, &fed);
    let path = save(dir, &format!("cut.{}", codec.extension()), rec.get_ref().get_ref());
    let p = probe(&path);
    // WebM keeps its Duration for `finish_seekable`; a cut file's length is where its last packet ends.
    let duration = p.format_duration.unwrap_or(p.packets_end);
    println!("{codec:?} cut after 3 s: ffprobe duration {duration:.3} s (format {:?}, packets end {:.3})", p.format_duration, p.packets_end);
    assert!(duration >= 2.0, "{codec:?}: {duration} s readable after a crash\n{}", p.json);
    assert_eq!(decode_errors(&path), "");
    drop(rec);
}

#[test]
fn crash_keeps_what_was_written() {
    let dir = temp_dir("crash");
    crash_after_3s(Codec::Opus, &packetize_opus(&opus_packets(&dir, 5), 0, 99), 48_000, &dir);
    crash_after_3s(Codec::Vp8, &packetize_vp8(&vp8_frames(&dir, 5), 0, 99), 90_000, &dir);
    crash_after_3s(Codec::H264, &h264_packets(&dir, 5, MTU), 90_000, &dir);
    let _ = std::fs::remove_dir_all(dir);
}

/// Drops one packet (not the first) of the first multi-packet frame from frame 40 on,
/// then checks the recording resumes at the next keyframe (every 30 frames).
fn loss(codec: Codec, packets: Vec<Rtp>, dir: &Path) {
    let frame = (40..60).find(|&f| packets.iter().filter(|p| p.frame == f).count() >= 2).expect("a multi-packet frame");
    let lost = packets.iter().position(|p| p.frame == frame).expect("packet") + 1;
    let expect_dropped = (60 - frame) as u64;
    let mut rec = recorder(codec);
    let kept: Vec<Rtp> = packets.iter().enumerate().filter(|(k, _)| *k != lost).map(|(_, p)| p.clone()).collect();
    feed(&mut rec, &kept);
    let (out, stats) = rec.finish_seekable().expect("finish");
    let path = save(dir, &format!("loss.{}", codec.extension()), out.get_ref());
    assert_eq!(stats.dropped_frames, expect_dropped, "{stats:?}");
    assert_eq!(stats.frames, 90 - expect_dropped, "{stats:?}");
    assert_eq!(decode_errors(&path), "", "{codec:?}");
    assert_eq!(decoded_frames(&path), 90 - expect_dropped, "{codec:?}");
    let d = probe(&path).format_duration.expect("duration");
    println!("{codec:?} with packet {lost} (frame {frame}) lost: {} frames dropped, ffprobe duration {d:.3} s", stats.dropped_frames);
    assert!((d - 3.0).abs() <= 0.5, "{d}");
}

#[test]
fn loss_skips_to_the_next_keyframe() {
    let dir = temp_dir("loss");
    // Small packets, so the delta frames of this simple picture span several.
    loss(Codec::Vp8, packetize_vp8_mtu(&vp8_frames(&dir, 3), 5, 0, 200), &dir);
    loss(Codec::H264, h264_packets(&dir, 3, 200), &dir);
    let _ = std::fs::remove_dir_all(dir);
}

/// Feeds the first half, calls the gap, then the second half shifted in sequence and time.
fn with_gap(rec: &mut TrackRecorder<Cursor<Vec<u8>>>, packets: &[Rtp], split_frame: usize, ts_shift: u32, elapsed: Option<Duration>) {
    let (a, b): (Vec<Rtp>, Vec<Rtp>) = packets.iter().cloned().partition(|p| p.frame < split_frame);
    feed(rec, &a);
    match elapsed {
        Some(e) => rec.gap_for(e).expect("gap"),
        None => rec.gap().expect("gap"),
    }
    let shifted: Vec<Rtp> = b.into_iter().map(|p| Rtp { seq: p.seq + 5000, ts: p.ts.wrapping_add(ts_shift), ..p }).collect();
    feed(rec, &shifted);
}

#[test]
fn gap_keeps_the_pause_in_the_timeline() {
    let dir = temp_dir("gap");
    // Opus: 3 s of audio with a 2 s pause in the middle.
    let opus = packetize_opus(&opus_packets(&dir, 3), 1, u32::MAX - 50_000);
    let mut rec = recorder(Codec::Opus);
    with_gap(&mut rec, &opus, 75, 2 * 48_000, None);
    let (out, stats) = rec.finish_seekable().expect("finish");
    let path = save(&dir, "gap.ogg", out.get_ref());
    let d = probe(&path).format_duration.expect("duration");
    println!("Opus with a 2 s gap: ffprobe duration {d:.3} s, stats {stats:?}");
    assert!((d - 5.0).abs() <= 0.5, "{d}");
    assert_eq!(decode_errors(&path), "");

    // VP8: the pause is at frame 45, mid-GOP: video resumes at the keyframe at frame 60.
    let vp8 = packetize_vp8(&vp8_frames(&dir, 3), 1, 77);
    let mut rec = recorder(Codec::Vp8);
    with_gap(&mut rec, &vp8, 45, 2 * 90_000, None);
    let (out, stats) = rec.finish_seekable().expect("finish");
    let path = save(&dir, "gap.webm", out.get_ref());
    let d = probe(&path).format_duration.expect("duration");
    println!("VP8 with a 2 s gap: ffprobe duration {d:.3} s, stats {stats:?}");
    assert!((d - 5.0).abs() <= 0.5, "{d}");
    assert_eq!(stats.dropped_frames, 15);
    assert_eq!(decode_errors(&path), "");

    // A new source with an unrelated timestamp: the caller's measured pause is used.
    let mut rec = recorder(Codec::Opus);
    with_gap(&mut rec, &opus, 75, 0x8000_0000, Some(Duration::from_secs(2)));
    let (_, stats) = rec.finish().expect("finish");
    assert!((stats.duration.as_secs_f64() - 5.0).abs() <= 0.1, "{stats:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn garbage_packets_are_errors_not_panics() {
    for codec in [Codec::Opus, Codec::Vp8, Codec::Vp9, Codec::H264] {
        let mut rec = TrackRecorder::new(codec, Vec::new());
        for (seq, payload) in [&[][..], &[0xff], &[0x80], &[0x90, 0xff], &[0x7c], &[24, 0, 9]].into_iter().enumerate() {
            let r = rec.push(Packet { seq: seq as u64, ts: 0, marker: true, payload });
            assert!(r.as_ref().is_err_and(|e| !e.is_fatal()) || r.is_ok(), "{codec:?} {payload:?}: {r:?}");
        }
        let stats = rec.stats();
        // Opus takes most single bytes as a TOC; the others refuse at least 5 of the 6.
        assert!(stats.bad_packets >= if codec == Codec::Opus { 2 } else { 5 }, "{codec:?}: {stats:?}");
        // Video cannot start without a (valid) keyframe; Opus records the packets it accepted.
        assert_eq!(stats.frames, if codec == Codec::Opus { 6 - stats.bad_packets } else { 0 }, "{codec:?}: {stats:?}");
        rec.finish().expect("finish");
    }
}
