//! The egress registry: the EgressService's record keeping (start, list, stop) and the
//! runtime's status changes, each stored before it returns and told to the [`EventSink`] in
//! order. Status moves only forward: starting, active, ending, then one end; a change that
//! would move it back, or out of an end, is ignored (a late report of a job that was stopped).

use std::sync::Arc;

use hikari_types::{Egress, EgressFilter, EgressId, EgressOutput, EgressSource, EgressStatus, RoomName, RoomSid, StreamResult, StreamStatus};
use rand::Rng;
use tokio::sync::Mutex;

use crate::error::EgressError;
use crate::event::{EgressEvent, EventSink};
use crate::library::{MAX_LISTED, Recording, RecordingFilter};
use crate::store::EgressStore;

/// The error of jobs a previous run left running.
pub const INTERRUPTED: &str = "interrupted: the server stopped while this egress ran; the file holds what was written until then";

/// A new egress id: `EG_` and 12 random base62 characters, as LiveKit's.
pub fn new_egress_id() -> EgressId {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..12).map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())])).collect();
    EgressId::new(format!("EG_{tail}"))
}

/// The egress registry: every change goes through here, is stored before it returns, and is
/// told to the [`EventSink`] in order.
pub struct Registry {
    store: Arc<dyn EgressStore>,
    sink: EventSink,
    /// Serialises read-modify-write sequences (one process owns the store).
    write: Mutex<()>,
}

impl Registry {
    /// A registry over `store`, giving its events to `sink`.
    pub fn new(store: Arc<dyn EgressStore>, sink: EventSink) -> Self {
        Self { store, sink, write: Mutex::new(()) }
    }

    /// Records an egress the runtime is about to start (its paths resolved), status
    /// starting. Emits [`EgressEvent::Started`].
    pub async fn start(&self, room_name: RoomName, source: EgressSource, room_id: RoomSid, now: i64) -> Result<Egress, EgressError> {
        let egress = Egress {
            id: new_egress_id(),
            room_id,
            room_name,
            source,
            status: EgressStatus::Starting,
            started_at: now,
            ended_at: 0,
            updated_at: now,
            error: String::new(),
            file: None,
            segments: None,
            streams: Vec::new(),
            images: None,
        };
        let _w = self.write.lock().await;
        self.store.put(&egress).await?;
        (self.sink)(EgressEvent::Started(egress.clone()));
        Ok(egress)
    }

    /// The egress with that id.
    pub async fn get(&self, id: &EgressId) -> Result<Egress, EgressError> {
        self.store.get(id).await?.ok_or_else(|| EgressError::NotFound(id.to_string()))
    }

    /// `ListEgress`.
    pub async fn list(&self, filter: &EgressFilter) -> Result<Vec<Egress>, EgressError> {
        self.store.list(filter).await
    }

    /// `StopEgress`: a running job becomes ending (the runtime finishes its file and reports
    /// the end); an ended one is `failed_precondition`, as in LiveKit.
    pub async fn stop(&self, id: &EgressId, now: i64) -> Result<Egress, EgressError> {
        let current = self.get(id).await?;
        if !current.status.is_active() {
            return Err(EgressError::FailedPrecondition(format!("egress {id} has already ended ({:?}); nothing to stop", current.status)));
        }
        Ok(self.advance(id, EgressStatus::Ending, Vec::new(), String::new(), now).await?.unwrap_or(current))
    }

    /// The runtime's report: the job is writing, or its output grew.
    pub async fn active(&self, id: &EgressId, output: EgressOutput, now: i64) -> Result<Option<Egress>, EgressError> {
        self.advance(id, EgressStatus::Active, vec![output], String::new(), now).await
    }

    /// The runtime's report: the job ended with `status` (`error` for failures), its outputs
    /// as it is.
    pub async fn end(
        &self,
        id: &EgressId,
        status: EgressStatus,
        outputs: impl IntoIterator<Item = EgressOutput>,
        error: String,
        now: i64,
    ) -> Result<Option<Egress>, EgressError> {
        self.advance(id, status, outputs.into_iter().collect(), error, now).await
    }

    /// The runtime's report on a running job's RTMP destinations: all of them as they are now,
    /// and (after `UpdateStream`) the request's redacted URL list. The first destination
    /// connected makes a starting job active. Ignored once the job has ended.
    pub async fn streams(&self, id: &EgressId, results: Vec<StreamResult>, urls: Option<Vec<String>>, now: i64) -> Result<Option<Egress>, EgressError> {
        let _w = self.write.lock().await;
        let Some(mut egress) = self.store.get(id).await? else { return Err(EgressError::NotFound(id.to_string())) };
        if !egress.status.is_active() {
            return Ok(None);
        }
        let live = results.iter().any(|r| r.status == StreamStatus::Active && r.started_at > 0 && r.error.is_empty());
        if egress.status == EgressStatus::Starting && live {
            egress.status = EgressStatus::Active;
        }
        egress.streams = results;
        if let (
            Some(urls),
            EgressSource::TrackComposite { outputs, .. } | EgressSource::Participant { outputs, .. } | EgressSource::RoomComposite { outputs, .. },
        ) = (urls, &mut egress.source)
        {
            outputs.stream_urls = urls;
        }
        egress.updated_at = now;
        self.store.put(&egress).await?;
        (self.sink)(EgressEvent::Updated(egress.clone()));
        Ok(Some(egress))
    }

