//! One decoded input of a composite: a track's sink, its depacketizer, and an ffmpeg child
//! that decodes it (video: scaled into its tile, I420; audio: 48 kHz stereo s16le). Frames go
//! to the decoder in a container it reads live (IVF for VP8/VP9, Annex B for H.264, Ogg for
//! Opus). A decoder starts on a keyframe; when its tile changes size it is replaced (and a
//! keyframe asked for), the last picture standing in, scaled, until the new one decodes. A
//! decoder that fails is restarted a few times, then the input shows nothing: one broken
//! stream never ends the composite.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hikari_codec::{Backpressure, DecodeInput, DecodeOutput, DecodeSpec, Decoded, Decoder};
use hikari_media_io::{MediaHandle, SinkOut};
use hikari_mux::ogg::OggOpusWriter;
use hikari_mux::{Codec, Depacketizer, Frame, MuxError, Packet};
use hikari_sfu::{Command, SinkId};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

use super::members::TrackRef;

/// Decoder failures after which an input gives up.
const MAX_FAILURES: u32 = 5;
/// The shortest time between two keyframe requests of one input.
const KEYFRAME_EVERY: Duration = Duration::from_millis(500);
/// Compressed chunks queued for a decoder's stdin (about 2 s of video frames).
const DECODER_QUEUE: usize = 64;
/// Samples per decoded audio chunk (20 ms).
const AUDIO_CHUNK: u32 = 960;

/// What an input's tick needs.
pub(crate) struct Ctx<'a> {
    pub(crate) media: &'a MediaHandle,
    pub(crate) ffmpeg: &'a Path,
    pub(crate) runtime: &'a tokio::runtime::Handle,
    pub(crate) egress: &'a str,
}

/// A decoded picture: I420 of `width` x `height`.
pub(crate) struct Picture {
    pub(crate) data: Bytes,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// A running decoder.
struct Running {
    decoder: Decoder,
    out: mpsc::Receiver<Decoded>,
    /// Video: the picture size it scales to.
    size: (u32, u32),
    /// The stream's header went (IVF).
    header: bool,
    /// It has been given a keyframe since it started or last missed a frame.
    synced: bool,
}

/// What every input has: the sink, its packets, and the decoder's lifecycle.
pub(crate) struct Common {
    key: u64,
    track: TrackRef,
    sink: SinkId,
    rx: mpsc::Receiver<SinkOut>,
    depack: Depacketizer,
    running: Option<Running>,
    failures: u32,
    asked: Option<Instant>,
    closed: bool,
}

impl Common {
    fn new(key: u64, track: TrackRef, sink: SinkId, rx: mpsc::Receiver<SinkOut>) -> Self {
        Self { key, depack: Depacketizer::new(track.codec), track, sink, rx, running: None, failures: 0, asked: None, closed: false }
    }

    fn ask_keyframe(&mut self, media: &MediaHandle) {
        if self.asked.is_none_or(|t| t.elapsed() >= KEYFRAME_EVERY) {
            self.asked = Some(Instant::now());
            let _ = media.command(Command::SinkKeyframe { sink: self.sink });
        }
    }

    /// Starts a decoder; a failure to start counts as a failure of the input.
    fn start(&mut self, ctx: &Ctx<'_>, input: DecodeInput, output: DecodeOutput, size: (u32, u32)) {
        let spec = DecodeSpec { input, output, input_queue: DECODER_QUEUE };
        match ctx.runtime.block_on(Decoder::start(spec, ctx.ffmpeg)) {
            Ok((decoder, out)) => self.running = Some(Running { decoder, out, size, header: false, synced: false }),
            Err(e) => {
                self.failures += 1;
                tracing::warn!(egress = ctx.egress, track = %self.track.sid, error = %e, "a composite input's decoder did not start");
            }
        }
    }

    /// Takes the decoder's outputs; a decoder that ended is dropped (and counted when it failed).
    fn drain(&mut self, ctx: &Ctx<'_>, mut each: impl FnMut(Bytes, (u32, u32))) {
        let Some(r) = self.running.as_mut() else { return };
        loop {
            match r.out.try_recv() {
                Ok(Decoded::Chunk(data)) => each(data, r.size),
                Ok(Decoded::Ended(result)) => {
                    if let Err(e) = result {
                        self.failures += 1;
                        tracing::warn!(egress = ctx.egress, track = %self.track.sid, failures = self.failures, error = %e, "a composite input's decoder failed");
                    }
                    self.running = None;
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.running = None;
                    return;
                }
            }
        }
    }

    /// Queues `data` for the decoder: false when it did not fit (the stream must then
    /// start over at a keyframe).
    fn write(&mut self, data: Vec<u8>) -> bool {
        let Some(r) = self.running.as_mut() else { return false };
        match r.decoder.write(Bytes::from(data)) {
            Ok(()) => true,
            Err(Backpressure::Full) => {
                r.synced = false;
                false
            }
            Err(Backpressure::Closed) => false,
        }
    }
}

/// What the loop asks of any input.
pub(crate) trait Input {
    fn common(&self) -> &Common;

    /// The key the layout and the mixer know it by.
    fn key(&self) -> u64 {
        self.common().key
    }

    fn track(&self) -> &TrackRef {
        &self.common().track
    }

    fn sink(&self) -> SinkId {
        self.common().sink
    }

