//! [`Depacketizer`]: one track's RTP packets → complete frames, for a caller that muxes
//! them itself (the HLS packager, [`crate::hls`]). [`crate::TrackRecorder`] is a
//! `Depacketizer` feeding a file writer.

use crate::codec::{Codec, Packet};
use crate::depack::h264::H264;
use crate::depack::opus::Opus;
use crate::depack::vp8::Vp8;
use crate::depack::vp9::Vp9;
use crate::depack::{Assembler, Frame, FrameSink};
use crate::error::MuxError;
use std::time::Duration;

#[derive(Debug)]
enum Inner {
    Opus(Assembler<Opus>),
    Vp8(Assembler<Vp8>),
    Vp9(Assembler<Vp9>),
    H264(Assembler<H264>),
}

/// A closure as a [`FrameSink`].
struct Sink<'f, F>(&'f mut F);

impl<F: FnMut(Frame<'_>) -> Result<(), MuxError>> FrameSink for Sink<'_, F> {
    fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError> {
        (self.0)(frame)
    }
}

macro_rules! each {
    ($self:ident, $a:ident => $e:expr) => {
        match &mut $self.inner {
            Inner::Opus($a) => $e,
            Inner::Vp8($a) => $e,
            Inner::Vp9($a) => $e,
            Inner::H264($a) => $e,
        }
    };
}

/// RTP packets of one track in, complete frames out (sans-IO, no clock).
///
/// Frames are timed in the codec's RTP clock ([`Codec::clock_rate`]) on a timeline that
/// starts at 0 with the first packet and never decreases. A frame that lost a packet is
/// dropped, and after loss a video track waits for the next keyframe; an H.264 keyframe
/// always carries its SPS and PPS (the last ones seen are put in front when it came
/// without them).
#[derive(Debug)]
pub struct Depacketizer {
    inner: Inner,
    codec: Codec,
}

impl Depacketizer {
    /// A depacketizer for `codec`'s RTP payload format.
    pub fn new(codec: Codec) -> Self {
        let clock = codec.clock_rate();
        let inner = match codec {
            Codec::Opus => Inner::Opus(Assembler::new(Opus, clock)),
            Codec::Vp8 => Inner::Vp8(Assembler::new(Vp8, clock)),
            Codec::Vp9 => Inner::Vp9(Assembler::new(Vp9::default(), clock)),
            Codec::H264 => Inner::H264(Assembler::new(H264::default(), clock)),
        };
        Self { inner, codec }
    }

    /// The codec given to [`Depacketizer::new`].
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Takes the next packet (in sequence order; duplicates and late packets are
    /// ignored) and gives `out` every frame it completes. A malformed payload is an error
    /// that only cost its frame (keep pushing); an error from `out` is passed on as is.
    pub fn push(&mut self, packet: Packet<'_>, out: &mut impl FnMut(Frame<'_>) -> Result<(), MuxError>) -> Result<(), MuxError> {
        let Packet { seq, ts, marker, payload } = packet;
        each!(self, a => a.push(seq, ts, marker, payload, &mut Sink(out)))
    }

    /// The source paused (publisher reconnect, new SSRC): ends the frame in progress
    /// (given to `out` if complete) and accepts a jump in sequence number and timestamp on
    /// the next packet. A forward timestamp jump of up to 10 minutes is kept as a pause, a
    /// larger or backward one becomes one frame's step. Video resumes at the next keyframe.
    pub fn gap(&mut self, out: &mut impl FnMut(Frame<'_>) -> Result<(), MuxError>) -> Result<(), MuxError> {
        each!(self, a => a.gap(None, &mut Sink(out)))
    }

    /// Like [`Depacketizer::gap`], when the caller measured how long the source was away:
    /// the next packet is placed `elapsed` after the last one, whatever its timestamp.
    pub fn gap_for(&mut self, elapsed: Duration, out: &mut impl FnMut(Frame<'_>) -> Result<(), MuxError>) -> Result<(), MuxError> {
        let clock = u128::from(self.codec.clock_rate());
        let elapsed = u64::try_from(elapsed.as_micros() * clock / 1_000_000).unwrap_or(u64::MAX);
        each!(self, a => a.gap(Some(elapsed), &mut Sink(out)))
    }

    /// Ends the frame in progress (at the end of the stream), giving it to `out` if complete.
    pub fn flush(&mut self, out: &mut impl FnMut(Frame<'_>) -> Result<(), MuxError>) -> Result<(), MuxError> {
        each!(self, a => a.flush(&mut Sink(out)))
    }

    /// Frames lost or dropped so far: broken by loss, or video waiting for a keyframe.
    pub fn dropped(&self) -> u64 {
        match &self.inner {
            Inner::Opus(a) => a.dropped,
            Inner::Vp8(a) => a.dropped,
            Inner::Vp9(a) => a.dropped,
            Inner::H264(a) => a.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_out_of_the_closure() {
        let mut d = Depacketizer::new(Codec::Opus);
        let mut got = Vec::new();
        for (k, seq) in [1u64, 2, 4].into_iter().enumerate() {
            let ts = 1000u32.wrapping_add(960 * seq as u32);
            d.push(Packet { seq, ts, marker: k == 0, payload: &[0xfc, k as u8] }, &mut |f| {
                got.push((f.ts, f.keyframe, f.data.to_vec()));
                Ok(())
            })
            .expect("push");
        }
        assert_eq!(got, [(0, true, vec![0xfc, 0]), (960, true, vec![0xfc, 1]), (2880, true, vec![0xfc, 2])]);
        // An error from the closure comes back; a bad payload is an error too.
        let r = d.push(Packet { seq: 5, ts: 0, marker: false, payload: &[0xfc] }, &mut |_| Err(MuxError::Unsupported("stop")));
        assert!(matches!(r, Err(MuxError::Unsupported("stop"))));
        assert!(d.push(Packet { seq: 6, ts: 0, marker: false, payload: &[] }, &mut |_| Ok(())).is_err());
        d.gap(&mut |_| Ok(())).expect("gap");
        d.flush(&mut |_| Ok(())).expect("flush");
        assert_eq!((d.codec(), d.dropped()), (Codec::Opus, 1));
    }

    #[test]
    fn video_waits_for_a_keyframe() {
        let mut d = Depacketizer::new(Codec::H264);
        let mut got = Vec::new();
        let mut out = |f: Frame<'_>| {
            got.push((f.ts, f.keyframe));
            Ok(())
        };
        d.push(Packet { seq: 1, ts: 0, marker: true, payload: &[0x41, 0x9a] }, &mut out).expect("delta");
        let stap = [24, 0, 4, 0x67, 0x42, 0, 30, 0, 2, 0x68, 0xce];
        d.push(Packet { seq: 2, ts: 3000, marker: false, payload: &stap }, &mut out).expect("params");
        d.push(Packet { seq: 3, ts: 3000, marker: true, payload: &[0x65, 0x88] }, &mut out).expect("idr");
        d.push(Packet { seq: 5, ts: 9000, marker: true, payload: &[0x41, 0x9a] }, &mut out).expect("delta after loss");
        d.gap_for(Duration::from_secs(1), &mut out).expect("gap");
        d.push(Packet { seq: 99, ts: 7, marker: true, payload: &[0x65, 0x88] }, &mut out).expect("idr after gap");
        assert_eq!(got, [(3000, true), (3000 + 9000 - 3000 + 90_000, true)]);
        assert_eq!(d.dropped(), 2);
    }
}
