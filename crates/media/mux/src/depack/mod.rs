//! RTP payloads → frames: the part shared by every codec.
//!
//! An [`Assembler`] takes packets in order (extended sequence numbers, 32-bit RTP
//! timestamps), unwraps the timestamps onto a timeline that starts at 0 with the first
//! packet, detects loss from sequence gaps, gathers the packets of one frame (one RTP
//! timestamp, ended by the marker bit or by a timestamp change) and hands complete frames
//! to a [`FrameSink`]. A frame that lost a packet is dropped; for video every frame is then
//! dropped until the next keyframe. What a payload means is the codec's business
//! ([`PayloadFormat`], one module per codec).

pub(crate) mod h264;
pub(crate) mod opus;
pub(crate) mod vp8;
pub(crate) mod vp9;

use crate::error::MuxError;

/// The largest frame the depacketizers assemble; a larger one is dropped with
/// [`MuxError::FrameTooLarge`] (real frames at WebRTC bitrates are far smaller).
pub const MAX_FRAME: usize = 8 << 20;

/// A forward timestamp jump over a [`Assembler::gap`] longer than this many seconds is not
/// believed (a new source has a random RTP timestamp offset): the timeline goes on one
/// nominal frame later instead.
const MAX_TRUSTED_GAP_SECS: u64 = 600;

/// One complete frame, as the writers take it.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Presentation time in RTP clock units (48 kHz audio, 90 kHz video) since the first
    /// packet of the recording; never decreasing.
    pub ts: u64,
    /// Whether a decoder can start here (always true for audio).
    pub keyframe: bool,
    /// The picture size a keyframe's header gives (VP8, VP9), when known.
    pub size: Option<(u32, u32)>,
    /// The frame: the codec's bitstream (VP8, VP9, Opus), or length-prefixed NAL units
    /// (H.264, 4-byte big-endian lengths, as in an MP4 sample).
    pub data: &'a [u8],
}

/// Takes the frames an [`Assembler`] completes.
pub(crate) trait FrameSink {
    /// One complete frame, in order.
    fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError>;
}

/// What a payload format decides about a complete frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A keyframe, with the picture size when its header gives it.
    Key(Option<(u32, u32)>),
    /// A frame depending on earlier ones.
    Delta,
    /// Nothing to record (parameter sets alone); neither written nor counted as dropped.
    Skip,
}

/// One codec's RTP payload format.
pub(crate) trait PayloadFormat {
    /// Video (wait for a keyframe after loss) or audio.
    const VIDEO: bool;
    /// Every packet is a whole frame (Opus); otherwise a frame ends at the marker bit or
    /// at a timestamp change.
    const ONE_PACKET_FRAMES: bool;
    /// Appends the media bytes of `payload` to `frame`; says whether the packet begins a
    /// frame (so a frame whose first packet is missing can be told).
    fn parse(&mut self, payload: &[u8], frame: &mut Vec<u8>) -> Result<bool, MuxError>;
    /// Looks at a complete frame (and may finish it in place).
    fn finish(&mut self, frame: &mut Vec<u8>) -> Result<Verdict, MuxError>;
    /// Forgets the per-frame state (called after every frame, complete or dropped).
    fn clear(&mut self);
    /// Forgets everything tied to the packets so far (after loss).
    fn reset(&mut self);
}

/// RTP timestamps → a 64-bit timeline starting at 0.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    last: Option<(u32, i64)>,
    resume: Option<Option<u64>>,
}

impl Timeline {
    /// The timeline position of `ts` (wrap-around aware; small backward steps allowed).
    pub(crate) fn map(&mut self, ts: u32, clock: u32) -> i64 {
        let ext = match (self.last, self.resume.take()) {
            (None, _) => 0,
            (Some((last, ext)), None) => ext.saturating_add(i64::from(ts.wrapping_sub(last) as i32)),
            (Some((_, ext)), Some(Some(elapsed))) => ext.saturating_add(i64::try_from(elapsed).unwrap_or(i64::MAX)),
            (Some((last, ext)), Some(None)) => {
                let jump = u64::from(ts.wrapping_sub(last));
                let step = if jump <= MAX_TRUSTED_GAP_SECS * u64::from(clock) { jump } else { u64::from(clock / 50) };
                ext.saturating_add(step as i64)
            }
        };
        self.last = Some((ts, ext));
        ext
    }

    /// The next timestamp may jump: trust a forward jump (`None`) or place it `elapsed`
    /// clock units after the last one.
    pub(crate) fn resume(&mut self, elapsed: Option<u64>) {
        self.resume = Some(elapsed);
    }
}

