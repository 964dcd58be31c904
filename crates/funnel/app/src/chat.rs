//! What people say in a session's room: registrants' chat lines and questions (from their
//! personal link, while the session is live), hosts' replies, and hosts' moderation. Each
//! message is stored before anyone sees it, a registrant's with its `chat_message` or
//! `question_asked` event in the same transaction, then told to the session's pages.

use crate::{
    error::AppError,
    ids::digest,
    live::{LiveHub, Notice},
    webinars::{Ticket, registrant_event},
    writer::EventWriter,
};
use hikari_funnel::{Event, EventName, UserId};
use hikari_funnel_store::{ChatRepo, ContactRepo, WebinarRepo};
use hikari_webinar::{Author, Message, MessageId, MessageKind, Moderation, NewMessage, PostedMessage, Reaction, SessionId, Viewer};
use std::sync::Arc;

/// The name a registrant goes by in the room: its contact's, or without one a tag from a
/// digest of its key (stable for the registrant, and no row id for others to read).
pub(crate) async fn attendee_name(contacts: &dyn ContactRepo, r: &hikari_webinar::Registrant) -> Result<String, AppError> {
    let tag = || format!("Guest {}", &digest(r.join_key.as_str())[..4]);
    Ok(contacts.contact(r.contact).await?.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(tag))
}

/// How many messages a page loads when it opens.
pub const HISTORY: i64 = 200;

/// The chat use cases; cheap to clone.
#[derive(Clone)]
pub struct Chat {
    repo: Arc<dyn ChatRepo>,
    webinars: Arc<dyn WebinarRepo>,
    contacts: Arc<dyn ContactRepo>,
    live: LiveHub,
    events: EventWriter,
}

impl Chat {
    /// The use cases over the ports, telling `live`'s pages of what is stored; events go
    /// through `events`.
    pub fn new(repo: Arc<dyn ChatRepo>, webinars: Arc<dyn WebinarRepo>, contacts: Arc<dyn ContactRepo>, live: LiveHub, events: EventWriter) -> Self {
        Self { repo, webinars, contacts, live, events }
    }

    /// A registrant says something in its session's room (only while it is live).
    pub async fn say(&self, t: &Ticket, mut new: NewMessage, now: i64) -> Result<Message, AppError> {
        new.validate()?;
        self.live.refuse_removed(t.session.id, t.registrant.id)?;
        self.live.refuse_muted(t.session.id, t.registrant.id)?;
        let session = self.webinars.webinar_session(t.session.id).await?;
        if !session.state.admits_attendees() {
            return Err(AppError::Conflict(format!("the session is {}: the chat is open while it is live", session.state.as_str())));
        }
        let r = &t.registrant;
        let name = attendee_name(&*self.contacts, r).await?;
        let posted = PostedMessage { session: session.id, author: Author::Attendee(r.id), name, kind: new.kind, text: new.text, at: now };
        let event = self.event(t, &posted)?;
        let m = self.events.message(&*self.repo, &posted, event).await?;
        self.live.publish(session.id, Notice::Message { message: m.clone() });
        Ok(m)
    }

    /// A registrant reacts (while the session is live): its `reaction` event, and every page
    /// floats it.
    pub async fn react(&self, t: &Ticket, reaction: Reaction, now: i64) -> Result<(), AppError> {
        self.live.refuse_removed(t.session.id, t.registrant.id)?;
        let session = self.webinars.webinar_session(t.session.id).await?;
        if !session.state.admits_attendees() {
            return Err(AppError::Conflict(format!("the session is {}: reactions are sent while it is live", session.state.as_str())));
        }
        let name: EventName = "reaction".parse()?;
        // Each reaction is its own act: two in one millisecond are two events.
        let seed = format!("{now}:{}:{}", reaction.as_str(), crate::ids::random_hex(8));
        let e = registrant_event(&t.webinar, &session, &t.registrant, name, now, &seed, serde_json::json!({ "reaction": reaction.as_str() }))?;
        self.events.append(&[e]).await?;
        self.live.publish(session.id, Notice::Reaction { reaction });
        Ok(())
    }

    /// A host says something in a session's room (any time before it ends).
    pub async fn host_says(&self, session: SessionId, user: UserId, name: &str, mut new: NewMessage, now: i64) -> Result<Message, AppError> {
        new.validate()?;
        let s = self.webinars.webinar_session(session).await?;
        if !s.state.admits_hosts() {
            return Err(AppError::Conflict(format!("session {session} has ended")));
        }
        let posted = PostedMessage { session, author: Author::Host(user), name: name.to_owned(), kind: MessageKind::Chat, text: new.text, at: now };
        let m = self.repo.post_message(&posted, None).await?;
        self.live.publish(session, Notice::Message { message: m.clone() });
        Ok(m)
    }

    /// A host hides, answers or highlights a message; the pages update.
    pub async fn moderate(&self, id: MessageId, m: &Moderation) -> Result<Message, AppError> {
        let message = self.repo.moderate_message(id, m).await?;
        self.live.publish(message.session, Notice::Message { message: message.clone() });
        Ok(message)
    }

    /// The latest messages of a session that `viewer` may see, oldest first.
    pub async fn history(&self, session: SessionId, viewer: Viewer) -> Result<Vec<Message>, AppError> {
        let all = self.repo.messages(session, HISTORY).await?;
        Ok(all.into_iter().filter(|m| m.visible_to(viewer)).collect())
    }

    /// The registrant's `chat_message` or `question_asked` event (its length, never the text).
    fn event(&self, t: &Ticket, m: &PostedMessage) -> Result<Event, AppError> {
        let name: EventName = match m.kind {
            MessageKind::Chat => "chat_message",
            MessageKind::Question => "question_asked",
        }
        .parse()?;
        let seed = format!("{}:{}", m.at, digest(&m.text));
        registrant_event(&t.webinar, &t.session, &t.registrant, name, m.at, &seed, serde_json::json!({ "chars": m.text.chars().count() }))
    }
}
