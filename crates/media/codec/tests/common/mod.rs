//! Helpers of the job tests: media made by ffmpeg in a temporary directory, FLV tags read
//! back and rewritten with `flv_out`, input written past a full queue, outputs collected
//! with a deadline, H.264 frames reassembled.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use hikari_codec::flv_out::{TagKind, flv_header, flv_tag};
use hikari_codec::{Backpressure, Depacketizer, JobError, JobOutput, JobOutputs, SpsInfo, Stream, WebRtcProfile};

/// The ffmpeg the tests run (CI installs Debian's).
pub const FFMPEG: &str = "/usr/bin/ffmpeg";

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("hikari-codec-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs ffmpeg to make `name` in `dir` from lavfi sources; returns its bytes.
pub fn make_media(dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    assert!(Path::new(FFMPEG).exists(), "the codec tests need ffmpeg at {FFMPEG} (Debian's ffmpeg package)");
    let out = dir.join(name);
    let status =
        std::process::Command::new(FFMPEG).args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"]).args(args).arg(&out).status().expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {name}");
    std::fs::read(&out).expect("media file")
}

/// A test pattern of `size` at 30 fps and a 440 Hz tone at 44.1 kHz stereo, `secs` long,
/// as OBS sends it: x264 High with B-frames, AAC.
pub fn obs_like_flv(dir: &Path, size: &str, secs: u32) -> Vec<u8> {
    obs_like_flv_at(dir, size, "30", secs)
}

/// [`obs_like_flv`] at another frame `rate` (ffmpeg's syntax: `25`, `30000/1001`).
pub fn obs_like_flv_at(dir: &Path, size: &str, rate: &str, secs: u32) -> Vec<u8> {
    let video = format!("testsrc=size={size}:rate={rate}");
    let t = secs.to_string();
    make_media(
        dir,
        "in.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            &video,
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
            "-t",
            &t,
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "high",
            "-bf",
            "2",
            "-g",
            "60",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-ar",
            "44100",
            "-b:a",
            "128k",
            "-f",
            "flv",
        ],
    )
}

/// One FLV tag of a file.
pub struct Tag {
    pub kind: TagKind,
    pub timestamp_ms: u32,
    pub body: Vec<u8>,
}

/// The tags of an FLV file (its header and trailing sizes skipped).
pub fn flv_tags(data: &[u8]) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut at = 13;
    while at + 11 <= data.len() {
        let h = &data[at..at + 11];
        let size = (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
        let ts = u32::from_be_bytes([h[7], h[4], h[5], h[6]]);
        let kind = match h[0] {
            8 => TagKind::Audio,
            9 => TagKind::Video,
            _ => TagKind::Script,
        };
        let body = data[at + 11..at + 11 + size].to_vec();
        tags.push(Tag { kind, timestamp_ms: ts, body });
        at += 11 + size + 4;
    }
    tags
}

/// The stream as the RTMP path would feed a job: the header, then one chunk per tag.
pub fn refeed(tags: &[Tag], has_audio: bool, has_video: bool) -> Vec<(u32, Bytes)> {
    let mut chunks = vec![(0, Bytes::copy_from_slice(&flv_header(has_audio, has_video)))];
    for t in tags {
        if (t.kind == TagKind::Audio && !has_audio) || (t.kind == TagKind::Video && !has_video) {
            continue;
        }
        let mut out = Vec::new();
        flv_tag(t.kind, t.timestamp_ms, &t.body, &mut out).expect("small tag");
        chunks.push((t.timestamp_ms, Bytes::from(out)));
    }
    chunks
}

/// How long a write waits for room in a full input queue.
pub const WRITE_WAIT: Duration = Duration::from_secs(20);

