//! The one event bus: every event the server's parts emit, and its subscribers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hikari_common::bus::{BusBuilder, Publisher};
use hikari_sfu::RoomEvent;
use hikari_webhook::{Event, EventKind, Notifier};

/// Events queued for the webhook subscriber before it loses them (counted).
const WEBHOOK_QUEUE: usize = 4096;
/// Funnel events queued for the metrics subscriber.
const FUNNEL_METRICS_QUEUE: usize = 8192;

/// Stored funnel events seen on the bus, by who recorded them (`/metrics`).
#[derive(Debug, Default)]
pub struct FunnelCounts {
    server: AtomicU64,
    client: AtomicU64,
}

impl FunnelCounts {
    /// (recorded by the server, sent by clients through the tracking beacon)
    pub fn snapshot(&self) -> (u64, u64) {
        (self.server.load(Ordering::Relaxed), self.client.load(Ordering::Relaxed))
    }

    fn count(&self, event: &hikari_funnel::Event) {
        let which = if event.id.is_from_client() { &self.client } else { &self.server };
        which.fetch_add(1, Ordering::Relaxed);
    }
}

/// Everything published on the bus: what one half tells the other, and what the binary's own
/// subscribers (webhooks, metrics) need. Coming: ingress and egress events, webinar
/// attendance (room joins matched to registrants), recording triggers, a cluster relay.
#[derive(Clone, Debug)]
pub enum HikariEvent {
    /// From the media thread (shared: every subscriber gets the same one).
    Room(Arc<RoomEvent>),
    /// A funnel event, once stored (page views, leads, exposures, beacon events).
    Funnel(Arc<hikari_funnel::Event>),
}

/// Builds the bus with its subscribers and starts them (on the current tokio runtime): the
/// webhook notifier, which takes room events only (so a burst of page views can never crowd
/// them out of its queue) and logs each at debug level, and the funnel counters of
/// `/metrics`, which take funnel events only.
pub fn start(webhook: Option<Arc<Notifier>>) -> (Publisher<HikariEvent>, Arc<FunnelCounts>) {
    let mut bus = BusBuilder::new();
    let counts = Arc::new(FunnelCounts::default());
    let mut funnel_events = bus.subscribe_where("funnel-metrics", FUNNEL_METRICS_QUEUE, |e| matches!(e, HikariEvent::Funnel(_)));
    let counting = counts.clone();
    tokio::spawn(async move {
        while let Some(event) = funnel_events.recv().await {
            if let HikariEvent::Funnel(e) = event {
                counting.count(&e);
            }
        }
    });
    let mut webhook_events = bus.subscribe_where("webhook", WEBHOOK_QUEUE, |e| matches!(e, HikariEvent::Room(_)));
    tokio::spawn(async move {
        while let Some(event) = webhook_events.recv().await {
            tracing::debug!(?event, "event");
            if let (Some(n), Some(e)) = (&webhook, webhook_event(event)) {
                n.notify(e);
            }
        }
    });
    (bus.build(), counts)
}

/// The webhook for an event, if LiveKit sends one for it.
fn webhook_event(event: HikariEvent) -> Option<Event> {
    let HikariEvent::Room(event) = event else { return None };
    let event = Arc::unwrap_or_clone(event);
    let (kind, room, participant, track) = match event {
        RoomEvent::RoomStarted(r) => (EventKind::RoomStarted, r, None, None),
        RoomEvent::RoomFinished(r) => (EventKind::RoomFinished, r, None, None),
        RoomEvent::ParticipantJoined(r, p) => (EventKind::ParticipantJoined, r, Some(p), None),
        RoomEvent::ParticipantLeft(r, p) => (EventKind::ParticipantLeft, r, Some(p), None),
        RoomEvent::TrackPublished(r, p, t) => (EventKind::TrackPublished, r, Some(p), Some(t)),
        RoomEvent::TrackUnpublished(r, p, t) => (EventKind::TrackUnpublished, r, Some(p), Some(t)),
        RoomEvent::ParticipantUpdated(..) => return None,
    };
    Some(Event { kind, room, participant, track })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_events_count_by_provenance_and_never_reach_the_webhooks() {
        let counts = FunnelCounts::default();
        let visitor: hikari_funnel::VisitorId = "0123456789abcdef".parse().expect("visitor");
        let mut e = hikari_funnel::Event {
            id: "00ff".parse().expect("server id"),
            ts: 0,
            visitor,
            contact: None,
            session: "s".into(),
            funnel: None,
            step: None,
            variant: None,
            name: hikari_funnel::EventName::page_view(),
            props: Default::default(),
            utm_first: Default::default(),
            utm_last: Default::default(),
            bot: false,
        };
        counts.count(&e);
        e.id = hikari_funnel::EventId::from_client("abc").expect("client id");
        counts.count(&e);
        counts.count(&e);
        assert_eq!(counts.snapshot(), (1, 2));
        assert!(webhook_event(HikariEvent::Funnel(Arc::new(e))).is_none());
    }
}
