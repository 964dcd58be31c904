//! [`HlsPackager`]: frames on a common timeline → init segment, parts and segments (see
//! the module docs of [`crate::hls`] for how they are cut).

use super::event::{HlsConfig, HlsEvent};
use crate::depack::opus::packet_samples;
use crate::depack::{Frame, MAX_FRAME};
use crate::error::MuxError;
use crate::mp4::boxes::{InitTrack, NON_SYNC, SYNC, Sample, TrackConfig, Traf, put_init, put_moof};
use crate::mp4::writer::avc_config;
use std::collections::VecDeque;
use std::time::Duration;

/// The packager's own clock, in ticks per second: the least common multiple of 90 kHz
/// (video) and 48 kHz (audio), so both convert exactly.
const TICKS: u64 = 720_000;
/// Ticks per 90 kHz unit.
const VIDEO_TICK: u64 = TICKS / 90_000;
/// Ticks per 48 kHz unit.
const AUDIO_TICK: u64 = TICKS / 48_000;
/// The largest forward step between two frames of one track; a larger one is refused.
const MAX_STEP_SECS: u64 = 600;
/// Audio this far past the last video frame means video stalled (a muted camera): parts
/// are then cut on audio alone (segments still wait for a keyframe).
const STALL: u64 = TICKS;
/// Bytes waiting for a cut, at most; a frame past this is refused.
const MAX_PENDING: usize = 64 << 20;
/// The duration given to the very last video frame when no interval is known (1/30 s).
const DEFAULT_INTERVAL: u64 = 3_000;
/// The media sequence number of the first segment. Not 0: hls.js block-reloads a live
/// playlist only once its last segment's number is not 0 (`details.endSN` is tested for
/// truth), so a stream starting at 0 waits a whole target duration for its second playlist
/// and stalls at the start (then holds a second more of latency for the rest of the stream).
pub const FIRST_MSN: u64 = 1;
/// The video track's ID in the init segment.
const VIDEO_ID: u32 = 1;
/// The audio track's ID.
const AUDIO_ID: u32 = 2;

/// A frame waiting to go into a part.
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// Time in the track's clock (90 or 48 kHz), as given.
    ts: u64,
    /// The same in ticks.
    at: u64,
    size: u32,
    key: bool,
    /// Duration in the track's clock; 0 for the last video frame (not known yet).
    duration: u32,
}

/// One track's frames waiting for a cut.
#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Pending>,
    data: Vec<u8>,
    last: Option<u64>,
    samples: Vec<Sample>,
}

impl Queue {
    /// Checks that `ts` follows the last frame, by at most [`MAX_STEP_SECS`].
    fn check(&self, ts: u64, clock: u64, what: &'static str) -> Result<(), MuxError> {
        match self.last {
            Some(last) if ts <= last => Err(MuxError::Invalid { what, why: "timestamp not after the previous frame's" }),
            Some(last) if ts - last > MAX_STEP_SECS * clock => Err(MuxError::Invalid { what, why: "timestamp jumps more than 10 minutes" }),
            _ => Ok(()),
        }
    }

    fn push(&mut self, frame: Pending, data: &[u8]) {
        self.frames.push_back(frame);
        self.data.extend_from_slice(data);
        self.last = Some(frame.ts);
    }

    /// Fills `samples` with the first `n` frames (an audio frame lasts until the next one
    /// in the part, the last one its own length); returns the first frame's time, whether
    /// it is a keyframe, and the bytes they take.
    fn take(&mut self, n: usize) -> Option<(u64, bool, usize)> {
        self.samples.clear();
        let first = *self.frames.front()?;
        let mut bytes = 0;
        let n = n.min(self.frames.len());
        for (k, f) in self.frames.iter().take(n).enumerate() {
            let duration = match self.frames.get(k + 1) {
                Some(next) if k + 1 < n => u32::try_from(next.ts.saturating_sub(f.ts)).unwrap_or(u32::MAX),
                _ => f.duration,
            };
            self.samples.push(Sample { duration, size: f.size, flags: if f.key { SYNC } else { NON_SYNC } });
            bytes += f.size as usize;
        }
        Some((first.ts, first.key, bytes))
    }
}

