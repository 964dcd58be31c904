//! The EgressService calls: starting a track egress (find the track, resolve and create the
//! file, record the job, attach the sink, start the job's thread), listing, stopping.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hikari_egress::path::{PathVars, resolve};
use hikari_egress::{Egress, EgressId, EgressRequest, EgressResponse, EgressSource, EgressStatus, Registry, StartTrackEgress};
use hikari_media_io::MediaHandle;
use hikari_mux::Codec;
use hikari_sfu::{Command, SinkId};
use hikari_types::{AdminRequest, AdminResponse, ParticipantInfo, RoomInfo, TrackInfo};
use tokio::sync::mpsc;

use crate::error::RecordError;
use crate::job::{Job, Jobs, run};
use crate::live::LiveHls;

/// Batches queued for a job before the media thread drops them (about 1 s of 720p video at
/// one batch per send).
pub(crate) const JOB_QUEUE: usize = 256;

/// Where recordings go.
#[derive(Clone, Debug)]
pub struct RecorderConfig {
    /// The recordings directory; request paths are relative to it.
    pub dir: PathBuf,
    /// Prefix of a file's `location` (a URL path where this server serves it), e.g.
    /// `/recordings/`.
    pub location_prefix: String,
    /// Prefix of a live HLS stream's location, followed by the egress id, e.g. `/hls/`.
    pub live_prefix: String,
    /// The ffmpeg program RTMP streams are pushed with.
    pub ffmpeg: PathBuf,
    /// Where finished recordings are copied (`egress.s3`), if anywhere.
    pub upload: Option<hikari_upload::Uploader>,
    /// Room composites run at once, at most (each decodes, composes and encodes).
    pub max_composites: usize,
}

/// The running egresses' RTMP destinations, for `UpdateStream`.
pub(crate) type Restreams = Arc<std::sync::Mutex<std::collections::HashMap<EgressId, Arc<crate::restream::Restream>>>>;

/// Runs egress calls and jobs.
pub struct Recorder {
    pub(crate) registry: Arc<Registry>,
    pub(crate) media: MediaHandle,
    pub(crate) cfg: RecorderConfig,
    pub(crate) now_nanos: fn() -> i64,
    pub(crate) next_sink: Arc<AtomicU64>,
    /// Set by [`Recorder::stop_all`]: participant egresses stop waiting for their publishers.
    pub(crate) shutdown: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) jobs: Jobs,
    pub(crate) live: Arc<LiveHls>,
    pub(crate) restreams: Restreams,
    /// Rooms that record every track (CreateRoom's `egress.tracks`): their filepath template.
    pub(crate) auto: std::sync::Mutex<std::collections::HashMap<hikari_types::RoomName, String>>,
    /// Rooms that record every participant (CreateRoom's `egress.participant`): their outputs
    /// and who has been started.
    pub(crate) auto_participants: std::sync::Mutex<
        std::collections::HashMap<hikari_types::RoomName, (hikari_egress::AutoParticipant, std::collections::HashSet<hikari_types::ParticipantIdentity>)>,
    >,
    /// Live HLS part availability after ingest, every job's.
    pub(crate) part_availability: crate::avail::Histogram,
    /// The running room composites: their layout and stop.
    pub(crate) composites: Arc<std::sync::Mutex<std::collections::HashMap<EgressId, crate::composite::control::Control>>>,
}

/// The codec of a track's MIME type (a sink gets RED audio as its primary Opus).
pub(crate) fn codec(mime: &str) -> Option<Codec> {
    match mime.to_ascii_lowercase().as_str() {
        "audio/opus" | "audio/red" => Some(Codec::Opus),
        "video/vp8" => Some(Codec::Vp8),
        "video/vp9" => Some(Codec::Vp9),
        "video/h264" => Some(Codec::H264),
        _ => None,
    }
}

pub(crate) fn kind_name(t: &TrackInfo) -> &'static str {
    match t.kind {
        hikari_types::TrackKind::Audio => "audio",
        hikari_types::TrackKind::Video => "video",
        hikari_types::TrackKind::Data => "data",
    }
}

