//! Bench hook: the transcode CPU of one ingest. A 720p30 input (x264 High with B-frames and
//! AAC, as OBS sends it) is fed in real time to a job making LiveKit's default ladder
//! (H264_720P_30FPS_3_LAYERS: 1280x720, 640x360, 320x180) and Opus; prints the job's CPU
//! seconds per media second.
//!
//! `cargo run --release -p hikari-codec --example transcode_cpu [SECONDS] [PROGRAM]`
//! (default 30 s and /usr/bin/ffmpeg). A PROGRAM named `gst-launch…` runs the GStreamer job
//! (`Job::start_gst`) instead; `bench/ingest/ladder_cpu.sh` alternates the two.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{TempDir, flv_tags, make_media, refeed};
use hikari_codec::preset::{AudioPreset, VideoPreset};
use hikari_codec::{InputFormat, Job, JobLimits, JobOutput, JobSpec, Stream};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);
    let program = PathBuf::from(args.next().unwrap_or_else(|| common::FFMPEG.to_owned()));
    let gst = program.file_name().is_some_and(|n| n.to_string_lossy().starts_with("gst-launch"));
    let dir = TempDir::new("bench");
    eprintln!("making {seconds} s of 1280x720 at 30 fps…");
    let t = seconds.to_string();
    let flv = make_media(
        &dir.0,
        "in.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
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
            "-b:v",
            "3000k",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-b:a",
            "160k",
            "-f",
            "flv",
        ],
    );
    let spec = JobSpec {
        input: InputFormat::Flv,
        audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
        video: Some(VideoPreset::H264_720P_30FPS_3_LAYERS.video_out().fit_to_source(1280, 720)),
        limits: JobLimits::default(),
    };
    let layers = spec.video.as_ref().map_or(0, |v| v.layers.len());
    let started = if gst { Job::start_gst(spec, &program).await } else { Job::start(spec, &program).await };
    let (mut job, mut outputs) = started.expect("job starts");
    let counter = tokio::spawn(async move {
        let mut packets = [0u64; 5];
        while let Some(item) = outputs.recv().await {
            match item {
                JobOutput::Rtp { stream: Stream::Audio, .. } => packets[0] += 1,
                JobOutput::Rtp { stream: Stream::Video(i), .. } => packets[1 + usize::from(i).min(3)] += 1,
                JobOutput::Ended(r) => return (packets, r),
            }
        }
        (packets, Ok(()))
    });
    eprintln!("feeding it in real time to a job with {layers} layers…");
    let start = tokio::time::Instant::now();
    for (ts, chunk) in refeed(&flv_tags(&flv), true, true) {
        tokio::time::sleep_until(start + Duration::from_millis(u64::from(ts))).await;
        job.write(chunk).expect("the job keeps up");
    }
    let cpu = job.cpu_time().expect("CPU time of the running job");
    let wall = start.elapsed();
    job.close_input();
    let (packets, ended) = counter.await.expect("counter");
    println!("ladder: H264_720P_30FPS_3_LAYERS ({layers} layers) + OPUS_STEREO_96KBPS, input 1280x720 30 fps x264 High B-frames + AAC");
    println!("media: {seconds} s fed in {:.1} s; {} CPU {:.2} s", wall.as_secs_f64(), program.display(), cpu.as_secs_f64());
    println!("transcode CPU: {:.3} CPU-seconds per media second", cpu.as_secs_f64() / f64::from(seconds));
    println!("packets: audio {}, video layers {:?}; ended {ended:?}", packets[0], &packets[1..=layers]);
}
