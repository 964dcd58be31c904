//! The bounded, per-room-ordered delivery queue.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hikari_common::clock::unix_secs;
use hikari_protocol::{WebhookBody, encode_webhook};
use rand::Rng;
use tokio::sync::mpsc;

use crate::event::Event;
use crate::sign::sign_body;
use crate::transport::Transport;

/// Where and how to deliver.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// The API key that signs the tokens.
    pub api_key: String,
    /// Its secret.
    pub secret: String,
    /// Receivers; each gets every event.
    pub urls: Vec<String>,
    /// Lanes per URL (rooms are spread over them; a room keeps its lane).
    pub lanes: usize,
    /// Events each lane holds before it drops.
    pub lane_capacity: usize,
    /// Attempts per event, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Longest wait between retries.
    pub max_backoff: Duration,
}

impl WebhookSettings {
    /// Defaults: 4 lanes of 256 events per URL, 5 attempts, backoff 0.5 s up to 8 s.
    pub fn new(api_key: String, secret: String, urls: Vec<String>) -> Self {
        Self { api_key, secret, urls, lanes: 4, lane_capacity: 256, max_attempts: 5, backoff: Duration::from_millis(500), max_backoff: Duration::from_secs(8) }
    }
}

/// Delivery counters since start (summed over URLs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookCounters {
    /// Events accepted by a receiver.
    pub delivered: u64,
    /// Events given up after the last attempt.
    pub failed: u64,
    /// Attempts that failed and were retried.
    pub retries: u64,
    /// Events dropped because a queue was full.
    pub dropped: u64,
}

#[derive(Default)]
struct Counters {
    delivered: AtomicU64,
    failed: AtomicU64,
    retries: AtomicU64,
    dropped: AtomicU64,
}

struct Job {
    event: Arc<Event>,
    id: Arc<str>,
    created_at: i64,
}

struct Lane {
    tx: mpsc::Sender<Job>,
    /// Drops since the lane last took an event; reported in that event's `numDropped`.
    dropped: Arc<AtomicU32>,
}

/// The webhook sender. Cheap to call from any task; see the crate docs for the policy.
pub struct Notifier {
    /// `urls × lanes`, URL-major.
    lanes: Vec<Lane>,
    per_url: usize,
    counters: Arc<Counters>,
}

fn event_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let suffix: String = (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("EV_{suffix}")
}

impl Notifier {
    /// Starts one task per lane on the current tokio runtime.
    pub fn start<T: Transport>(settings: WebhookSettings, transport: T) -> Self {
        let settings = Arc::new(settings);
        let counters = Arc::new(Counters::default());
        let per_url = settings.lanes.max(1);
        let mut lanes = Vec::new();
        for url in &settings.urls {
            for _ in 0..per_url {
                let (tx, rx) = mpsc::channel(settings.lane_capacity.max(1));
                let dropped = Arc::new(AtomicU32::new(0));
                let worker =
                    Worker { url: url.clone(), settings: settings.clone(), transport: transport.clone(), counters: counters.clone(), dropped: dropped.clone() };
                tokio::spawn(worker.run(rx));
                lanes.push(Lane { tx, dropped });
            }
        }
        Self { lanes, per_url, counters }
    }

    /// Queues `event` for every URL. Never blocks; a full lane drops and counts it.
    pub fn notify(&self, event: Event) {
        if self.lanes.is_empty() {
            return;
        }
        let mut hasher = DefaultHasher::new();
        event.room.name.hash(&mut hasher);
        let lane = (hasher.finish() % self.per_url as u64) as usize;
        let event = Arc::new(event);
        let id: Arc<str> = event_id().into();
        let created_at = unix_secs();
        for url in 0..self.lanes.len() / self.per_url {
            let l = &self.lanes[url * self.per_url + lane];
            let job = Job { event: event.clone(), id: id.clone(), created_at };
            if l.tx.try_send(job).is_err() {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                if l.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::warn!(event = event.kind.name(), room = %event.room.name, "webhook queue full; dropping events");
                }
            }
        }
    }

    /// Counters since start.
    pub fn counters(&self) -> WebhookCounters {
        let c = &self.counters;
        WebhookCounters {
            delivered: c.delivered.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
        }
    }
}

struct Worker<T> {
    url: String,
    settings: Arc<WebhookSettings>,
    transport: T,
    counters: Arc<Counters>,
    dropped: Arc<AtomicU32>,
}

impl<T: Transport> Worker<T> {
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        while let Some(job) = rx.recv().await {
            let num_dropped = self.dropped.swap(0, Ordering::Relaxed);
            let e = &job.event;
            let body: Bytes = encode_webhook(&WebhookBody {
                event: e.kind.name(),
                room: Some(&e.room),
                participant: e.participant.as_ref(),
                track: e.track.as_ref(),
                ingress: e.ingress.as_deref(),
                egress: e.egress.as_deref(),
                id: &job.id,
                created_at: job.created_at,
                num_dropped: i32::try_from(num_dropped).unwrap_or(i32::MAX),
            })
            .into();
            self.deliver(&job, body).await;
        }
    }

    async fn deliver(&self, job: &Job, body: Bytes) {
        let s = &self.settings;
        let mut wait = s.backoff;
        for attempt in 1..=s.max_attempts.max(1) {
            let result = match sign_body(&s.api_key, &s.secret, &body, unix_secs()) {
                Ok(token) => self.transport.post(&self.url, body.clone(), token).await,
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(()) => {
                    self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(url = %self.url, event = job.event.kind.name(), id = %job.id, "webhook delivered");
                    return;
                }
                Err(e) => e,
            };
            if attempt == s.max_attempts.max(1) {
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(url = %self.url, event = job.event.kind.name(), room = %job.event.room.name,
                    attempts = attempt, %error, "webhook not delivered; giving up");
                return;
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(url = %self.url, event = job.event.kind.name(), attempt, %error, "webhook failed; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(s.max_backoff);
        }
    }
}

#[cfg(test)]
mod tests;
