//! [`TrackRecorder`]: one track's RTP packets in, one recording file out. It picks the
//! depacketizer for the codec and the container for the file (Opus → Ogg, VP8/VP9 →
//! WebM, H.264 → fragmented MP4; Opus → WebM on request) and keeps the counters.

use crate::codec::{Codec, Container, Packet};
use crate::depack::{Frame, FrameSink};
use crate::depacketizer::Depacketizer;
use crate::error::MuxError;
use crate::mp4::writer::{Fmp4Writer, Mp4Track};
use crate::ogg::OggOpusWriter;
use crate::webm::writer::{WebmTrack, WebmWriter};
use std::io::{Seek, SeekFrom, Write};
use std::time::Duration;

/// Where to overwrite what with, once the output can seek (a WebM Duration).
type DurationPatch = (u64, [u8; 11]);

/// Choices beyond the codec; `Default` gives what [`TrackRecorder::new`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The container; `None` picks [`Codec::container`].
    pub container: Option<Container>,
    /// Opus channels (1 or 2; the SDP's `stereo` and the OpusHead say 2 for WebRTC).
    pub channels: u8,
    /// Opus encoder delay in 48 kHz samples (libopus: 312).
    pub pre_skip: u16,
    /// The picture size used when a VP8/VP9 keyframe does not give one.
    pub size_hint: Option<(u32, u32)>,
}

impl Default for Options {
    fn default() -> Self {
        Self { container: None, channels: 2, pre_skip: 312, size_hint: None }
    }
}

/// What a recording holds so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Packets pushed.
    pub packets: u64,
    /// Packets refused as malformed (their frames were dropped).
    pub bad_packets: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Frames written (or pending in the current MP4 fragment).
    pub frames: u64,
    /// From the first frame to the end of the last one.
    pub duration: Duration,
    /// Frames lost or dropped: broken by loss, waiting for a keyframe, malformed.
    pub dropped_frames: u64,
}

#[derive(Debug)]
enum Writer<W> {
    Ogg(OggOpusWriter<W>),
    Webm(WebmWriter<W>),
    Mp4(Fmp4Writer<W>),
}

impl<W: Write> FrameSink for Writer<W> {
    fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError> {
        match self {
            Writer::Ogg(w) => w.frame(frame),
            Writer::Webm(w) => w.frame(frame),
            Writer::Mp4(w) => w.frame(frame),
        }
    }
}

/// Records one track: RTP packets in, a file written to `W` as it goes (sans-IO: no
/// clock, no file opened here; time comes from the RTP timestamps).
#[derive(Debug)]
pub struct TrackRecorder<W> {
    depack: Depacketizer,
    writer: Writer<W>,
    packets: u64,
    bad_packets: u64,
    failed: bool,
}

impl<W: Write> TrackRecorder<W> {
    /// A recorder writing `codec`'s default container ([`Codec::container`]) to `w`.
    pub fn new(codec: Codec, w: W) -> Self {
        let writer = match codec {
            Codec::Opus => Writer::Ogg(OggOpusWriter::new(w, 2, Options::default().pre_skip)),
            Codec::Vp8 => Writer::Webm(WebmWriter::new(w, WebmTrack::Vp8, None)),
            Codec::Vp9 => Writer::Webm(WebmWriter::new(w, WebmTrack::Vp9, None)),
            Codec::H264 => Writer::Mp4(Fmp4Writer::new(w)),
        };
        Self::with_writer(codec, writer)
    }

    /// A recorder with [`Options`]; fails when the codec cannot go in the container.
    pub fn with_options(codec: Codec, w: W, options: Options) -> Result<Self, MuxError> {
        let channels = options.channels.clamp(1, 2);
        let writer = match (codec, options.container.unwrap_or(codec.container())) {
            (Codec::Opus, Container::Ogg) => Writer::Ogg(OggOpusWriter::new(w, channels, options.pre_skip)),
            (Codec::Opus, Container::Webm) => Writer::Webm(WebmWriter::new(w, WebmTrack::Opus { channels, pre_skip: options.pre_skip }, None)),
            (Codec::Vp8, Container::Webm) => Writer::Webm(WebmWriter::new(w, WebmTrack::Vp8, options.size_hint)),
            (Codec::Vp9, Container::Webm) => Writer::Webm(WebmWriter::new(w, WebmTrack::Vp9, options.size_hint)),
            (Codec::H264, Container::Mp4) => Writer::Mp4(Fmp4Writer::new(w)),
            (Codec::Opus, Container::Mp4) => Writer::Mp4(Fmp4Writer::with_track(w, Mp4Track::Opus { channels, pre_skip: options.pre_skip })),
            _ => return Err(MuxError::Unsupported("this codec cannot be recorded in this container")),
        };
        Ok(Self::with_writer(codec, writer))
    }

    fn with_writer(codec: Codec, writer: Writer<W>) -> Self {
        Self { depack: Depacketizer::new(codec), writer, packets: 0, bad_packets: 0, failed: false }
    }