    /// The track ended.
    fn closed(&self) -> bool {
        self.common().closed
    }
}

impl Input for VideoInput {
    fn common(&self) -> &Common {
        &self.c
    }
}

impl Input for AudioInput {
    fn common(&self) -> &Common {
        &self.c
    }
}

/// Takes every batch waiting in a sink, giving `each` its packets; `closed` turns true when
/// the track ended.
fn packets(rx: &mut mpsc::Receiver<SinkOut>, closed: &mut bool, mut each: impl FnMut(Packet<'_>)) {
    loop {
        match rx.try_recv() {
            Ok(SinkOut::Packets(batch)) => {
                for p in &batch {
                    each(Packet { seq: p.seq, ts: p.ts, marker: p.marker, payload: &p.payload });
                }
            }
            Ok(SinkOut::Closed(_)) | Err(TryRecvError::Disconnected) => {
                *closed = true;
                return;
            }
            Err(TryRecvError::Empty) => return,
        }
    }
}

/// A video track of the composite.
pub(crate) struct VideoInput {
    c: Common,
    /// The picture size its tile wants; `None` while it is not shown (no decoder runs).
    pub(crate) want: Option<(u32, u32)>,
    /// The last picture decoded.
    pub(crate) latest: Option<Picture>,
    pad: [u8; 3],
}

impl VideoInput {
    pub(crate) fn new(key: u64, track: TrackRef, sink: SinkId, rx: mpsc::Receiver<SinkOut>, pad: [u8; 3]) -> Self {
        Self { c: Common::new(key, track, sink, rx), want: None, latest: None, pad }
    }

    /// One tick: the decoder matched to `want`, packets decoded, pictures taken.
    pub(crate) fn tick(&mut self, ctx: &Ctx<'_>) {
        let c = &mut self.c;
        let size = c.running.as_ref().map(|r| r.size);
        if size != self.want && c.failures < MAX_FAILURES {
            c.running = None;
            if let Some((w, h)) = self.want {
                let input = if c.track.codec == Codec::H264 { DecodeInput::H264AnnexB } else { DecodeInput::Ivf };
                c.start(ctx, input, DecodeOutput::Video { width: w, height: h, pad: self.pad }, (w, h));
                c.ask_keyframe(ctx.media);
            }
        }
        let codec = c.track.codec;
        let mut pending: Vec<Vec<u8>> = Vec::new();
        let mut lost_sync = false;
        let (depack, running) = (&mut c.depack, &mut c.running);
        packets(&mut c.rx, &mut c.closed, |p| {
            let pushed = depack.push(p, &mut |f: Frame<'_>| {
                let Some(r) = running.as_mut() else { return Ok(()) };
                if !r.synced && !f.keyframe {
                    lost_sync = true;
                    return Ok(());
                }
                r.synced = true;
                let mut buf = Vec::with_capacity(f.data.len() + 64);
                if !r.header && codec != Codec::H264 {
                    let fourcc = if codec == Codec::Vp9 { *b"VP90" } else { *b"VP80" };
                    let (w, h) = f.size.unwrap_or(r.size);
                    buf.extend_from_slice(&hikari_codec::ivf_header(fourcc, u16::try_from(w).unwrap_or(0), u16::try_from(h).unwrap_or(0), 90_000));
                }
                r.header = true;
                match codec {
                    Codec::H264 => {
                        hikari_codec::annexb_from_length_prefixed(f.data, &mut buf).map_err(|_| MuxError::Unsupported("a malformed H.264 frame"))?;
                        // Ends the access unit now: ffmpeg's parser would hold it until the next one.
                        buf.extend_from_slice(&hikari_codec::H264_ACCESS_UNIT_DELIMITER);
                    }
                    _ => hikari_codec::ivf_frame(&mut buf, f.ts, f.data),
                }
                pending.push(buf);
                Ok(())
            });
            if pushed.is_err() {
                lost_sync = true;
            }
        });
        for data in pending {
            if !c.write(data) {
                lost_sync = true;
                break;
            }
        }
        if lost_sync {
            c.ask_keyframe(ctx.media);
        }
        let latest = &mut self.latest;
        c.drain(ctx, |data, (width, height)| *latest = Some(Picture { data, width, height }));
    }
}

/// An audio track of the composite: Opus packets, each in an Ogg page of its own, to a
/// decoder of 48 kHz stereo.
pub(crate) struct AudioInput {
    c: Common,
    ogg: Option<OggOpusWriter<Vec<u8>>>,
}

impl AudioInput {
    pub(crate) fn new(key: u64, track: TrackRef, sink: SinkId, rx: mpsc::Receiver<SinkOut>) -> Self {
        Self { c: Common::new(key, track, sink, rx), ogg: None }
    }

    /// One tick: packets decoded, samples handed to `out` (interleaved stereo).
    pub(crate) fn tick(&mut self, ctx: &Ctx<'_>, mut out: impl FnMut(&[i16])) {
        let c = &mut self.c;
        if c.running.is_none() && c.failures < MAX_FAILURES {
            c.start(ctx, DecodeInput::OggOpus, DecodeOutput::Audio { sample_rate: 48_000, channels: 2, chunk_samples: AUDIO_CHUNK }, (0, 0));
            // A new decoder reads a new Ogg stream, headers first.
            self.ogg = c.running.as_ref().map(|_| OggOpusWriter::new(Vec::new(), 2, 0));
        }
        let (depack, ogg) = (&mut c.depack, &mut self.ogg);
        packets(&mut c.rx, &mut c.closed, |p| {
            let _ = depack.push(p, &mut |f: Frame<'_>| {
                let Some(ogg) = ogg.as_mut() else { return Ok(()) };
                ogg.frame(f)?;
                ogg.flush_page()
            });
        });
        let data = self.ogg.as_mut().map(|o| std::mem::take(o.get_mut())).unwrap_or_default();
        if !data.is_empty() && !c.write(data) {
            // The decoder is behind by seconds: start its stream over.
            c.running = None;
        }
        let mut samples: Vec<i16> = Vec::new();
        c.drain(ctx, |data, _| {
            samples.clear();
            samples.extend(data.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])));
            out(&samples);
        });
    }
}
