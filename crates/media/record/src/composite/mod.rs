//! A room composite on its own thread: every participant's video decoded into its tile of
//! one canvas (LiveKit's layouts, [`hikari_compose::tiles`]), every audio track decoded and
//! mixed, both encoded (H.264 and Opus) by ffmpeg children, and the encoded packets handed to
//! a packaging job ([`crate::hls`]) that writes the MP4 file, the HLS segments, the RTMP
//! streams and the thumbnails exactly as for a track composite.
//!
//! The loop ticks at the frame rate. Each tick takes the room's tracks (polled by
//! [`members`]), feeds the inputs' decoders ([`inputs`]), then writes as many canvas frames
//! and audio samples as are due since the start ([`hikari_compose::Pacer`]): the encoders
//! stamp them by count, so written counts that follow the clock keep audio and video in
//! sync even when a tick is late. The active speaker comes from the mixed levels
//! ([`hikari_compose::Speakers`]). `UpdateLayout` arrives on a watch channel; `StopEgress`,
//! the room closing or the server stopping end the loop, after which the encoders flush and
//! the packaging job finishes the outputs.
//!
//! Nothing here runs on the media thread, and every decoder and encoder is a child process:
//! a broken stream or a crashing codec ends one input or this job, never the server.

pub(crate) mod control;
mod encode;
mod inputs;
pub(crate) mod members;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hikari_compose::{I420, LayoutName, MixConfig, Mixer, Pacer, Speakers, Tile, VideoSource, tiles};
use hikari_egress::{EgressId, Encoding};
use hikari_media_io::{MediaHandle, SinkOut};
use hikari_sfu::{Command, SinkId};
use hikari_types::RoomName;
use tokio::sync::{mpsc, watch};

use crate::job::Jobs;
use crate::start::JOB_QUEUE;
pub(crate) use encode::Encoder;
use inputs::{AudioInput, Ctx, Input, VideoInput};
pub(crate) use members::Pick;
use members::{Room, TrackRef};

/// How far the encoders may fall behind (in frames' time) before the job gives up: the
/// machine cannot encode in real time.
const MAX_BEHIND: Duration = Duration::from_secs(3);
/// How long the encoders get to flush at the end.
const FLUSH_WAIT: Duration = Duration::from_secs(5);

/// What a composite job needs.
pub(crate) struct CompositeJob {
    pub(crate) id: EgressId,
    pub(crate) room: RoomName,
    pub(crate) encoding: Encoding,
    pub(crate) audio: bool,
    pub(crate) video: bool,
    /// Which tracks it takes.
    pub(crate) pick: Pick,
    pub(crate) layout: watch::Receiver<String>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) shutdown: Arc<AtomicBool>,
    pub(crate) media: MediaHandle,
    pub(crate) ffmpeg: PathBuf,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) next_sink: Arc<std::sync::atomic::AtomicU64>,
    pub(crate) jobs: Jobs,
    pub(crate) encoders: (Option<Encoder>, Option<Encoder>),
    /// Where a failure is told to the packaging job: set before the encoders (its inputs)
    /// are dropped, so the job ends knowing it.
    pub(crate) failure: crate::hls::Failure,
}

/// One input of the packaging job: the encoder's end and the job's.
pub(crate) type Channel = (Option<mpsc::Sender<SinkOut>>, Option<mpsc::Receiver<SinkOut>>);

/// The packaging job's inputs a composite feeds: (video, audio).
pub(crate) fn channels(video: bool, audio: bool) -> [Channel; 2] {
    [video, audio].map(|on| {
        if on {
            let (tx, rx) = mpsc::channel(JOB_QUEUE);
            (Some(tx), Some(rx))
        } else {
            (None, None)
        }
    })
}

/// The mutable state of the loop.
struct State {
    videos: Vec<VideoInput>,
    audios: Vec<AudioInput>,
    next_key: u64,
    mixer: Mixer,
    speakers: Speakers,
    canvas: I420,
    name: LayoutName,
    /// The speaker's audio key, mapped to a video key by identity.
    speaker: Option<u64>,
    /// Where each shown video goes.
    canvas_tiles: Vec<Tile>,
}

