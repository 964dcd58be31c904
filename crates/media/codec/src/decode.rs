//! A decode job, for room composites: one `ffmpeg` child that reads one track's compressed
//! stream on its stdin (IVF for VP8/VP9, Annex B H.264, Ogg Opus; [`crate::ivf_frame`] and
//! [`crate::annexb_from_length_prefixed`] make them) and writes raw frames on its stdout: I420 pictures scaled into a fixed box,
//! or signed 16-bit samples, handed back in fixed chunks ([`Decoded`]). A crash, leak or
//! stall in codec C code ends this job only.
//!
//! Tasks: a writer (bounded queue → stdin), a reader (stdout → chunks; it waits while the
//! consumer's queue is full, which holds ffmpeg back), a stderr reader and a supervisor,
//! which sends [`Decoded::Ended`] after every chunk. Dropping the [`Decoder`] kills the
//! child. The command line and the latency measured: `decode_args.rs`.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::caps::spawn_error;
use crate::cpu;
use crate::decode_args::decode_args;
use crate::decode_spec::{DecodeOutput, DecodeSpec};
use crate::error::{Backpressure, CodecError, JobError};
use crate::job::write_input;
use crate::tail::Tail;

/// Chunks queued for the consumer (it drains every tick); past it the reader waits.
pub const DECODED_QUEUE: usize = 4;
/// How long the supervisor waits for the stderr reader after the child is gone.
const STDERR_GRACE: Duration = Duration::from_secs(2);
/// How often the CPU time is read while ffmpeg runs.
const CPU_PERIOD: Duration = Duration::from_millis(250);

/// An item of a decode job's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// One picture, or `chunk_samples` samples ([`DecodeSpec::chunk_bytes`] bytes exactly;
    /// the last audio chunk is completed with silence).
    Chunk(Bytes),
    /// The job is over; nothing follows. `Ok` when ffmpeg finished its input or the job was
    /// stopped by its owner; otherwise ffmpeg's exit status and last stderr lines.
    Ended(Result<(), JobError>),
}

/// A running decode job. Dropping it kills ffmpeg (an `Ended(Ok(()))` is still sent if the
/// outputs are read).
#[derive(Debug)]
pub struct Decoder {
    input: Option<mpsc::Sender<Bytes>>,
    cpu: cpu::ChildCpu,
    _stop: oneshot::Sender<()>,
}

impl Decoder {
    /// Starts `ffmpeg_path` with the job's command line and the job's tasks (on the current
    /// tokio runtime).
    pub async fn start(spec: DecodeSpec, ffmpeg_path: &Path) -> Result<(Decoder, mpsc::Receiver<Decoded>), CodecError> {
        spec.validate()?;
        let mut cmd = Command::new(ffmpeg_path);
        // A clean environment and its own process group, as for a transcode job.
        cmd.args(decode_args(&spec)).env_clear().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).process_group(0);
        let mut child = cmd.spawn().map_err(|e| spawn_error(ffmpeg_path, e))?;
        let pid = child.id();
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take()) else {
            return Err(CodecError::Spawn { path: ffmpeg_path.to_owned(), source: std::io::ErrorKind::BrokenPipe.into() });
        };
        let (in_tx, in_rx) = mpsc::channel(spec.input_queue);
        let (out_tx, out_rx) = mpsc::channel(DECODED_QUEUE);
        let (stop_tx, stop_rx) = oneshot::channel();
        tokio::spawn(write_input(stdin, in_rx));
        let tail = Tail::default();
        let stderr_task = tokio::spawn(tail.clone().read_from(stderr));
        let pad_last = matches!(spec.output, DecodeOutput::Audio { .. });
        let reader = tokio::spawn(read_chunks(stdout, spec.chunk_bytes(), pad_last, out_tx.clone()));
        let cpu = cpu::ChildCpu::new(pid);
        let (ended, cpu_millis) = (cpu.ended.clone(), cpu.cpu_millis.clone());
        let supervisor = Supervisor { child, stop: stop_rx, reader, stderr: stderr_task, tail, out: out_tx, cpu_millis, ended };
        tokio::spawn(supervisor.run());
        Ok((Decoder { input: Some(in_tx), cpu, _stop: stop_tx }, out_rx))
    }

    /// Queues compressed bytes for ffmpeg's stdin without waiting.
    pub fn write(&self, bytes: Bytes) -> Result<(), Backpressure> {
        let input = self.input.as_ref().ok_or(Backpressure::Closed)?;
        input.try_send(bytes).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Backpressure::Full,
            mpsc::error::TrySendError::Closed(_) => Backpressure::Closed,
        })
    }

    /// Ends the input: what is queued is written, then ffmpeg sees the end of its stdin,
    /// writes its last frames and exits (`Ended(Ok(()))`).
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
}