    fn check<T>(&mut self, r: Result<T, MuxError>) -> Result<T, MuxError> {
        match &r {
            Err(e) if e.is_fatal() => self.failed = true,
            Err(_) => self.bad_packets += 1,
            Ok(_) => {}
        }
        r
    }

    fn failed(&self) -> Result<(), MuxError> {
        if self.failed { Err(MuxError::Io(std::io::Error::other("an earlier write of this recording failed"))) } else { Ok(()) }
    }

    /// Takes the next packet. A malformed payload is an error that only cost its frame
    /// (keep pushing); an I/O error ([`MuxError::is_fatal`]) ends the recording.
    pub fn push(&mut self, packet: Packet<'_>) -> Result<(), MuxError> {
        self.failed()?;
        self.packets += 1;
        let writer = &mut self.writer;
        let r = self.depack.push(packet, &mut |f| writer.frame(f));
        self.check(r)
    }

    /// The source paused (publisher reconnect, new SSRC): the next packet may jump in
    /// sequence number and timestamp. The file goes on; a forward timestamp jump of up to
    /// 10 minutes is kept as a pause, a larger or backward one becomes one frame's step.
    /// Video resumes at the next keyframe.
    pub fn gap(&mut self) -> Result<(), MuxError> {
        self.failed()?;
        let writer = &mut self.writer;
        let r = self.depack.gap(&mut |f| writer.frame(f));
        self.check(r)
    }

    /// Like [`TrackRecorder::gap`], when the caller measured how long the source was away:
    /// the next packet is placed `elapsed` after the last one, whatever its timestamp.
    pub fn gap_for(&mut self, elapsed: Duration) -> Result<(), MuxError> {
        self.failed()?;
        let writer = &mut self.writer;
        let r = self.depack.gap_for(elapsed, &mut |f| writer.frame(f));
        self.check(r)
    }

    /// What was recorded so far.
    pub fn stats(&self) -> Stats {
        let dropped = self.depack.dropped();
        let (bytes, frames, secs, skipped) = match &self.writer {
            Writer::Ogg(w) => (w.bytes(), w.frames(), w.duration_samples() as f64 / 48_000.0, 0),
            Writer::Webm(w) => (w.bytes(), w.frames(), w.duration_secs(), w.skipped()),
            Writer::Mp4(w) => (w.bytes(), w.frames(), w.duration_secs(), w.skipped()),
        };
        Stats {
            packets: self.packets,
            bad_packets: self.bad_packets,
            bytes,
            frames,
            duration: Duration::from_secs_f64(secs.max(0.0)),
            dropped_frames: dropped + skipped,
        }
    }

    /// The output, as written so far (for a `Vec<u8>`: the file up to now).
    pub fn get_ref(&self) -> &W {
        match &self.writer {
            Writer::Ogg(w) => w.get_ref(),
            Writer::Webm(w) => w.get_ref(),
            Writer::Mp4(w) => w.get_ref(),
        }
    }

    /// Completes the frame in progress, ends the file (Ogg EOS page, last MP4 fragment),
    /// flushes and gives the output back with the final counters. A WebM file written
    /// this way has no Duration (players find it by reading; see
    /// [`TrackRecorder::finish_seekable`]).
    pub fn finish(self) -> Result<(W, Stats), MuxError> {
        self.finish_inner().map(|(w, s, _)| (w, s))
    }

    fn finish_inner(mut self) -> Result<(W, Stats, Option<DurationPatch>), MuxError> {
        self.failed()?;
        let writer = &mut self.writer;
        let r = self.depack.flush(&mut |f| writer.frame(f));
        if let Err(e) = self.check(r)
            && e.is_fatal()
        {
            return Err(e);
        }
        let closed = match &mut self.writer {
            Writer::Ogg(w) => w.close(),
            Writer::Webm(w) => w.close(),
            Writer::Mp4(w) => w.close(),
        };
        self.check(closed)?;
        let stats = self.stats();
        let (w, patch) = match self.writer {
            Writer::Ogg(w) => (w.into_inner(), None),
            Writer::Webm(w) => {
                let patch = w.duration_patch();
                (w.into_inner(), patch)
            }
            Writer::Mp4(w) => (w.into_inner(), None),
        };
        Ok((w, stats, patch))
    }
}

impl<W: Write + Seek> TrackRecorder<W> {
    /// [`TrackRecorder::finish`], then writes what needs going back: a WebM file's
    /// Duration (into the Void kept for it). The output must start where the recorder
    /// began writing and is left at its end.
    pub fn finish_seekable(self) -> Result<(W, Stats), MuxError> {
        let (mut w, stats, patch) = self.finish_inner()?;
        if let Some((at, element)) = patch {
            let end = w.stream_position()?;
            let start = end.checked_sub(stats.bytes).ok_or(MuxError::Unsupported("the output is shorter than what was written"))?;
            w.seek(SeekFrom::Start(start + at))?;
            w.write_all(&element)?;
            w.seek(SeekFrom::Start(end))?;
            w.flush()?;
        }
        Ok((w, stats))
    }
}