/// Writes `chunk` with `write` (a job's or a decoder's), retrying every 2 ms while the
/// queue is full, up to [`WRITE_WAIT`]. `Err(Closed)` when the job takes no more input.
pub async fn write_retrying(write: impl Fn(Bytes) -> Result<(), Backpressure>, chunk: Bytes) -> Result<(), Backpressure> {
    let end = tokio::time::Instant::now() + WRITE_WAIT;
    loop {
        match write(chunk.clone()) {
            Err(Backpressure::Full) => {
                assert!(tokio::time::Instant::now() < end, "the input queue stayed full for {WRITE_WAIT:?}");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            other => return other,
        }
    }
}

/// One RTP packet of a job.
#[derive(Debug, Clone)]
pub struct Packet {
    pub seq: u16,
    pub timestamp: u32,
    pub marker: bool,
    pub payload: Bytes,
}

/// Everything a job sent before its end.
#[derive(Default)]
pub struct Collected {
    pub rtp: HashMap<Stream, Vec<Packet>>,
    pub ended: Option<Result<(), JobError>>,
}

/// Reads outputs until `Ended` or the deadline.
pub async fn collect(outputs: &mut JobOutputs, deadline: Duration) -> Collected {
    let mut c = Collected::default();
    let end = tokio::time::Instant::now() + deadline;
    while let Ok(Some(item)) = tokio::time::timeout_at(end, outputs.recv()).await {
        match item {
            JobOutput::Rtp { stream, seq, timestamp, marker, payload } => c.rtp.entry(stream).or_default().push(Packet { seq, timestamp, marker, payload }),
            JobOutput::Ended(r) => {
                c.ended = Some(r);
                break;
            }
        }
    }
    c
}

/// One video frame: its timestamp and NAL units.
pub struct Frame {
    pub timestamp: u32,
    pub nalus: Vec<Vec<u8>>,
}

impl Frame {
    pub fn types(&self) -> Vec<u8> {
        self.nalus.iter().map(|n| n[0] & 0x1f).collect()
    }
    pub fn is_idr(&self) -> bool {
        self.types().contains(&5)
    }
}

/// The frames of an H.264 stream, cut at the marker bit.
pub fn frames(packets: &[Packet]) -> Vec<Frame> {
    let mut d = Depacketizer::new(1 << 22);
    let mut frames = Vec::new();
    let mut nalus = Vec::new();
    for p in packets {
        d.push(&p.payload, &mut nalus).expect("a valid H.264 payload");
        if p.marker {
            frames.push(Frame { timestamp: p.timestamp, nalus: std::mem::take(&mut nalus) });
        }
    }
    frames
}

/// Sequence numbers of a stream follow each other (no datagram lost on loopback).
pub fn assert_consecutive(packets: &[Packet], what: &str) {
    for w in packets.windows(2) {
        assert_eq!(w[1].seq, w[0].seq.wrapping_add(1), "{what}: a sequence gap");
    }
}

/// A transcoded layer of a 3 s job: packets in sequence and within the packet size, ~90
/// frames with rising timestamps from about the timeline's zero, an IDR first, and at every
/// IDR in-band SPS and PPS of `size`, constrained baseline, no reordering. Returns the
/// keyframes' RTP timestamps.
pub fn layer_keyframes(c: &Collected, layer: u8, size: (u32, u32)) -> Vec<u32> {
    let packets = c.rtp.get(&Stream::Video(layer)).unwrap_or_else(|| panic!("layer {layer} packets"));
    assert_consecutive(packets, "video");
    assert!(packets.iter().all(|p| p.payload.len() <= 1188), "payloads fit the packet size");
    let frames = frames(packets);
    assert!((85..=95).contains(&frames.len()), "layer {layer}: {} frames for 3 s at 30 fps", frames.len());
    assert!(frames[0].is_idr(), "layer {layer} starts with a keyframe");
    for w in frames.windows(2) {
        let step = w[1].timestamp.wrapping_sub(w[0].timestamp);
        assert!(step > 0 && step < 90_000 / 5, "layer {layer}: timestamps rise frame by frame (presentation order), step {step}");
    }
    let mut keys = Vec::new();
    for f in frames.iter().filter(|f| f.is_idr()) {
        let types = f.types();
        assert!(types.starts_with(&[7, 8]), "layer {layer}: SPS and PPS in band before the IDR: {types:?}");
        let sps = SpsInfo::parse(&f.nalus[0]).expect("x264's SPS");
        assert_eq!((sps.width, sps.height), size, "layer {layer}");
        assert_eq!(sps.webrtc_profile(), Some(WebRtcProfile::ConstrainedBaseline));
        assert!(sps.passthrough_safe(), "no B-frames");
        keys.push(f.timestamp);
    }
    let first = frames[0].timestamp as i32;
    assert!(first.abs() < 90_000 / 5, "layer {layer} starts near the job's time zero: {first}");
    keys
}
