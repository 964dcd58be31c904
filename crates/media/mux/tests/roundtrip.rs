//! Real media through the recorder: ffmpeg encodes 3 s of Opus, VP8, VP9 and H.264, the
//! test packetizes it as a WebRTC sender would (with timestamps near the 32-bit wrap),
//! the recorder writes Ogg, WebM and MP4, and ffprobe/ffmpeg must read and decode the
//! files: right codec and size, duration within ±0.5 s of the source, no decode error.

mod common;

use common::*;
use hikari_mux::{Codec, Container, Options, TrackRecorder};
use std::path::Path;

const SECONDS: f64 = 3.0;
/// Timestamps start close to the wrap, so every recording crosses it.
const TS0: u32 = u32::MAX - 40_000;

fn check(path: &Path, codec: &str, size: Option<(u32, u32)>, stats: &hikari_mux::Stats) -> f64 {
    let p = probe(path);
    assert_eq!(p.codec, codec, "{}", p.json);
    if let Some((w, h)) = size {
        assert_eq!((p.width, p.height), (Some(w), Some(h)), "{}", p.json);
    }
    let d = p.format_duration.expect("format duration");
    assert!((d - SECONDS).abs() <= 0.5, "duration {d} for {}", path.display());
    assert_eq!(decode_errors(path), "", "decode errors in {}", path.display());
    assert!((stats.duration.as_secs_f64() - SECONDS).abs() <= 0.1, "{stats:?}");
    assert_eq!(stats.dropped_frames, 0, "{stats:?}");
    assert_eq!(stats.bytes, std::fs::metadata(path).expect("metadata").len());
    println!("{} → ffprobe duration {d:.3} s, stats {stats:?}", path.display());
    d
}

fn opus_packets(dir: &Path) -> Vec<Vec<u8>> {
    let ogg = make_media(dir, "src.ogg", false, 3, &["-ac", "2", "-c:a", "libopus", "-b:a", "48k", "-frame_duration", "20", "-f", "ogg"]);
    let packets = ogg_packets(&ogg);
    assert!(packets[0].starts_with(b"OpusHead") && packets[1].starts_with(b"OpusTags"));
    packets[2..].to_vec()
}

#[test]
fn opus_to_ogg() {
    let dir = temp_dir("opus-ogg");
    let packets = opus_packets(&dir);
    assert!(packets.len() >= 149, "{} packets", packets.len());
    let mut rec = recorder(Codec::Opus);
    feed(&mut rec, &packetize_opus(&packets, 7, TS0));
    let (out, stats) = rec.finish_seekable().expect("finish");
    assert_eq!(stats.frames, packets.len() as u64);
    let path = dir.join(format!("out.{}", Codec::Opus.extension()));
    std::fs::write(&path, out.into_inner()).expect("write");
    check(&path, "opus", None, &stats);
    let _ = std::fs::remove_dir_all(dir);
}

/// 100 packets fill two pages exactly, so the EOS page is empty: still valid.
#[test]
fn ogg_ending_on_a_page_boundary() {
    let dir = temp_dir("opus-ogg-boundary");
    let packets = opus_packets(&dir);
    let mut rec = recorder(Codec::Opus);
    feed(&mut rec, &packetize_opus(&packets[..100], 0, 0));
    let (out, stats) = rec.finish().expect("finish");
    let path = dir.join("out.ogg");
    std::fs::write(&path, out.into_inner()).expect("write");
    let d = probe(&path).format_duration.expect("duration");
    assert!((d - 2.0).abs() <= 0.05, "{d}");
    assert_eq!(decode_errors(&path), "");
    assert_eq!(stats.frames, 100);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn opus_to_webm() {
    let dir = temp_dir("opus-webm");
    let packets = opus_packets(&dir);
    let options = Options { container: Some(Container::Webm), ..Options::default() };
    let mut rec = TrackRecorder::with_options(Codec::Opus, std::io::Cursor::new(Vec::new()), options).expect("recorder");
    feed(&mut rec, &packetize_opus(&packets, 7, TS0));
    let (out, stats) = rec.finish_seekable().expect("finish");
    let path = dir.join("out.webm");
    std::fs::write(&path, out.into_inner()).expect("write");
    check(&path, "opus", None, &stats);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn opus_to_mp4() {
    let dir = temp_dir("opus-mp4");
    let packets = opus_packets(&dir);
    let options = Options { container: Some(Container::Mp4), ..Options::default() };
    let mut rec = TrackRecorder::with_options(Codec::Opus, Vec::new(), options).expect("recorder");
    feed(&mut rec, &packetize_opus(&packets, 7, TS0));
    let (out, stats) = rec.finish().expect("finish");
    let path = dir.join("out.mp4");
    std::fs::write(&path, out).expect("write");
    check(&path, "opus", None, &stats);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vp8_to_webm() {
    let dir = temp_dir("vp8");
    let ivf = make_media(
        &dir,
        "src.ivf",
        true,
        3,
        &["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-auto-alt-ref", "0", "-g", "30", "-b:v", "500k", "-f", "ivf"],
    );
    let frames = ivf_frames(&ivf);
    assert_eq!(frames.len(), 90);
    let mut rec = recorder(Codec::Vp8);
    let packets = packetize_vp8(&frames, 1 << 20, TS0);
    assert!(packets.len() > frames.len(), "some frames span packets");
    feed(&mut rec, &packets);
    let (out, stats) = rec.finish_seekable().expect("finish");
    assert_eq!(stats.frames, 90);
    let path = dir.join(format!("out.{}", Codec::Vp8.extension()));
    std::fs::write(&path, out.into_inner()).expect("write");
    check(&path, "vp8", Some((320, 240)), &stats);
    assert_eq!(decoded_frames(&path), 90);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vp9_to_webm() {
    let dir = temp_dir("vp9");
    let args = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", "-g", "30", "-b:v", "500k", "-f", "ivf"];
    let frames = ivf_frames(&make_media(&dir, "src.ivf", true, 3, &args));
    assert_eq!(frames.len(), 90);
    let mut rec = recorder(Codec::Vp9);
    feed(&mut rec, &packetize_vp9(&frames, 0, TS0, (320, 240)));
    let (out, stats) = rec.finish_seekable().expect("finish");
    assert_eq!(stats.frames, 90);
    let path = dir.join("out.webm");
    std::fs::write(&path, out.into_inner()).expect("write");
    check(&path, "vp9", Some((320, 240)), &stats);
    assert_eq!(decoded_frames(&path), 90);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn h264_to_mp4() {
    let dir = temp_dir("h264");
    let args = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", "30", "-pix_fmt", "yuv420p", "-f", "h264"];
    let annex_b = make_media(&dir, "src.h264", true, 3, &args);
    let nals = annex_b_nals(&annex_b);
    let aus = access_units(&nals);
    assert_eq!(aus.len(), 90);
    let mut rec = recorder(Codec::H264);
    let packets = packetize_h264(&aus, 100, TS0);
    assert!(packets.iter().any(|p| p.payload[0] & 0x1f == 28), "some NAL units went in FU-A");
    feed(&mut rec, &packets);
    let (out, stats) = rec.finish().expect("finish");
    assert_eq!(stats.frames, 90);
    let path = dir.join(format!("out.{}", Codec::H264.extension()));
    std::fs::write(&path, out.into_inner()).expect("write");
    check(&path, "h264", Some((320, 240)), &stats);
    assert_eq!(decoded_frames(&path), 90);
    let _ = std::fs::remove_dir_all(dir);
}
