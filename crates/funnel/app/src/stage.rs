//! Attendees beyond watching: a registrant raises its hand (hosts see it), a host brings it on
//! stage (it may then publish camera and microphone, and everyone sees it) or sends it back,
//! mutes it in the chat (it watches, reacts and votes, but writes nothing) or lets it speak
//! again, or removes it from the session (disconnected; no pass, chat, reactions, votes or
//! hand afterwards). The stage is the room's own state, kept while this process runs; each change
//! is told to the pages, and a raised hand is a `hand_raised` event.

use crate::{
    chat::attendee_name,
    error::AppError,
    ids::random_hex,
    live::{LiveHub, Notice, StageState},
    rooms::{RoomAccess, RoomRole},
    webinars::{Ticket, registrant_event},
    writer::EventWriter,
};
use hikari_funnel::EventName;
use hikari_funnel_store::{ContactRepo, WebinarRepo};
use hikari_webinar::{RegistrantId, RoomIdentity, Session, SessionId};
use std::sync::Arc;

/// The stage use cases; cheap to clone.
#[derive(Clone)]
pub struct Stage {
    webinars: Arc<dyn WebinarRepo>,
    contacts: Arc<dyn ContactRepo>,
    live: LiveHub,
    events: EventWriter,
    rooms: Option<Arc<dyn RoomAccess>>,
}

impl Stage {
    /// The use cases over the ports; without rooms ([`Stage::with_rooms`]) nobody goes on stage.
    pub fn new(webinars: Arc<dyn WebinarRepo>, contacts: Arc<dyn ContactRepo>, live: LiveHub, events: EventWriter) -> Self {
        Self { webinars, contacts, live, events, rooms: None }
    }

    /// The same use cases, changing participants' rights through `rooms`.
    pub fn with_rooms(self, rooms: Arc<dyn RoomAccess>) -> Self {
        Self { rooms: Some(rooms), ..self }
    }

    fn rooms(&self) -> Result<&dyn RoomAccess, AppError> {
        self.rooms.as_deref().ok_or(AppError::Unavailable("this server runs no rooms"))
    }

    /// Who has a hand up, is on stage or was removed, in a session.
    pub async fn state(&self, id: SessionId) -> Result<StageState, AppError> {
        self.webinars.webinar_session(id).await?;
        Ok(self.live.stage(id))
    }

    async fn live_session(&self, id: SessionId) -> Result<Session, AppError> {
        let s = self.webinars.webinar_session(id).await?;
        if !s.state.admits_attendees() {
            return Err(AppError::Conflict(format!("the session is {}, not live", s.state.as_str())));
        }
        Ok(s)
    }

    /// A registrant raises (or lowers) its hand while the session is live.
    pub async fn raise_hand(&self, t: &Ticket, raised: bool, now: i64) -> Result<(), AppError> {
        let session = self.live_session(t.session.id).await?;
        let r = &t.registrant;
        self.live.refuse_removed(session.id, r.id)?;
        let name = attendee_name(&*self.contacts, r).await?;
        let changed = self.live.change_stage(session.id, |s| {
            let had = s.hands.iter().any(|(who, _)| *who == r.id);
            match (raised, had) {
                (true, false) => s.hands.push((r.id, name.clone())),
                (false, true) => s.hands.retain(|(who, _)| *who != r.id),
                _ => return false,
            }
            true
        });
        if !changed {
            return Ok(());
        }
        if raised {
            let seed = format!("{now}:{}", random_hex(8));
            let e = registrant_event(&t.webinar, &session, r, "hand_raised".parse::<EventName>()?, now, &seed, serde_json::json!({}))?;
            self.events.append(&[e]).await?;
        }
        self.live.publish(session.id, Notice::Hand { registrant: r.id, name, raised });
        Ok(())
    }

    async fn registrant_in(&self, id: SessionId, who: RegistrantId) -> Result<Session, AppError> {
        let session = self.live_session(id).await?;
        match self.webinars.registrant(who).await {
            Ok(r) if r.session == session.id => Ok(session),
            Ok(_) => Err(AppError::NotFound("registrant of this session")),
            Err(e) => Err(e.into()),
        }
    }

    /// A host brings a registrant of a live session on stage (`on`), or sends it back: its
    /// rights in the room change now, and its next pass carries them.
    pub async fn put_on_stage(&self, id: SessionId, who: RegistrantId, on: bool) -> Result<(), AppError> {
        let session = self.registrant_in(id, who).await?;
        let rooms = self.rooms()?;
        let mut removed = false;
        self.live.change_stage(id, |s| {
            removed = s.removed.contains(&who);
            if removed {
                return false;
            }
            s.hands.retain(|(r, _)| *r != who);
            s.on_stage.retain(|r| *r != who);
            if on {
                s.on_stage.push(who);
            }
            true
        });
        if removed {
            return Err(AppError::Conflict(format!("registrant {who} was removed from this session")));
        }
        let role = if on { RoomRole::Presenter } else { RoomRole::Attendee };
        rooms.set_role(&session.room, &RoomIdentity::Attendee(who).to_string(), role);
        self.live.publish(id, Notice::Hand { registrant: who, name: String::new(), raised: false });
        self.live.publish(id, Notice::Stage { registrant: who, on });
        Ok(())
    }

    /// A host mutes a registrant of a live session in the chat (`muted`), or lets it write
    /// again; its page is told, and a muted registrant's lines and questions are refused.
    pub async fn mute(&self, id: SessionId, who: RegistrantId, muted: bool) -> Result<(), AppError> {
        self.registrant_in(id, who).await?;
        let changed = self.live.change_stage(id, |s| {
            let was = s.muted.contains(&who);
            match (muted, was) {
                (true, false) => s.muted.push(who),
                (false, true) => s.muted.retain(|r| *r != who),
                _ => return false,
            }
            true
        });
        if changed {
            self.live.publish(id, Notice::Muted { registrant: who, muted });
        }
        Ok(())
    }

    /// A host removes a registrant from a live session: disconnected now, and refused a pass,
    /// the chat, reactions, votes and its hand from then on (while this process runs).
    pub async fn remove(&self, id: SessionId, who: RegistrantId) -> Result<(), AppError> {
        let session = self.registrant_in(id, who).await?;
        let rooms = self.rooms()?;
        self.live.change_stage(id, |s| {
            s.hands.retain(|(r, _)| *r != who);
            s.on_stage.retain(|r| *r != who);
            if !s.removed.contains(&who) {
                s.removed.push(who);
            }
            true
        });
        rooms.remove(&session.room, &RoomIdentity::Attendee(who).to_string());
        self.live.publish(id, Notice::Stage { registrant: who, on: false });
        Ok(())
    }
}
