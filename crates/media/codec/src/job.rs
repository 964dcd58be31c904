//! A transcode job: one `ffmpeg` (or `gst-launch-1.0`) child process, container bytes in on its stdin, RTP out
//! on loopback UDP (one socket per output stream, one more per stream for its RTCP sender
//! reports), stderr kept for the error message. A crash, leak or stall in codec C code ends
//! this job only.
//!
//! Tasks: a writer (bounded queue → stdin), a receiver per stream ([`crate::recv`]), a
//! stderr reader and a supervisor ([`crate::supervise`]), which sends
//! [`JobOutput::Ended`] after every packet. Dropping the [`Job`] kills the child.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::UdpSocket;
use tokio::process::{ChildStdin, Command};
use tokio::sync::{mpsc, oneshot, watch};

use crate::activity::Activity;
use crate::args::{Ports, ffmpeg_args};
use crate::caps::{probe, spawn_error};
use crate::cpu;
use crate::error::{Backpressure, CodecError};
use crate::gst_args::gst_args;
use crate::output::{JobOutput, Stream};
use crate::recv::{Receiver, Timeline};
use crate::rtp::picture_loss_indication;
use crate::spec::JobSpec;
use crate::supervise::Supervisor;
use crate::tail::Tail;

/// The consumer's end of a job: RTP packets, then one [`JobOutput::Ended`].
pub type JobOutputs = mpsc::Receiver<JobOutput>;

/// A running transcode job. Dropping it kills ffmpeg and ends the job's tasks (an
/// `Ended(Ok(()))` is still sent if the outputs are read).
#[derive(Debug)]
pub struct Job {
    input: Option<mpsc::Sender<Bytes>>,
    activity: Arc<Activity>,
    cpu: cpu::ChildCpu,
    feedback: Option<Feedback>,
    _stop: oneshot::Sender<()>,
}

impl Job {
    /// Binds the output sockets, starts `ffmpeg_path` with the job's command line and the
    /// job's tasks (on the current tokio runtime).
    pub async fn start(spec: JobSpec, ffmpeg_path: &Path) -> Result<(Job, JobOutputs), CodecError> {
        spec.validate()?;
        let wants_dtx = spec.audio.is_some_and(|a| a.dtx);
        let dtx = wants_dtx && probe(ffmpeg_path).await?.opus_dtx;
        let (sockets, ports) = bind(&spec).await?;
        // Time zero of every stream's timeline, in whole milliseconds (ffmpeg rounds to them).
        let t0_micros = u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() * 1000).unwrap_or(0);
        let args = ffmpeg_args(&spec, &ports, t0_micros, dtx);
        spawn(&spec, ffmpeg_path, args, sockets, Timeline::SenderReports { t0_micros }, None)
    }

    /// Like [`Job::start`], with `gst-launch-1.0` ([`crate::gst_args`]) instead of ffmpeg,
    /// for FLV input: the job then answers [`Job::request_keyframe`]. Check the installation
    /// first with [`crate::probe_gst`].
    pub async fn start_gst(spec: JobSpec, gst_launch: &Path) -> Result<(Job, JobOutputs), CodecError> {
        spec.validate()?;
        let (sockets, ports) = bind(&spec).await?;
        // The ports gst's `udpsrc`s listen on for our PLIs, one per layer: held together (so
        // no two are the same) and freed just before gst starts. Another program taking one
        // in between makes gst fail to start, which ends the job with gst's message.
        let layers = spec.video.as_ref().map_or(0, |v| v.layers.len());
        let held = (0..layers).map(|_| std::net::UdpSocket::bind("127.0.0.1:0")).collect::<Result<Vec<_>, _>>().map_err(CodecError::Bind)?;
        let to = held.iter().map(std::net::UdpSocket::local_addr).collect::<Result<Vec<_>, _>>().map_err(CodecError::Bind)?;
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").map_err(CodecError::Bind)?;
        socket.set_nonblocking(true).map_err(CodecError::Bind)?;
        let args = gst_args(&spec, &ports, &to.iter().map(SocketAddr::port).collect::<Vec<_>>())?;
        drop(held);
        spawn(&spec, gst_launch, args, sockets, Timeline::RunningTime, Some(Feedback { socket, to }))
    }

    /// Asks the encoder of video layer `layer` for a keyframe (an RTCP PLI to the pipeline).
    /// False when this job cannot be asked (an ffmpeg job keyframes at its interval only) or
    /// the request could not be sent.
    pub fn request_keyframe(&self, layer: u8) -> bool {
        let Some((fb, to)) = self.feedback.as_ref().and_then(|fb| Some((fb, fb.to.get(usize::from(layer))?))) else { return false };
        let pli = picture_loss_indication(FEEDBACK_SSRC, Stream::Video(layer).ssrc());
        fb.socket.send_to(&pli, to).is_ok()
    }

    /// Whether [`Job::request_keyframe`] reaches the encoder.
    pub fn answers_keyframe_requests(&self) -> bool {
        self.feedback.is_some()
    }

    /// Queues container bytes for ffmpeg's stdin without waiting.
    pub fn write(&self, bytes: Bytes) -> Result<(), Backpressure> {
        let input = self.input.as_ref().ok_or(Backpressure::Closed)?;
        match input.try_send(bytes) {
            Ok(()) => {
                self.activity.input(Instant::now());
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => Err(Backpressure::Full),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Backpressure::Closed),
        }
    }

    /// Ends the input: what is queued is written, then ffmpeg sees the end of its stdin,
    /// flushes its encoders and exits (`Ended(Ok(()))`).
    pub fn close_input(&mut self) {
        self.input = None;
    }

    /// ffmpeg's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.cpu.pid()
    }

    /// The CPU time ffmpeg has used (user + system): read now while it runs, the last
    /// reading (taken every 250 ms) once it has ended.
    pub fn cpu_time(&self) -> Option<Duration> {
        self.cpu.time()
    }

    /// RTP packets dropped because the outputs were not read fast enough.
    pub fn dropped_outputs(&self) -> u64 {
        self.activity.dropped.load(Ordering::Relaxed)
    }
}

