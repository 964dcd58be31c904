//! Real media through the HLS path: ffmpeg encodes 6 s of H.264 (a keyframe every 2 s)
//! and Opus, the test packetizes both as a WebRTC sender would, [`Depacketizer`]s turn
//! the packets back into frames, the [`HlsPackager`] cuts them (audio arriving 60 ms
//! late), and the init segment plus every segment must probe as one h264 and one opus
//! stream of the right length and decode without an error, both as one file and through
//! ffmpeg's HLS demuxer reading the EVENT playlist.

mod common;

use common::*;
use hikari_mux::hls::{HlsConfig, HlsEvent, HlsPackager, Playlist};
use hikari_mux::{Codec, Depacketizer, Frame, MuxError, Packet};

const SECONDS: f64 = 6.0;

/// The frames a depacketizer gives for `packets`: (ts, keyframe, data).
fn depacketize(codec: Codec, packets: &[Rtp]) -> Vec<(u64, bool, Vec<u8>)> {
    let mut d = Depacketizer::new(codec);
    let mut frames = Vec::new();
    let mut out = |f: Frame<'_>| -> Result<(), MuxError> {
        frames.push((f.ts, f.keyframe, f.data.to_vec()));
        Ok(())
    };
    for p in packets {
        d.push(Packet { seq: p.seq, ts: p.ts, marker: p.marker, payload: &p.payload }, &mut out).expect("push");
    }
    d.flush(&mut out).expect("flush");
    assert_eq!(d.dropped(), 0);
    frames
}

#[test]
fn h264_and_opus_to_hls() {
    let dir = temp_dir("hls");
    let h264 =
        make_media(&dir, "src.h264", true, 6, &["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "60", "-bf", "0", "-bsf:v", "h264_mp4toannexb", "-f", "h264"]);
    let nals = annex_b_nals(&h264);
    let video = depacketize(Codec::H264, &packetize_h264(&access_units(&nals), 100, u32::MAX - 50_000));
    let ogg = make_media(&dir, "src.ogg", false, 6, &["-ac", "2", "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg"]);
    let audio = depacketize(Codec::Opus, &packetize_opus(&ogg_packets(&ogg)[2..], 7, 12_345));
    assert_eq!((video.len(), video.iter().filter(|f| f.1).count()), (180, 3));
    assert!(audio.len() >= 300, "{} opus packets", audio.len());

    let config = HlsConfig { segment_target: std::time::Duration::from_secs(2), ..HlsConfig::default() };
    let mut hls = HlsPackager::new(config, true, Some((2, 312))).expect("packager");
    let mut playlist = Playlist::new(config);
    let (mut v, mut a) = (video.iter().peekable(), audio.iter().peekable());
    let late = 60 * 90; // audio arrives 60 ms after the video of the same time
    loop {
        let video_next = v.peek().map(|f| f.0);
        let audio_next = a.peek().map(|f| f.0 * 90_000 / 48_000 + late);
        if video_next.is_some_and(|vt| audio_next.is_none_or(|at| vt <= at)) {
            let Some((ts, keyframe, data)) = v.next() else { break };
            hls.video(*ts, Frame { ts: *ts, keyframe: *keyframe, size: None, data }).expect("video");
        } else if let Some((ts, _, data)) = a.next() {
            hls.audio(*ts, Frame { ts: *ts, keyframe: true, size: None, data }).expect("audio");
        } else {
            break;
        }
        let _ = hls.wants_keyframe();
        while let Some(e) = hls.poll() {
            playlist.push(e);
        }
    }
    hls.finish().expect("finish");
    while let Some(e) = hls.poll() {
        assert!(!matches!(e, HlsEvent::Init(_)), "the init segment came before");
        playlist.push(e);
    }
    assert!(playlist.ended());
    let seg_dir = dir.join("hls");
    std::fs::create_dir_all(&seg_dir).expect("dir");
    let init = playlist.init().expect("init");
    let mut file = init.to_vec();
    let first = hikari_mux::hls::FIRST_MSN;
    let segments = (first..).take_while(|&msn| playlist.segment(msn).is_some()).count();
    for msn in first..first + segments as u64 {
        let seg = playlist.segment(msn).expect("segment in the window");
        file.extend_from_slice(&seg);
        std::fs::write(seg_dir.join(format!("seg{msn}.m4s")), &seg).expect("write segment");
    }
    assert_eq!(segments, 3);
    std::fs::write(seg_dir.join("init.mp4"), &init).expect("write init");
    std::fs::write(seg_dir.join("index.m3u8"), playlist.render_event()).expect("write playlist");
    let path = dir.join("out.mp4");
    std::fs::write(&path, &file).expect("write");

    let p = path.to_str().expect("utf-8");
    let (ok, json, err) = run("ffprobe", &["-v", "error", "-show_streams", "-show_format", "-of", "json", p]);
    assert!(ok && err.is_empty(), "ffprobe: {err}");
    let names: Vec<&str> = json.match_indices("\"codec_name\": \"").map(|(i, m)| &json[i + m.len()..][..4]).collect();
    assert_eq!(names, ["h264", "opus"], "{json}");
    for stream in json.split("\"index\": ").skip(1) {
        let d: f64 = json_field(stream, "duration").expect("stream duration").parse().expect("number");
        assert!((d - SECONDS).abs() <= 0.2, "stream duration {d}: {json}");
    }
    assert_eq!(decode_errors(&path), "");
    let m3u8 = seg_dir.join("index.m3u8");
    let (ok, _, err) = run("ffmpeg", &["-v", "error", "-i", m3u8.to_str().expect("utf-8"), "-f", "null", "-"]);
    assert!(ok && err.is_empty(), "ffmpeg on the playlist: {err}");
    let _ = std::fs::remove_dir_all(dir);
}
