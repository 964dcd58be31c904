//! One track egress on its own thread: packet batches in, the file written as they come,
//! then the end reported. The job ends when its channel closes (the job was stopped: the
//! media thread dropped its sender) or says the track went away, or when writing fails.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hikari_egress::{EgressId, EgressOutput, EgressStatus, FileResult, Registry};
use hikari_media_io::SinkOut;
use hikari_mux::{Codec, MuxError, Packet, Stats, TrackRecorder};
use hikari_sfu::{SinkEnd, SinkId};
use tokio::sync::mpsc;

/// The running jobs, by egress id: the sinks each reads.
pub(crate) type Jobs = Arc<Mutex<HashMap<EgressId, Vec<SinkId>>>>;

/// What a job needs.
pub(crate) struct Job {
    pub(crate) id: EgressId,
    pub(crate) codec: Codec,
    /// The file, opened; the recorder takes it.
    pub(crate) file: Option<std::fs::File>,
    pub(crate) full: PathBuf,
    pub(crate) relative: String,
    pub(crate) location: String,
    pub(crate) registry: Arc<Registry>,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) now_nanos: fn() -> i64,
    pub(crate) jobs: Jobs,
    /// Where the file is copied when it is finished (`egress.s3`).
    pub(crate) upload: Option<crate::upload::Target>,
}

/// How the packets stopped.
enum Stop {
    /// Stopped by `StopEgress` or the server stopping (the sender was dropped).
    Detached,
    /// The SFU ended the sink.
    Track(SinkEnd),
    /// Writing failed.
    Write(MuxError),
}

impl Job {
    fn file_result(&self, stats: &Stats, started_at: i64, ended_at: i64) -> FileResult {
        FileResult {
            filename: self.relative.clone(),
            started_at,
            ended_at,
            duration: i64::try_from(stats.duration.as_nanos()).unwrap_or(i64::MAX),
            size: i64::try_from(stats.bytes).unwrap_or(i64::MAX),
            location: self.location.clone(),
        }
    }
}

/// Runs the job to its end.
pub(crate) fn run(mut job: Job, mut rx: mpsc::Receiver<SinkOut>) {
    let Some(file) = job.file.take() else { return end(&job, EgressStatus::Failed, None, "the job has no file".into()) };
    let mut rec = TrackRecorder::new(job.codec, file);
    let mut started_at = None;
    let stop = loop {
        let Some(out) = rx.blocking_recv() else { break Stop::Detached };
        let batch = match out {
            SinkOut::Packets(batch) => batch,
            SinkOut::Closed(reason) => break Stop::Track(reason),
        };
        if let Some(e) = push_all(&job, &mut rec, &batch) {
            break Stop::Write(e);
        }
        if started_at.is_none() && rec.stats().frames > 0 {
            let now = (job.now_nanos)();
            started_at = Some(now);
            let file = job.file_result(&rec.stats(), now, 0);
            if let Err(e) = job.runtime.block_on(job.registry.active(&job.id, EgressOutput::File(file), now)) {
                tracing::warn!(egress = %job.id, error = %e, "cannot record that the egress is active");
            }
        }
    };
    finish(&job, rec, stop, started_at);
}

/// Pushes a batch; the fatal error that ends the job, if any.
fn push_all(job: &Job, rec: &mut TrackRecorder<std::fs::File>, batch: &[hikari_sfu::MediaPacket]) -> Option<MuxError> {
    for p in batch {
        match rec.push(Packet { seq: p.seq, ts: p.ts, marker: p.marker, payload: &p.payload }) {
            Ok(()) => {}
            Err(e) if e.is_fatal() => return Some(e),
            Err(e) => tracing::debug!(egress = %job.id, error = %e, "a frame was dropped"),
        }
    }
    None
}

fn finish(job: &Job, rec: TrackRecorder<std::fs::File>, stop: Stop, started_at: Option<i64>) {
    let now = (job.now_nanos)();
    let (status, error) = match &stop {
        Stop::Write(e) => write_failure(e),
        Stop::Detached | Stop::Track(_) if started_at.is_none() => (EgressStatus::Aborted, no_media(&stop)),
        Stop::Detached | Stop::Track(_) => (EgressStatus::Complete, String::new()),
    };
    let (status, error, stats) = match rec.finish_seekable() {
        Ok((file, stats)) => match file.sync_all() {
            Ok(()) => (status, error, Some(stats)),
            Err(e) => (EgressStatus::Failed, format!("cannot sync {}: {e}", job.full.display()), Some(stats)),
        },
        Err(e) if status == EgressStatus::Complete => {
            let (s, m) = write_failure(&e);
            (s, m, None)
        }
        Err(_) => (status, error, None),
    };
    let file = stats.as_ref().map(|s| job.file_result(s, started_at.unwrap_or(now), now));
    if status == EgressStatus::Aborted && stats.as_ref().is_some_and(|s| s.frames == 0) {
        // Nothing was written but the headers: no recording to keep.
        let _ = std::fs::remove_file(&job.full);
        return end(job, status, None, error);
    }
    if let Some(s) = &stats {
        tracing::info!(egress = %job.id, packets = s.packets, frames = s.frames, dropped_frames = s.dropped_frames, bad_packets = s.bad_packets, "track egress wrote its file");
    }
    end(job, status, file, error);
}

