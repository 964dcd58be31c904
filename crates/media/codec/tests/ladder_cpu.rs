//! A benchmark, not a test (ignored; `bench/ingest/ladder_cpu.sh` runs it): the CPU of one
//! ingress ladder job (a 720p30 OBS-like FLV fed in real time → Opus and LiveKit's 3-layer
//! 720p ladder), ffmpeg's command line beside GStreamer's, alternating, on the same input.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use hikari_codec::preset::{AudioPreset, VideoPreset};
use hikari_codec::{InputFormat, Job, JobLimits, JobSpec};

#[tokio::test]
#[ignore = "a benchmark: bench/ingest/ladder_cpu.sh"]
async fn ladder_cpu_ffmpeg_beside_gstreamer() {
    let secs: u32 = std::env::var("LADDER_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let rounds: u32 = std::env::var("LADDER_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    let dir = TempDir::new("ladder-cpu");
    let flv = obs_like_flv(&dir.0, "1280x720", secs);
    let chunks = refeed(&flv_tags(&flv), true, true);
    for round in 1..=rounds {
        for program in ["ffmpeg", "gstreamer"] {
            let spec = JobSpec {
                input: InputFormat::Flv,
                audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
                video: Some(VideoPreset::H264_720P_30FPS_3_LAYERS.video_out()),
                limits: JobLimits::default(),
            };
            let (mut job, mut outputs) = match program {
                "ffmpeg" => Job::start(spec, Path::new(FFMPEG)).await,
                _ => Job::start_gst(spec, Path::new("/usr/bin/gst-launch-1.0")).await,
            }
            .expect("job starts");
            let start = tokio::time::Instant::now();
            for (ts, chunk) in &chunks {
                tokio::time::sleep_until(start + Duration::from_millis(u64::from(*ts))).await;
                write_retrying(|c| job.write(c), chunk.clone()).await.expect("the job keeps up");
            }
            let cpu = job.cpu_time().unwrap_or_default();
            job.close_input();
            let c = collect(&mut outputs, Duration::from_secs(30)).await;
            assert_eq!(c.ended, Some(Ok(())), "{program} ended cleanly");
            let per_second = cpu.as_secs_f64() / f64::from(secs);
            println!(
                "RESULT {{\"round\": {round}, \"program\": \"{program}\", \"media_s\": {secs}, \"cpu_s\": {:.2}, \"cpu_s_per_media_s\": {per_second:.3}}}",
                cpu.as_secs_f64()
            );
        }
    }
}
