//! The one event bus: every event the server's parts emit, and its subscribers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hikari_common::bus::{BusBuilder, Publisher};
use hikari_egress::EgressEvent;
use hikari_ingress::IngressEvent;
use hikari_sfu::RoomEvent;
use hikari_webhook::{Event, EventKind, Notifier};
use hikari_webinar::Presence;
use tokio::sync::mpsc;

/// Events queued for the webhook subscriber before it loses them (counted).
const WEBHOOK_QUEUE: usize = 4096;
/// Room events queued for the recorder (automatic track egress) before it loses them.
const EGRESS_QUEUE: usize = 1024;
/// Funnel events queued for the metrics subscriber.
const FUNNEL_METRICS_QUEUE: usize = 8192;
/// Joins and leaves in webinar rooms queued for attendance (a join storm of a few thousand
/// attendees fits).
const ATTENDANCE_QUEUE: usize = 8192;

/// The queues the wiring reads once their readers exist: room events for the recorder, and
/// webinar rooms' joins and leaves for attendance.
pub struct Queues {
    /// For the recorder (automatic egress).
    pub egress: mpsc::Receiver<HikariEvent>,
    /// For the funnel's webinar attendance.
    pub attendance: mpsc::Receiver<HikariEvent>,
}

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
/// subscribers (webhooks, metrics) need; webinar attendance is read from its room events.
/// Coming: recording triggers, a cluster relay.
#[derive(Clone, Debug)]
pub enum HikariEvent {
    /// From the media thread (shared: every subscriber gets the same one).
    Room(Arc<RoomEvent>),
    /// A funnel event, once stored (page views, leads, exposures, beacon events).
    Funnel(Arc<hikari_funnel::Event>),
    /// A change to an ingress, once stored (the registry's events; the ingress runtime
    /// subscribes to end a session whose ingress was updated or deleted).
    Ingress(Arc<IngressEvent>),
    /// A change to an egress job, once stored (the egress registry's events).
    Egress(Arc<EgressEvent>),
}

/// Room names of webinar sessions start with this (`hikari_webinar::Session::room_for`).
const WEBINAR_ROOM_PREFIX: &str = "webinar-";

impl HikariEvent {
    /// A join or leave in a webinar session's room, for attendance: the room, the
    /// participant's identity, and which.
    pub fn webinar_presence(&self) -> Option<(&str, &str, Presence)> {
        let Self::Room(e) = self else { return None };
        let (room, p, presence) = match &**e {
            RoomEvent::ParticipantJoined(r, p) => (r, p, Presence::Joined),
            RoomEvent::ParticipantLeft(r, p) => (r, p, Presence::Left),
            _ => return None,
        };
        room.name.as_str().starts_with(WEBINAR_ROOM_PREFIX).then(|| (room.name.as_str(), p.identity.as_str(), presence))
    }
}

/// Builds the bus with its subscribers and starts them (on the current tokio runtime): the
/// webhook notifier, which takes room, ingress and egress events only (so a burst of page views can
/// never crowd them out of its queue) and logs each at debug level, and the funnel counters of
/// `/metrics`, which take funnel events only. Returns the publisher, the counters and the
/// [`Queues`] whose readers the wiring starts later (the recorder and the funnel publish on
/// the bus, so they start after it).
pub fn start(webhook: Option<Arc<Notifier>>) -> (Publisher<HikariEvent>, Arc<FunnelCounts>, Queues) {
    let mut bus = BusBuilder::new();
    let egress_events = bus.subscribe_where("egress", EGRESS_QUEUE, |e| matches!(e, HikariEvent::Room(_)));
    let attendance = bus.subscribe_where("webinar-attendance", ATTENDANCE_QUEUE, |e| e.webinar_presence().is_some());
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
    let mut webhook_events =
        bus.subscribe_where("webhook", WEBHOOK_QUEUE, |e| matches!(e, HikariEvent::Room(_) | HikariEvent::Ingress(_) | HikariEvent::Egress(_)));
    tokio::spawn(async move {
        while let Some(event) = webhook_events.recv().await {
            tracing::debug!(?event, "event");
            if let (Some(n), Some(e)) = (&webhook, webhook_event(event)) {
                n.notify(e);
            }
        }
    });
    (bus.build(), counts, Queues { egress: egress_events, attendance })
}