/// Our SSRC in the PLIs we send.
const FEEDBACK_SSRC: u32 = 1;

/// Where keyframe requests go: our socket, and gst's port for each video layer.
#[derive(Debug)]
struct Feedback {
    socket: std::net::UdpSocket,
    to: Vec<SocketAddr>,
}

type Sockets = Vec<(Stream, UdpSocket, UdpSocket)>;

/// The receive buffer asked for on a job's RTP sockets (the kernel caps it at
/// `net.core.rmem_max`, 4 MiB on Debian). An encoder's keyframe is a burst of 50–150 KB that
/// waits in the socket while the receiving task is late on a loaded machine; the default
/// (208 KiB) dropped such bursts under the composite bench, and a lost packet costs the
/// packager everything up to the next keyframe.
const RTP_RECEIVE_BUFFER: usize = 4 << 20;

/// One RTP socket and one RTCP socket per output stream, on loopback.
async fn bind(spec: &JobSpec) -> Result<(Sockets, Vec<Ports>), CodecError> {
    let mut streams: Vec<Stream> = Vec::new();
    if spec.audio.is_some() {
        streams.push(Stream::Audio);
    }
    let layers = spec.video.as_ref().map_or(0, |v| v.layers.len());
    streams.extend((0..layers as u8).map(Stream::Video));
    let mut sockets = Vec::with_capacity(streams.len());
    let mut ports = Vec::with_capacity(streams.len());
    for &stream in &streams {
        let rtp = UdpSocket::bind("127.0.0.1:0").await.map_err(CodecError::Bind)?;
        if let Err(e) = socket2::SockRef::from(&rtp).set_recv_buffer_size(RTP_RECEIVE_BUFFER) {
            tracing::debug!(error = %e, "the job's RTP socket keeps its default receive buffer");
        }
        let rtcp = UdpSocket::bind("127.0.0.1:0").await.map_err(CodecError::Bind)?;
        let port = |s: &UdpSocket| s.local_addr().map(|a| a.port()).map_err(CodecError::Bind);
        ports.push(Ports { stream, rtp: port(&rtp)?, rtcp: port(&rtcp)? });
        sockets.push((stream, rtp, rtcp));
    }
    Ok((sockets, ports))
}

