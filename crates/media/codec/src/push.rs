//! A push job: one `ffmpeg` child that reads fragmented MP4 (an init segment, then `moof` +
//! `mdat` fragments) on its stdin and writes one output: FLV to an RTMP(S) URL — H.264
//! copied, audio encoded to AAC (what RTMP services take) — or JPEG thumbnails at an
//! interval. Its `-progress` report on stdout tells when media reaches the output and that
//! it keeps going; its last stderr lines say why it ended. A crash, a refused connection or a
//! stall ends this job only.
//!
//! The URL holds the destination's stream key: the command line carries it to the child (a
//! clean environment, its own process group), and the caller must scrub the error texts
//! ([`PushEvent::Ended`]) before showing or logging them. Nothing here logs them.

use std::path::Path;
use std::process::Stdio;

use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout, Command};
use tokio::sync::{mpsc, oneshot};

use crate::caps::spawn_error;
use crate::error::{Backpressure, CodecError, JobError};
use crate::tail::Tail;

/// Where a push job writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushTarget {
    /// `rtmp://…` or `rtmps://…`, checked by the caller: FLV, H.264 copied, audio to AAC.
    Rtmp(String),
    /// JPEG files named by `pattern` (an ffmpeg image pattern such as `dir/name_%05d.jpeg`,
    /// numbered from 0), one every `every` seconds, scaled to `width` × `height` (0: the
    /// video's size, or keeping the aspect ratio when the other side is set).
    Jpeg {
        /// The files' pattern.
        pattern: std::path::PathBuf,
        /// Seconds between images (at least 1).
        every: u32,
        /// Width in pixels (0: from the height, or the video's).
        width: u32,
        /// Height in pixels (0: from the width, or the video's).
        height: u32,
    },
}

/// What a push job does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSpec {
    /// Where it writes.
    pub target: PushTarget,
    /// The input has a video track (copied).
    pub video: bool,
    /// The input has an audio track (encoded to AAC).
    pub audio: bool,
    /// Fragments queued for ffmpeg's stdin before [`Push::write`] refuses.
    pub queue: usize,
}

/// What a push job reports, in order: progress while it runs, then one `Ended`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEvent {
    /// ffmpeg's periodic report: how far the output got (microseconds of media) and how many
    /// bytes it has written to the destination.
    Progress {
        /// `out_time_us`.
        out_time_us: i64,
        /// `total_size` (0 when ffmpeg does not know).
        bytes: i64,
    },
    /// ffmpeg exited: `Ok` after the end of its input, or why it failed (stderr's last lines,
    /// not scrubbed).
    Ended(Result<(), JobError>),
}

/// AAC bitrate of the pushed audio.
const AAC_BITRATE: &str = "128k";
/// How long a blocked socket read or write may take before ffmpeg gives up (microseconds).
const IO_TIMEOUT_MICROS: &str = "10000000";

/// The arguments after the program name (pure, for the tests).
pub fn push_args(spec: &PushSpec) -> Vec<String> {
    let mut a: Vec<String> = Vec::with_capacity(40);
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| (*s).to_owned()));
    // The init segment carries every codec parameter: a small probe starts at once.
    push(&["-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-stats_period", "0.5"]);
    push(&["-probesize", "65536", "-analyzeduration", "0", "-f", "mp4", "-i", "pipe:0"]);
    match &spec.target {
        PushTarget::Rtmp(url) => {
            if spec.video {
                push(&["-map", "0:v:0", "-c:v", "copy"]);
            }
            if spec.audio {
                push(&["-map", "0:a:0", "-c:a", "aac", "-b:a", AAC_BITRATE, "-ar", "48000", "-ac", "2"]);
            }
            push(&["-f", "flv", "-flvflags", "no_duration_filesize", "-rw_timeout", IO_TIMEOUT_MICROS]);
            a.push(url.clone());
        }
        PushTarget::Jpeg { pattern, every, width, height } => {
            let mut filter = format!("fps=1/{}", (*every).max(1));
            if *width > 0 || *height > 0 {
                // -2: the side that keeps the aspect ratio, rounded to an even number.
                let side = |v: u32| if v == 0 { "-2".to_owned() } else { v.to_string() };
                filter.push_str(&format!(",scale={}:{}", side(*width), side(*height)));
            }
            push(&["-map", "0:v:0", "-vf", &filter, "-q:v", "3", "-start_number", "0", "-f", "image2"]);
            a.push(pattern.to_string_lossy().into_owned());
        }
    }
    a
}

/// A running push job. Dropping it kills ffmpeg (an `Ended` is still sent).
#[derive(Debug)]
pub struct Push {
    input: Option<mpsc::Sender<Bytes>>,
    _stop: oneshot::Sender<()>,
}