/// Cuts H.264 and Opus frames into LL-HLS parts and segments (CMAF fragments), sans-IO.
/// Feed it with [`HlsPackager::video`] and [`HlsPackager::audio`], then drain
/// [`HlsPackager::poll`].
#[derive(Debug)]
pub struct HlsPackager {
    segment_target: u64,
    part_target: u64,
    video: bool,
    audio: Option<(u8, u16)>,
    started: bool,
    finished: bool,
    /// The track times that map to decode time 0 (the first frame's time).
    video_origin: u64,
    audio_origin: u64,
    msn: u64,
    index: u32,
    segment_start: u64,
    part_start: u64,
    v: Queue,
    a: Queue,
    /// The last video frame interval (90 kHz) up to a second: the estimate for the next one.
    interval: u64,
    last_video_at: u64,
    /// The end of the last audio packet, in ticks.
    audio_end: u64,
    asked: Option<u64>,
    seq: u32,
    dropped: u64,
    events: VecDeque<HlsEvent>,
}

fn ticks(d: Duration) -> u64 {
    u64::try_from(d.as_nanos() * u128::from(TICKS) / 1_000_000_000).unwrap_or(u64::MAX)
}

fn duration(ticks: u64) -> Duration {
    Duration::from_nanos(u64::try_from(u128::from(ticks) * 1_000_000_000 / u128::from(TICKS)).unwrap_or(u64::MAX))
}

impl HlsPackager {
    /// A packager for a video track (H.264, if `video`) and an audio track (Opus with
    /// `(channels, pre_skip)`), at least one of them. Fails on a config where a part
    /// target is zero or longer than the segment target, or `live_segments` is 0.
    pub fn new(config: HlsConfig, video: bool, audio: Option<(u8, u16)>) -> Result<Self, MuxError> {
        if !video && audio.is_none() {
            return Err(MuxError::Unsupported("an HLS stream needs a video or an audio track"));
        }
        let (segment_target, part_target) = (ticks(config.segment_target), ticks(config.part_target));
        if part_target == 0 || part_target > segment_target || config.live_segments == 0 {
            return Err(MuxError::Unsupported("HLS config: need 0 < part_target <= segment_target and live_segments > 0"));
        }
        Ok(Self {
            segment_target,
            part_target,
            video,
            audio: audio.map(|(c, p)| (c.clamp(1, 2), p)),
            started: false,
            finished: false,
            video_origin: 0,
            audio_origin: 0,
            msn: FIRST_MSN,
            index: 0,
            segment_start: 0,
            part_start: 0,
            v: Queue::default(),
            a: Queue::default(),
            interval: DEFAULT_INTERVAL,
            last_video_at: 0,
            audio_end: 0,
            asked: None,
            seq: 0,
            dropped: 0,
            events: VecDeque::new(),
        })
    }

    fn open(&self, what: &'static str, data: &[u8]) -> Result<u32, MuxError> {
        if self.finished {
            return Err(MuxError::Unsupported("the HLS stream has ended"));
        }
        if data.is_empty() {
            return Err(MuxError::Invalid { what, why: "empty frame" });
        }
        if data.len() > MAX_FRAME || self.v.data.len() + self.a.data.len() + data.len() > MAX_PENDING {
            return Err(MuxError::FrameTooLarge(MAX_FRAME.min(MAX_PENDING)));
        }
        u32::try_from(data.len()).map_err(|_| MuxError::FrameTooLarge(MAX_FRAME))
    }

    fn start(&mut self, at: u64, init: Vec<u8>) {
        self.started = true;
        self.video_origin = at / VIDEO_TICK;
        self.audio_origin = at.div_ceil(AUDIO_TICK);
        (self.segment_start, self.part_start, self.last_video_at) = (at, at, at);
        self.events.push_back(HlsEvent::Init(init));
    }

    fn init_segment(&self, video: Option<TrackConfig<'_>>) -> Vec<u8> {
        let mut tracks = Vec::with_capacity(2);
        if let Some(config) = video {
            tracks.push(InitTrack { id: VIDEO_ID, config });
        }
        if let Some((channels, pre_skip)) = self.audio {
            tracks.push(InitTrack { id: AUDIO_ID, config: TrackConfig::Opus { channels, pre_skip } });
        }
        let mut buf = Vec::new();
        put_init(&mut buf, &tracks);
        buf
    }

