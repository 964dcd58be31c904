//! One packaging job on its own thread (HLS, RTMP streams, or both): the video and audio
//! sinks' batches in, frames aligned on one timeline (each track's first packet's arrival
//! time places its RTP clock), packaged by [`HlsPackager`] into CMAF parts. With an HLS
//! output each part goes to the live stream (served from memory) and to its segment's file;
//! each finished segment is synced to disk before the event playlist names it (a player never
//! sees a segment the disk has not got). With streams each part also goes to every RTMP
//! destination ([`Restream`]). The video sink is asked for a keyframe when a segment is due
//! (and every 2 s while streaming, as RTMP services want). The end (stopped, a track gone, a
//! write failing, every stream failed) finishes the last segment and the playlist
//! (`#EXT-X-ENDLIST`), closes the streams and reports what was written.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hikari_egress::{EgressId, EgressOutput, EgressStatus, Registry, SegmentsResult};
use hikari_media_io::{MediaHandle, SinkOut};
use hikari_mux::hls::{HlsEvent, HlsPackager, Naming};
use hikari_mux::{Codec, Depacketizer, Packet};
use hikari_sfu::{Command, MediaPacket, SinkEnd, SinkId};
use tokio::sync::mpsc;

use crate::hls_file::io_error;
use crate::job::Jobs;
use crate::live::{LiveHls, LiveStream};
use crate::rejoin::{Follow, REJOIN_POLL, REJOIN_WAIT};
use crate::restream::Restream;
use crate::thumbs::Thumbnails;

/// The keyframe interval asked for while streaming (services want 2 s, at most 4 s).
const STREAM_KEYFRAMES: Duration = Duration::from_secs(2);

/// How long a finished stream stays served, so players reach its end.
const LINGER: Duration = Duration::from_secs(30);

/// What a packaging job needs.
pub(crate) struct HlsJob {
    pub(crate) id: EgressId,
    pub(crate) packager: HlsPackager,
    /// The HLS output.
    pub(crate) disk: Option<Disk>,
    /// The MP4 file output.
    pub(crate) file: Option<crate::hls_file::FileOut>,
    /// The RTMP destinations.
    pub(crate) restream: Option<Arc<Restream>>,
    /// Thumbnails.
    pub(crate) thumbs: Option<Thumbnails>,
    /// Where `restream` is found by `UpdateStream`, until the job ends.
    pub(crate) restreams: crate::start::Restreams,
    pub(crate) media: MediaHandle,
    /// The video and audio sinks (the video one is asked for keyframes), and their tracks.
    pub(crate) sinks: [Option<SinkId>; 2],
    pub(crate) tracks: [Option<hikari_types::TrackSid>; 2],
    /// A participant egress: whom to wait for when a track is unpublished.
    pub(crate) follow: Option<Follow>,
    /// A room composite: why its feed failed, if it did (set before the feed closes).
    pub(crate) failure: Option<Failure>,
    /// Part availability, measured for a job fed by tracks.
    pub(crate) availability: Option<crate::avail::Availability>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) now_nanos: fn() -> i64,
    pub(crate) jobs: Jobs,
    /// Where the segments, playlist and thumbnails are copied when finished (`egress.s3`).
    pub(crate) upload: Option<crate::upload::Target>,
}

/// Where a feed that failed leaves its reason for the packaging job.
pub(crate) type Failure = Arc<std::sync::Mutex<Option<String>>>;

/// An HLS output: segments on disk, the live stream in memory.
pub(crate) struct Disk {
    /// The URIs of the files on disk, beside the event playlist.
    pub(crate) naming: Naming,
    /// The recordings directory.
    pub(crate) dir: PathBuf,
    /// The playlist's path, relative to `dir`.
    pub(crate) playlist_path: String,
    pub(crate) result: SegmentsResult,
    pub(crate) live: Arc<LiveStream>,
    pub(crate) streams: Arc<LiveHls>,
}

/// One input track: its depacketizer and where its timeline starts.
struct Input {
    depack: Depacketizer,
    clock: u64,
    /// The track's first frame in the stream's timeline (its clock units), from arrival.
    offset: Option<u64>,
    open: bool,
    /// Frames handed to the packager, and payloads refused before the first one.
    frames: u64,
    refused: u32,
}

/// Payloads of a track refused before any frame came through, after which the track is
/// taken for another codec than it announced (a publisher can announce H.264 and negotiate
/// another codec).
const REFUSED_BEFORE_FRAMES: u32 = 200;

