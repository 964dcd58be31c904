//! What the RTMP and SRT listeners share: [`Ingest`], the sessions by ingress (so a second
//! encoder on a key in use is refused and a deleted ingress ends its session) and the count
//! of encoder connections; [`Live`], a session that publishes (its publisher, its stop
//! signal, its reports and its end); and the bitrate limit.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::oneshot;

use hikari_signal::Router;
use hikari_types::DisconnectReason;

use crate::publisher::{Publisher, Step};
use crate::{Directory, IngestConfig, IngestError, InputKind, Report, SessionStats, Target};

/// The running ingest: which ingresses have an encoder connected.
#[derive(Clone, Default)]
pub struct Ingest {
    active: Arc<Mutex<HashMap<String, oneshot::Sender<()>>>>,
    connections: Arc<AtomicUsize>,
    measured: Arc<Mutex<HashMap<String, SessionStats>>>,
}

impl Ingest {
    /// Ends the session of an ingress, if one runs (the ingress was deleted or disabled).
    pub fn end(&self, ingress_id: &str) {
        if let Some(stop) = self.lock().remove(ingress_id) {
            let _ = stop.send(());
        }
    }

    /// The ingresses with an encoder connected now.
    pub fn active(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        self.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What each running session measured at its last report, by ingress id (sorted).
    pub fn measured(&self) -> Vec<(String, SessionStats)> {
        let mut all: Vec<_> = self.measured_lock().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn measured_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionStats>> {
        self.measured.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes what a session measured.
    pub(crate) fn record(&self, ingress_id: &str, stats: SessionStats) {
        self.measured_lock().insert(ingress_id.to_owned(), stats);
    }

    /// The open encoder connections (RTMP, SRT and WHIP).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Claims an ingress for a session; `None` when another session has it.
    pub(crate) fn claim(&self, ingress_id: &str) -> Option<Claim> {
        let mut active = self.lock();
        if active.get(ingress_id).is_some_and(|s| !s.is_closed()) {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        active.insert(ingress_id.to_owned(), tx);
        Some(Claim { ingest: self.clone(), ingress_id: ingress_id.to_owned(), stop: Some(rx) })
    }

    /// Forgets a session's claim once its stop receiver is gone.
    fn release(&self, ingress_id: &str) {
        let mut active = self.lock();
        if active.get(ingress_id).is_some_and(|s| s.is_closed()) {
            active.remove(ingress_id);
            self.measured_lock().remove(ingress_id);
        }
    }

    /// One encoder connection more, if fewer than `max` are open (RTMP and SRT together).
    pub(crate) fn slot(&self, max: usize) -> Option<Slot> {
        self.connections.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < max).then_some(n + 1)).ok()?;
        Some(Slot(Arc::clone(&self.connections)))
    }
}

/// An encoder connection counted against [`IngestConfig::max_connections`]; dropping it
/// frees the place.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A session's hold on its ingress ([`Ingest::claim`]); dropping it frees the ingress.
pub(crate) struct Claim {
    ingest: Ingest,
    ingress_id: String,
    stop: Option<oneshot::Receiver<()>>,
}

impl Claim {
    /// Notes what the session measured (the metrics read it until the claim is dropped).
    pub(crate) fn record(&self, stats: SessionStats) {
        self.ingest.record(&self.ingress_id, stats);
    }

    /// Resolves when the ingress is ended from outside ([`Ingest::end`]).
    pub(crate) async fn stopped(&mut self) {
        match self.stop.as_mut() {
            Some(stop) => {
                let _ = stop.await;
            }
            None => std::future::pending().await,
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        drop(self.stop.take());
        self.ingest.release(&self.ingress_id);
    }
}

/// A session that publishes: its publisher and its claim on the ingress.
pub(crate) struct Live<R: Router> {
    /// The encoder's publisher in the room.
    pub(crate) publisher: Publisher<R>,
    claim: Claim,
    input: InputKind,
}

impl<R: Router> Live<R> {
    /// A session for `target`, with its claim.
    pub(crate) fn new(router: R, target: Target, cfg: Arc<IngestConfig>, claim: Claim, input: InputKind) -> Self {
        Self { publisher: Publisher::new(router, target, cfg, Instant::now()), claim, input }
    }

    /// Waits for what the room or the job sends next, or for the ingress to be ended from
    /// outside ([`Ingest::end`]: the room lets the ingress go).
    pub(crate) async fn next(&mut self) -> Result<Step, IngestError> {
        tokio::select! {
            step = self.publisher.next() => step,
            () = self.claim.stopped() => Ok(Step::Closed(DisconnectReason::ParticipantRemoved)),
        }
    }

    /// Sends the state report that is due, if one is.
    pub(crate) async fn report<D: Directory>(&mut self, directory: &D) {
        if let Some(report) = self.publisher.due_report(Instant::now()) {
            self.claim.record(SessionStats { input: self.input.name(), ..self.publisher.measured() });
            directory.report(&self.publisher.target().ingress_id, report).await;
        }
    }

    /// Ends the session: leaves the room, frees the claim and reports the end, with the
    /// error if the session failed. `input` and `peer` go into the log line.
    pub(crate) async fn end<D: Directory>(mut self, directory: &D, result: Result<(), IngestError>, input: &str, peer: SocketAddr) {
        self.publisher.leave();
        let id = self.publisher.target().ingress_id.clone();
        let error = match result {
            Ok(()) => {
                tracing::info!(%peer, ingress = %id, "{input}: encoder stopped");
                None
            }
            Err(error) => {
                tracing::warn!(%peer, ingress = %id, %error, "{input}: ingress ended with an error");
                Some(error.to_string())
            }
        };
        drop(self.claim);
        directory.report(&id, Report::Ended { error }).await;
    }
}

/// The bitrate limit: bytes per window, over [`IngestConfig::max_bitrate`] ends it.
pub(crate) fn meter(window: &mut (Instant, u64), n: usize, now: Instant, cfg: &IngestConfig) -> Result<(), IngestError> {
    let elapsed = now.saturating_duration_since(window.0);
    if elapsed >= cfg.flood_window {
        *window = (now, 0);
    }
    window.1 += n as u64;
    let allowed = cfg.max_bitrate.saturating_mul(cfg.flood_window.as_millis() as u64) / 8_000;
    if window.1 > allowed {
        return Err(IngestError::Flood(cfg.max_bitrate));
    }
    Ok(())
}
