//! Transcode jobs fed raw pictures and samples, as the composite encoder feeds them, with
//! the real ffmpeg: I420 in, an H.264 layer out; s16le in, Opus out. Each test is bounded
//! by a deadline.

mod common;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use hikari_codec::{AudioOut, InputFormat, Job, JobLimits, JobSpec, Quality, Stream, VideoLayer, VideoOut};

/// The whole test's bound.
const DEADLINE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn raw_pictures_become_an_h264_layer_on_the_jobs_timeline() {
    let input = InputFormat::RawVideo { width: 320, height: 180, fps: 30 };
    let layer = VideoLayer { quality: Quality::Low, width: 320, height: 180, fps: 30.0, bitrate: 300_000 };
    let spec =
        JobSpec { input, audio: None, video: Some(VideoOut { layers: vec![layer], keyframe_interval: Duration::from_secs(2) }), limits: JobLimits::default() };
    let (mut job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    let gray = Bytes::from(vec![0x80u8; input.frame_bytes().expect("raw video")]);
    let c = tokio::time::timeout(DEADLINE, async {
        for _ in 0..60 {
            write_retrying(|b| job.write(b), gray.clone()).await.expect("the job takes 2 s of pictures");
        }
        job.close_input();
        collect(&mut outputs, DEADLINE).await
    })
    .await
    .expect("the job ends in time");
    assert_eq!(c.ended, Some(Ok(())), "ffmpeg finished its input");
    assert_eq!(c.rtp.len(), 1, "one layer, no audio");
    let packets = c.rtp.get(&Stream::Video(0)).expect("H.264 packets");
    assert_consecutive(packets, "video");
    let frames = frames(packets);
    // The fps filter passes each picture through: as many frames out as in.
    assert_eq!(frames.len(), 60, "frames out");
    assert!(frames[0].is_idr(), "starts with a keyframe");
    for w in frames.windows(2) {
        assert_eq!(w[1].timestamp.wrapping_sub(w[0].timestamp), 3000, "one frame at 30 fps apart");
    }
    let first = frames[0].timestamp as i32;
    assert!(first.abs() < 90_000 / 5, "video starts near the job's time zero: {first}");
    let span = frames.last().map_or(0, |f| f.timestamp.wrapping_sub(frames[0].timestamp)) + 3000;
    let secs = f64::from(span) / 90_000.0;
    assert!((1.8..=2.2).contains(&secs), "{secs} s of video for 60 frames at 30 fps");
}

#[tokio::test]
async fn raw_samples_become_opus_on_the_jobs_timeline() {
    let input = InputFormat::RawAudio { sample_rate: 48_000, channels: 2 };
    let spec = JobSpec { input, audio: Some(AudioOut { channels: 2, bitrate: 64_000, dtx: false }), video: None, limits: JobLimits::default() };
    let (mut job, mut outputs) = Job::start(spec, Path::new(FFMPEG)).await.expect("job starts");
    // One second of a 440 Hz tone, both channels, written 20 ms at a time.
    let mut pcm = Vec::with_capacity(48_000 * 4);
    for n in 0..48_000u32 {
        let v = (f64::from(n) * 440.0 * std::f64::consts::TAU / 48_000.0).sin() * 12_000.0;
        let s = (v as i16).to_le_bytes();
        pcm.extend_from_slice(&[s[0], s[1], s[0], s[1]]);
    }
    let c = tokio::time::timeout(DEADLINE, async {
        for chunk in pcm.chunks(960 * 4) {
            write_retrying(|b| job.write(b), Bytes::copy_from_slice(chunk)).await.expect("the job takes 1 s of samples");
        }
        job.close_input();
        collect(&mut outputs, DEADLINE).await
    })
    .await
    .expect("the job ends in time");
    assert_eq!(c.ended, Some(Ok(())), "ffmpeg finished its input");
    let audio = c.rtp.get(&Stream::Audio).expect("Opus packets");
    assert_consecutive(audio, "audio");
    // `aresample`'s async finds nothing to pad or trim: 50 frames of 20 ms, and one more
    // for the encoder's look-ahead at most.
    assert!((50..=51).contains(&audio.len()), "{} Opus packets for 1 s", audio.len());
    for w in audio.windows(2) {
        assert_eq!(w[1].timestamp.wrapping_sub(w[0].timestamp), 960, "20 ms per packet");
    }
    let first = audio[0].timestamp as i32;
    assert!(first.abs() < 48_000 / 5, "audio starts near the job's time zero: {first}");
    let span = audio.last().map_or(0, |p| p.timestamp.wrapping_sub(audio[0].timestamp)) + 960;
    let secs = f64::from(span) / 48_000.0;
    assert!((0.95..=1.1).contains(&secs), "{secs} s of audio");
    assert!(audio.iter().all(|p| p.payload.len() > 3), "the tone is coded, not silence");
}