impl Push {
    /// Starts `ffmpeg_path` on the current tokio runtime.
    pub async fn start(spec: &PushSpec, ffmpeg_path: &Path) -> Result<(Push, mpsc::Receiver<PushEvent>), CodecError> {
        if !spec.video && !spec.audio {
            return Err(CodecError::Spec("a push needs a video or an audio track".into()));
        }
        if matches!(spec.target, PushTarget::Jpeg { .. }) && !spec.video {
            return Err(CodecError::Spec("thumbnails need a video track".into()));
        }
        let mut cmd = Command::new(ffmpeg_path);
        cmd.args(push_args(spec)).env_clear().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).process_group(0);
        let mut child = cmd.spawn().map_err(|e| spawn_error(ffmpeg_path, e))?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take()) else {
            return Err(CodecError::Spawn { path: ffmpeg_path.to_owned(), source: std::io::ErrorKind::BrokenPipe.into() });
        };
        let (in_tx, in_rx) = mpsc::channel(spec.queue.max(1));
        let (ev_tx, ev_rx) = mpsc::channel(16);
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        tokio::spawn(write_input(stdin, in_rx));
        let tail = Tail::default();
        let stderr_task = tokio::spawn(tail.clone().read_from(stderr));
        let progress_task = tokio::spawn(read_progress(stdout, ev_tx.clone()));
        tokio::spawn(async move {
            let status = tokio::select! {
                s = child.wait() => Some(s),
                _ = &mut stop_rx => {
                    let _ = child.kill().await;
                    None
                }
            };
            let _ = progress_task.await;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), stderr_task).await;
            let result = match status {
                None => Ok(()),
                Some(Ok(s)) if s.success() => Ok(()),
                Some(Ok(s)) => Err(JobError::Failed { status: s.to_string(), stderr: tail.joined() }),
                Some(Err(e)) => Err(JobError::Wait(e.to_string())),
            };
            let _ = ev_tx.send(PushEvent::Ended(result)).await;
        });
        Ok((Push { input: Some(in_tx), _stop: stop_tx }, ev_rx))
    }

    /// Queues bytes for ffmpeg's stdin without waiting.
    pub fn write(&self, bytes: Bytes) -> Result<(), Backpressure> {
        let input = self.input.as_ref().ok_or(Backpressure::Closed)?;
        input.try_send(bytes).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Backpressure::Full,
            mpsc::error::TrySendError::Closed(_) => Backpressure::Closed,
        })
    }

    /// ffmpeg's stdin queue, for a writer elsewhere (the input ends when this and every
    /// clone are dropped and [`Push::close_input`] was called).
    pub fn input(&self) -> Option<mpsc::Sender<Bytes>> {
        self.input.clone()
    }

    /// Ends the input: ffmpeg writes what is queued, closes the stream at the destination
    /// and exits (`Ended(Ok(()))`).
    pub fn close_input(&mut self) {
        self.input = None;
    }
}

async fn write_input(mut stdin: ChildStdin, mut rx: mpsc::Receiver<Bytes>) {
    while let Some(chunk) = rx.recv().await {
        if stdin.write_all(&chunk).await.is_err() {
            return;
        }
    }
    let _ = stdin.shutdown().await;
}

/// Reads `-progress` blocks (`key=value` lines ending with `progress=…`).
async fn read_progress(stdout: ChildStdout, out: mpsc::Sender<PushEvent>) {
    let mut lines = BufReader::new(stdout).lines();
    let (mut out_time_us, mut bytes) = (0i64, 0i64);
    while let Ok(Some(line)) = lines.next_line().await {
        let Some((key, value)) = line.split_once('=') else { continue };
        match key.trim() {
            "out_time_us" => out_time_us = value.trim().parse().unwrap_or(out_time_us),
            "total_size" => bytes = value.trim().parse().unwrap_or(bytes),
            // Progress is a hint: a full queue skips a report rather than block the reader.
            "progress" => {
                let _ = out.try_send(PushEvent::Progress { out_time_us, bytes });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_copies_video_encodes_aac_and_ends_with_the_url() {
        let spec = PushSpec { target: PushTarget::Rtmp("rtmp://h/app/key".into()), video: true, audio: true, queue: 8 };
        let a = push_args(&spec);
        assert_eq!(a.last().map(String::as_str), Some("rtmp://h/app/key"));
        let joined = a.join(" ");
        assert!(joined.contains("-f mp4 -i pipe:0") && joined.contains("-c:v copy") && joined.contains("-c:a aac") && joined.contains("-f flv"), "{joined}");
        let audio_only = push_args(&PushSpec { video: false, ..spec.clone() }).join(" ");
        assert!(!audio_only.contains("0:v") && audio_only.contains("0:a:0"), "{audio_only}");
        let jpeg = PushTarget::Jpeg { pattern: "/r/t_%05d.jpeg".into(), every: 5, width: 320, height: 0 };
        let thumbs = push_args(&PushSpec { target: jpeg, ..spec }).join(" ");
        assert!(thumbs.contains("-vf fps=1/5,scale=320:-2") && thumbs.ends_with("-f image2 /r/t_%05d.jpeg") && !thumbs.contains("0:a"), "{thumbs}");
    }

    #[tokio::test]
    async fn a_missing_ffmpeg_is_a_clear_error_and_a_refused_destination_ends_the_job() {
        let spec = PushSpec { target: PushTarget::Rtmp("rtmp://127.0.0.1:9/app/key".into()), video: false, audio: true, queue: 8 };
        let missing = Push::start(&spec, Path::new("/nonexistent/ffmpeg")).await.expect_err("missing");
        assert!(matches!(missing, CodecError::FfmpegMissing { .. }), "{missing}");
        if std::process::Command::new("ffmpeg").arg("-version").output().is_err() {
            return; // the e2e suites cover the real program
        }
        let (push, mut events) = Push::start(&spec, Path::new("ffmpeg")).await.expect("start");
        // Garbage in: ffmpeg fails on the input (or the refused connection) and says so.
        let _ = push.write(Bytes::from_static(b"not an mp4 at all"));
        drop(push);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            loop {
                match events.recv().await {
                    Some(PushEvent::Ended(r)) => break Some(r),
                    Some(PushEvent::Progress { .. }) => {}
                    None => break None,
                }
            }
        })
        .await
        .expect("ends in time");
        assert!(ended.is_some(), "an Ended event comes last");
    }
}
