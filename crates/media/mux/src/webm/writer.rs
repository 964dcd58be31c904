//! A live WebM writer for one track (VP8, VP9 or Opus): EBML header, a Segment of unknown
//! size, Info, Tracks, then Clusters of unknown size holding SimpleBlocks. Everything is
//! written as it comes, so a file cut anywhere after the first block plays up to the cut.
//! A cluster starts at each video keyframe, every 5 s of audio, and whenever a block's
//! time would leave the cluster's signed 16-bit range. Info holds an 11-byte Void where a
//! seekable output gets its Duration on finish ([`WebmWriter::duration_patch`]).

use super::ebml::{UNKNOWN_SIZE, id, put_bytes, put_float, put_id, put_master, put_size, put_uint, put_void, size_len};
use crate::depack::{Frame, opus::packet_samples};
use crate::error::MuxError;
use crate::ogg::opus_head;
use crate::out::{Out, Span};
use std::io::Write;

/// A new audio cluster starts after this many milliseconds.
const AUDIO_CLUSTER_MS: u64 = 5_000;
/// The picture size written when neither the keyframe nor a hint gives one.
const DEFAULT_SIZE: (u32, u32) = (640, 480);

/// The track a [`WebmWriter`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebmTrack {
    /// VP8 video (`V_VP8`).
    Vp8,
    /// VP9 video (`V_VP9`).
    Vp9,
    /// Opus audio (`A_OPUS`).
    Opus {
        /// 1 or 2.
        channels: u8,
        /// Encoder delay in 48 kHz samples (OpusHead pre-skip, and CodecDelay).
        pre_skip: u16,
    },
}

impl WebmTrack {
    fn video(self) -> bool {
        !matches!(self, WebmTrack::Opus { .. })
    }

    fn clock(self) -> u64 {
        if self.video() { 90_000 } else { 48_000 }
    }
}

/// Writes one track as a live WebM file.
#[derive(Debug)]
pub struct WebmWriter<W> {
    out: Out<W>,
    track: WebmTrack,
    size_hint: Option<(u32, u32)>,
    started: bool,
    void_at: u64,
    cluster_ms: Option<u64>,
    origin: Option<u64>,
    span: Span,
    skipped: u64,
    buf: Vec<u8>,
}

impl<W: Write> WebmWriter<W> {
    /// A writer for `track`; `size_hint` is the picture size used when a keyframe's
    /// header does not give one.
    pub fn new(w: W, track: WebmTrack, size_hint: Option<(u32, u32)>) -> Self {
        Self {
            out: Out::new(w),
            track,
            size_hint,
            started: false,
            void_at: 0,
            cluster_ms: None,
            origin: None,
            span: Span::default(),
            skipped: 0,
            buf: Vec::new(),
        }
    }

    fn header(&mut self, size: Option<(u32, u32)>) -> Result<(), MuxError> {
        let mut b = Vec::with_capacity(256);
        put_master(&mut b, id::EBML, |e| {
            put_uint(e, id::EBML_VERSION, 1);
            put_uint(e, id::EBML_READ_VERSION, 1);
            put_uint(e, id::EBML_MAX_ID_LENGTH, 4);
            put_uint(e, id::EBML_MAX_SIZE_LENGTH, 8);
            put_bytes(e, id::DOC_TYPE, b"webm");
            put_uint(e, id::DOC_TYPE_VERSION, 4);
            put_uint(e, id::DOC_TYPE_READ_VERSION, 2);
        });
        put_id(&mut b, id::SEGMENT);
        b.extend_from_slice(&UNKNOWN_SIZE);
        let mut info = Vec::new();
        put_uint(&mut info, id::TIMESTAMP_SCALE, 1_000_000);
        put_bytes(&mut info, id::MUXING_APP, b"hikari");
        put_bytes(&mut info, id::WRITING_APP, b"hikari");
        let void_in_info = info.len();
        put_void(&mut info, 11);
        put_id(&mut b, id::INFO);
        put_size(&mut b, info.len() as u64);
        self.void_at = self.out.bytes + (b.len() + void_in_info) as u64;
        b.extend_from_slice(&info);
        let track = self.track;
        put_master(&mut b, id::TRACKS, |t| {
            put_master(t, id::TRACK_ENTRY, |e| {
                put_uint(e, id::TRACK_NUMBER, 1);
                put_uint(e, id::TRACK_UID, 1);
                put_uint(e, id::FLAG_LACING, 0);
                match track {
                    WebmTrack::Vp8 | WebmTrack::Vp9 => {
                        put_uint(e, id::TRACK_TYPE, 1);
                        put_bytes(e, id::CODEC_ID, if track == WebmTrack::Vp8 { b"V_VP8" } else { b"V_VP9" });
                        let (w, h) = size.unwrap_or(DEFAULT_SIZE);
                        put_master(e, id::VIDEO, |v| {
                            put_uint(v, id::PIXEL_WIDTH, w.into());
                            put_uint(v, id::PIXEL_HEIGHT, h.into());
                        });
                    }
                    WebmTrack::Opus { channels, pre_skip } => {
                        put_uint(e, id::TRACK_TYPE, 2);
                        put_bytes(e, id::CODEC_ID, b"A_OPUS");
                        put_bytes(e, id::CODEC_PRIVATE, &opus_head(channels, pre_skip));
                        put_uint(e, id::CODEC_DELAY, u64::from(pre_skip) * 1_000_000_000 / 48_000);
                        put_uint(e, id::SEEK_PRE_ROLL, 80_000_000);
                        put_master(e, id::AUDIO, |a| {
                            put_float(a, id::SAMPLING_FREQUENCY, 48_000.0);
                            put_uint(a, id::CHANNELS, channels.into());
                        });
                    }
                }
            });
        });
        self.out.put(&b)?;
        self.started = true;
        Ok(())
    }

