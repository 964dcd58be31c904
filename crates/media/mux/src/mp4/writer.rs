//! A fragmented MP4 writer for one H.264 (or Opus) track. The init segment (`ftyp` +
//! `moov`) is written at the first keyframe, from its SPS/PPS (Opus: at once); then each
//! fragment is one `moof` + `mdat`, cut at every video keyframe and after at most a second, so a file cut after any
//! fragment is valid and a crash loses at most the fragment in progress. Samples are the
//! depacketizer's length-prefixed NAL units; SPS/PPS stay in band (consistent with
//! `avcC`, which holds the first ones).

use super::boxes::{AUDIO_TIMESCALE, AvcConfig, InitTrack, NON_SYNC, SYNC, Sample, TIMESCALE, TRACK_ID, TrackConfig, Traf, put_init, put_moof};
use crate::depack::h264::{nal, sample_nals};
use crate::depack::{Frame, opus::packet_samples};
use crate::error::MuxError;
use crate::out::{Out, Span};
use hikari_codec::SpsInfo;
use std::io::Write;

/// The duration given to a last video sample whose successor is unknown (1/30 s).
const DEFAULT_DURATION: u32 = 3_000;

/// The `avcC` parameters of an H.264 keyframe sample (length-prefixed NAL units), from
/// its first SPS and PPS; `None` when it carries either not.
pub(crate) fn avc_config(sample: &[u8]) -> Result<Option<AvcConfig<'_>>, MuxError> {
    let find = |t: u8| sample_nals(sample).find(|n| n.first().is_some_and(|h| h & 0x1f == t));
    let (Some(sps), Some(pps)) = (find(nal::SPS), find(nal::PPS)) else { return Ok(None) };
    let info = SpsInfo::parse(sps)?;
    let (Ok(width), Ok(height)) = (u16::try_from(info.width), u16::try_from(info.height)) else {
        return Err(MuxError::Invalid { what: "H.264 SPS", why: "picture wider or taller than 65535" });
    };
    Ok(Some(AvcConfig { sps, pps, width, height, chroma_format_idc: info.chroma_format_idc as u8, bit_depth: info.bit_depth as u8 }))
}

/// The track an [`Fmp4Writer`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mp4Track {
    /// H.264 video, 90 kHz.
    H264,
    /// Opus audio, 48 kHz.
    Opus {
        /// 1 or 2.
        channels: u8,
        /// Encoder delay in 48 kHz samples.
        pre_skip: u16,
    },
}

/// Writes one H.264 or Opus track as a fragmented MP4.
#[derive(Debug)]
pub struct Fmp4Writer<W> {
    out: Out<W>,
    track: Mp4Track,
    timescale: u32,
    started: bool,
    seq: u32,
    pending: Vec<(u64, u32, bool)>,
    mdat: Vec<u8>,
    samples: Vec<Sample>,
    buf: Vec<u8>,
    origin: Option<u64>,
    last_duration: u32,
    span: Span,
    skipped: u64,
}

impl<W: Write> Fmp4Writer<W> {
    /// An H.264 writer into `w`.
    pub fn new(w: W) -> Self {
        Self::with_track(w, Mp4Track::H264)
    }

    /// A writer of `track` into `w`.
    pub fn with_track(w: W, track: Mp4Track) -> Self {
        let timescale = if track == Mp4Track::H264 { TIMESCALE } else { AUDIO_TIMESCALE };
        Self {
            out: Out::new(w),
            track,
            timescale,
            started: false,
            seq: 0,
            pending: Vec::new(),
            mdat: Vec::new(),
            samples: Vec::new(),
            buf: Vec::new(),
            origin: None,
            last_duration: DEFAULT_DURATION,
            span: Span::default(),
            skipped: 0,
        }
    }

    fn init(&mut self, sample: &[u8]) -> Result<bool, MuxError> {
        if let Mp4Track::Opus { channels, pre_skip } = self.track {
            self.buf.clear();
            put_init(&mut self.buf, &[InitTrack { id: TRACK_ID, config: TrackConfig::Opus { channels, pre_skip } }]);
            self.out.put(&self.buf)?;
            return Ok(true);
        }
        let Some(config) = avc_config(sample)? else { return Ok(false) };
        self.buf.clear();
        put_init(&mut self.buf, &[InitTrack { id: TRACK_ID, config: TrackConfig::Avc(config) }]);
        self.out.put(&self.buf)?;
        self.out.w.flush()?;
        Ok(true)
    }