impl Input {
    fn new(codec: Codec, open: bool) -> Self {
        Self { depack: Depacketizer::new(codec), clock: u64::from(codec.clock_rate()), offset: None, open, frames: 0, refused: 0 }
    }
}

/// How the job stopped.
enum Stop {
    Detached,
    Track(SinkEnd),
    Write(String),
}

struct Writer {
    segment: Option<File>,
    bytes: u64,
    segments: i64,
    duration: Duration,
    first_at: Option<i64>,
}

/// The codecs of the two inputs.
const CODECS: [Codec; 2] = [Codec::H264, Codec::Opus];

/// Runs the job to its end.
pub(crate) fn run(mut job: HlsJob, video: Option<mpsc::Receiver<SinkOut>>, audio: Option<mpsc::Receiver<SinkOut>>) {
    let mut inputs = [Input::new(Codec::H264, video.is_some()), Input::new(Codec::Opus, audio.is_some())];
    let mut rx = [video, audio];
    // Inputs whose track was unpublished, waiting for the publisher to come back (since).
    let mut waiting: [Option<Instant>; 2] = [None, None];
    let mut origin: Option<Instant> = None;
    let mut w = Writer { segment: None, bytes: 0, segments: 0, duration: Duration::ZERO, first_at: None };
    let mut last_end = Stop::Detached;
    let mut keyframe_asked = Instant::now();
    let stop = loop {
        let wait = waiting.iter().any(Option::is_some);
        let (k, out) = job.runtime.block_on(async {
            let [video, audio] = &mut rx;
            tokio::select! {
                v = recv(video), if inputs[0].open => (0usize, v),
                a = recv(audio), if inputs[1].open => (1usize, a),
                () = tokio::time::sleep(REJOIN_POLL), if wait => (2usize, None),
            }
        });
        if k == 2 {
            rejoin(&mut job, &mut rx, &mut inputs, &mut waiting);
            if inputs.iter().any(|i| i.open) { continue } else { break Stop::Track(SinkEnd::Unpublished) }
        }
        // One track ending (unpublished, or the job detached) leaves the other running; the
        // job stops when neither is left. A participant egress waits for its publisher.
        let batch = match out {
            Some(SinkOut::Packets(batch)) => batch,
            Some(SinkOut::Closed(SinkEnd::Unpublished)) if job.follow.is_some() => {
                tracing::info!(egress = %job.id, track = ?job.tracks[k], "the publisher's track was unpublished; waiting for it to come back");
                waiting[k] = Some(Instant::now());
                rx[k] = None;
                continue;
            }
            Some(SinkOut::Closed(reason)) => {
                inputs[k].open = false;
                last_end = Stop::Track(reason);
                if inputs.iter().any(|i| i.open) { continue } else { break last_end }
            }
            None => {
                inputs[k].open = false;
                if inputs.iter().any(|i| i.open) { continue } else { break last_end }
            }
        };
        if let Err(e) = feed(&mut job, &mut inputs[k], k == 0, &batch, &mut origin) {
            break Stop::Write(e);
        }
        if let Err(e) = drain(&mut job, &mut w) {
            break Stop::Write(e);
        }
        let streaming = job.restream.is_some() && keyframe_asked.elapsed() >= STREAM_KEYFRAMES;
        if (job.packager.wants_keyframe() || streaming)
            && let Some(sink) = job.sinks[0]
        {
            keyframe_asked = Instant::now();
            let _ = job.media.command(Command::SinkKeyframe { sink });
        }
        if job.disk.is_none()
            && let Some(r) = &job.restream
            && r.all_failed()
        {
            break Stop::Write(format!("every stream destination failed: {}", r.errors()));
        }
    };
    finish(job, w, stop);
}

