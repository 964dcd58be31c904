//! Polls in a session's room: hosts draft, open and close them (one open at a time);
//! registrants vote once each while the session is live, each vote stored with its
//! `poll_voted` event; every change is told to the session's pages with the votes counted.

use crate::{
    error::AppError,
    live::{LiveHub, Notice},
    webinars::{Ticket, registrant_event},
    writer::EventWriter,
};
use hikari_funnel::{DomainError, EventName};
use hikari_funnel_store::{PollRepo, WebinarRepo};
use hikari_webinar::{NewPoll, Poll, PollId, PollState, SessionId};
use std::sync::Arc;

/// A poll as one registrant sees it: the poll and its own vote.
#[derive(Clone, Debug)]
pub struct SeenPoll {
    /// The poll (its votes are the attendee's to see only once it is closed).
    pub poll: Poll,
    /// The option this registrant chose, if it voted.
    pub mine: Option<usize>,
}

/// The poll use cases; cheap to clone.
#[derive(Clone)]
pub struct Polls {
    repo: Arc<dyn PollRepo>,
    webinars: Arc<dyn WebinarRepo>,
    live: LiveHub,
    events: EventWriter,
}

impl Polls {
    /// The use cases over the ports, telling `live`'s pages of every change; votes' events go
    /// through `events`.
    pub fn new(repo: Arc<dyn PollRepo>, webinars: Arc<dyn WebinarRepo>, live: LiveHub, events: EventWriter) -> Self {
        Self { repo, webinars, live, events }
    }

    /// A host drafts a poll in a session that has not ended.
    pub async fn create(&self, session: SessionId, new: &NewPoll, now: i64) -> Result<Poll, AppError> {
        let s = self.webinars.webinar_session(session).await?;
        if !s.state.admits_hosts() {
            return Err(AppError::Conflict(format!("session {session} has ended")));
        }
        let p = self.repo.create_poll(session, new, now).await?;
        self.live.publish(session, Notice::Poll { poll: p.clone() });
        Ok(p)
    }

    /// A session's polls with their votes (for hosts).
    pub async fn list(&self, session: SessionId) -> Result<Vec<Poll>, AppError> {
        self.webinars.webinar_session(session).await?;
        Ok(self.repo.polls(session).await?)
    }

    async fn counted(&self, session: SessionId, id: PollId) -> Result<Poll, AppError> {
        self.repo.polls(session).await?.into_iter().find(|p| p.id == id).ok_or(AppError::NotFound("poll"))
    }

    /// A host opens or closes a poll.
    pub async fn set_state(&self, id: PollId, to: PollState) -> Result<Poll, AppError> {
        let session = self.repo.set_poll_state(id, to).await?.session;
        let p = self.counted(session, id).await?;
        self.live.publish(session, Notice::Poll { poll: p.clone() });
        Ok(p)
    }

    /// The polls a registrant sees (open and closed ones) with its own votes.
    pub async fn seen(&self, t: &Ticket) -> Result<Vec<SeenPoll>, AppError> {
        let mine = self.repo.votes_of(t.session.id, t.registrant.id).await?;
        let polls = self.repo.polls(t.session.id).await?;
        Ok(polls
            .into_iter()
            .filter(|p| p.state != PollState::Draft)
            .map(|poll| SeenPoll { mine: mine.iter().find(|(id, _)| *id == poll.id).map(|(_, c)| *c), poll })
            .collect())
    }

    /// A registrant votes for option `choice` (its index) of an open poll of its live
    /// session, once.
    pub async fn vote(&self, t: &Ticket, id: PollId, choice: usize, now: i64) -> Result<Poll, AppError> {
        self.live.refuse_removed(t.session.id, t.registrant.id)?;
        let session = self.webinars.webinar_session(t.session.id).await?;
        if !session.state.admits_attendees() {
            return Err(AppError::Conflict(format!("the session is {}: polls are answered while it is live", session.state.as_str())));
        }
        // A poll of another session is not found here.
        let poll = self.counted(session.id, id).await?;
        if poll.state != PollState::Open {
            return Err(AppError::Conflict(format!("poll {id} is {}, not open", poll.state.as_str())));
        }
        if !poll.offers(choice) {
            return Err(DomainError::invalid("choice", format!("an option's index, 0 to {}", poll.options.len() - 1)).into());
        }
        let name: EventName = "poll_voted".parse()?;
        let props = serde_json::json!({ "poll": id, "choice": choice });
        let event = registrant_event(&t.webinar, &session, &t.registrant, name, now, &id.to_string(), props)?;
        if !self.events.vote(&*self.repo, id, t.registrant.id, choice, now, event).await? {
            return Err(AppError::Conflict(format!("you have already voted on poll {id}")));
        }
        let p = self.counted(session.id, id).await?;
        self.live.publish(session.id, Notice::Poll { poll: p.clone() });
        Ok(p)
    }
}