/// Starts `program` with `args` and the job's tasks.
fn spawn(
    spec: &JobSpec,
    program: &Path,
    args: Vec<String>,
    sockets: Sockets,
    timeline: Timeline,
    feedback: Option<Feedback>,
) -> Result<(Job, JobOutputs), CodecError> {
    let mut cmd = Command::new(program);
    // A clean environment: nothing of the server's (keys, tokens) reaches the child. Its own
    // process group: a terminal's Ctrl-C reaches the server, which ends its jobs itself.
    cmd.args(args).env_clear().stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true).process_group(0);
    let mut child = cmd.spawn().map_err(|e| spawn_error(program, e))?;
    let pid = child.id();
    let (Some(stdin), Some(stderr)) = (child.stdin.take(), child.stderr.take()) else {
        return Err(CodecError::Spawn { path: program.to_owned(), source: std::io::ErrorKind::BrokenPipe.into() });
    };
    let (out_tx, out_rx) = mpsc::channel(spec.limits.output_queue);
    let (in_tx, in_rx) = mpsc::channel(spec.limits.input_queue);
    let (done_tx, done_rx) = watch::channel(false);
    let (stop_tx, stop_rx) = oneshot::channel();
    let activity = Arc::new(Activity::new());
    tokio::spawn(write_input(stdin, in_rx));
    let tail = Tail::default();
    let stderr_task = tokio::spawn(tail.clone().read_from(stderr));
    let receivers = sockets
        .into_iter()
        .map(|(stream, rtp, rtcp)| {
            let r = Receiver { stream, rtp, rtcp, timeline, out: out_tx.clone(), activity: activity.clone(), done: done_rx.clone() };
            tokio::spawn(r.run())
        })
        .collect();
    let cpu = cpu::ChildCpu::new(pid);
    let (ended, cpu_millis) = (cpu.ended.clone(), cpu.cpu_millis.clone());
    let supervisor = Supervisor {
        child,
        stop: stop_rx,
        activity: activity.clone(),
        stall_after: spec.limits.stall_after,
        receivers,
        done: done_tx,
        stderr: stderr_task,
        tail,
        out: out_tx,
        cpu_millis,
        ended,
    };
    tokio::spawn(supervisor.run());
    Ok((Job { input: Some(in_tx), activity, cpu, feedback, _stop: stop_tx }, out_rx))
}

/// Copies queued chunks to ffmpeg's stdin; closing stdin when the queue closes.
pub(crate) async fn write_input(mut stdin: ChildStdin, mut rx: mpsc::Receiver<Bytes>) {
    while let Some(chunk) = rx.recv().await {
        if stdin.write_all(&chunk).await.is_err() {
            return;
        }
    }
    let _ = stdin.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::AudioPreset;
    use crate::spec::{InputFormat, JobLimits};

    #[tokio::test]
    async fn rtp_sockets_ask_for_a_large_receive_buffer() {
        let spec = JobSpec { input: InputFormat::Flv, audio: Some(AudioPreset::OPUS_MONO_64KBS.audio_out()), video: None, limits: JobLimits::default() };
        let (sockets, ports) = bind(&spec).await.expect("bind");
        assert_eq!(ports.len(), 1);
        // The kernel caps the request at rmem_max (and reports twice what it keeps).
        let max = std::fs::read_to_string("/proc/sys/net/core/rmem_max").ok().and_then(|s| s.trim().parse::<usize>().ok()).unwrap_or(0);
        let got = socket2::SockRef::from(&sockets[0].1).recv_buffer_size().expect("SO_RCVBUF");
        assert!(got >= RTP_RECEIVE_BUFFER.min(max), "{got} bytes, asked {RTP_RECEIVE_BUFFER}, rmem_max {max}");
    }
}