    /// Adds one access unit (length-prefixed NAL units) or Opus packet. Video before the
    /// first keyframe that carries SPS and PPS is skipped.
    pub fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError> {
        let audio_samples = match self.track {
            Mp4Track::Opus { .. } => Some(packet_samples(frame.data)?),
            Mp4Track::H264 => None,
        };
        if !self.started {
            if !frame.keyframe || !self.init(frame.data)? {
                self.skipped += 1;
                return Ok(());
            }
            self.started = true;
        }
        let size = u32::try_from(frame.data.len()).map_err(|_| MuxError::FrameTooLarge(u32::MAX as usize))?;
        let ts = frame.ts - *self.origin.get_or_insert(frame.ts);
        if let Some(&(start, _, _)) = self.pending.first()
            && ((audio_samples.is_none() && frame.keyframe) || ts - start >= u64::from(self.timescale))
        {
            self.fragment(ts)?;
        }
        self.pending.push((ts, size, frame.keyframe));
        self.mdat.extend_from_slice(frame.data);
        self.span.add(ts, audio_samples.map(u64::from));
        if let Some(samples) = audio_samples {
            self.last_duration = samples;
        }
        Ok(())
    }

    /// Writes the pending samples as one fragment; the last one lasts until `end`.
    fn fragment(&mut self, end: u64) -> Result<(), MuxError> {
        let Some(&(base, _, _)) = self.pending.first() else { return Ok(()) };
        self.samples.clear();
        for (k, &(ts, size, key)) in self.pending.iter().enumerate() {
            let next = self.pending.get(k + 1).map_or(end, |p| p.0);
            let duration = u32::try_from(next.saturating_sub(ts)).unwrap_or(u32::MAX);
            self.samples.push(Sample { duration, size, flags: if key { SYNC } else { NON_SYNC } });
            if duration > 0 && self.track == Mp4Track::H264 {
                self.last_duration = duration;
            }
        }
        self.seq += 1;
        self.buf.clear();
        put_moof(&mut self.buf, self.seq, &[Traf { track_id: TRACK_ID, base_time: base, samples: &self.samples }]);
        let mdat_size = u32::try_from(8 + self.mdat.len()).map_err(|_| MuxError::FrameTooLarge(u32::MAX as usize))?;
        self.buf.extend_from_slice(&mdat_size.to_be_bytes());
        self.buf.extend_from_slice(b"mdat");
        self.out.put(&self.buf)?;
        self.out.put(&self.mdat)?;
        self.out.w.flush()?;
        self.pending.clear();
        self.mdat.clear();
        Ok(())
    }

    /// [`Fmp4Writer::close`], then gives the output back.
    pub fn finish(mut self) -> Result<W, MuxError> {
        self.close()?;
        Ok(self.out.w)
    }

    /// The output.
    pub fn into_inner(self) -> W {
        self.out.w
    }

    /// Writes the last fragment and flushes.
    pub fn close(&mut self) -> Result<(), MuxError> {
        if let Some(&(last, _, _)) = self.pending.last() {
            let interval = match self.pending.as_slice() {
                [.., (a, _, _), (b, _, _)] if b > a && self.track == Mp4Track::H264 => u32::try_from(b - a).unwrap_or(DEFAULT_DURATION),
                _ => self.last_duration,
            };
            self.fragment(last + u64::from(interval))?;
        }
        self.out.w.flush()?;
        Ok(())
    }

    /// Seconds from the first frame to the end of the last one.
    pub fn duration_secs(&self) -> f64 {
        let single = self.span.frames == 1 && self.track == Mp4Track::H264;
        let d = self.span.duration() + if single { u64::from(DEFAULT_DURATION) } else { 0 };
        d as f64 / f64::from(self.timescale)
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.out.bytes
    }

    /// Frames written or pending in the current fragment.
    pub fn frames(&self) -> u64 {
        self.span.frames
    }

    /// Frames skipped while waiting for a keyframe with SPS and PPS.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The output.
    pub fn get_ref(&self) -> &W {
        &self.out.w
    }
}