/// The webhook for an event, if one is sent for it.
fn webhook_event(event: HikariEvent) -> Option<Event> {
    let event = match event {
        HikariEvent::Room(e) => Arc::unwrap_or_clone(e),
        HikariEvent::Ingress(e) => return ingress_webhook(&e),
        HikariEvent::Egress(e) => return Some(egress_webhook(&e)),
        HikariEvent::Funnel(_) => return None,
    };
    let (kind, room, participant, track) = match event {
        RoomEvent::RoomStarted(r) => (EventKind::RoomStarted, r, None, None),
        RoomEvent::RoomFinished(r) => (EventKind::RoomFinished, r, None, None),
        RoomEvent::ParticipantJoined(r, p) => (EventKind::ParticipantJoined, r, Some(p), None),
        RoomEvent::ParticipantLeft(r, p) => (EventKind::ParticipantLeft, r, Some(p), None),
        RoomEvent::TrackPublished(r, p, t) => (EventKind::TrackPublished, r, Some(p), Some(t)),
        RoomEvent::TrackUnpublished(r, p, t) => (EventKind::TrackUnpublished, r, Some(p), Some(t)),
        RoomEvent::ParticipantUpdated(..) => return None,
    };
    Some(Event { kind, room, participant, track, ingress: None, egress: None })
}

/// `ingress_started` and `ingress_ended` as LiveKit sends them (the room carries only the
/// ingress's room name), and Hikari's `ingress_created` and `ingress_deleted`
/// ([`IngressEvent::webhook_name`]); definition updates send none.
fn ingress_webhook(event: &IngressEvent) -> Option<Event> {
    let kind = match event {
        IngressEvent::Created(_) => EventKind::IngressCreated,
        IngressEvent::Started(_) => EventKind::IngressStarted,
        IngressEvent::Ended(_) => EventKind::IngressEnded,
        IngressEvent::Deleted(_) => EventKind::IngressDeleted,
        IngressEvent::Updated(_) => return None,
    };
    let ingress = event.ingress();
    let room = hikari_types::RoomInfo { name: ingress.room_name.clone(), ..Default::default() };
    Some(Event { kind, room, participant: None, track: None, ingress: Some(Box::new(ingress.clone())), egress: None })
}

/// `egress_started`, `egress_updated` and `egress_ended`, as LiveKit sends them (the room
/// carries only the egress's room name and sid).
fn egress_webhook(event: &EgressEvent) -> Event {
    let kind = match event {
        EgressEvent::Started(_) => EventKind::EgressStarted,
        EgressEvent::Updated(_) => EventKind::EgressUpdated,
        EgressEvent::Ended(_) => EventKind::EgressEnded,
    };
    let egress = event.egress();
    let room = hikari_types::RoomInfo { name: egress.room_name.clone(), sid: egress.room_id.clone(), ..Default::default() };
    Event { kind, room, participant: None, track: None, ingress: None, egress: Some(Box::new(egress.clone())) }
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

    #[test]
    fn ingress_events_become_livekits_webhooks() {
        let ingress = hikari_types::Ingress { id: "IN_a".into(), room_name: "webinar".into(), ..Default::default() };
        for (event, name) in [
            (IngressEvent::Created(ingress.clone()), Some("ingress_created")),
            (IngressEvent::Started(ingress.clone()), Some("ingress_started")),
            (IngressEvent::Ended(ingress.clone()), Some("ingress_ended")),
            (IngressEvent::Deleted(ingress.clone()), Some("ingress_deleted")),
            (IngressEvent::Updated(ingress.clone()), None),
        ] {
            let hook = webhook_event(HikariEvent::Ingress(Arc::new(event.clone())));
            assert_eq!(hook.as_ref().map(|h| h.kind.name()), name, "{event:?}");
            assert_eq!(name, event.webhook_name());
            if let Some(h) = hook {
                assert_eq!((h.room.name.as_str(), h.ingress.map(|i| i.id)), ("webinar", Some(ingress.id.clone())));
            }
        }
    }
}
