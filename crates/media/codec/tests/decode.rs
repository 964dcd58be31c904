//! Decode jobs with the real ffmpeg: VP8 in IVF and H.264 Annex B (re-wrapped by the
//! crate's helpers) to I420 pictures in a box, scaled, letterboxed, across a size change and
//! fed frame by frame for latency; Ogg Opus to s16le; garbage, a missing program and a
//! dropped decoder. Each test is bounded by a deadline.

mod common;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use hikari_codec::{
    Backpressure, CodecError, DecodeInput, DecodeOutput, DecodeSpec, Decoded, Decoder, H264_ACCESS_UNIT_DELIMITER, JobError, annexb_from_length_prefixed,
    ivf_frame, ivf_header,
};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// The whole test's bound.
const DEADLINE: Duration = Duration::from_secs(60);
/// The bars' colour in the tests.
const PAD: [u8; 3] = [0x20, 0x60, 0xc0];

/// One second of ffmpeg's test pattern as VP8 in IVF, without hidden alt-ref frames (as
/// WebRTC sends it): `(header, frames)`.
fn vp8_frames(dir: &Path, name: &str, size: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let src = format!("testsrc2=size={size}:rate=30");
    let args =
        ["-f", "lavfi", "-i", &src, "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libvpx", "-auto-alt-ref", "0", "-lag-in-frames", "0", "-b:v", "1M", "-f", "ivf"];
    let ivf = make_media(dir, name, &args);
    let mut frames = Vec::new();
    let mut at = 32;
    while at + 12 <= ivf.len() {
        let size = u32::from_le_bytes([ivf[at], ivf[at + 1], ivf[at + 2], ivf[at + 3]]) as usize;
        frames.push(ivf[at + 12..at + 12 + size].to_vec());
        at += 12 + size;
    }
    (ivf[..32].to_vec(), frames)
}

