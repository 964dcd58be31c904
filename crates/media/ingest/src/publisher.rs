//! One encoder's media into its room: the internal publisher of a session, whatever the
//! transport (RTMP today, SRT next). It buffers the first elementary units until it knows
//! the input's codecs, chooses passthrough or transcoding, joins the room
//! (`SignalMode::Internal`) and then turns every unit into RTP for the SFU: H.264 that
//! WebRTC decoders take is re-packetized here; the rest, and all audio, goes through one
//! ffmpeg job whose RTP comes back on [`Publisher::next`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;

use hikari_codec::flv_out::{TagKind, flv_header, flv_tag};
use hikari_codec::{InputFormat, Job, JobLimits, JobOutput, JobOutputs, JobSpec, Packetizer, SpsInfo, Stream, probe_gst};
use hikari_demux::{AacConfig, Elementary, H264Config};
use hikari_sfu::{Command, ConnId, Join, SignalMode, SignalOut, SourcePacket};
use hikari_signal::Router;
use hikari_types::{AddTrack, ClientInfo, ClientSignal, DisconnectReason, ServerSignal, SimulcastLayer, TrackInfo, TrackKind, TrackSource, VideoQuality};

use crate::{AudioInput, IngestConfig, IngestError, Report, SessionStats, Target, VideoInput, flv_in, ingress_grant};

/// Largest RTP payload of passthrough video.
const MTU_PAYLOAD: usize = 1200;
/// Frames that must have been seen in order, when the SPS does not say whether the stream
/// has B-frames, before it passes through.
const MIN_FRAMES_SEEN: usize = 10;
/// Most elementary units held while the codecs are probed.
const MAX_PENDING: usize = 1024;
/// How often the input's measured rates are reported.
const REPORT_EVERY: Duration = Duration::from_secs(10);
/// Signals from the room queued for the session.
const OUTBOX: usize = 256;

/// What a session should do after [`Publisher::next`].
#[derive(Debug)]
pub enum Step {
    /// Keep going.
    Continue,
    /// The room let the publisher go (removed, room closed): the session ends cleanly.
    Closed(DisconnectReason),
}

/// Bytes and frames of one kind since the last report.
#[derive(Debug, Default)]
struct Meter {
    bytes: u64,
    frames: u64,
    since: Option<Instant>,
}

impl Meter {
    fn add(&mut self, bytes: usize, now: Instant) {
        self.since.get_or_insert(now);
        self.bytes += bytes as u64;
        self.frames += 1;
    }

    /// (bits per second, frames per second) since the last take.
    fn take(&mut self, now: Instant) -> (u32, f64) {
        let secs = self.since.map_or(0.0, |s| now.saturating_duration_since(s).as_secs_f64());
        let rates = if secs > 0.5 { ((self.bytes as f64 * 8.0 / secs) as u32, self.frames as f64 / secs) } else { (0, 0.0) };
        *self = Meter { since: Some(now), ..Meter::default() };
        rates
    }
}

/// Extends a 16-bit RTP sequence number.
#[derive(Debug, Default, Clone, Copy)]
struct SeqExt(Option<(u16, u64)>);

impl SeqExt {
    fn extend(&mut self, seq: u16) -> u64 {
        let ext = match self.0 {
            None => u64::from(seq) + (1 << 16),
            Some((last, ext)) => ext.wrapping_add_signed(i64::from(seq.wrapping_sub(last) as i16)),
        };
        self.0 = Some((seq, ext));
        ext
    }
}

/// The tracks joined with, by index in the join.
#[derive(Debug, Clone, Copy, Default)]
struct Indexes {
    video: Option<u8>,
    audio: Option<u8>,
}

