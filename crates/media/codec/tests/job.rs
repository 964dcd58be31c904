//! Transcode jobs with the real ffmpeg: OBS-like FLV (x264 High with B-frames, AAC 44.1 kHz)
//! in, Opus and a baseline H.264 ladder out; MPEG-TS audio; garbage, stalls, a missing
//! program and a dropped job. Each test is bounded by a deadline.

mod common;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use hikari_codec::preset::{AudioPreset, VideoPreset};
use hikari_codec::{Backpressure, CodecError, InputFormat, Job, JobError, JobLimits, JobOutput, JobSpec, Stream};

/// The whole test's bound for a 3 s input.
const DEADLINE: Duration = Duration::from_secs(60);

fn ladder_spec(input: InputFormat, width: u32, height: u32) -> JobSpec {
    JobSpec {
        input,
        audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
        video: Some(VideoPreset::H264_720P_30FPS_3_LAYERS.video_out().fit_to_source(width, height)),
        limits: JobLimits::default(),
    }
}

/// Opus: ~3 s of 20 ms packets, timestamps 960 apart from about zero.
fn check_audio(c: &Collected) {
    let audio = c.rtp.get(&Stream::Audio).expect("Opus packets");
    assert_consecutive(audio, "audio");
    assert!((140..=160).contains(&audio.len()), "{} Opus packets for 3 s", audio.len());
    for w in audio.windows(2) {
        assert_eq!(w[1].timestamp.wrapping_sub(w[0].timestamp), 960, "20 ms per packet");
    }
    let first = audio[0].timestamp as i32;
    assert!(first.abs() < 48_000 / 5, "audio starts near the job's time zero: {first}");
    let span = audio.last().map_or(0, |p| p.timestamp.wrapping_sub(audio[0].timestamp)) + 960;
    assert!((2.8..=3.2).contains(&(f64::from(span) / 48_000.0)), "{span} samples of audio");
    assert!(audio.iter().all(|p| !p.payload.is_empty() && p.payload.len() <= 1188));
}

/// A layer ([`layer_keyframes`]) with keyframes at 0 s and 2 s. Returns the keyframe times.
fn check_layer(c: &Collected, layer: u8, size: (u32, u32)) -> Vec<u32> {
    let keys = layer_keyframes(c, layer, size);
    assert_eq!(keys.len(), 2, "layer {layer}: keyframes at 0 s and 2 s: {keys:?}");
    keys
}

#[tokio::test]
async fn an_obs_like_flv_fed_at_once_becomes_opus_and_a_two_layer_ladder() {
    let dir = TempDir::new("flv-at-once");
    let flv = obs_like_flv(&dir.0, "640x360", 3);
    let (mut job, mut outputs) = Job::start(ladder_spec(InputFormat::Flv, 640, 360), Path::new(FFMPEG)).await.expect("job starts");
    for (_, chunk) in refeed(&flv_tags(&flv), true, true) {
        job.write(chunk).expect("the queue takes a 3 s file");
    }
    job.close_input();
    let c = collect(&mut outputs, DEADLINE).await;
    assert_eq!(c.ended, Some(Ok(())), "ffmpeg finished its input");
    check_audio(&c);
    // The 720p ladder fitted to 640x360: 320x180 and 640x360, keyframes at the same times.
    let low = check_layer(&c, 0, (320, 180));
    let medium = check_layer(&c, 1, (640, 360));
    assert_eq!(low, medium, "keyframes aligned across layers");
    assert!(!c.rtp.contains_key(&Stream::Video(2)));
    assert_eq!(job.dropped_outputs(), 0);
    assert!(job.cpu_time().is_some_and(|t| t > Duration::ZERO), "CPU time read while it ran");
}

#[tokio::test]
async fn an_flv_fed_in_real_time_is_transcoded_as_it_comes() {
    let dir = TempDir::new("flv-paced");
    let flv = obs_like_flv(&dir.0, "640x360", 3);
    let (mut job, mut outputs) = Job::start(ladder_spec(InputFormat::Flv, 640, 360), Path::new(FFMPEG)).await.expect("job starts");
    let start = tokio::time::Instant::now();
    for (ts, chunk) in refeed(&flv_tags(&flv), true, true) {
        tokio::time::sleep_until(start + Duration::from_millis(u64::from(ts))).await;
        job.write(chunk).expect("ffmpeg keeps up with real time");
    }
    job.close_input();
    let c = collect(&mut outputs, DEADLINE).await;
    assert_eq!(c.ended, Some(Ok(())));
    check_audio(&c);
    check_layer(&c, 0, (320, 180));
    check_layer(&c, 1, (640, 360));
}