/// Runs the composite to its end; the reason it ended (`Err`: it failed).
pub(crate) fn run(mut job: CompositeJob) -> Result<(), String> {
    let (room_tx, room_rx) = watch::channel(Room::Unknown);
    job.runtime.spawn(members::poll(job.media.clone(), job.room.clone(), room_tx));
    let e = job.encoding;
    let name = LayoutName::parse(&job.layout.borrow());
    let mut st = State {
        videos: Vec::new(),
        audios: Vec::new(),
        next_key: 1,
        mixer: Mixer::new(MixConfig::default()),
        speakers: Speakers::new(),
        canvas: I420::new(if job.video { e.width } else { 2 }, if job.video { e.height } else { 2 }, name.background()),
        name,
        speaker: None,
        canvas_tiles: Vec::new(),
    };
    let pacer = Pacer::new(e.fps, 48_000);
    let (mut video_enc, mut audio_enc) = (job.encoders.0.take(), job.encoders.1.take());
    // The recording starts with the first track, as LiveKit's does (a room created with
    // `egress.room` may stay empty for a while).
    loop {
        if job.stop.load(Ordering::Relaxed) || job.shutdown.load(Ordering::Relaxed) || *room_rx.borrow() == Room::Gone {
            return end(&mut job, &mut st, [video_enc, audio_enc], Ok(()));
        }
        if let Room::Tracks(tracks) = &*room_rx.borrow()
            && tracks.iter().any(|t| wanted(&job, t))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let start = Instant::now();
    for enc in [video_enc.as_mut(), audio_enc.as_mut()].into_iter().flatten() {
        enc.set_zero(start);
    }
    let (mut frames, mut samples) = (0u64, 0u64);
    let mut mixed: Vec<i16> = Vec::new();
    let mut last_seen = Instant::now();
    let outcome = loop {
        if job.stop.load(Ordering::Relaxed) || job.shutdown.load(Ordering::Relaxed) {
            break Ok(());
        }
        if let Room::Tracks(tracks) = &*room_rx.borrow()
            && tracks.iter().any(|t| wanted(&job, t))
        {
            last_seen = Instant::now();
        }
        if job.pick.grace().is_some_and(|g| last_seen.elapsed() > g + members::POLL) {
            tracing::info!(egress = %job.id, "the composite's tracks are gone; it ends");
            break Ok(());
        }
        if *room_rx.borrow() == Room::Gone {
            tracing::info!(egress = %job.id, room = %job.room, "the room closed; the composite ends");
            break Ok(());
        }
        sync_inputs(&mut job, &mut st, &room_rx.borrow());
        let ctx = Ctx { media: &job.media, ffmpeg: &job.ffmpeg, runtime: &job.runtime, egress: job.id.as_str() };
        for a in &mut st.audios {
            let (key, mixer) = (a.key(), &mut st.mixer);
            a.tick(&ctx, |s| mixer.push(key, s));
        }
        let elapsed = start.elapsed();
        if let Some(enc) = audio_enc.as_mut() {
            let due = pacer.samples_due(elapsed);
            let n = usize::try_from(due - samples).unwrap_or(0);
            if n > 0 {
                mixed.clear();
                mixed.resize(n * 2, 0);
                st.mixer.mix(&mut mixed);
                samples = due;
                let bytes: Vec<u8> = mixed.iter().flat_map(|s| s.to_le_bytes()).collect();
                if behind(enc.write(Bytes::from(bytes)), Duration::from_millis(1000 / u64::from(e.fps.max(1)))) {
                    break Err("the audio encoder cannot keep up: the machine is overloaded".into());
                }
            }
            let audio_key = st.speakers.update(elapsed, st.mixer.levels());
            st.speaker = audio_key;
        }
        if let Some(enc) = video_enc.as_mut() {
            layout(&mut st, &job.layout);
            for v in &mut st.videos {
                v.tick(&ctx);
            }
            let due = pacer.frames_due(elapsed);
            if due > frames {
                compose(&mut st);
                let picture = Bytes::copy_from_slice(st.canvas.as_bytes());
                let mut backlog = 0;
                while frames < due {
                    backlog = enc.write(picture.clone());
                    frames += 1;
                }
                if behind(backlog, Duration::from_millis(1000 / u64::from(e.fps.max(1)))) {
                    break Err("the video encoder cannot keep up: the machine is overloaded (see egress.max_composites)".into());
                }
            }
        }
        if video_enc.is_none() {
            // Audio alone still ticks at the frame rate (the next tick's time comes from it).
            frames = pacer.frames_due(elapsed);
        }
        let mut failed = None;
        // The packager drops audio older than the first video frame: the audio waits (in its
        // encoder's output queue) for the first picture, which x264 takes longer to give.
        let video_started = video_enc.as_ref().is_none_or(Encoder::started);
        for enc in [video_enc.as_mut(), audio_enc.as_mut().filter(|_| video_started)].into_iter().flatten() {
            enc.forward();
            if let Some(Err(err)) = &enc.ended {
                failed = Some(format!("the encoder failed: {err}"));
            }
        }
        if let Some(err) = failed {
            break Err(err);
        }
        let next = pacer.next_frame_at(frames);
        let now = start.elapsed();
        std::thread::sleep(next.saturating_sub(now).clamp(Duration::from_millis(1), Duration::from_millis(50)));
    };
    end(&mut job, &mut st, [video_enc, audio_enc], outcome)
}

/// Whether the job takes `t`: of a kind it composes, and picked.
fn wanted(job: &CompositeJob, t: &TrackRef) -> bool {
    (if t.video { job.video } else { job.audio }) && job.pick.takes(t)
}

/// Whether a backlog of `chunks` of `each` is past [`MAX_BEHIND`].
fn behind(chunks: usize, each: Duration) -> bool {
    each * u32::try_from(chunks).unwrap_or(u32::MAX) > MAX_BEHIND
}

/// Attaches sinks to tracks that appeared (video only for a video composite, audio only
/// for an audio one) and drops inputs whose track is gone or changed codec.
fn sync_inputs(job: &mut CompositeJob, st: &mut State, room: &Room) {
    let Room::Tracks(tracks) = room else { return };
    let present = |t: &TrackRef| tracks.iter().any(|x| x == t);
    let mut gone: Vec<SinkId> = Vec::new();
    st.videos.retain(|v| {
        let keep = present(v.track()) && !v.closed();
        if !keep {
            gone.push(v.sink());
        }
        keep
    });
    let mixer = &mut st.mixer;
    st.audios.retain(|a| {
        let keep = present(a.track()) && !a.closed();
        if !keep {
            gone.push(a.sink());
            mixer.remove(a.key());
        }
        keep
    });
    for sink in gone {
        let _ = job.media.command(Command::DetachSink { sink });
        forget_sink(job, sink);
    }
    for t in tracks {
        let known = if t.video { st.videos.iter().any(|v| v.track() == t) } else { st.audios.iter().any(|a| a.track() == t) };
        if known || !wanted(job, t) {
            continue;
        }
        let sink = SinkId(job.next_sink.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::channel(JOB_QUEUE);
        if job.media.attach_sink(sink, job.room.clone(), t.sid.clone(), tx).is_err() {
            continue;
        }
        if let Ok(mut jobs) = job.jobs.lock()
            && let Some(sinks) = jobs.get_mut(&job.id)
        {
            sinks.push(sink);
        }
        let key = st.next_key;
        st.next_key += 1;
        tracing::info!(egress = %job.id, track = %t.sid, identity = %t.identity, video = t.video, "the composite takes a track");
        if t.video {
            let pad = background_rgb(st.name);
            st.videos.push(VideoInput::new(key, t.clone(), sink, rx, pad));
        } else {
            st.audios.push(AudioInput::new(key, t.clone(), sink, rx));
        }
    }
}

fn forget_sink(job: &CompositeJob, sink: SinkId) {
    if let Ok(mut jobs) = job.jobs.lock()
        && let Some(sinks) = jobs.get_mut(&job.id)
    {
        sinks.retain(|s| *s != sink);
    }
}

/// The letterbox colour inside a tile: the layout's background.
fn background_rgb(name: LayoutName) -> [u8; 3] {
    if name.light { [0xf0, 0xf0, 0xf0] } else { [0x11, 0x11, 0x11] }
}

/// Takes a new layout name, and gives each video the size its tile wants now.
fn layout(st: &mut State, names: &watch::Receiver<String>) {
    if names.has_changed().unwrap_or(false) {
        st.name = LayoutName::parse(&names.borrow());
    }
    let sources: Vec<VideoSource> = st.videos.iter().map(|v| VideoSource { key: v.key(), screen_share: v.track().screen_share }).collect();
    let speaker_identity = st.speaker.and_then(|k| st.audios.iter().find(|a| a.key() == k)).map(|a| a.track().identity.clone());
    let speaker = speaker_identity.and_then(|id| st.videos.iter().find(|v| v.track().identity == id && !v.track().screen_share)).map(VideoInput::key);
    let tiles = tiles(st.name, (st.canvas.width(), st.canvas.height()), &sources, speaker);
    for v in &mut st.videos {
        v.want = tiles.iter().find(|t| t.key == v.key()).map(|t| (t.rect.w, t.rect.h));
    }
    st.canvas_tiles = tiles;
}

/// Draws the canvas: the background, then each shown video's last picture in its tile.
fn compose(st: &mut State) {
    let bg = st.name.background();
    st.canvas.fill(bg);
    for tile in &st.canvas_tiles {
        if let Some(p) = st.videos.iter().find(|v| v.key() == tile.key).and_then(|v| v.latest.as_ref()) {
            st.canvas.blit(&p.data, p.width, p.height, tile.rect, bg);
        }
    }
}

/// Ends the job: every input sink detached, the encoders flushed (their last packets
/// forwarded), then the packaging job's inputs closed by dropping the encoders.
fn end(job: &mut CompositeJob, st: &mut State, encoders: [Option<Encoder>; 2], outcome: Result<(), String>) -> Result<(), String> {
    for sink in st.videos.iter().map(VideoInput::sink).chain(st.audios.iter().map(AudioInput::sink)) {
        let _ = job.media.command(Command::DetachSink { sink });
    }
    st.videos.clear();
    st.audios.clear();
    let mut encoders: Vec<Encoder> = encoders.into_iter().flatten().collect();
    let cpu: Duration = encoders.iter().filter_map(Encoder::cpu_time).sum();
    for enc in &mut encoders {
        enc.close();
    }
    let deadline = Instant::now() + FLUSH_WAIT;
    while encoders.iter().any(|e| e.ended.is_none()) && Instant::now() < deadline {
        for enc in &mut encoders {
            if enc.ended.is_none() {
                enc.forward();
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    tracing::info!(egress = %job.id, encoders_cpu = ?cpu, outcome = ?outcome, "composite ended");
    if let Err(e) = &outcome
        && let Ok(mut f) = job.failure.lock()
    {
        *f = Some(e.clone());
    }
    drop(encoders);
    outcome
}