    /// A video access unit (length-prefixed NAL units, as [`crate::Depacketizer`] gives
    /// them), `ts` in 90 kHz units on the stream's common timeline. Frames before the
    /// first keyframe with SPS and PPS are dropped (counted in [`HlsPackager::dropped`]).
    /// An error (no video track, empty or oversized frame, a timestamp not after the
    /// previous frame's or more than 10 minutes after it, a bad SPS, after
    /// [`HlsPackager::finish`]) drops the frame; the stream goes on.
    pub fn video(&mut self, ts: u64, frame: Frame<'_>) -> Result<(), MuxError> {
        const WHAT: &str = "HLS video frame";
        if !self.video {
            return Err(MuxError::Unsupported("this HLS stream has no video track"));
        }
        let size = self.open(WHAT, frame.data)?;
        self.v.check(ts, 90_000, WHAT)?;
        let at = ts.checked_mul(VIDEO_TICK).ok_or(MuxError::Invalid { what: WHAT, why: "timestamp out of range" })?;
        if !self.started {
            let config = if frame.keyframe { avc_config(frame.data)? } else { None };
            let Some(config) = config else {
                self.dropped += 1;
                return Ok(());
            };
            let init = self.init_segment(Some(TrackConfig::Avc(config)));
            self.start(at, init);
        } else if let Some(last) = self.v.frames.back_mut() {
            // The previous frame is complete: it lasts until this one.
            let interval = ts - last.ts;
            last.duration = u32::try_from(interval).unwrap_or(u32::MAX);
            if interval <= 90_000 {
                self.interval = interval; // a longer one is a pause, not the frame rate
            }
            if frame.keyframe && at >= self.segment_start.saturating_add(self.segment_target) {
                self.cut(at, true);
            } else if at > self.part_start && at.saturating_add(interval * VIDEO_TICK) > self.part_start.saturating_add(self.part_cut()) {
                self.cut(at, false);
            }
        }
        self.v.push(Pending { ts, at, size, key: frame.keyframe, duration: 0 }, frame.data);
        self.last_video_at = at;
        Ok(())
    }

    /// An Opus packet, `ts` in 48 kHz units on the same common timeline. With a video
    /// track, audio before the first video keyframe (or before its time) is dropped and
    /// counted in [`HlsPackager::dropped`]. Errors as for [`HlsPackager::video`], and a
    /// malformed Opus TOC.
    pub fn audio(&mut self, ts: u64, frame: Frame<'_>) -> Result<(), MuxError> {
        const WHAT: &str = "HLS audio frame";
        if self.audio.is_none() {
            return Err(MuxError::Unsupported("this HLS stream has no audio track"));
        }
        let size = self.open(WHAT, frame.data)?;
        let samples = packet_samples(frame.data)?;
        self.a.check(ts, 48_000, WHAT)?;
        let at = ts.checked_mul(AUDIO_TICK).ok_or(MuxError::Invalid { what: WHAT, why: "timestamp out of range" })?;
        let length = u64::from(samples) * AUDIO_TICK;
        if !self.started {
            if self.video {
                self.dropped += 1;
                return Ok(());
            }
            let init = self.init_segment(None);
            self.start(at, init);
        } else if ts < self.audio_origin {
            self.dropped += 1;
            return Ok(());
        } else if (!self.video || at > self.last_video_at.saturating_add(STALL)) && at >= self.segment_start.saturating_add(self.segment_target) {
            // Audio only, or the video stalled (a muted camera): audio ends segments too, so
            // they keep their length and the live window keeps moving. The audio that waited
            // for the stall to show goes out first in parts of at most the target.
            self.cut_on_audio();
            self.cut(at, true);
        }
        self.a.push(Pending { ts, at, size, key: true, duration: samples }, frame.data);
        self.audio_end = self.audio_end.max(at.saturating_add(length));
        if !self.video || at > self.last_video_at.saturating_add(STALL) {
            self.cut_on_audio();
        }
        Ok(())
    }

    /// Audio drives the parts (audio only, or video stalled): cuts before each pending
    /// packet that would take its part past the target.
    fn cut_on_audio(&mut self) {
        loop {
            let (start, limit) = (self.part_start, self.part_start.saturating_add(self.part_target));
            let next = self.a.frames.iter().skip(1).find(|f| f.at > start && f.at.saturating_add(u64::from(f.duration) * AUDIO_TICK) > limit);
            let Some(at) = next.map(|f| f.at) else { return };
            self.cut(at, false);
            if self.part_start != at {
                return; // nothing was cut (cannot happen: the first packet is before `at`)
            }
        }
    }

    /// Where a part is cut: a tenth short of the part target, so that a frame that arrives
    /// late (capture jitter) still ends inside the target the playlist declares.
    fn part_cut(&self) -> u64 {
        self.part_target - self.part_target / 10
    }

