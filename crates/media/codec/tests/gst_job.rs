//! Transcode jobs run by Debian's GStreamer (`gst-launch-1.0`): the same OBS-like FLV in,
//! Opus and a baseline H.264 ladder out, and a keyframe request (an RTCP PLI) answered by
//! the layer's encoder at once although its keyframe interval is ten seconds. Each test is
//! bounded by a deadline.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::*;
use hikari_codec::preset::{AudioPreset, VideoPreset};
use hikari_codec::{InputFormat, Job, JobLimits, JobOutput, JobSpec, Stream, probe_gst};

/// The GStreamer the tests run (CI installs Debian's).
const GST_LAUNCH: &str = "/usr/bin/gst-launch-1.0";
/// The whole test's bound for a 3 s input.
const DEADLINE: Duration = Duration::from_secs(60);

fn spec(keyframe_interval: Duration) -> JobSpec {
    let mut video = VideoPreset::H264_720P_30FPS_3_LAYERS.video_out().fit_to_source(640, 360);
    video.keyframe_interval = keyframe_interval;
    JobSpec { input: InputFormat::Flv, audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()), video: Some(video), limits: JobLimits::default() }
}

async fn start(spec: JobSpec) -> (Job, hikari_codec::JobOutputs) {
    if let Err(why) = probe_gst(Path::new(GST_LAUNCH)).await {
        panic!("the GStreamer job tests need Debian's GStreamer: {why}");
    }
    let (job, outputs) = Job::start_gst(spec, Path::new(GST_LAUNCH)).await.expect("gst-launch starts");
    assert!(job.answers_keyframe_requests());
    (job, outputs)
}

/// A layer ([`layer_keyframes`]); its keyframes' times in seconds.
fn keyframe_seconds(c: &Collected, layer: u8, size: (u32, u32)) -> Vec<f64> {
    layer_keyframes(c, layer, size).into_iter().map(|t| f64::from(t) / 90_000.0).collect()
}

/// Opus: ~3 s of 20 ms packets on the same timeline as the video.
fn check_audio(c: &Collected) {
    let audio = c.rtp.get(&Stream::Audio).expect("Opus packets");
    assert_consecutive(audio, "audio");
    assert!((140..=160).contains(&audio.len()), "{} Opus packets for 3 s", audio.len());
    // opusenc stamps its first packet 120 samples (its 2.5 ms look-ahead) late; 20 ms apart after.
    let steps: Vec<(usize, u32)> =
        audio.windows(2).map(|w| w[1].timestamp.wrapping_sub(w[0].timestamp)).enumerate().filter(|&s| s != (0, 840) && s.1 != 960).collect();
    assert!(steps.is_empty(), "20 ms per packet, of {}: {steps:?}", audio.len());
    assert!((audio[0].timestamp as i32).abs() < 48_000 / 5, "audio starts near zero: {}", audio[0].timestamp);
}

#[tokio::test]
async fn an_obs_like_flv_becomes_opus_and_a_two_layer_ladder() {
    let dir = TempDir::new("gst-at-once");
    let flv = obs_like_flv(&dir.0, "640x360", 3);
    let (mut job, mut outputs) = start(spec(Duration::from_secs(2))).await;
    for (_, chunk) in refeed(&flv_tags(&flv), true, true) {
        job.write(chunk).expect("the queue takes a 3 s file");
    }
    job.close_input();
    let c = collect(&mut outputs, DEADLINE).await;
    assert_eq!(c.ended, Some(Ok(())), "gst-launch finished its input");
    check_audio(&c);
    let low = keyframe_seconds(&c, 0, (320, 180));
    let medium = keyframe_seconds(&c, 1, (640, 360));
    assert_eq!(low.len(), 2, "keyframes at 0 s and 2 s: {low:?}");
    assert_eq!(low, medium, "keyframes aligned across layers");
    assert!(!c.rtp.contains_key(&Stream::Video(2)));
}

#[tokio::test]
async fn sources_at_25_and_29_97_fps_become_30_fps_layers() {
    // OBS in NTSC countries sends 29.97 fps, PAL cameras 25: the ladder's rate is reached by
    // repeating frames (it was once refused at negotiation: the job ended without output).
    for rate in ["25", "30000/1001"] {
        let dir = TempDir::new("gst-rates");
        let flv = obs_like_flv_at(&dir.0, "640x360", rate, 3);
        let (mut job, mut outputs) = start(spec(Duration::from_secs(2))).await;
        for (_, chunk) in refeed(&flv_tags(&flv), true, true) {
            job.write(chunk).expect("the queue takes a 3 s file");
        }
        job.close_input();
        let c = collect(&mut outputs, DEADLINE).await;
        assert_eq!(c.ended, Some(Ok(())), "{rate} fps: gst-launch finished its input");
        keyframe_seconds(&c, 1, (640, 360));
    }
}

#[tokio::test]
async fn a_keyframe_request_is_answered_by_that_layers_encoder_at_once() {
    let dir = TempDir::new("gst-pli");
    let flv = obs_like_flv(&dir.0, "640x360", 3);
    let (mut job, mut outputs) = start(spec(Duration::from_secs(10))).await;
    // The outputs are read as they come: the request goes once the asked layer is flowing
    // (gst is up and listening), and is judged against the last frame seen then, so a
    // loaded machine's start-up and lag do not count.
    let latest = Arc::new(AtomicU32::new(u32::MAX));
    let seen = latest.clone();
    let reader = tokio::spawn(async move {
        let mut c = Collected::default();
        let end = tokio::time::Instant::now() + DEADLINE;
        while let Ok(Some(item)) = tokio::time::timeout_at(end, outputs.recv()).await {
            match item {
                JobOutput::Rtp { stream, seq, timestamp, marker, payload } => {
                    if stream == Stream::Video(1) && marker {
                        seen.store(timestamp, Ordering::Relaxed);
                    }
                    c.rtp.entry(stream).or_default().push(Packet { seq, timestamp, marker, payload });
                }
                JobOutput::Ended(r) => {
                    c.ended = Some(r);
                    break;
                }
            }
        }
        c
    });
    let start = tokio::time::Instant::now();
    let mut asked_at = None;
    for (ts, chunk) in refeed(&flv_tags(&flv), true, true) {
        tokio::time::sleep_until(start + Duration::from_millis(u64::from(ts))).await;
        let last = latest.load(Ordering::Relaxed);
        if asked_at.is_none() && ts >= 1500 && last != u32::MAX {
            assert!(job.request_keyframe(1), "the PLI is sent");
            asked_at = Some(f64::from(last) / 90_000.0);
        }
        job.write(chunk).expect("gst-launch keeps up with real time");
    }
    job.close_input();
    let c = reader.await.expect("reader");
    assert_eq!(c.ended, Some(Ok(())));
    let asked_at = asked_at.expect("the layer flowed before the end of the input");
    let low = keyframe_seconds(&c, 0, (320, 180));
    let medium = keyframe_seconds(&c, 1, (640, 360));
    assert_eq!(low.len(), 1, "the low layer was not asked: only its first keyframe in 3 s: {low:?}");
    assert_eq!(medium.len(), 2, "the asked layer made one more keyframe: {medium:?}");
    // Within a second of the last frame out when asked (the periodic one would be at 10 s).
    let answered = medium[1] - asked_at;
    assert!((0.0..1.0).contains(&answered), "a keyframe {answered:.3} s of media after the last frame seen at {asked_at:.3} s");
}