/// An encoder's publisher in a room.
pub struct Publisher<R: Router> {
    router: R,
    target: Target,
    cfg: Arc<IngestConfig>,
    conn: ConnId,
    outbox: Option<mpsc::Receiver<SignalOut>>,
    opened: Instant,
    video: Option<H264Config>,
    audio: Option<AacConfig>,
    pending: VecDeque<Elementary>,
    live: bool,
    passthrough: bool,
    packetizer: Packetizer,
    video_seq: u64,
    /// The first media timestamp: RTP and job timestamps count from it.
    base_ms: Option<i64>,
    job: Option<Job>,
    outputs: Option<JobOutputs>,
    seqs: [SeqExt; 1 + hikari_codec::MAX_LAYERS],
    index: Indexes,
    expected_tracks: usize,
    room_id: String,
    tracks: Vec<TrackInfo>,
    reported_at: Option<Instant>,
    /// All tracks are in the room and that was not reported yet.
    announce: bool,
    video_meter: Meter,
    audio_meter: Meter,
    /// Packets the room's queue or the job's input refused.
    pub dropped: u64,
    /// Keyframe requests heard (an RTMP encoder cannot be asked; counted).
    pub keyframe_requests: u64,
    /// Keyframe requests passed on to the transcoder's encoder of the layer asked for.
    pub keyframes_forced: u64,
    /// The decode timestamp of the last input keyframe, and the time before it since the
    /// one before (the encoder's keyframe interval), in milliseconds.
    keyframes: (Option<i64>, i64),
    /// What the last report measured.
    measured: SessionStats,
    scratch: Vec<u8>,
}

/// The keyframe interval of a ladder whose encoders answer keyframe requests: a subscriber
/// joining or switching layers asks and gets one at once, so the periodic ones can be
/// further apart (better pictures for the bitrate) than ffmpeg's 2 s.
pub const ANSWERED_KEYFRAME_INTERVAL: Duration = Duration::from_secs(4);

/// Starts the job of a transcoded ladder: GStreamer, whose encoders answer keyframe
/// requests, when its elements are installed; ffmpeg otherwise (keyframes every 2 s only),
/// said once per process.
async fn ladder_job(mut spec: JobSpec, cfg: &IngestConfig) -> Result<(Job, JobOutputs), IngestError> {
    static SAID: std::sync::Once = std::sync::Once::new();
    match probe_gst(&cfg.gst_launch).await {
        Ok(()) => {
            if let Some(video) = spec.video.as_mut() {
                video.keyframe_interval = video.keyframe_interval.max(ANSWERED_KEYFRAME_INTERVAL);
            }
            Ok(Job::start_gst(spec, &cfg.gst_launch).await?)
        }
        Err(why) => {
            SAID.call_once(|| tracing::warn!(%why, "transcoding ingress with ffmpeg: keyframe requests cannot reach its encoders (keyframes every 2 s)"));
            Ok(Job::start(spec, &cfg.ffmpeg).await?)
        }
    }
}

impl<R: Router> Publisher<R> {
    /// A publisher for `target`, joining nothing until the input's codecs are known.
    pub fn new(router: R, target: Target, cfg: Arc<IngestConfig>, now: Instant) -> Self {
        let conn = router.next_conn();
        Self {
            router,
            target,
            cfg,
            conn,
            outbox: None,
            opened: now,
            video: None,
            audio: None,
            pending: VecDeque::new(),
            live: false,
            passthrough: false,
            packetizer: Packetizer::new(MTU_PAYLOAD),
            video_seq: 0,
            base_ms: None,
            job: None,
            outputs: None,
            seqs: [SeqExt::default(); 1 + hikari_codec::MAX_LAYERS],
            index: Indexes::default(),
            expected_tracks: 0,
            room_id: String::new(),
            tracks: Vec::new(),
            reported_at: None,
            announce: false,
            video_meter: Meter::default(),
            audio_meter: Meter::default(),
            dropped: 0,
            keyframe_requests: 0,
            keyframes_forced: 0,
            keyframes: (None, 0),
            measured: SessionStats::default(),
            scratch: Vec::new(),
        }
    }