    /// Emits the part of every complete frame before `at` (if there is one) and, with
    /// `segment_end`, ends the segment there.
    fn cut(&mut self, at: u64, segment_end: bool) {
        let nv = self.v.frames.iter().take_while(|f| f.duration > 0 && f.at < at).count();
        let na = self.a.frames.iter().take_while(|f| f.at < at).count();
        let at = at.max(self.part_start);
        if nv + na > 0 {
            let video = if nv > 0 { self.v.take(nv) } else { None };
            let audio = if na > 0 { self.a.take(na) } else { None };
            let mut trafs = Vec::with_capacity(2);
            if let Some((ts, _, _)) = video {
                trafs.push(Traf { track_id: VIDEO_ID, base_time: ts.saturating_sub(self.video_origin), samples: &self.v.samples });
            }
            if let Some((ts, _, _)) = audio {
                trafs.push(Traf { track_id: AUDIO_ID, base_time: ts.saturating_sub(self.audio_origin), samples: &self.a.samples });
            }
            let (vbytes, abytes) = (video.map_or(0, |v| v.2), audio.map_or(0, |a| a.2));
            self.seq = self.seq.wrapping_add(1);
            let mut data = Vec::with_capacity(256 + vbytes + abytes);
            put_moof(&mut data, self.seq, &trafs);
            data.extend_from_slice(&((8 + vbytes + abytes) as u32).to_be_bytes());
            data.extend_from_slice(b"mdat");
            data.extend_from_slice(self.v.data.get(..vbytes).unwrap_or_default());
            data.extend_from_slice(self.a.data.get(..abytes).unwrap_or_default());
            self.v.data.drain(..vbytes.min(self.v.data.len()));
            self.a.data.drain(..abytes.min(self.a.data.len()));
            self.v.frames.drain(..nv);
            self.a.frames.drain(..na);
            let independent = if self.video { video.is_some_and(|v| v.1) } else { true };
            let (msn, index, duration) = (self.msn, self.index, duration(at - self.part_start));
            self.events.push_back(HlsEvent::Part { msn, index, duration, independent, data });
            self.index += 1;
            self.part_start = at;
        }
        if segment_end && self.index > 0 {
            self.events.push_back(HlsEvent::SegmentEnd { msn: self.msn, duration: duration(at - self.segment_start) });
            (self.msn, self.index, self.segment_start, self.part_start, self.asked) = (self.msn + 1, 0, at, at, None);
        }
    }

    /// What happened since the last call, in order: [`HlsEvent::Init`] once, then parts
    /// and segment ends, and [`HlsEvent::End`] after [`HlsPackager::finish`].
    pub fn poll(&mut self) -> Option<HlsEvent> {
        self.events.pop_front()
    }

    /// Parts cut and not yet polled (a caller measuring how long a part took to come out
    /// compares this before and after giving a frame).
    pub fn queued_parts(&self) -> usize {
        self.events.iter().filter(|e| matches!(e, HlsEvent::Part { .. })).count()
    }

    /// True when the current segment has reached its target and a video keyframe is
    /// needed to cut it: the caller then asks the sender for one. True once per segment,
    /// and again after three part targets (of media time) without a keyframe.
    pub fn wants_keyframe(&mut self) -> bool {
        if !self.video || !self.started || self.finished {
            return false;
        }
        let now = self.last_video_at.max(self.audio_end);
        if now < self.segment_start.saturating_add(self.segment_target) {
            return false;
        }
        match self.asked {
            Some(asked) if now < asked.saturating_add(self.part_target.saturating_mul(3)) => false,
            _ => {
                self.asked = Some(now);
                true
            }
        }
    }

    /// Ends the stream: the frames still pending go out as the last part (the last video
    /// frame lasting the previous interval, the last audio packet its own length), the
    /// last segment ends, then [`HlsEvent::End`]. A second call is an error.
    pub fn finish(&mut self) -> Result<(), MuxError> {
        if self.finished {
            return Err(MuxError::Unsupported("the HLS stream has ended"));
        }
        self.finished = true;
        if self.started {
            let mut end = self.audio_end.max(self.part_start);
            if let Some(last) = self.v.frames.back_mut().filter(|f| f.duration == 0) {
                last.duration = u32::try_from(self.interval).unwrap_or(u32::MAX).max(1);
                end = end.max(last.at.saturating_add(u64::from(last.duration) * VIDEO_TICK));
            }
            self.cut(end, true);
        }
        self.events.push_back(HlsEvent::End);
        Ok(())
    }

    /// Frames dropped without an error: video before the first keyframe with SPS and
    /// PPS, audio before the first video keyframe.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The media sequence number of the segment in progress.
    pub fn msn(&self) -> u64 {
        self.msn
    }

    /// Whether [`HlsPackager::finish`] was called.
    pub fn finished(&self) -> bool {
        self.finished
    }
}