/// Looks for the tracks being waited for: found, a sink replaces the old one and the input
/// starts over (its timeline placed by arrival, so the gap stays a gap); not back within
/// [`REJOIN_WAIT`], or the egress is stopping, the input closes.
fn rejoin(job: &mut HlsJob, rx: &mut [Option<mpsc::Receiver<SinkOut>>; 2], inputs: &mut [Input; 2], waiting: &mut [Option<Instant>; 2]) {
    let running =
        |job: &HlsJob| job.runtime.block_on(job.registry.get(&job.id)).is_ok_and(|e| matches!(e.status, EgressStatus::Starting | EgressStatus::Active));
    let Some(follow) = job.follow.as_ref() else { return };
    let stopping = follow.shutdown.load(std::sync::atomic::Ordering::Relaxed) || !running(job);
    for k in 0..2 {
        let Some(since) = waiting[k] else { continue };
        let found = if stopping { None } else { job.runtime.block_on(follow.find(&job.media, k == 0, CODECS[k], job.tracks[k].as_ref())) };
        match found {
            Some(found) => {
                if let Ok(mut jobs) = job.jobs.lock()
                    && let Some(sinks) = jobs.get_mut(&job.id)
                {
                    sinks.retain(|s| Some(*s) != job.sinks[k]);
                    sinks.push(found.sink);
                }
                tracing::info!(egress = %job.id, track = %found.track, after = ?since.elapsed(), "the publisher is back; the recording goes on");
                (rx[k], job.sinks[k], job.tracks[k]) = (Some(found.rx), Some(found.sink), Some(found.track));
                inputs[k] = Input::new(CODECS[k], true);
                waiting[k] = None;
                if k == 0 {
                    let _ = job.media.command(Command::SinkKeyframe { sink: found.sink });
                }
            }
            None if stopping || since.elapsed() >= REJOIN_WAIT => {
                waiting[k] = None;
                inputs[k].open = false;
            }
            None => {}
        }
    }
    // Stopped while a sink was being attached: it goes too (the stop detached the old ones).
    if !stopping && !running(job) {
        let sinks: Vec<SinkId> = job.sinks.iter().flatten().copied().collect();
        for sink in sinks {
            let _ = job.media.command(Command::DetachSink { sink });
        }
    }
}

async fn recv(rx: &mut Option<mpsc::Receiver<SinkOut>>) -> Option<SinkOut> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Depacketizes a batch of one track and hands its frames to the packager.
fn feed(job: &mut HlsJob, input: &mut Input, is_video: bool, batch: &[MediaPacket], origin: &mut Option<Instant>) -> Result<(), String> {
    for p in batch {
        let origin = *origin.get_or_insert(p.arrived);
        let clock = input.clock;
        let offset = *input.offset.get_or_insert_with(|| {
            let since = p.arrived.saturating_duration_since(origin);
            u64::try_from(since.as_nanos() * u128::from(clock) / 1_000_000_000).unwrap_or(0)
        });
        let (packager, frames, availability) = (&mut job.packager, &mut input.frames, &mut job.availability);
        let pushed = input.depack.push(Packet { seq: p.seq, ts: p.ts, marker: p.marker, payload: &p.payload }, &mut |frame| {
            *frames += 1;
            let before = packager.queued_parts();
            let given = if is_video { packager.video(frame.ts + offset, frame) } else { packager.audio(frame.ts + offset, frame) };
            if let Some(a) = availability.as_mut() {
                a.frame(p.arrived, before, packager.queued_parts());
            }
            given
        });
        match pushed {
            Ok(()) => {}
            Err(e) if e.is_fatal() => return Err(e.to_string()),
            Err(e) => {
                tracing::debug!(egress = %job.id, error = %e, "a frame was dropped");
                if input.frames == 0 {
                    input.refused += 1;
                }
                if input.frames == 0 && input.refused >= REFUSED_BEFORE_FRAMES {
                    let kind = if is_video { "video track's packets are not H.264" } else { "audio track's packets are not Opus" };
                    return Err(format!("the {kind} (the publisher negotiated another codec than it announced): {e}"));
                }
            }
        }
    }
    Ok(())
}

