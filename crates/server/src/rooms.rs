//! Glue between the HTTP side and the media thread: the Twirp API's administrator and
//! room events to webhooks.

use hikari_api::{ApiError, RoomAdmin};
use hikari_media_io::{MediaError, MediaHandle};
use hikari_sfu::RoomEvent;
use hikari_types::{AdminRequest, AdminResponse};
use hikari_webhook::{Event, EventKind};

/// The media thread as the API's administrator.
#[derive(Clone)]
pub struct MediaAdmin(pub MediaHandle);

impl RoomAdmin for MediaAdmin {
    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, ApiError> {
        self.0.admin(request).await.map_err(|e| match e {
            MediaError::Admin(e) => e.into(),
            MediaError::Unavailable(why) => ApiError::Unavailable(why.to_owned()),
        })
    }
}

/// The webhook for a room event, if LiveKit sends one for it.
pub fn webhook_event(event: RoomEvent) -> Option<Event> {
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