/// Packets → frames for one codec (see the module docs).
#[derive(Debug)]
pub(crate) struct Assembler<P> {
    fmt: P,
    clock: u32,
    frame: Vec<u8>,
    frame_ts: Option<i64>,
    broken: bool,
    /// Packets were lost since the last frame ended: the codec's state is gone, and a
    /// payload it cannot continue (an FU-A middle) is expected, not an error.
    after_loss: bool,
    need_key: bool,
    last_seq: Option<u64>,
    timeline: Timeline,
    last_out: u64,
    /// Frames lost or dropped (broken, or waiting for a keyframe).
    pub(crate) dropped: u64,
}

impl<P: PayloadFormat> Assembler<P> {
    pub(crate) fn new(fmt: P, clock: u32) -> Self {
        Self {
            fmt,
            clock,
            frame: Vec::new(),
            frame_ts: None,
            broken: false,
            after_loss: false,
            need_key: P::VIDEO,
            last_seq: None,
            timeline: Timeline::default(),
            last_out: 0,
            dropped: 0,
        }
    }

    /// Takes one packet; completed frames go to `sink`. An error other than an I/O one
    /// only cost the current frame.
    pub(crate) fn push(&mut self, seq: u64, ts: u32, marker: bool, payload: &[u8], sink: &mut impl FrameSink) -> Result<(), MuxError> {
        if let Some(last) = self.last_seq {
            if seq <= last {
                return Ok(()); // a duplicate or a late packet: its frame is gone already
            }
            if seq != last + 1 {
                self.lost();
            }
        }
        self.last_seq = Some(seq);
        let t = self.timeline.map(ts, self.clock);
        if self.frame_ts.is_some_and(|f| f != t) {
            self.close(sink)?;
        }
        let opened = self.frame_ts.is_none();
        if opened {
            self.frame_ts = Some(t);
        }
        let parsed = match self.fmt.parse(payload, &mut self.frame) {
            Ok(_) if self.frame.len() > MAX_FRAME => Err(MuxError::FrameTooLarge(MAX_FRAME)),
            Ok(start) => {
                self.broken |= opened && !start;
                Ok(())
            }
            Err(e) => Err(e),
        };
        if parsed.is_err() {
            self.broken = true;
            self.frame.clear();
            self.fmt.reset();
            self.need_key |= P::VIDEO;
        }
        let quiet = self.after_loss;
        if marker || P::ONE_PACKET_FRAMES {
            self.close(sink)?;
        }
        if quiet { Ok(()) } else { parsed }
    }

    /// The source paused (see [`crate::TrackRecorder::gap`]): ends the frame in progress
    /// and accepts any sequence and timestamp jump on the next packet.
    pub(crate) fn gap(&mut self, elapsed: Option<u64>, sink: &mut impl FrameSink) -> Result<(), MuxError> {
        self.close(sink)?;
        self.last_seq = None;
        self.fmt.reset();
        self.need_key |= P::VIDEO;
        self.timeline.resume(elapsed);
        Ok(())
    }

    /// Ends the frame in progress (at the end of the recording).
    pub(crate) fn flush(&mut self, sink: &mut impl FrameSink) -> Result<(), MuxError> {
        self.close(sink)
    }

    fn lost(&mut self) {
        self.after_loss = true;
        if self.frame_ts.is_some() {
            self.broken = true;
        }
        self.fmt.reset();
        self.need_key |= P::VIDEO;
    }

    fn close(&mut self, sink: &mut impl FrameSink) -> Result<(), MuxError> {
        let Some(ts) = self.frame_ts.take() else { return Ok(()) };
        let result = self.emit(ts, sink);
        self.frame.clear();
        self.broken = false;
        self.after_loss = false;
        self.fmt.clear();
        result
    }