/// Reads `stdout` in chunks of exactly `size` bytes until its end, waiting while the
/// consumer's queue is full. A cut last chunk is completed with zeros (silence) when
/// `pad_last`, dropped otherwise (ffmpeg writes whole pictures).
async fn read_chunks(mut stdout: impl AsyncRead + Unpin, size: usize, pad_last: bool, out: mpsc::Sender<Decoded>) {
    loop {
        let mut buf = BytesMut::zeroed(size);
        let mut filled = 0;
        while filled < size {
            match stdout.read(&mut buf[filled..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => filled += n,
            }
        }
        let whole = filled == size;
        if filled == 0 || (!whole && !pad_last) {
            return;
        }
        if out.send(Decoded::Chunk(buf.freeze())).await.is_err() || !whole {
            return;
        }
    }
}

/// Owns the child: waits for its exit or its owner letting go, then for the reader to hand
/// on the last chunks, and sends [`Decoded::Ended`] last.
struct Supervisor {
    child: Child,
    stop: oneshot::Receiver<()>,
    reader: JoinHandle<()>,
    stderr: JoinHandle<()>,
    tail: Tail,
    out: mpsc::Sender<Decoded>,
    cpu_millis: Arc<AtomicU64>,
    ended: Arc<AtomicBool>,
}

impl Supervisor {
    async fn run(mut self) {
        let pid = self.child.id();
        let mut tick = tokio::time::interval(CPU_PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let status = loop {
            tokio::select! {
                status = self.child.wait() => break Some(status),
                _ = &mut self.stop => {
                    let _ = self.child.kill().await;
                    break None;
                }
                _ = tick.tick() => {
                    if let Some(t) = pid.and_then(cpu::of_pid) {
                        self.cpu_millis.store(u64::try_from(t.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
                    }
                }
            }
        };
        self.ended.store(true, Ordering::Relaxed);
        // The child is gone, so its stdout ends: the reader finishes once the consumer has
        // taken the last chunks.
        let _ = self.reader.await;
        let _ = tokio::time::timeout(STDERR_GRACE, self.stderr).await;
        let result = match status {
            None => Ok(()),
            Some(Ok(s)) if s.success() => Ok(()),
            Some(Ok(s)) => Err(JobError::Failed { status: s.to_string(), stderr: self.tail.joined() }),
            Some(Err(e)) => Err(JobError::Wait(e.to_string())),
        };
        if let Err(e) = &result {
            tracing::warn!(error = %e, "decode job ended");
        }
        let _ = self.out.send(Decoded::Ended(result)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_spec::DecodeInput;

    fn refusal(spec: DecodeSpec) -> String {
        match spec.validate() {
            Err(CodecError::Spec(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn specs_are_checked() {
        let video = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 180, pad: [0; 3] }, input_queue: 8 };
        assert!(video.validate().is_ok());
        assert_eq!(video.chunk_bytes(), 86_400);
        assert!(refusal(DecodeSpec { output: DecodeOutput::Video { width: 321, height: 180, pad: [0; 3] }, ..video }).contains("must be even"));
        assert!(refusal(DecodeSpec { input_queue: 0, ..video }).contains("queue"));
        assert!(refusal(DecodeSpec { input: DecodeInput::OggOpus, ..video }).contains("Opus decodes to audio"));
        let audio =
            DecodeSpec { input: DecodeInput::OggOpus, output: DecodeOutput::Audio { sample_rate: 48_000, channels: 2, chunk_samples: 480 }, input_queue: 8 };
        assert!(audio.validate().is_ok());
        assert_eq!(audio.chunk_bytes(), 1920);
        assert!(refusal(DecodeSpec { input: DecodeInput::H264AnnexB, ..audio }).contains("decodes to video"));
        let chunk = |chunk_samples| DecodeSpec { output: DecodeOutput::Audio { sample_rate: 16_000, channels: 1, chunk_samples }, ..audio };
        assert!(refusal(chunk(0)).contains("0 samples per chunk"));
        assert!(refusal(chunk(16_001)).contains("one second's (16000)"));
        assert!(refusal(DecodeSpec { output: DecodeOutput::Audio { sample_rate: 44_100, channels: 3, chunk_samples: 441 }, ..audio }).contains("3 channels"));
    }

    #[tokio::test]
    async fn output_is_cut_in_exact_chunks_and_audio_is_completed_with_silence() {
        let data: Vec<u8> = (1..=10).collect();
        let (tx, mut rx) = mpsc::channel(8);
        read_chunks(&data[..], 4, true, tx).await;
        let chunks: Vec<Decoded> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        let expected = [&[1, 2, 3, 4][..], &[5, 6, 7, 8], &[9, 10, 0, 0]].map(|c| Decoded::Chunk(Bytes::copy_from_slice(c)));
        assert_eq!(chunks, expected);
        let (tx, mut rx) = mpsc::channel(8);
        read_chunks(&data[..], 4, false, tx).await;
        let pictures: Vec<Decoded> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(pictures.len(), 2, "a cut picture is dropped");
    }
}