/// Takes the packager's events: each goes to the streams; with an HLS output, parts go to
/// their segment's file, a finished segment is synced, then the event playlist on disk names
/// it, and the event goes to the live stream.
fn drain(job: &mut HlsJob, w: &mut Writer) -> Result<(), String> {
    while let Some(event) = job.packager.poll() {
        forward(job, &event);
        if let Some(f) = job.file.as_mut() {
            f.event(&event)?;
        }
        match &event {
            HlsEvent::Part { data, .. } => w.bytes += data.len() as u64,
            HlsEvent::SegmentEnd { duration, .. } => {
                w.segments += 1;
                w.duration += *duration;
            }
            _ => {}
        }
        // A file or thumbnails without HLS: active once the first segment's worth of media
        // has gone to them.
        if job.disk.is_none() && w.segments == 1 && matches!(event, HlsEvent::SegmentEnd { .. }) {
            let now = (job.now_nanos)();
            let first = now - i64::try_from(w.duration.as_nanos()).unwrap_or(0);
            let output = match (&job.file, &job.thumbs) {
                (Some(f), _) => Some(EgressOutput::File(f.result(w.duration, first, 0))),
                (None, Some(t)) => Some(EgressOutput::Images(t.result(0))),
                (None, None) => None,
            };
            if let Some(output) = output
                && let Err(e) = job.runtime.block_on(job.registry.active(&job.id, output, now))
            {
                tracing::warn!(egress = %job.id, error = %e, "cannot record that the egress is active");
            }
            w.first_at.get_or_insert(first);
        }
        let Some(disk) = &job.disk else { continue };
        let dir = disk.dir.join(parent(&disk.playlist_path));
        match &event {
            HlsEvent::Init(data) => write_new(&dir.join(disk.naming.init()), data)?,
            HlsEvent::Part { msn, data, .. } => {
                if w.segment.is_none() {
                    w.segment = Some(create(&dir.join(disk.naming.segment(*msn)))?);
                }
                if let Some(f) = w.segment.as_mut() {
                    f.write_all(data).map_err(|e| io_error("write a segment", &e))?;
                }
            }
            HlsEvent::SegmentEnd { .. } => {
                if let Some(f) = w.segment.take() {
                    f.sync_all().map_err(|e| io_error("sync a segment", &e))?;
                }
            }
            HlsEvent::End => {}
        }
        let segment_end = matches!(event, HlsEvent::SegmentEnd { .. } | HlsEvent::End);
        let part = matches!(event, HlsEvent::Part { .. });
        disk.live.push(event);
        if part && let Some(a) = job.availability.as_mut() {
            a.served(Instant::now());
        }
        if segment_end {
            write_playlist(disk)?;
        }
        if segment_end && w.first_at.is_none() && w.segments > 0 {
            let now = (job.now_nanos)();
            // The first media: the first segment's length ago.
            w.first_at = Some(now - i64::try_from(w.duration.as_nanos()).unwrap_or(0));
            let result = result(disk, w, now, 0);
            if let Err(e) = job.runtime.block_on(job.registry.active(&job.id, EgressOutput::Segments(result), now)) {
                tracing::warn!(egress = %job.id, error = %e, "cannot record that the egress is active");
            }
        }
    }
    Ok(())
}

/// The init segment and parts to the streams and the thumbnails, copied once for all.
fn forward(job: &mut HlsJob, event: &HlsEvent) {
    if job.restream.is_none() && job.thumbs.is_none() {
        return;
    }
    match event {
        HlsEvent::Init(data) => {
            let data = bytes::Bytes::copy_from_slice(data);
            if let Some(r) = &job.restream {
                r.init(data.clone());
            }
            if let Some(t) = job.thumbs.as_mut() {
                t.init(data);
            }
        }
        HlsEvent::Part { data, independent, .. } => {
            let data = bytes::Bytes::copy_from_slice(data);
            if let Some(r) = &job.restream {
                r.part(&data, *independent);
            }
            if let Some(t) = job.thumbs.as_mut() {
                t.part(&data, *independent, (job.now_nanos)());
            }
        }
        HlsEvent::SegmentEnd { .. } | HlsEvent::End => {}
    }
}

fn parent(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(d, _)| d)
}

fn create(path: &std::path::Path) -> Result<File, String> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| io_error(&format!("create {}", path.display()), &e))
}

fn write_new(path: &std::path::Path, data: &[u8]) -> Result<(), String> {
    let mut f = create(path)?;
    f.write_all(data).and_then(|()| f.sync_all()).map_err(|e| io_error(&format!("write {}", path.display()), &e))
}

/// The event playlist, replaced whole (written beside, synced, renamed).
fn write_playlist(disk: &Disk) -> Result<(), String> {
    let path = disk.dir.join(&disk.playlist_path);
    let tmp = path.with_extension("m3u8.tmp");
    let text = disk.live.render_event_with(&disk.naming);
    let written = File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
    written.and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| io_error("write the playlist", &e))
}

fn result(disk: &Disk, w: &Writer, now: i64, ended_at: i64) -> SegmentsResult {
    SegmentsResult {
        duration: i64::try_from(w.duration.as_nanos()).unwrap_or(i64::MAX),
        size: i64::try_from(w.bytes).unwrap_or(i64::MAX),
        segment_count: w.segments,
        started_at: w.first_at.unwrap_or(now),
        ended_at,
        ..disk.result.clone()
    }
}