impl Recorder {
    /// A recorder over the registry and the media thread; `now_nanos` stamps states.
    pub fn new(registry: Arc<Registry>, media: MediaHandle, cfg: RecorderConfig, now_nanos: fn() -> i64) -> Self {
        Self {
            registry,
            media,
            cfg,
            now_nanos,
            next_sink: Arc::new(AtomicU64::new(1)),
            shutdown: Arc::default(),
            jobs: Arc::default(),
            live: Arc::default(),
            restreams: Arc::default(),
            auto: Default::default(),
            composites: Arc::default(),
            part_availability: Arc::default(),
            auto_participants: Default::default(),
        }
    }

    /// How long live HLS parts took to be served after their last media arrived (see
    /// `avail.rs`).
    pub fn part_availability(&self) -> hikari_media_io::LatencyHistogram {
        self.part_availability.lock().map(|h| *h).unwrap_or_default()
    }

    /// How many jobs run now.
    pub fn running(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    /// Where finished jobs' files are copied, if anywhere.
    pub(crate) fn upload_target(&self) -> Option<crate::upload::Target> {
        self.cfg.upload.clone().map(|uploader| crate::upload::Target { uploader, dir: self.cfg.dir.clone() })
    }

    /// The recordings directory (canonical).
    pub fn dir(&self) -> &std::path::Path {
        &self.cfg.dir
    }

    /// The registry (for listing recordings).
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The live HLS streams (for serving them).
    pub fn live(&self) -> &Arc<LiveHls> {
        &self.live
    }

    pub(crate) fn next_sink(&self) -> SinkId {
        SinkId(self.next_sink.fetch_add(1, Ordering::Relaxed))
    }

    /// Runs one EgressService call.
    pub async fn handle(&self, request: EgressRequest) -> Result<EgressResponse, RecordError> {
        Ok(match request {
            EgressRequest::StartTrack(r) => EgressResponse::Egress(Box::new(self.start_track(r).await?)),
            EgressRequest::StartTrackComposite(r) => EgressResponse::Egress(Box::new(self.start_composite(r).await?)),
            EgressRequest::StartParticipant(r) => EgressResponse::Egress(Box::new(self.start_participant(r).await?)),
            EgressRequest::StartRoomComposite(r) => EgressResponse::Egress(Box::new(self.start_room_composite(r).await?)),
            EgressRequest::UpdateLayout { id, layout } => EgressResponse::Egress(Box::new(self.update_layout(&id, layout).await?)),
            EgressRequest::UpdateStream(u) => EgressResponse::Egress(Box::new(self.update_stream(u).await?)),
            EgressRequest::List(filter) => EgressResponse::List(self.registry.list(&filter).await?),
            EgressRequest::Stop(id) => {
                let egress = self.registry.stop(&id, (self.now_nanos)()).await?;
                self.stop_composite(&id);
                self.detach(&id);
                EgressResponse::Egress(Box::new(egress))
            }
        })
    }

    /// Stops every running job (the server is stopping): each finishes its file.
    pub fn stop_all(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
        // Each job leaves the map itself when it has finished and reported.
        let sinks: Vec<SinkId> = self.jobs.lock().map(|j| j.values().flatten().copied().collect()).unwrap_or_default();
        for sink in sinks {
            let _ = self.media.command(Command::DetachSink { sink });
        }
    }

    /// Waits until every job has ended and reported (stop them first with
    /// [`Recorder::stop_all`], or close their rooms); false if some still run after `bound`.
    pub async fn wait_idle(&self, bound: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            if self.jobs.lock().map(|j| j.is_empty()).unwrap_or(true) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub(crate) fn detach(&self, id: &EgressId) {
        let sinks = self.jobs.lock().ok().and_then(|j| j.get(id).cloned()).unwrap_or_default();
        for sink in sinks {
            let _ = self.media.command(Command::DetachSink { sink });
        }
    }

    pub(crate) async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, RecordError> {
        self.media.admin(request).await.map_err(|e| match e {
            hikari_media_io::MediaError::Admin(hikari_types::AdminError::NotFound(m)) => RecordError::NotFound(m),
            other => RecordError::Unavailable(other.to_string()),
        })
    }

    /// The room and who is in it.
    pub(crate) async fn room(&self, name: &hikari_types::RoomName) -> Result<(RoomInfo, Vec<ParticipantInfo>), RecordError> {
        let not_found = || RecordError::NotFound(format!("room {:?} does not exist", name.as_str()));
        let AdminResponse::Rooms(rooms) = self.admin(AdminRequest::ListRooms { names: vec![name.clone()] }).await? else { return Err(not_found()) };
        let room = rooms.into_iter().next().ok_or_else(not_found)?;
        let AdminResponse::Participants(people) = self.admin(AdminRequest::ListParticipants { room: name.clone() }).await? else {
            return Err(not_found());
        };
        Ok((room, people))
    }

    /// The room, and the track with its publisher.
    async fn find(&self, r: &StartTrackEgress) -> Result<(RoomInfo, ParticipantInfo, TrackInfo), RecordError> {
        let (room, people) = self.room(&r.room_name).await?;
        people
            .into_iter()
            .find_map(|p| p.tracks.iter().find(|t| t.sid == r.track_id).cloned().map(|t| (p, t)))
            .map(|(p, t)| (room, p, t))
            .ok_or_else(|| RecordError::NotFound(format!("track {:?} is not published in room {:?}", r.track_id.as_str(), r.room_name.as_str())))
    }

    pub(crate) async fn start_track(&self, r: StartTrackEgress) -> Result<Egress, RecordError> {
        let (room, publisher, track) = self.find(&r).await?;
        let Some(codec) = codec(&track.mime_type) else {
            return Err(RecordError::Invalid(format!("track {} is {}: this server records Opus, VP8, VP9 and H.264 tracks", track.sid, track.mime_type)));
        };
        let now = (self.now_nanos)();
        let vars = PathVars {
            room_name: room.name.as_str(),
            room_id: room.sid.as_str(),
            track_id: track.sid.as_str(),
            track_type: kind_name(&track),
            track_source: track.source.grant_name(),
            publisher_identity: publisher.identity.as_str(),
            unix_millis: now / 1_000_000,
        };
        let relative = resolve(&r.filepath, &vars, codec.extension())?;
        let full = self.cfg.dir.join(&relative);
        let file = create(&full)?;
        let source = EgressSource::Track { track_id: r.track_id.clone(), filepath: relative.clone() };
        let egress = self.registry.start(r.room_name.clone(), source, room.sid.clone(), now).await?;
        let sink = self.next_sink();
        let (tx, rx) = mpsc::channel(JOB_QUEUE);
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(egress.id.clone(), vec![sink]);
        }
        let job = Job {
            id: egress.id.clone(),
            codec,
            file: Some(file),
            full,
            relative: relative.clone(),
            location: format!("{}{relative}", self.cfg.location_prefix),
            registry: self.registry.clone(),
            runtime: tokio::runtime::Handle::current(),
            now_nanos: self.now_nanos,
            jobs: self.jobs.clone(),
            upload: self.upload_target(),
        };
        if let Err(e) = self.media.attach_sink(sink, room.name.clone(), track.sid.clone(), tx) {
            self.jobs.lock().ok().map(|mut j| j.remove(&egress.id));
            let failed = self.registry.end(&egress.id, EgressStatus::Failed, None, format!("the media thread refused the job: {e}"), now).await?;
            return Ok(failed.unwrap_or(egress));
        }
        let name = format!("egress-{}", egress.id);
        let spawned = std::thread::Builder::new().name(name).spawn(move || run(job, rx));
        if let Err(e) = spawned {
            self.detach(&egress.id);
            self.jobs.lock().ok().map(|mut j| j.remove(&egress.id));
            let why = format!("cannot start the job's thread: {e}");
            self.registry.end(&egress.id, EgressStatus::Failed, None, why.clone(), now).await?;
            return Err(RecordError::Unavailable(why));
        }
        tracing::info!(egress = %egress.id, room = %room.name, track = %track.sid, file = %relative, codec = ?codec, "track egress started");
        Ok(egress)
    }
}

/// Creates the file and its directories; an existing file is never overwritten.
pub(crate) fn create(full: &std::path::Path) -> Result<std::fs::File, RecordError> {
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).map_err(|e| RecordError::File(format!("cannot create the directory {}: {e}", dir.display())))?;
    }
    std::fs::OpenOptions::new().write(true).create_new(true).open(full).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => RecordError::Invalid(format!("a recording already exists at {}; choose another filepath", full.display())),
        _ => RecordError::File(format!("cannot create {}: {e}", full.display())),
    })
}