    /// Adds one frame. Video before the first keyframe is skipped.
    pub fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError> {
        let video = self.track.video();
        let audio_samples = if video { None } else { Some(u64::from(packet_samples(frame.data)?)) };
        if !self.started {
            if video && !frame.keyframe {
                self.skipped += 1;
                return Ok(());
            }
            self.header(frame.size.or(self.size_hint))?;
        }
        let ts = frame.ts - *self.origin.get_or_insert(frame.ts);
        let ms = u64::try_from(u128::from(ts) * 1000 / u128::from(self.track.clock())).unwrap_or(u64::MAX);
        let new_cluster = match self.cluster_ms {
            None => true,
            Some(c) => (video && frame.keyframe) || ms - c > i16::MAX as u64 || (!video && ms - c >= AUDIO_CLUSTER_MS),
        };
        self.buf.clear();
        if new_cluster {
            if self.cluster_ms.is_some() {
                self.out.w.flush()?;
            }
            put_id(&mut self.buf, id::CLUSTER);
            self.buf.extend_from_slice(&UNKNOWN_SIZE);
            put_uint(&mut self.buf, id::TIMESTAMP, ms);
            self.cluster_ms = Some(ms);
        }
        let rel = (ms - self.cluster_ms.unwrap_or(ms)) as i16;
        put_id(&mut self.buf, id::SIMPLE_BLOCK);
        put_size(&mut self.buf, 4 + frame.data.len() as u64);
        self.buf.push(0x81); // track number 1
        self.buf.extend_from_slice(&rel.to_be_bytes());
        self.buf.push(if frame.keyframe { 0x80 } else { 0 });
        self.out.put(&self.buf)?;
        self.out.put(frame.data)?;
        self.span.add(ts, audio_samples);
        Ok(())
    }

    /// Writes the header if nothing came (audio) and flushes.
    pub fn close(&mut self) -> Result<(), MuxError> {
        if !self.started && !self.track.video() {
            self.header(None)?;
        }
        self.out.w.flush()?;
        Ok(())
    }

    /// [`WebmWriter::close`], then gives the output back.
    pub fn finish(mut self) -> Result<W, MuxError> {
        self.close()?;
        Ok(self.out.w)
    }

    /// The output.
    pub fn into_inner(self) -> W {
        self.out.w
    }

    /// Where the Info's Void sits (from the first byte this writer wrote) and the Duration
    /// element of the same size to overwrite it with, once the output can seek.
    pub fn duration_patch(&self) -> Option<(u64, [u8; 11])> {
        if !self.started {
            return None;
        }
        let mut b = Vec::with_capacity(11);
        put_float(&mut b, id::DURATION, self.duration_secs() * 1000.0);
        debug_assert_eq!(b.len(), 11);
        debug_assert_eq!(size_len(8), 1);
        Some((self.void_at, b.try_into().ok()?))
    }

    /// Seconds from the first frame to the end of the last one.
    pub fn duration_secs(&self) -> f64 {
        self.span.duration() as f64 / self.track.clock() as f64
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.out.bytes
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.span.frames
    }

    /// Video frames skipped while waiting for the first keyframe.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The output.
    pub fn get_ref(&self) -> &W {
        &self.out.w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_a_keyframe_and_clusters_at_keyframes() {
        let mut w = WebmWriter::new(Vec::new(), WebmTrack::Vp8, None);
        let delta = [0x01, 0, 0];
        let key = [0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00];
        w.frame(Frame { ts: 0, keyframe: false, size: None, data: &delta }).expect("delta");
        assert_eq!(w.bytes(), 0);
        for (i, k) in [true, false, false, true, false].into_iter().enumerate() {
            let data: &[u8] = if k { &key } else { &delta };
            w.frame(Frame { ts: 3000 * (i as u64 + 1), keyframe: k, size: k.then_some((320, 240)), data }).expect("frame");
        }
        assert_eq!((w.frames(), w.skipped()), (5, 1));
        assert!((w.duration_secs() - 5.0 / 30.0).abs() < 1e-9);
        let (at, patch) = w.duration_patch().expect("patch");
        let out = w.finish().expect("finish");
        assert_eq!(&out[at as usize..at as usize + 2], [0xec, 0x89]); // the Void
        assert_eq!(&patch[..3], [0x44, 0x89, 0x88]);
        let clusters = out.windows(4).filter(|w| *w == [0x1f, 0x43, 0xb6, 0x75]).count();
        assert_eq!(clusters, 2);
        assert!(out.windows(5).any(|w| w == b"V_VP8"));
    }

    #[test]
    fn long_gap_starts_a_cluster() {
        let mut w = WebmWriter::new(Vec::new(), WebmTrack::Opus { channels: 2, pre_skip: 312 }, None);
        for ts in [0, 960, 48_000 * 40, 48_000 * 40 + 960] {
            w.frame(Frame { ts, keyframe: true, size: None, data: &[0xfc, 0] }).expect("frame");
        }
        let out = w.finish().expect("finish");
        assert_eq!(out.windows(4).filter(|w| *w == [0x1f, 0x43, 0xb6, 0x75]).count(), 2);
    }
}