fn no_media(stop: &Stop) -> String {
    match stop {
        Stop::Track(SinkEnd::NotFound) => "the track was not found when the recording started".into(),
        Stop::Track(SinkEnd::Unpublished) => "the track was unpublished before any media arrived".into(),
        Stop::Track(SinkEnd::RoomClosed) => "the room closed before any media arrived".into(),
        _ => "stopped before any media arrived".into(),
    }
}

/// A write error: a full disk is a limit (LIMIT_REACHED), anything else a failure.
fn write_failure(e: &MuxError) -> (EgressStatus, String) {
    match e {
        MuxError::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => (EgressStatus::LimitReached, format!("the disk is full: {e}")),
        _ => (EgressStatus::Failed, e.to_string()),
    }
}

/// Records the end, then leaves the running jobs (so a shutdown waiting for them knows the
/// end is stored).
fn end(job: &Job, status: EgressStatus, file: Option<FileResult>, error: String) {
    let size = file.as_ref().map_or(0, |f| f.size);
    let outputs = file.map(EgressOutput::File).into_iter().collect();
    let (status, outputs, error) =
        job.runtime.block_on(crate::upload::finish(job.upload.as_ref(), &job.registry, &job.id, (job.now_nanos)(), status, outputs, error));
    match job.runtime.block_on(job.registry.end(&job.id, status, outputs, error.clone(), (job.now_nanos)())) {
        Ok(_) => tracing::info!(egress = %job.id, ?status, size, error, "track egress ended"),
        Err(e) => tracing::error!(egress = %job.id, error = %e, "cannot record the end of the egress"),
    }
    if let Ok(mut jobs) = job.jobs.lock() {
        jobs.remove(&job.id);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use hikari_egress::{Egress, SqliteEgressStore, StartTrackEgress};

    use super::*;

    async fn registry() -> Arc<Registry> {
        Arc::new(Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), Arc::new(|_| {})))
    }

    fn job(registry: &Arc<Registry>, egress: &Egress, file: std::fs::File, full: PathBuf) -> Job {
        Job {
            id: egress.id.clone(),
            codec: Codec::Opus,
            file: Some(file),
            full,
            relative: "x.ogg".into(),
            location: "/r/x.ogg".into(),
            registry: registry.clone(),
            runtime: tokio::runtime::Handle::current(),
            now_nanos: || 1,
            jobs: Jobs::default(),
            upload: None,
        }
    }

    /// 50 Opus packets of 20 ms.
    fn batch() -> Vec<hikari_sfu::MediaPacket> {
        (0..50u32)
            .map(|i| hikari_sfu::MediaPacket {
                seq: u64::from(i),
                ts: i * 960,
                marker: true,
                keyframe: false,
                payload: Arc::from(&[0xfcu8, 0xff, 0xfe][..]),
                arrived: Instant::now(),
            })
            .collect()
    }

    /// A full disk ends its job with LIMIT_REACHED and says why; the job beside it, writing the
    /// same packets to a good file, completes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_disk_ends_only_its_own_job() {
        let registry = registry().await;
        let dir = tempfile::tempdir().expect("dir");
        let start = StartTrackEgress { room_name: "r".into(), track_id: "TR_a".into(), filepath: String::new() };
        let source = |f: &str| hikari_egress::EgressSource::Track { track_id: start.track_id.clone(), filepath: f.into() };
        let full = registry.start(start.room_name.clone(), source("full.ogg"), "RM_1".into(), 1).await.expect("start");
        let good = registry.start(start.room_name.clone(), source("good.ogg"), "RM_1".into(), 1).await.expect("start");
        let dev_full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let good_path = dir.path().join("good.ogg");
        let good_file = std::fs::File::create(&good_path).expect("file");
        let mut threads = Vec::new();
        for (j, egress) in [(job(&registry, &full, dev_full, "/dev/full".into()), &full), (job(&registry, &good, good_file, good_path.clone()), &good)] {
            let (tx, rx) = mpsc::channel(4);
            tx.send(SinkOut::Packets(batch())).await.expect("queued");
            if egress.id == good.id {
                tx.send(SinkOut::Closed(SinkEnd::Unpublished)).await.expect("queued");
            }
            threads.push(tokio::task::spawn_blocking(move || run(j, rx)));
            // The full one's sender is dropped here or after its packets: either way it ends.
            drop(tx);
        }
        for t in threads {
            t.await.expect("the job's thread ends");
        }
        let full = registry.get(&full.id).await.expect("full");
        assert_eq!(full.status, EgressStatus::LimitReached, "{full:?}");
        assert!(full.error.contains("disk is full"), "{}", full.error);
        let good = registry.get(&good.id).await.expect("good");
        assert_eq!(good.status, EgressStatus::Complete, "{good:?}");
        let file = good.file.expect("a file result");
        assert!(file.size > 0 && file.duration >= 900_000_000, "{file:?}");
        assert_eq!(std::fs::metadata(&good_path).expect("written").len(), u64::try_from(file.size).expect("size"));
    }
}
