//! The one event bus: every event the server's parts emit, and its subscribers.

use std::sync::Arc;

use hikari_common::bus::{BusBuilder, Publisher};
use hikari_sfu::RoomEvent;
use hikari_webhook::{Event, EventKind, Notifier};

/// Events queued for the webhook subscriber before it loses them (counted).
const WEBHOOK_QUEUE: usize = 4096;

/// Everything published on the bus: what one half tells the other, and what the binary's own
/// subscribers (webhooks, metrics) need. Coming: ingress and egress events, webinar
/// attendance (room joins matched to registrants), recording triggers, a cluster relay.
#[derive(Clone, Debug)]
pub enum HikariEvent {
    /// From the media thread.
    Room(RoomEvent),
    /// A funnel event, once stored (page views, leads, exposures, beacon events).
    Funnel(Arc<hikari_funnel::Event>),
}

/// Builds the bus with its subscribers and starts them (on the current tokio runtime):
/// today the webhook notifier, which takes room events only (so a burst of page views can
/// never crowd them out of its queue) and logs each at debug level.
pub fn start(webhook: Option<Arc<Notifier>>) -> Publisher<HikariEvent> {
    let mut bus = BusBuilder::new();
    let mut webhook_events = bus.subscribe_where("webhook", WEBHOOK_QUEUE, |e| matches!(e, HikariEvent::Room(_)));
    tokio::spawn(async move {
        while let Some(event) = webhook_events.recv().await {
            tracing::debug!(?event, "event");
            if let (Some(n), Some(e)) = (&webhook, webhook_event(event)) {
                n.notify(e);
            }
        }
    });
    bus.build()
}

/// The webhook for an event, if LiveKit sends one for it.
fn webhook_event(event: HikariEvent) -> Option<Event> {
    let HikariEvent::Room(event) = event else { return None };
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
