//! Queue policy against a fake transport, on tokio's paused clock.

use std::sync::Mutex;

use hikari_types::{RoomInfo, RoomName};
use tokio::sync::Semaphore;

use super::*;
use crate::{EventKind, WebhookError};

/// (url, event name, room, numDropped) of one accepted post.
type Accepted = (String, String, String, u64);

#[derive(Clone, Default)]
struct Fake {
    /// (url, event name, room, numDropped) of each accepted post, in order.
    accepted: Arc<Mutex<Vec<Accepted>>>,
    /// Attempts to fail before accepting any.
    fail_first: Arc<AtomicU32>,
    /// When set, each post waits for a permit.
    gate: Option<Arc<Semaphore>>,
}

impl Transport for Fake {
    async fn post(&self, url: &str, body: Bytes, _authorization: String) -> Result<(), WebhookError> {
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("open").forget();
        }
        if self.fail_first.load(Ordering::SeqCst) > 0 {
            self.fail_first.fetch_sub(1, Ordering::SeqCst);
            return Err(WebhookError::Status(503));
        }
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json body");
        let dropped = v["numDropped"].as_u64().unwrap_or(0);
        let name = v["event"].as_str().unwrap_or_default().to_owned();
        let room = v["room"]["name"].as_str().unwrap_or_default().to_owned();
        self.accepted.lock().expect("lock").push((url.to_owned(), name, room, dropped));
        Ok(())
    }
}

fn event(kind: EventKind, room: &str) -> Event {
    Event { kind, room: RoomInfo { name: RoomName::new(room), ..Default::default() }, participant: None, track: None, ingress: None, egress: None }
}

fn settings(urls: &[&str]) -> WebhookSettings {
    WebhookSettings::new("k".into(), "secret".into(), urls.iter().map(|u| (*u).to_owned()).collect())
}

async fn until(n: &Notifier, done: impl Fn(WebhookCounters) -> bool) {
    for _ in 0..10_000 {
        if done(n.counters()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached: {:?}", n.counters());
}

#[tokio::test(start_paused = true)]
async fn retries_keep_each_rooms_order_and_every_url_gets_everything() {
    let fake = Fake::default();
    fake.fail_first.store(3, Ordering::SeqCst);
    let n = Notifier::start(settings(&["http://a/", "http://b/"]), fake.clone());
    let kinds = [EventKind::RoomStarted, EventKind::ParticipantJoined, EventKind::ParticipantLeft, EventKind::RoomFinished];
    for kind in kinds {
        for room in ["r1", "r2", "r3"] {
            n.notify(event(kind, room));
        }
    }
    until(&n, |c| c.delivered == 24).await;
    let c = n.counters();
    assert_eq!((c.failed, c.retries, c.dropped), (0, 3, 0));
    let accepted = fake.accepted.lock().expect("lock").clone();
    for url in ["http://a/", "http://b/"] {
        for room in ["r1", "r2", "r3"] {
            let order: Vec<&str> = accepted.iter().filter(|a| a.0 == url && a.2 == room).map(|a| a.1.as_str()).collect();
            assert_eq!(order, ["room_started", "participant_joined", "participant_left", "room_finished"]);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_drops_without_blocking_and_reports_the_count() {
    let gate = Arc::new(Semaphore::new(0));
    let fake = Fake { gate: Some(gate.clone()), ..Default::default() };
    let mut s = settings(&["http://a/"]);
    (s.lanes, s.lane_capacity) = (1, 2);
    let n = Notifier::start(s, fake.clone());
    // notify() is synchronous: nothing else runs in between, so the lane holds two.
    for _ in 0..10 {
        n.notify(event(EventKind::ParticipantJoined, "r"));
    }
    assert_eq!(n.counters().dropped, 8);
    gate.add_permits(100);
    until(&n, |c| c.delivered == 2).await;
    let accepted = fake.accepted.lock().expect("lock").clone();
    assert_eq!(accepted.iter().map(|a| a.3).collect::<Vec<_>>(), [8, 0], "the next event reports the drops");
}

#[tokio::test(start_paused = true)]
async fn a_dead_receiver_is_given_up_after_the_last_attempt() {
    let fake = Fake::default();
    fake.fail_first.store(u32::MAX, Ordering::SeqCst);
    let mut s = settings(&["http://a/"]);
    s.max_attempts = 3;
    let n = Notifier::start(s, fake);
    let started = tokio::time::Instant::now();
    n.notify(event(EventKind::RoomStarted, "r"));
    until(&n, |c| c.failed == 1).await;
    assert_eq!(n.counters(), WebhookCounters { delivered: 0, failed: 1, retries: 2, dropped: 0 });
    // Backoff 0.5 s then 1 s.
    assert!(started.elapsed() >= Duration::from_millis(1500), "{:?}", started.elapsed());
}