fn finish(mut job: HlsJob, mut w: Writer, stop: Stop) {
    let mut error = match &stop {
        Stop::Write(e) => Some(e.clone()),
        _ => job.failure.as_ref().and_then(|f| f.lock().ok().and_then(|f| f.clone())),
    };
    if error.is_none() {
        let ended = job.packager.finish().map_err(|e| e.to_string()).and_then(|()| drain(&mut job, &mut w));
        error = ended.err();
    }
    // The stream ends for its players whatever happened.
    if let Some(disk) = &job.disk
        && !disk.live.ended()
    {
        disk.live.push(HlsEvent::End);
    }
    // Every destination gets the end of its stream and reports how it ended.
    job.restreams.lock().ok().map(|mut m| m.remove(&job.id));
    let streamed = job.restream.as_ref().is_some_and(|r| {
        job.runtime.block_on(r.finish());
        r.any_started()
    });
    if let Some(r) = &job.restream {
        job.runtime.block_on(r.report());
    }
    if let Some(t) = job.thumbs.as_mut() {
        job.runtime.block_on(t.finish());
        if let Some(e) = &t.error {
            tracing::warn!(egress = %job.id, error = %e, "the thumbnails ended early");
        }
    }
    let now = (job.now_nanos)();
    let images = job.thumbs.as_ref().map(|t| t.result(now)).filter(|i| i.image_count > 0);
    let file = match job.file.as_mut() {
        Some(f) if w.segments > 0 => match f.finish() {
            Ok(()) => Some(EgressOutput::File(f.result(w.duration, w.first_at.unwrap_or(now), now))),
            Err(e) => {
                error.get_or_insert(e);
                None
            }
        },
        Some(f) => {
            f.discard();
            None
        }
        None => None,
    };
    let written = (w.segments > 0 && job.disk.is_some()) || images.is_some() || file.is_some();
    if error.is_none() && job.disk.is_none() && job.restream.is_none() && job.file.is_none() {
        // Thumbnails alone: their failure is the job's (once media reached them; before, the
        // job simply had none).
        error = job.thumbs.as_ref().filter(|t| t.started_at.is_some()).and_then(|t| t.error.clone());
    }
    let status = match (&error, written || streamed) {
        (Some(e), _) if e.starts_with("the disk is full") => EgressStatus::LimitReached,
        (Some(_), _) => EgressStatus::Failed,
        (None, false) => EgressStatus::Aborted,
        (None, true) => EgressStatus::Complete,
    };
    let message = error.unwrap_or_else(|| if written || streamed { String::new() } else { no_media(&stop) });
    let segments = job.disk.as_ref().filter(|_| w.segments > 0).map(|d| EgressOutput::Segments(result(d, &w, now, now)));
    let outputs: Vec<EgressOutput> = file.into_iter().chain(segments).chain(images.map(EgressOutput::Images)).collect();
    if let Some(disk) = job.disk.as_ref().filter(|_| w.segments == 0) {
        // Nothing playable was written: no recording to keep (the init segment and the
        // playlist's reserved name go; a partial segment too).
        let dir = disk.dir.join(parent(&disk.playlist_path));
        for name in [disk.naming.init(), disk.naming.segment(hikari_mux::hls::FIRST_MSN)] {
            let _ = std::fs::remove_file(dir.join(name));
        }
        let _ = std::fs::remove_file(disk.dir.join(&disk.playlist_path));
    }
    let (status, outputs, message) = job.runtime.block_on(crate::upload::finish(job.upload.as_ref(), &job.registry, &job.id, now, status, outputs, message));
    match job.runtime.block_on(job.registry.end(&job.id, status, outputs, message.clone(), (job.now_nanos)())) {
        Ok(_) => tracing::info!(egress = %job.id, ?status, segments = w.segments, bytes = w.bytes, error = message, "packaging egress ended"),
        Err(e) => tracing::error!(egress = %job.id, error = %e, "cannot record the end of the egress"),
    }
    if let Ok(mut jobs) = job.jobs.lock() {
        jobs.remove(&job.id);
    }
    if let Some(disk) = job.disk.take() {
        let id = job.id.clone();
        job.runtime.spawn(async move {
            tokio::time::sleep(LINGER).await;
            disk.streams.remove(&id);
        });
    }
}

fn no_media(stop: &Stop) -> String {
    match stop {
        Stop::Track(SinkEnd::NotFound) => "a track was not found when the egress started".into(),
        Stop::Track(SinkEnd::Unpublished) => "a track was unpublished before any media was written".into(),
        Stop::Track(SinkEnd::RoomClosed) => "the room closed before any media was written".into(),
        _ => "stopped before any media was written".into(),
    }
}