    /// The ingress it publishes for.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Whether video passes through without transcoding.
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }

    /// One unit of the input.
    pub async fn push(&mut self, unit: Elementary, now: Instant) -> Result<(), IngestError> {
        if let Elementary::Unsupported { what } = &unit {
            // A stream whose video or audio cannot be carried is refused, not half-published.
            return Err(IngestError::Unsupported(what.clone()));
        }
        if self.live {
            return self.forward(unit, now);
        }
        match &unit {
            Elementary::VideoConfig(c) => self.video = Some(c.clone()),
            Elementary::AudioConfig(c) => self.audio = Some(c.clone()),
            _ => {}
        }
        if self.pending.len() == MAX_PENDING {
            self.pending.pop_front();
            self.dropped += 1;
        }
        self.pending.push_back(unit);
        let probed = now.saturating_duration_since(self.opened) >= self.cfg.probe_time;
        let frames = self.pending.iter().filter(|u| matches!(u, Elementary::Video(_))).count();
        // With video, some frames tell whether it has B-frames when its SPS does not.
        let seen_enough = self.video.is_none() || frames >= MIN_FRAMES_SEEN;
        if (self.video.is_some() && self.audio.is_some() && seen_enough) || (probed && (self.video.is_some() || self.audio.is_some())) {
            self.go_live(now).await?;
        }
        Ok(())
    }

    /// Chooses the path, starts the job, joins the room and sends what was held.
    async fn go_live(&mut self, now: Instant) -> Result<(), IngestError> {
        let sps = self.video.as_ref().and_then(|c| c.sps.first()).and_then(|s| SpsInfo::parse(s).ok());
        self.passthrough = self.video.is_some() && self.target.transcode != Some(true) && sps.as_ref().is_some_and(|s| self.safe(s));
        let ladder = match (&self.video, self.passthrough) {
            (Some(v), false) => Some(self.target.video.fit_to_source(v.width, v.height)),
            _ => None,
        };
        let audio_out = self.audio.as_ref().map(|a| {
            let mut out = self.target.audio;
            out.channels = out.channels.min(a.channels.clamp(1, 2));
            out
        });
        if audio_out.is_some() || ladder.is_some() {
            let spec = JobSpec { input: InputFormat::Flv, audio: audio_out, video: ladder.clone(), limits: JobLimits::default() };
            tracing::debug!(ingress = %self.target.ingress_id, ?spec, "starting the transcoding job");
            let (job, outputs) = match ladder {
                Some(_) => ladder_job(spec, &self.cfg).await?,
                None => Job::start(spec, &self.cfg.ffmpeg).await?,
            };
            tracing::debug!(ingress = %self.target.ingress_id, "transcoding job started");
            self.job = Some(job);
            self.outputs = Some(outputs);
            let mut head = flv_header(self.audio.is_some(), ladder.is_some()).to_vec();
            if let Some(a) = &self.audio {
                self.scratch.clear();
                flv_in::aac_config(a, &mut self.scratch);
                flv_tag(TagKind::Audio, 0, &self.scratch, &mut head)?;
            }
            if let (Some(v), true) = (&self.video, ladder.is_some()) {
                self.scratch.clear();
                if flv_in::avc_config(v, &mut self.scratch).is_some() {
                    flv_tag(TagKind::Video, 0, &self.scratch, &mut head)?;
                }
            }
            self.write_job(Bytes::from(head));
        }
        if let (true, Some(v)) = (self.passthrough, &self.video)
            && let (Some(sps), Some(pps)) = (v.sps.first(), v.pps.first())
        {
            self.packetizer.set_parameter_sets(sps.clone(), pps.clone());
        }
        self.join(ladder.as_ref().map(|l| l.layers.as_slice()), audio_out.map(|a| a.channels == 2))?;
        tracing::info!(
            ingress = %self.target.ingress_id,
            room = %self.target.room,
            passthrough = self.passthrough,
            layers = ladder.as_ref().map_or(1, |l| l.layers.len()),
            "ingress publishing"
        );
        self.live = true;
        while let Some(unit) = self.pending.pop_front() {
            self.forward(unit, now)?;
        }
        Ok(())
    }

    /// Whether video WebRTC decoders take as it is: a profile they decode, progressive, and
    /// no B-frames, as the SPS says, or, when it does not say (hardware encoders often leave
    /// it out), as the frames held so far show (every one presented when decoded).
    fn safe(&self, sps: &SpsInfo) -> bool {
        if sps.webrtc_profile().is_none() || !sps.frame_mbs_only {
            return false;
        }
        match sps.no_reordering() {
            Some(known) => known,
            None => {
                let frames: Vec<_> = self.pending.iter().filter_map(|u| if let Elementary::Video(f) = u { Some(f) } else { None }).collect();
                frames.len() >= MIN_FRAMES_SEEN && frames.iter().all(|f| f.pts_ms == f.dts_ms)
            }
        }
    }

    fn join(&mut self, ladder: Option<&[hikari_codec::VideoLayer]>, stereo: Option<bool>) -> Result<(), IngestError> {
        let mut tracks = Vec::new();
        if let Some(v) = &self.video {
            let layers: Vec<SimulcastLayer> = match ladder {
                Some(ladder) => ladder
                    .iter()
                    .enumerate()
                    .map(|(i, l)| SimulcastLayer { quality: quality(i), width: l.width, height: l.height, bitrate: l.bitrate })
                    .collect(),
                None => vec![SimulcastLayer { quality: VideoQuality::High, width: v.width, height: v.height, bitrate: 0 }],
            };
            let (width, height) = layers.last().map_or((v.width, v.height), |l| (l.width, l.height));
            self.index.video = Some(tracks.len() as u8);
            tracks.push(AddTrack {
                cid: "video".into(),
                name: "video".into(),
                kind: TrackKind::Video,
                source: TrackSource::Camera,
                width,
                height,
                layers,
                codecs: vec!["video/H264".into()],
                ..AddTrack::default()
            });
        }
        if let Some(stereo) = stereo {
            self.index.audio = Some(tracks.len() as u8);
            tracks.push(AddTrack {
                cid: "audio".into(),
                name: "audio".into(),
                kind: TrackKind::Audio,
                source: TrackSource::Microphone,
                stereo,
                codecs: vec!["audio/opus".into()],
                ..AddTrack::default()
            });
        }
        self.expected_tracks = tracks.len();
        let grant = ingress_grant(&self.target);
        let join = Join { conn: self.conn, grant, client: ClientInfo::default(), auto_subscribe: false, mode: SignalMode::Internal { tracks }, resume: None };
        let (tx, rx) = mpsc::channel(OUTBOX);
        self.outbox = Some(rx);
        self.router.join(join, tx).map_err(|e| IngestError::Room(e.to_string()))
    }

    /// One unit once live.
    fn forward(&mut self, unit: Elementary, now: Instant) -> Result<(), IngestError> {
        match unit {
            Elementary::VideoConfig(c) => {
                if self.passthrough
                    && let (Some(sps), Some(pps)) = (c.sps.first(), c.pps.first())
                {
                    self.packetizer.set_parameter_sets(sps.clone(), pps.clone());
                } else if !self.passthrough && self.job.is_some() {
                    self.scratch.clear();
                    if flv_in::avc_config(&c, &mut self.scratch).is_some() {
                        self.tag(TagKind::Video, 0)?;
                    }
                }
                self.video = Some(c);
            }
            Elementary::AudioConfig(c) => {
                self.scratch.clear();
                flv_in::aac_config(&c, &mut self.scratch);
                self.tag(TagKind::Audio, 0)?;
                self.audio = Some(c);
            }
            Elementary::Video(frame) => {
                if self.passthrough && frame.pts_ms != frame.dts_ms {
                    // Browsers decode WebRTC video in the order it comes: B-frames would play
                    // out of order. The encoder reconnects and the next session transcodes.
                    return Err(IngestError::Unsupported(
                        "B-frames appeared in a stream that passed through without them; reconnect to have it transcoded".into(),
                    ));
                }
                let size = frame.nalus.iter().map(Bytes::len).sum();
                self.video_meter.add(size, now);
                if frame.keyframe {
                    if let Some(last) = self.keyframes.0 {
                        self.keyframes.1 = frame.dts_ms.saturating_sub(last);
                    }
                    self.keyframes.0 = Some(frame.dts_ms);
                }
                let base = *self.base_ms.get_or_insert(frame.dts_ms);
                if self.passthrough {
                    let Some(track) = self.index.video else { return Ok(()) };
                    let mut payloads = Vec::new();
                    self.packetizer.packetize(&frame.nalus, &mut payloads);
                    let ts = ((frame.pts_ms - base).max(0) as u64 * 90) as u32;
                    let last = payloads.len().saturating_sub(1);
                    let packets = payloads
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            self.video_seq += 1;
                            SourcePacket { seq: self.video_seq, ts, marker: i == last, payload: Arc::from(p.as_ref()) }
                        })
                        .collect();
                    self.send(Command::SourceMedia { conn: self.conn, track, layer: 0, received: Some(now), packets });
                } else if self.job.is_some() {
                    self.scratch.clear();
                    flv_in::avc_frame(&frame, &mut self.scratch);
                    self.tag(TagKind::Video, (frame.dts_ms - base).max(0) as u32)?;
                }
            }
            Elementary::Audio(frame) => {
                self.audio_meter.add(frame.data.len(), now);
                let base = *self.base_ms.get_or_insert(frame.pts_ms);
                self.scratch.clear();
                flv_in::aac_frame(&frame, &mut self.scratch);
                self.tag(TagKind::Audio, (frame.pts_ms - base).max(0) as u32)?;
            }
            Elementary::Unsupported { what } => return Err(IngestError::Unsupported(what)),
        }
        Ok(())
    }

    /// Writes the scratch buffer as one FLV tag to the job.
    fn tag(&mut self, kind: TagKind, ts_ms: u32) -> Result<(), IngestError> {
        if self.job.is_none() {
            return Ok(());
        }
        let mut out = Vec::with_capacity(self.scratch.len() + 16);
        flv_tag(kind, ts_ms, &self.scratch, &mut out)?;
        self.write_job(Bytes::from(out));
        Ok(())
    }

    fn write_job(&mut self, bytes: Bytes) {
        if let Some(job) = &self.job
            && job.write(bytes).is_err()
        {
            self.dropped += 1;
        }
    }

    fn send(&mut self, command: Command) {
        if self.router.command(command).is_err() {
            self.dropped += 1;
        }
    }

    /// Waits for what the room or the job sends next and handles it.
    pub async fn next(&mut self) -> Result<Step, IngestError> {
        let signal = async {
            match &mut self.outbox {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        let output = async {
            match &mut self.outputs {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        enum Got {
            Signal(Option<SignalOut>),
            Output(Option<JobOutput>),
        }
        let got = tokio::select! {
            s = signal => Got::Signal(s),
            o = output => Got::Output(o),
        };
        match got {
            Got::Signal(Some(s)) => self.on_signal(s).await,
            Got::Signal(None) => Ok(Step::Closed(DisconnectReason::ServerShutdown)),
            Got::Output(Some(o)) => self.on_output(o),
            Got::Output(None) => Err(IngestError::Room("the transcoding job vanished".into())),
        }
    }

    async fn on_signal(&mut self, signal: SignalOut) -> Result<Step, IngestError> {
        match signal {
            SignalOut::Signal(ServerSignal::Join(info)) => self.room_id = info.room.sid.to_string(),
            SignalOut::Signal(ServerSignal::TrackPublished { track, .. }) => {
                self.tracks.push(track);
                self.announce = self.tracks.len() == self.expected_tracks;
            }
            SignalOut::Signal(ServerSignal::Leave { reason, .. }) => return Ok(Step::Closed(reason)),
            SignalOut::Signal(_) => {}
            SignalOut::Keyframe { track, layer } => {
                self.keyframe_requests += 1;
                let video = self.index.video == Some(track);
                if video && self.job.as_ref().is_some_and(|j| j.request_keyframe(layer)) {
                    self.keyframes_forced += 1;
                }
            }
            SignalOut::Close(reason) => return Ok(Step::Closed(reason)),
        }
        Ok(Step::Continue)
    }

    fn on_output(&mut self, output: JobOutput) -> Result<Step, IngestError> {
        match output {
            JobOutput::Rtp { stream, seq, timestamp, marker, payload } => {
                let (track, layer, slot) = match stream {
                    Stream::Audio => (self.index.audio, 0, 0),
                    Stream::Video(i) => (self.index.video, i, 1 + usize::from(i)),
                };
                let Some(track) = track else { return Ok(Step::Continue) };
                let Some(ext) = self.seqs.get_mut(slot).map(|s| s.extend(seq)) else { return Ok(Step::Continue) };
                let packet = SourcePacket { seq: ext, ts: timestamp, marker, payload: Arc::from(payload.as_ref()) };
                self.send(Command::SourceMedia { conn: self.conn, track, layer, received: None, packets: vec![packet] });
                Ok(Step::Continue)
            }
            JobOutput::Ended(Ok(())) => Err(IngestError::Room("the transcoding job ended".into())),
            JobOutput::Ended(Err(e)) => Err(e.into()),
        }
    }

    /// The state to report now, if due: publishing once the tracks are in the room, then
    /// every 10 s (`REPORT_EVERY`) with the measured rates.
    pub fn due_report(&mut self, now: Instant) -> Option<Report> {
        let first = std::mem::take(&mut self.announce);
        let due = self.reported_at.is_some_and(|at| now.saturating_duration_since(at) >= REPORT_EVERY);
        if !first && !due {
            return None;
        }
        self.reported_at = Some(now);
        let (vbits, fps) = self.video_meter.take(now);
        let (abits, _) = self.audio_meter.take(now);
        self.measured = SessionStats {
            passthrough: self.passthrough,
            video_bitrate: vbits,
            audio_bitrate: abits,
            framerate: fps,
            keyframe_interval: self.keyframes.1 as f64 / 1000.0,
            transcode_cpu_seconds: self.job.as_ref().and_then(Job::cpu_time).map_or(0.0, |d| d.as_secs_f64()),
            keyframe_requests: self.keyframe_requests,
            keyframes_forced: self.keyframes_forced,
            dropped: self.dropped,
            ..SessionStats::default()
        };
        Some(Report::Publishing {
            room_id: self.room_id.clone(),
            tracks: self.tracks.clone(),
            video: self.video.as_ref().map(|v| VideoInput {
                mime_type: "video/h264".into(),
                width: v.width,
                height: v.height,
                framerate: fps,
                average_bitrate: vbits,
            }),
            audio: self.audio.as_ref().map(|a| AudioInput {
                mime_type: "audio/aac".into(),
                channels: u32::from(a.channels),
                sample_rate: a.sample_rate,
                average_bitrate: abits,
            }),
        })
    }

    /// What the last report measured (the input kind left to the caller).
    pub fn measured(&self) -> SessionStats {
        self.measured.clone()
    }

    /// Leaves the room (if it joined) and stops the job.
    pub fn leave(&mut self) {
        if self.outbox.is_some() {
            let _ = self.router.command(Command::Signal { conn: self.conn, signal: ClientSignal::Leave { reason: DisconnectReason::ClientInitiated } });
            self.outbox = None;
        }
        self.job = None;
        self.outputs = None;
    }
}

impl<R: Router> Drop for Publisher<R> {
    fn drop(&mut self) {
        self.leave();
    }
}

fn quality(i: usize) -> VideoQuality {
    match i {
        0 => VideoQuality::Low,
        1 => VideoQuality::Medium,
        _ => VideoQuality::High,
    }
}