/// One second of the test pattern as x264 Annex B without B-frames, cut into access units
/// each given as an MP4 sample (NAL units after 4-byte big-endian lengths).
fn h264_samples(dir: &Path, size: &str) -> Vec<Vec<u8>> {
    let src = format!("testsrc2=size={size}:rate=30");
    let annexb = make_media(dir, "in.h264", &["-f", "lavfi", "-i", &src, "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-bf", "0", "-f", "h264"]);
    // NAL units between start codes (a 4-byte start code leaves a trailing zero, dropped).
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= annexb.len() {
        if annexb[i..i + 3] == [0, 0, 1] {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut samples: Vec<Vec<u8>> = Vec::new();
    let mut current = Vec::new();
    let mut has_slice = false;
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(annexb.len(), |&next| next - 3);
        let mut nalu = &annexb[start..end];
        while nalu.last() == Some(&0) {
            nalu = &nalu[..nalu.len() - 1];
        }
        let kind = nalu[0] & 0x1f;
        // A new picture: a parameter set, SEI or delimiter after a slice, or a slice whose
        // first macroblock is 0 (the exp-Golomb 0 is a single 1 bit).
        let first_slice = matches!(kind, 1 | 5) && nalu[1] & 0x80 != 0;
        if has_slice && (matches!(kind, 6..=9) || first_slice) {
            samples.push(std::mem::take(&mut current));
            has_slice = false;
        }
        has_slice |= matches!(kind, 1 | 5);
        current.extend_from_slice(&(nalu.len() as u32).to_be_bytes());
        current.extend_from_slice(nalu);
    }
    samples.push(current);
    samples
}

/// An access unit as a decoder is fed: Annex B, then a delimiter that ends it at once.
fn access_unit(sample: &[u8]) -> Bytes {
    let mut out = Vec::new();
    annexb_from_length_prefixed(sample, &mut out).expect("x264's NAL units");
    out.extend_from_slice(&H264_ACCESS_UNIT_DELIMITER);
    Bytes::from(out)
}

/// VP8 frames re-wrapped by the crate's IVF helpers, RTP timestamps as pts.
fn ivf_stream(width: u16, height: u16, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = ivf_header(*b"VP80", width, height, 90_000).to_vec();
    for (k, f) in frames.iter().enumerate() {
        ivf_frame(&mut out, k as u64 * 3000, f);
    }
    out
}

/// Everything a decoder sent before its end, with when each chunk came.
struct Output {
    chunks: Vec<Bytes>,
    arrivals: Vec<Instant>,
    ended: Option<Result<(), JobError>>,
}

/// Reads a decoder's output in a task until `Ended` or the deadline; `count` follows the
/// chunks read.
fn spawn_reader(mut rx: mpsc::Receiver<Decoded>, count: watch::Sender<usize>) -> tokio::task::JoinHandle<Output> {
    tokio::spawn(async move {
        let mut out = Output { chunks: Vec::new(), arrivals: Vec::new(), ended: None };
        let end = Instant::now() + DEADLINE;
        while let Ok(Some(item)) = tokio::time::timeout_at(end, rx.recv()).await {
            match item {
                Decoded::Chunk(c) => {
                    out.arrivals.push(Instant::now());
                    out.chunks.push(c);
                    count.send_replace(out.chunks.len());
                }
                Decoded::Ended(r) => {
                    out.ended = Some(r);
                    break;
                }
            }
        }
        out
    })
}

/// Starts a decoder, writes `input` in chunks of `chunk` bytes, closes it and reads all.
async fn decode_all(spec: DecodeSpec, input: &[u8], chunk: usize) -> Output {
    let (mut decoder, rx) = Decoder::start(spec, Path::new(FFMPEG)).await.expect("decoder starts");
    let reader = spawn_reader(rx, watch::channel(0).0);
    tokio::time::timeout(DEADLINE, async {
        for piece in input.chunks(chunk) {
            write_retrying(|b| decoder.write(b), Bytes::copy_from_slice(piece)).await.expect("the decoder takes its input");
        }
        assert!(decoder.pid().is_some(), "running");
        decoder.close_input();
        reader.await.expect("the reader task")
    })
    .await
    .expect("the decoder ends in time")
}

/// Y, U, V of an RGB colour as ffmpeg's `pad` fills a limited-range BT.601 picture.
fn yuv(rgb: [u8; 3]) -> [f64; 3] {
    let [r, g, b] = rgb.map(f64::from);
    let (y, u, v) = (0.299 * r + 0.587 * g + 0.114 * b, -0.168_736 * r - 0.331_264 * g + 0.5 * b, 0.5 * r - 0.418_688 * g - 0.081_312 * b);
    [16.0 + 219.0 * y / 255.0, 128.0 + 224.0 * u / 255.0, 128.0 + 224.0 * v / 255.0]
}

/// Whether every sample of a luma row (or of a span of it) is the bars' Y.
fn is_pad(row: &[u8]) -> bool {
    let y = yuv(PAD)[0];
    row.iter().all(|&s| (f64::from(s) - y).abs() <= 2.0)
}

#[tokio::test]
async fn vp8_in_ivf_is_scaled_into_the_box() {
    let dir = TempDir::new("decode-vp8");
    let (_, frames) = vp8_frames(&dir.0, "in.ivf", "640x360");
    assert_eq!(frames.len(), 30);
    let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 64 };
    let out = decode_all(spec, &ivf_stream(640, 360, &frames), 1000).await;
    assert_eq!(out.ended, Some(Ok(())), "ffmpeg finished its input");
    assert_eq!(out.chunks.len(), 30, "one picture per frame");
    assert!(out.chunks.iter().all(|c| c.len() == 320 * 180 * 3 / 2), "I420 pictures of 320x180");
    // Same aspect: no bars; the pattern reaches the top row.
    assert!(out.chunks.iter().all(|c| !is_pad(&c[..320])), "no letterbox at 16:9");
}

#[tokio::test]
async fn h264_is_letterboxed_with_the_pad_colour() {
    let dir = TempDir::new("decode-h264");
    let samples = h264_samples(&dir.0, "640x360");
    assert_eq!(samples.len(), 30, "access units");
    let stream: Vec<u8> = samples.iter().flat_map(|s| access_unit(s).to_vec()).collect();
    let spec = DecodeSpec { input: DecodeInput::H264AnnexB, output: DecodeOutput::Video { width: 320, height: 240, pad: PAD }, input_queue: 64 };
    let out = decode_all(spec, &stream, 1000).await;
    assert_eq!(out.ended, Some(Ok(())), "ffmpeg finished its input");
    assert_eq!(out.chunks.len(), 30, "one picture per access unit");
    let [_, u, v] = yuv(PAD);
    for p in &out.chunks {
        assert_eq!(p.len(), 320 * 240 * 3 / 2);
        // 640x360 in 320x240: 320x180 in the middle, 30 rows of bars above and below.
        let row = |r: usize| &p[r * 320..(r + 1) * 320];
        assert!((0..28).chain(212..240).all(|r| is_pad(row(r))), "bars of the pad colour");
        assert!((40..200).any(|r| !is_pad(row(r))), "the picture between them");
        let (u0, v0) = (f64::from(p[320 * 240]), f64::from(p[320 * 240 * 5 / 4]));
        assert!((u0 - u).abs() <= 3.0 && (v0 - v).abs() <= 3.0, "the bars' chroma: {u0} {v0}, expected {u} {v}");
    }
}

