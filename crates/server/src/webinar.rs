//! Where webinars meet the media half, in the binary's wiring only: the funnel's room port
//! (access tokens for a session's room, signed with the server's first API key), its encoder
//! port (an RTMP ingress per session, so OBS can present), and attendance (room joins and
//! leaves from the bus, told to the funnel's webinar use cases, which count the registrants
//! among them).

use std::sync::Arc;

use hikari_auth::{AccessToken, KeySet, VideoGrant};
use hikari_common::clock::{unix_millis, unix_secs};
use hikari_funnel_app::{AppError, EncoderAccess, EncoderFuture, EncoderInput, RoomAccess, RoomRole, Webinars};
use hikari_ingress::Registry;
use hikari_media_io::MediaHandle;
use hikari_types::{AdminRequest, Permissions};
use hikari_types::{CreateIngress, IngressFilter, IngressInput};
use tokio::sync::mpsc;

use crate::events::HikariEvent;

/// Signs the passes into webinar rooms, and closes the rooms of ended sessions.
pub struct Passes {
    keys: Arc<KeySet>,
    media: Option<MediaHandle>,
}

impl Passes {
    /// Passes signed with `keys`' first key, for rooms run by `media`.
    pub fn new(keys: Arc<KeySet>, media: Option<MediaHandle>) -> Self {
        Self { keys, media }
    }
}

/// The grant of a role in `room`: attendees only watch (hidden, no publishing, no data
/// packets); presenters (attendees on stage) publish and are seen; hosts also administer.
pub fn grant(room: &str, role: RoomRole) -> VideoGrant {
    let p = permissions(role);
    VideoGrant {
        room_join: true,
        room: room.to_owned(),
        room_admin: role == RoomRole::Host,
        can_publish: Some(p.can_publish),
        can_subscribe: Some(p.can_subscribe),
        can_publish_data: Some(p.can_publish_data),
        hidden: p.hidden,
        ..Default::default()
    }
}

/// What a role may do once in the room (given to a connected participant when it changes).
pub fn permissions(role: RoomRole) -> Permissions {
    let host = role == RoomRole::Host;
    let seen = role != RoomRole::Attendee;
    Permissions { can_subscribe: true, can_publish: seen, can_publish_data: host, hidden: !seen, ..Default::default() }
}

impl Passes {
    fn admin(&self, request: AdminRequest, what: &'static str) {
        let Some(media) = self.media.clone() else { return };
        tokio::spawn(async move {
            if let Err(e) = media.admin(request).await {
                tracing::info!(error = %e, "webinar {what}: not applied (the participant is not in the room)");
            }
        });
    }
}

impl RoomAccess for Passes {
    fn token(&self, room: &str, identity: &str, name: &str, role: RoomRole, ttl_secs: u64) -> Result<String, AppError> {
        let (key, secret) = self.keys.first().ok_or(AppError::Unavailable("the server has no API key to sign room passes with"))?;
        AccessToken::new(key, unix_secs(), i64::try_from(ttl_secs).unwrap_or(i64::MAX))
            .identity(identity)
            .name(name)
            .video(grant(room, role))
            .sign(secret)
            .map_err(|_| AppError::Unavailable("a room pass could not be signed"))
    }

    fn close(&self, room: &str) {
        let Some(media) = self.media.clone() else { return };
        let request = AdminRequest::DeleteRoom { room: room.into() };
        let room = room.to_owned();
        tokio::spawn(async move {
            match media.admin(request).await {
                Ok(_) => tracing::info!(%room, "webinar session ended: room closed"),
                // Nobody was left in it: nothing to close.
                Err(e) => tracing::debug!(%room, error = %e, "webinar session ended: room not closed"),
            }
        });
    }

    fn set_role(&self, room: &str, identity: &str, role: RoomRole) {
        let request = AdminRequest::UpdateParticipant {
            room: room.into(),
            identity: identity.into(),
            metadata: None,
            name: None,
            attributes: Default::default(),
            permission: Some(permissions(role)),
        };
        tracing::info!(%room, %identity, ?role, "webinar stage change");
        self.admin(request, "stage change");
    }

    fn remove(&self, room: &str, identity: &str) {
        self.admin(AdminRequest::RemoveParticipant { room: room.into(), identity: identity.into() }, "removal");
    }
}

/// Encoder inputs into webinar rooms: one reusable RTMP ingress per room and identity, made
/// through the ingress registry (so it is listed, and can be deleted, with LiveKit's own
/// IngressService).
pub struct Encoders {
    registry: Arc<Registry>,
    /// One at a time, so two consoles opened at once share one ingress.
    making: tokio::sync::Mutex<()>,
}

impl Encoders {
    /// Encoder inputs made in `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self { registry, making: tokio::sync::Mutex::new(()) }
    }

    async fn input(&self, room: &str, identity: &str, name: &str) -> Result<EncoderInput, AppError> {
        let unavailable = |e: hikari_ingress::IngressError| {
            tracing::warn!(%room, error = %e, "webinar encoder input not made");
            AppError::Unavailable("the encoder input could not be made; see the server log")
        };
        let _one = self.making.lock().await;
        let filter = IngressFilter { room_name: Some(room.into()), id: None };
        let existing = self.registry.list(&filter).await.map_err(unavailable)?;
        let ingress = match existing.into_iter().find(|i| i.input == IngressInput::Rtmp && i.participant_identity.as_str() == identity) {
            Some(i) => i,
            None => {
                let new = CreateIngress {
                    input: IngressInput::Rtmp,
                    name: format!("webinar {room}"),
                    room_name: room.into(),
                    participant_identity: identity.into(),
                    participant_name: name.to_owned(),
                    ..Default::default()
                };
                self.registry.create(new, crate::ingress::unix_nanos()).await.map_err(unavailable)?
            }
        };
        Ok(EncoderInput { url: ingress.url.clone(), stream_key: ingress.stream_key.clone(), srt_url: self.registry.srt_url(&ingress) })
    }
}

