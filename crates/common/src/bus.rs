//! One bounded, typed fan-out. The wiring declares every subscriber up front
//! ([`BusBuilder::subscribe`]), then hands [`Publisher`]s to whoever emits events (the media
//! thread, the funnel's event writer). Publishing never blocks and never allocates beyond
//! each subscriber's bounded queue: a subscriber that falls behind loses the events that
//! do not fit, and each loss is counted per subscriber ([`Publisher::stats`]), so one slow
//! consumer can neither stall the media thread nor grow memory, nor starve the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

/// Declares subscribers, then builds the publisher.
pub struct BusBuilder<E> {
    subscribers: Vec<Subscriber<E>>,
}

struct Subscriber<E> {
    name: &'static str,
    wants: fn(&E) -> bool,
    tx: mpsc::Sender<E>,
    delivered: AtomicU64,
    dropped: AtomicU64,
}

/// The sending side; cheap to clone, `Send + Sync`.
pub struct Publisher<E> {
    subscribers: Arc<[Subscriber<E>]>,
}

impl<E> Clone for Publisher<E> {
    fn clone(&self) -> Self {
        Publisher { subscribers: self.subscribers.clone() }
    }
}

/// One subscriber's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberStats {
    pub name: &'static str,
    /// Events queued for the subscriber (of those it wants).
    pub delivered: u64,
    /// Events the subscriber lost because its queue was full.
    pub dropped: u64,
}

impl<E> Default for BusBuilder<E> {
    fn default() -> Self {
        BusBuilder { subscribers: Vec::new() }
    }
}

impl<E: Clone> BusBuilder<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscriber named `name` (for logs and metrics) with room for `capacity` events.
    pub fn subscribe(&mut self, name: &'static str, capacity: usize) -> mpsc::Receiver<E> {
        self.subscribe_where(name, capacity, |_| true)
    }

    /// A subscriber of the events `wants` accepts only: the others are never queued for it,
    /// so a flood of events it ignores cannot take the room of those it needs.
    pub fn subscribe_where(&mut self, name: &'static str, capacity: usize, wants: fn(&E) -> bool) -> mpsc::Receiver<E> {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.subscribers.push(Subscriber { name, wants, tx, delivered: AtomicU64::new(0), dropped: AtomicU64::new(0) });
        rx
    }

    pub fn build(self) -> Publisher<E> {
        Publisher { subscribers: self.subscribers.into() }
    }
}

impl<E: Clone> Publisher<E> {
    /// Offers `event` to every subscriber that wants it, without waiting. A full queue drops
    /// the event for that subscriber only (counted, logged at the first loss and every 1024th
    /// after); a subscriber that has gone away is skipped silently.
    pub fn publish(&self, event: E) {
        for s in self.subscribers.iter().filter(|s| (s.wants)(&event)) {
            match s.tx.try_send(event.clone()) {
                Ok(()) => {
                    s.delivered.fetch_add(1, Ordering::Relaxed);
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    let lost = s.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                    if lost == 1 || lost.is_multiple_of(1024) {
                        tracing::warn!(subscriber = s.name, lost, "event bus: subscriber is behind; events dropped for it");
                    }
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
    }

    pub fn stats(&self) -> Vec<SubscriberStats> {
        self.subscribers
            .iter()
            .map(|s| SubscriberStats { name: s.name, delivered: s.delivered.load(Ordering::Relaxed), dropped: s.dropped.load(Ordering::Relaxed) })
            .collect()
    }
}