#[tokio::test]
async fn a_size_change_mid_stream_still_fills_the_box() {
    let dir = TempDir::new("decode-resize");
    let (_, wide) = vp8_frames(&dir.0, "wide.ivf", "640x360");
    let (_, narrow) = vp8_frames(&dir.0, "narrow.ivf", "320x240");
    let frames: Vec<Vec<u8>> = wide.into_iter().chain(narrow).collect();
    let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 64 };
    let out = decode_all(spec, &ivf_stream(640, 360, &frames), 1000).await;
    assert_eq!(out.ended, Some(Ok(())), "ffmpeg finished its input");
    assert_eq!(out.chunks.len(), 60);
    // 16:9 fills the box; 4:3 becomes 240x180 between 40-column bars.
    let left_bar = |p: &Bytes| (0..180).all(|r| is_pad(&p[r * 320..r * 320 + 38]));
    assert!(out.chunks[..30].iter().all(|p| !left_bar(p)), "no bars while 16:9");
    assert!(out.chunks[30..].iter().all(left_bar), "pillarboxed once 4:3");
}

/// Feeds frames one by one: frame k's picture must come before frame k + 1 + `held` is
/// written (ffmpeg holds at most `held` frames). Returns the delays from writing a frame to
/// reading its picture, from frame 1 on (frame 0 waits for ffmpeg's start), sorted.
async fn feed_one_by_one(input: DecodeInput, head: Option<Bytes>, frames: Vec<Bytes>, held: usize) -> Vec<Duration> {
    let spec = DecodeSpec { input, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 8 };
    let (mut decoder, rx) = Decoder::start(spec, Path::new(FFMPEG)).await.expect("decoder starts");
    let (count_tx, mut count) = watch::channel(0usize);
    let reader = spawn_reader(rx, count_tx);
    let n = frames.len();
    let (written, out) = tokio::time::timeout(DEADLINE, async {
        if let Some(head) = head {
            decoder.write(head).expect("the header");
        }
        let mut written = Vec::with_capacity(n);
        for (k, frame) in frames.into_iter().enumerate() {
            if let Some(due) = k.checked_sub(1 + held) {
                let got = tokio::time::timeout(Duration::from_secs(10), count.wait_for(|&got| got > due)).await;
                assert!(got.is_ok_and(|r| r.is_ok()), "picture {due} did not come before frame {k} was written: ffmpeg holds frames");
            }
            written.push(Instant::now());
            decoder.write(frame).expect("the queue has room: one frame at a time");
        }
        assert!(decoder.cpu_time().is_some_and(|t| t > Duration::ZERO), "CPU time read while it runs");
        decoder.close_input();
        (written, reader.await.expect("the reader task"))
    })
    .await
    .expect("the decoder ends in time");
    assert_eq!(out.ended, Some(Ok(())), "ffmpeg finished its input");
    assert_eq!(out.chunks.len(), n, "one picture per frame");
    let mut delays: Vec<Duration> = written.iter().zip(&out.arrivals).skip(1).map(|(w, a)| a.saturating_duration_since(*w)).collect();
    delays.sort();
    delays
}

#[tokio::test]
async fn pictures_come_out_as_their_frames_go_in() {
    let dir = TempDir::new("decode-latency");
    let (_, vp8) = vp8_frames(&dir.0, "in.ivf", "640x360");
    let head = Bytes::copy_from_slice(&ivf_header(*b"VP80", 640, 360, 90_000));
    let frames = vp8
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let mut out = Vec::new();
            ivf_frame(&mut out, k as u64 * 3000, f);
            Bytes::from(out)
        })
        .collect();
    let vp8_delays = feed_one_by_one(DecodeInput::Ivf, Some(head), frames, 0).await;
    let samples = h264_samples(&dir.0, "640x360");
    let h264_delays = feed_one_by_one(DecodeInput::H264AnnexB, None, samples.iter().map(|s| access_unit(s)).collect(), 0).await;
    // Without the delimiter, ffmpeg's parser holds each access unit until the next one starts.
    let bare = samples
        .iter()
        .map(|s| {
            let mut out = Vec::new();
            annexb_from_length_prefixed(s, &mut out).expect("x264's NAL units");
            Bytes::from(out)
        })
        .collect();
    feed_one_by_one(DecodeInput::H264AnnexB, None, bare, 1).await;
    for (what, d) in [("VP8", &vp8_delays), ("H.264", &h264_delays)] {
        eprintln!("{what}: frame written to picture read: median {:?}, max {:?}", d[d.len() / 2], d[d.len() - 1]);
    }
}