    /// `UpdateLayout`: a running room composite's layout, stored and told. Refused for
    /// another kind of egress or one that has ended.
    pub async fn update_layout(&self, id: &EgressId, layout: String, now: i64) -> Result<Egress, EgressError> {
        let _w = self.write.lock().await;
        let Some(mut egress) = self.store.get(id).await? else { return Err(EgressError::NotFound(id.to_string())) };
        if !egress.status.is_active() {
            return Err(EgressError::FailedPrecondition(format!("egress {id} has ended ({:?}); start a new one", egress.status)));
        }
        let EgressSource::RoomComposite { layout: current, .. } = &mut egress.source else {
            return Err(EgressError::FailedPrecondition(format!("egress {id} is not a room composite; only room composites have a layout")));
        };
        *current = layout;
        egress.updated_at = now;
        self.store.put(&egress).await?;
        (self.sink)(EgressEvent::Updated(egress.clone()));
        Ok(egress)
    }

    /// Moves `id` to `status` if that is forward (or the same active status with a new
    /// output), stores and tells it; `None` when the change was ignored.
    async fn advance(&self, id: &EgressId, status: EgressStatus, outputs: Vec<EgressOutput>, error: String, now: i64) -> Result<Option<Egress>, EgressError> {
        let _w = self.write.lock().await;
        let Some(mut egress) = self.store.get(id).await? else { return Err(EgressError::NotFound(id.to_string())) };
        let rank = |s: EgressStatus| match s {
            EgressStatus::Starting => 0,
            EgressStatus::Active => 1,
            EgressStatus::Ending => 2,
            _ => 3,
        };
        let same_with_file = status == egress.status && status == EgressStatus::Active && !outputs.is_empty();
        if !egress.status.is_active() || (rank(status) <= rank(egress.status) && !same_with_file) {
            return Ok(None);
        }
        egress.status = status;
        egress.updated_at = now;
        for output in outputs {
            match output {
                EgressOutput::File(f) => egress.file = Some(f),
                EgressOutput::Segments(s) => egress.segments = Some(s),
                EgressOutput::Streams(s) => egress.streams = s,
                EgressOutput::Images(i) => egress.images = Some(i),
            }
        }
        if !status.is_active() {
            egress.ended_at = now;
            egress.error = error;
        }
        self.store.put(&egress).await?;
        let event = if status.is_active() { EgressEvent::Updated(egress.clone()) } else { EgressEvent::Ended(egress.clone()) };
        (self.sink)(event);
        Ok(Some(egress))
    }

    /// The recordings library: finished recordings, newest first.
    pub async fn recordings(&self, filter: &RecordingFilter) -> Result<Vec<Recording>, EgressError> {
        // Ended egresses that wrote nothing (a stream-only job, a failure before media) are
        // skipped, so rows are read in batches until the page is full.
        const BATCH: u32 = 200;
        let want = filter.limit.clamp(1, MAX_LISTED) as usize;
        let mut found = Vec::new();
        let mut offset = 0;
        loop {
            let batch = self.store.finished(filter.room_name.as_ref(), offset, BATCH).await?;
            let last = batch.len() < BATCH as usize;
            found.extend(batch.iter().filter_map(Recording::of).take(want - found.len()));
            if last || found.len() == want {
                return Ok(found);
            }
            offset += BATCH;
        }
    }

    /// One recording of the library.
    pub async fn recording(&self, id: &EgressId) -> Result<Recording, EgressError> {
        let missing = || EgressError::NotFound(format!("no recording {id} in the library"));
        let egress = self.store.get(id).await?.ok_or_else(missing)?;
        if self.store.forgotten(id).await? {
            return Err(missing());
        }
        Recording::of(&egress).ok_or_else(missing)
    }

    /// Takes a recording out of the library once its files are deleted (the caller's part).
    /// Its egress record stays, as ListEgress shows it.
    pub async fn forget(&self, id: &EgressId, now: i64) -> Result<(), EgressError> {
        self.recording(id).await?;
        self.store.forget(id, now).await
    }

    /// At start: every job a previous run left running ends failed with [`INTERRUPTED`] (its
    /// file, written as it went, stays readable). Returns how many.
    pub async fn end_interrupted(&self, now: i64) -> Result<usize, EgressError> {
        let running = self.store.list(&EgressFilter { active: true, ..Default::default() }).await?;
        for e in &running {
            self.advance(&e.id, EgressStatus::Failed, Vec::new(), INTERRUPTED.into(), now).await?;
        }
        Ok(running.len())
    }
}