#[tokio::test]
async fn mpeg_ts_audio_becomes_opus() {
    let dir = TempDir::new("ts");
    let ts = make_media(&dir.0, "in.ts", &["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "3", "-c:a", "aac", "-ac", "2", "-f", "mpegts"]);
    let spec = JobSpec { input: InputFormat::MpegTs, audio: Some(AudioPreset::OPUS_MONO_64KBS.audio_out()), video: None, limits: JobLimits::default() };
    let (mut job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    for chunk in ts.chunks(188 * 7) {
        job.write(Bytes::copy_from_slice(chunk)).expect("queue");
    }
    job.close_input();
    let c = collect(&mut outputs, DEADLINE).await;
    assert_eq!(c.ended, Some(Ok(())));
    check_audio(&c);
    assert_eq!(c.rtp.len(), 1, "audio only");
}

#[tokio::test]
async fn garbage_ends_the_job_with_ffmpegs_message() {
    let spec = ladder_spec(InputFormat::Flv, 640, 360);
    let (mut job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let garbage: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for chunk in garbage.chunks(4096) {
        if job.write(Bytes::copy_from_slice(chunk)) == Err(Backpressure::Closed) {
            break;
        }
    }
    job.close_input();
    let c = collect(&mut outputs, DEADLINE).await;
    assert!(c.rtp.is_empty());
    match c.ended {
        Some(Err(JobError::Failed { stderr, .. })) => assert!(!stderr.is_empty(), "ffmpeg said why"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(job.write(Bytes::from_static(b"more")), Err(Backpressure::Closed));
}

#[tokio::test]
async fn a_job_given_only_a_header_is_killed_as_stalled() {
    let mut spec = ladder_spec(InputFormat::Flv, 640, 360);
    spec.limits.stall_after = Duration::from_secs(2);
    let (job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    job.write(Bytes::copy_from_slice(&hikari_codec::flv_out::flv_header(true, true))).expect("queue");
    let started = tokio::time::Instant::now();
    let c = collect(&mut outputs, Duration::from_secs(20)).await;
    assert!(matches!(c.ended, Some(Err(JobError::Stalled { .. }))), "{:?}", c.ended);
    assert!(started.elapsed() < Duration::from_secs(6), "killed soon after the window");
    assert_eq!(job.pid(), None);
}

#[tokio::test]
async fn a_stopped_ffmpeg_is_killed_as_stalled() {
    let dir = TempDir::new("sigstop");
    let flv = obs_like_flv(&dir.0, "320x180", 6);
    let mut spec = ladder_spec(InputFormat::Flv, 320, 180);
    spec.limits.stall_after = Duration::from_secs(2);
    let (job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    let pid = job.pid().expect("running");
    let chunks = refeed(&flv_tags(&flv), true, true);
    let (first, rest) = chunks.split_at(chunks.len() / 3);
    for (_, chunk) in first {
        job.write(chunk.clone()).expect("queue");
    }
    // The first output, then SIGSTOP; input keeps coming (and may back up: never blocks).
    let got = tokio::time::timeout(DEADLINE, outputs.recv()).await.expect("output in time");
    assert!(matches!(got, Some(JobOutput::Rtp { .. })));
    let stopped = std::process::Command::new("kill").args(["-STOP", &pid.to_string()]).status().expect("kill runs");
    assert!(stopped.success());
    // Input keeps arriving, a chunk every 50 ms, as from a live encoder; it may back up, but
    // writing never blocks.
    let started = tokio::time::Instant::now();
    let mut rest = rest.iter().cycle();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let ended = loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Some((_, chunk)) = rest.next() {
                    let _ = job.write(chunk.clone());
                }
            }
            item = outputs.recv() => match item {
                Some(JobOutput::Ended(r)) => break Some(r),
                Some(JobOutput::Rtp { .. }) => {}
                None => break None,
            },
            _ = tokio::time::sleep_until(started + Duration::from_secs(20)) => break None,
        }
    };
    assert!(matches!(ended, Some(Err(JobError::Stalled { .. }))), "{ended:?}");
    assert!(started.elapsed() < Duration::from_secs(8), "killed soon after the window: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_missing_ffmpeg_is_named() {
    let missing = Path::new("/nonexistent/ffmpeg");
    // With DTX asked for, the capability probe meets the missing program; without, the spawn.
    for dtx in [true, false] {
        let mut spec = ladder_spec(InputFormat::Flv, 640, 360);
        if let Some(a) = spec.audio.as_mut() {
            a.dtx = dtx;
        }
        match Job::start(spec, missing).await {
            Err(CodecError::FfmpegMissing { path }) => assert_eq!(path, missing),
            other => panic!("expected FfmpegMissing, got {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test]
async fn dropping_the_job_kills_ffmpeg() {
    let (job, mut outputs) = Job::start(ladder_spec(InputFormat::Flv, 640, 360), Path::new(FFMPEG)).await.expect("job starts");
    job.write(Bytes::copy_from_slice(&hikari_codec::flv_out::flv_header(true, true))).expect("queue");
    let pid = job.pid().expect("running");
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(job);
    let c = collect(&mut outputs, Duration::from_secs(20)).await;
    assert_eq!(c.ended, Some(Ok(())), "stopped by its owner");
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the child is gone and reaped");
}

#[tokio::test]
async fn a_spec_without_output_is_refused() {
    let spec = JobSpec { input: InputFormat::Flv, audio: None, video: None, limits: JobLimits::default() };
    assert!(matches!(Job::start(spec, Path::new(FFMPEG)).await, Err(CodecError::Spec(_))));
}

#[tokio::test]
async fn a_program_name_is_found_on_the_path() {
    let spec = JobSpec { input: InputFormat::MpegTs, audio: Some(AudioPreset::OPUS_MONO_64KBS.audio_out()), video: None, limits: JobLimits::default() };
    let (job, mut outputs) = Job::start(spec, Path::new("ffmpeg")).await.expect("ffmpeg on the PATH starts despite the cleared environment");
    drop(job);
    let c = collect(&mut outputs, Duration::from_secs(20)).await;
    assert_eq!(c.ended, Some(Ok(())));
}