impl EncoderAccess for Encoders {
    fn encoder_input<'a>(&'a self, room: &'a str, identity: &'a str, name: &'a str) -> EncoderFuture<'a> {
        Box::pin(async move { self.input(room, identity, name).await.map(Some) })
    }
}

/// Tells the webinar use cases of every join and leave queued for them, in order, at the
/// time it arrives. A failure to record is logged; the room goes on.
pub async fn attendance(webinars: Webinars, mut events: mpsc::Receiver<HikariEvent>) {
    while let Some(event) = events.recv().await {
        let Some((room, identity, p)) = event.webinar_presence() else { continue };
        if let Err(e) = webinars.presence(room, identity, p, unix_millis()).await {
            tracing::warn!(%room, %identity, error = %e, "webinar attendance not recorded");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikari_sfu::RoomEvent;
    use hikari_types::{ParticipantInfo, RoomInfo};
    use hikari_webinar::Presence;

    #[test]
    fn attendees_only_watch_and_hosts_present() {
        let a = grant("webinar-1-2", RoomRole::Attendee);
        assert!(a.room_join && a.hidden && !a.room_admin);
        assert_eq!((a.can_publish, a.can_subscribe, a.can_publish_data), (Some(false), Some(true), Some(false)));
        let h = grant("webinar-1-2", RoomRole::Host);
        assert!(h.room_admin && !h.hidden);
        assert_eq!((h.can_publish, h.can_publish_data), (Some(true), Some(true)));
        // On stage: seen and publishing, administering nothing, chatting through the funnel.
        let p = grant("webinar-1-2", RoomRole::Presenter);
        assert!(!p.room_admin && !p.hidden);
        assert_eq!((p.can_publish, p.can_subscribe, p.can_publish_data), (Some(true), Some(true), Some(false)));
        assert_eq!(permissions(RoomRole::Attendee), Permissions { can_publish: false, can_publish_data: false, hidden: true, ..Permissions::default() });
    }

    #[test]
    fn passes_verify_with_the_servers_keys() {
        let keys = Arc::new(KeySet::new([("key".to_owned(), "a-secret-of-at-least-32-characters!".to_owned())]));
        let token = Passes::new(keys.clone(), None).token("webinar-1-2", "attendee-7", "", RoomRole::Attendee, 60).expect("token");
        let claims = keys.verify(&token, unix_secs()).expect("valid");
        let grant = claims.join_grant().expect("join grant");
        assert_eq!((grant.room.as_str(), grant.identity.as_str()), ("webinar-1-2", "attendee-7"));
        assert!(grant.permissions.hidden && !grant.permissions.can_publish);
        assert!(Passes::new(Arc::new(KeySet::new([])), None).token("r", "i", "", RoomRole::Host, 60).is_err());
    }

    #[tokio::test]
    async fn a_sessions_encoder_input_is_one_reusable_rtmp_ingress() {
        let store = Arc::new(hikari_ingress::SqliteIngressStore::in_memory().await.expect("store"));
        let urls = hikari_ingress::IngressUrls {
            rtmp_base_url: "rtmp://10.0.0.1:1935/x".into(),
            whip_base_url: "http://10.0.0.1:7880/w".into(),
            srt_base_url: Some("srt://10.0.0.1:9710".into()),
        };
        let registry = Arc::new(Registry::new(store, urls, Arc::new(|_| {})));
        let encoders = Encoders::new(registry.clone());
        let first = encoders.encoder_input("webinar-1-2", "presenter-encoder", "ライブ").await.expect("made").expect("some");
        assert_eq!(first.url, "rtmp://10.0.0.1:1935/x");
        assert_eq!(first.srt_url, Some(format!("srt://10.0.0.1:9710?streamid={}", first.stream_key)));
        let again = encoders.encoder_input("webinar-1-2", "presenter-encoder", "ライブ").await.expect("got").expect("some");
        assert_eq!(again, first, "the same input for the same session");
        let other = encoders.encoder_input("webinar-1-3", "presenter-encoder", "ライブ").await.expect("made").expect("some");
        assert_ne!(other.stream_key, first.stream_key, "each session its own key");
        let listed = registry.list(&IngressFilter { room_name: Some("webinar-1-2".into()), id: None }).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].participant_identity.as_str(), listed[0].participant_name.as_str()), ("presenter-encoder", "ライブ"));
    }

    #[test]
    fn only_joins_and_leaves_in_webinar_rooms_are_attendance() {
        let room = |name: &str| RoomInfo { name: name.into(), ..Default::default() };
        let who = ParticipantInfo { identity: "attendee-7".into(), ..Default::default() };
        let joined = HikariEvent::Room(Arc::new(RoomEvent::ParticipantJoined(room("webinar-1-2"), who.clone())));
        assert_eq!(joined.webinar_presence(), Some(("webinar-1-2", "attendee-7", Presence::Joined)));
        let left = HikariEvent::Room(Arc::new(RoomEvent::ParticipantLeft(room("webinar-1-2"), who.clone())));
        assert_eq!(left.webinar_presence().map(|p| p.2), Some(Presence::Left));
        assert!(HikariEvent::Room(Arc::new(RoomEvent::ParticipantJoined(room("standup"), who))).webinar_presence().is_none());
        assert!(HikariEvent::Room(Arc::new(RoomEvent::RoomStarted(room("webinar-1-2")))).webinar_presence().is_none());
    }
}
