//! The composite's encoders: one ffmpeg child for the canvas (raw I420 in, H.264 out) and one
//! for the mixed audio (s16le in, Opus out), each handing back RTP on loopback
//! ([`hikari_codec::Job`]). Their packets become the packaging job's input batches, as a
//! track's sink would give them, each stamped with the instant its timestamp stands for, so
//! the packager lines audio and video up exactly (both encoders count time from the first
//! frame and sample written, which the job writes at the same instant).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hikari_codec::{AudioOut, Backpressure, InputFormat, Job, JobLimits, JobOutput, JobOutputs, JobSpec, Quality, VideoLayer, VideoOut};
use hikari_egress::Encoding;
use hikari_media_io::SinkOut;
use hikari_sfu::MediaPacket;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

/// Canvas frames queued for the video encoder (each a whole raw picture).
const VIDEO_QUEUE: usize = 8;
/// Audio chunks queued for the audio encoder (one per tick).
const AUDIO_QUEUE: usize = 64;

/// One encoder and where its packets go.
pub(crate) struct Encoder {
    job: Job,
    outputs: JobOutputs,
    /// The packaging job's input.
    tx: mpsc::Sender<SinkOut>,
    clock: u64,
    /// Extends ffmpeg's 16-bit sequence numbers and 32-bit timestamps.
    seq: Option<(u16, u64)>,
    ts: Option<(u32, u64)>,
    /// The instant the encoder's time zero stands for.
    zero: Instant,
    /// Queued input that did not fit yet (the encoder is behind).
    backlog: std::collections::VecDeque<Bytes>,
    pub(crate) ended: Option<Result<(), String>>,
}

impl Encoder {
    /// The canvas encoder.
    pub(crate) async fn video(e: &Encoding, ffmpeg: &Path, tx: mpsc::Sender<SinkOut>) -> Result<Encoder, String> {
        let layer = VideoLayer { quality: Quality::High, width: e.width, height: e.height, fps: f64::from(e.fps), bitrate: e.video_bitrate };
        let spec = JobSpec {
            input: InputFormat::RawVideo { width: e.width, height: e.height, fps: e.fps },
            audio: None,
            video: Some(VideoOut { layers: vec![layer], keyframe_interval: Duration::from_millis(e.keyframe_interval_ms.into()) }),
            limits: JobLimits { input_queue: VIDEO_QUEUE, ..JobLimits::default() },
        };
        Self::start(spec, ffmpeg, tx, 90_000).await
    }

    /// The audio encoder.
    pub(crate) async fn audio(e: &Encoding, ffmpeg: &Path, tx: mpsc::Sender<SinkOut>) -> Result<Encoder, String> {
        let spec = JobSpec {
            input: InputFormat::RawAudio { sample_rate: 48_000, channels: 2 },
            audio: Some(AudioOut { channels: 2, bitrate: e.audio_bitrate, dtx: false }),
            video: None,
            limits: JobLimits { input_queue: AUDIO_QUEUE, ..JobLimits::default() },
        };
        Self::start(spec, ffmpeg, tx, 48_000).await
    }

    async fn start(spec: JobSpec, ffmpeg: &Path, tx: mpsc::Sender<SinkOut>, clock: u64) -> Result<Encoder, String> {
        let (job, outputs) = Job::start(spec, ffmpeg).await.map_err(|e| format!("cannot start the encoder: {e}"))?;
        Ok(Encoder { job, outputs, tx, clock, seq: None, ts: None, zero: Instant::now(), backlog: Default::default(), ended: None })
    }

    /// Sets the instant the first frame or sample is written.
    pub(crate) fn set_zero(&mut self, zero: Instant) {
        self.zero = zero;
    }

    /// Queues one input chunk (a picture or some samples) behind any backlog; the backlog's
    /// length after.
    pub(crate) fn write(&mut self, chunk: Bytes) -> usize {
        self.backlog.push_back(chunk);
        while let Some(next) = self.backlog.front() {
            match self.job.write(next.clone()) {
                Ok(()) => {
                    self.backlog.pop_front();
                }
                Err(Backpressure::Full) => break,
                Err(Backpressure::Closed) => {
                    self.backlog.clear();
                    break;
                }
            }
        }
        self.backlog.len()
    }

    /// Whether a packet has been forwarded.
    pub(crate) fn started(&self) -> bool {
        self.seq.is_some()
    }

    /// Ends the input: ffmpeg flushes and exits.
    pub(crate) fn close(&mut self) {
        self.backlog.clear();
        self.job.close_input();
    }

    /// The CPU time the encoder has used.
    pub(crate) fn cpu_time(&self) -> Option<Duration> {
        self.job.cpu_time()
    }

    /// Hands the packets ffmpeg sent since the last call to the packaging job (waiting for
    /// room in its queue: it writes as fast as the disk allows); notes the end.
    pub(crate) fn forward(&mut self) {
        let mut batch = Vec::new();
        loop {
            match self.outputs.try_recv() {
                Ok(JobOutput::Rtp { seq, timestamp, marker, payload, .. }) => {
                    let seq = extend16(&mut self.seq, seq);
                    let ts = extend32(&mut self.ts, timestamp);
                    let at = Duration::from_nanos(u64::try_from(u128::from(ts) * 1_000_000_000 / u128::from(self.clock)).unwrap_or(u64::MAX));
                    batch.push(MediaPacket { seq, ts: timestamp, marker, keyframe: false, payload: Arc::from(&payload[..]), arrived: self.zero + at });
                }
                Ok(JobOutput::Ended(result)) => {
                    self.ended = Some(result.map_err(|e| e.to_string()));
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.ended.get_or_insert(Ok(()));
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let _ = self.tx.blocking_send(SinkOut::Packets(batch));
        }
    }
}

/// Extends a wrapping 16-bit counter (ffmpeg's sequence numbers) to 64 bits.
fn extend16(last: &mut Option<(u16, u64)>, v: u16) -> u64 {
    let next = match *last {
        None => u64::from(v),
        Some((prev, ext)) => ext.wrapping_add(u64::from(v.wrapping_sub(prev))),
    };
    *last = Some((v, next));
    next
}

/// Extends a wrapping 32-bit timestamp (forward steps only) to 64 bits.
fn extend32(last: &mut Option<(u32, u64)>, v: u32) -> u64 {
    let next = match *last {
        None => u64::from(v),
        Some((prev, ext)) => ext.wrapping_add(u64::from(v.wrapping_sub(prev))),
    };
    *last = Some((v, next));
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_extend_across_their_wrap() {
        let mut s = None;
        assert_eq!([65_534u16, 65_535, 0, 1].map(|v| extend16(&mut s, v)), [65_534, 65_535, 65_536, 65_537]);
        let mut t = None;
        assert_eq!([u32::MAX - 10, 5].map(|v| extend32(&mut t, v)), [u64::from(u32::MAX) - 10, u64::from(u32::MAX) + 6]);
    }
}