#[tokio::test]
async fn ogg_opus_becomes_a_second_of_samples() {
    let dir = TempDir::new("decode-opus");
    let ogg =
        make_media(&dir.0, "in.ogg", &["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:a", "libopus", "-ac", "2", "-f", "ogg"]);
    let spec =
        DecodeSpec { input: DecodeInput::OggOpus, output: DecodeOutput::Audio { sample_rate: 48_000, channels: 2, chunk_samples: 480 }, input_queue: 64 };
    let out = decode_all(spec, &ogg, 500).await;
    assert_eq!(out.ended, Some(Ok(())), "ffmpeg finished its input");
    assert!(out.chunks.iter().all(|c| c.len() == 480 * 2 * 2), "chunks of 10 ms");
    let samples = out.chunks.len() * 480;
    let secs = samples as f64 / 48_000.0;
    assert!((0.96..=1.04).contains(&secs), "{secs} s of audio");
    let peak = out.chunks.iter().flat_map(|c| c.chunks_exact(2).map(|s| i16::from_le_bytes([s[0], s[1]]).unsigned_abs())).max();
    assert!(peak.is_some_and(|p| p > 1000), "the tone, not silence: peak {peak:?}");
}

#[tokio::test]
async fn garbage_ends_the_decoder_with_ffmpegs_message() {
    let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 16 };
    let (mut decoder, rx) = Decoder::start(spec, Path::new(FFMPEG)).await.expect("decoder starts");
    let reader = spawn_reader(rx, watch::channel(0).0);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let garbage: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let out = tokio::time::timeout(DEADLINE, async {
        for chunk in garbage.chunks(4096) {
            if write_retrying(|b| decoder.write(b), Bytes::copy_from_slice(chunk)).await == Err(Backpressure::Closed) {
                break;
            }
        }
        decoder.close_input();
        reader.await.expect("the reader task")
    })
    .await
    .expect("the decoder ends in time");
    assert!(out.chunks.is_empty(), "no picture from garbage");
    match out.ended {
        Some(Err(e)) => {
            let JobError::Failed { stderr, .. } = &e else { panic!("expected ffmpeg's failure, got {e}") };
            assert!(!stderr.is_empty(), "ffmpeg said why");
            assert!(e.to_string().contains(stderr.as_str()), "the message carries it: {e}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(decoder.write(Bytes::from_static(b"more")), Err(Backpressure::Closed));
    assert_eq!(decoder.pid(), None);
}

#[tokio::test]
async fn dropping_the_decoder_kills_ffmpeg() {
    let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 16 };
    let (decoder, rx) = Decoder::start(spec, Path::new(FFMPEG)).await.expect("decoder starts");
    let reader = spawn_reader(rx, watch::channel(0).0);
    decoder.write(Bytes::copy_from_slice(&ivf_header(*b"VP80", 640, 360, 90_000))).expect("queue");
    let pid = decoder.pid().expect("running");
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(decoder);
    let out = tokio::time::timeout(DEADLINE, reader).await.expect("ends in time").expect("the reader task");
    assert_eq!(out.ended, Some(Ok(())), "stopped by its owner");
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the child is gone and reaped");
}

#[tokio::test]
async fn a_missing_ffmpeg_and_a_bad_spec_are_refused() {
    let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: PAD }, input_queue: 16 };
    let missing = Path::new("/nonexistent/ffmpeg");
    match Decoder::start(spec, missing).await {
        Err(CodecError::FfmpegMissing { path }) => assert_eq!(path, missing),
        other => panic!("expected FfmpegMissing, got {:?}", other.map(|_| ())),
    }
    let odd = DecodeSpec { output: DecodeOutput::Video { width: 319, height: 180, pad: PAD }, ..spec };
    assert!(matches!(Decoder::start(odd, Path::new(FFMPEG)).await, Err(CodecError::Spec(_))));
}