    fn emit(&mut self, ts: i64, sink: &mut impl FrameSink) -> Result<(), MuxError> {
        if self.broken || self.frame.is_empty() {
            self.dropped += 1;
            return Ok(());
        }
        let verdict = match self.fmt.finish(&mut self.frame) {
            Ok(v) => v,
            Err(e) => {
                self.dropped += 1;
                self.need_key |= P::VIDEO;
                return Err(e);
            }
        };
        let (keyframe, size) = match verdict {
            Verdict::Skip => return Ok(()),
            Verdict::Key(size) => (true, size),
            Verdict::Delta if self.need_key => {
                self.dropped += 1;
                return Ok(());
            }
            Verdict::Delta => (false, None),
        };
        self.need_key = false;
        let ts = u64::try_from(ts).unwrap_or(0).max(self.last_out);
        self.last_out = ts;
        sink.frame(Frame { ts, keyframe: keyframe || !P::VIDEO, size, data: &self.frame })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps (ts, keyframe, data) of each frame.
    #[derive(Default)]
    struct Frames(Vec<(u64, bool, Vec<u8>)>);

    impl FrameSink for Frames {
        fn frame(&mut self, f: Frame<'_>) -> Result<(), MuxError> {
            self.0.push((f.ts, f.keyframe, f.data.to_vec()));
            Ok(())
        }
    }

    const KEY: [u8; 11] = [0x10, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00];

    #[test]
    fn loss_drops_until_the_next_keyframe() {
        let mut a = Assembler::new(vp8::Vp8, 90_000);
        let mut out = Frames::default();
        let ts0 = u32::MAX - 3000; // the second frame wraps
        let mut push =
            |a: &mut Assembler<vp8::Vp8>, seq, frame: u32, marker, payload: &[u8]| a.push(seq, ts0.wrapping_add(frame * 3000), marker, payload, &mut out);
        push(&mut a, 10, 0, true, &[0x10, 0x01, 0xaa]).expect("delta before any keyframe");
        push(&mut a, 11, 1, false, &KEY[..6]).expect("key, first half");
        push(&mut a, 12, 1, true, &[0x00, 0x2a, 0x40, 0x01, 0xf0, 0x00]).expect("key, second half");
        push(&mut a, 12, 1, true, &[0x00, 0xff]).expect("a duplicate is ignored");
        push(&mut a, 13, 2, false, &[0x10, 0x01, 0xbb]).expect("delta, first half");
        // seq 14 (the rest of frame 2) is lost.
        push(&mut a, 15, 3, true, &[0x10, 0x01, 0xcc]).expect("delta after loss");
        push(&mut a, 16, 4, true, &KEY).expect("next keyframe");
        push(&mut a, 17, 5, false, &[0x10, 0x01, 0xdd]).expect("delta without marker");
        push(&mut a, 18, 6, true, &[0x10, 0x01, 0xee]).expect("delta");
        assert_eq!(a.dropped, 3); // before the first keyframe, frame 2 (broken), frame 3 (waiting)
        let got: Vec<(u64, bool, u8)> = out.0.iter().map(|(ts, k, d)| (*ts, *k, d[d.len() - 1])).collect();
        assert_eq!(got, [(3000, true, 0x00), (12_000, true, 0x00), (15_000, false, 0xdd), (18_000, false, 0xee)]);
        assert_eq!(out.0[0].2, KEY[1..]);
    }

    #[test]
    fn frame_without_its_start_is_dropped_and_garbage_is_an_error() {
        let mut a = Assembler::new(vp8::Vp8, 90_000);
        let mut out = Frames::default();
        a.push(1, 0, true, &[0x00, 0x50, 0x42], &mut out).expect("middle packet");
        assert!(a.push(2, 3000, true, &[0x90], &mut out).is_err());
        a.push(3, 6000, true, &KEY, &mut out).expect("key");
        assert_eq!((a.dropped, out.0.len()), (2, 1));
        let mut o = Assembler::new(opus::Opus, 48_000);
        o.push(1, 0, false, &[0xfc, 1], &mut out).expect("opus");
        o.push(2, 960, false, &[0xfc, 2], &mut out).expect("opus");
        assert!(o.push(3, 1920, false, &[], &mut out).is_err());
        assert_eq!(out.0.len(), 3); // Opus frames are out at once, without a marker
        assert_eq!(out.0[2].0, 960);
    }

    #[test]
    fn timeline_unwraps_and_steps_back() {
        let mut t = Timeline::default();
        assert_eq!(t.map(u32::MAX - 10, 90_000), 0);
        assert_eq!(t.map(5, 90_000), 16); // wrapped
        assert_eq!(t.map(u32::MAX, 90_000), 10); // a small step back across the wrap
        assert_eq!(t.map(3000, 90_000), 3011);
    }

    #[test]
    fn timeline_gap_trusts_small_jumps_only() {
        let mut t = Timeline::default();
        t.map(1000, 48_000);
        t.resume(None);
        assert_eq!(t.map(1000 + 96_000, 48_000), 96_000);
        t.resume(None);
        assert_eq!(t.map(1000, 48_000), 96_000 + 960); // backwards: one nominal frame
        t.resume(Some(48_000));
        assert_eq!(t.map(7, 48_000), 96_000 + 960 + 48_000);
        assert_eq!(t.map(967, 48_000), 96_000 + 960 + 48_000 + 960);
    }
}
