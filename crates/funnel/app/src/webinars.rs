//! Webinars: managing them and their sessions, booking a contact on a session when a
//! `webinar_register` step's form is submitted, and reading a registrant's ticket by its join
//! key. The schedule arithmetic is the webinar domain's; this module adds the clock, the
//! random keys and the store.

use crate::{error::AppError, ids::digest, target::Target, visit::Visit, writer::EventWriter};
use hikari_common::clock::unix_millis;
use hikari_funnel::{ContactId, EventName, FunnelId};
use hikari_funnel_store::WebinarRepo;
use hikari_webinar::{JoinKey, NewRegistrant, NewWebinar, Registrant, Session, SessionId, Webinar, WebinarId};
use std::sync::Arc;

/// How many upcoming starts a visitor may choose from.
pub const BOOKABLE: usize = 10;

/// What a registration form will book ([`Webinars::plan`]).
#[derive(Debug)]
pub enum Plan {
    /// The funnel has no webinar: the form is a plain form.
    NoWebinar,
    /// The form chose a start that is not (or no longer) on offer.
    NotOffered,
    /// This start of this webinar.
    Book(Booking),
}

/// A webinar and the start a registration books.
#[derive(Debug)]
pub struct Booking {
    webinar: Webinar,
    starts_at: i64,
}

/// A registrant with the session and webinar it is booked on: what a join link opens.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// The registration.
    pub registrant: Registrant,
    /// Its session.
    pub session: Session,
    /// Its webinar.
    pub webinar: Webinar,
}

/// The webinar use cases over the webinar port; cheap to clone.
#[derive(Clone)]
pub struct Webinars {
    repo: Arc<dyn WebinarRepo>,
    events: EventWriter,
}

impl Webinars {
    /// The use cases over `repo`; registrations' events go through `events`.
    pub fn new(repo: Arc<dyn WebinarRepo>, events: EventWriter) -> Self {
        Self { repo, events }
    }

    /// Creates a webinar for a funnel (one per funnel).
    pub async fn create(&self, new: &NewWebinar) -> Result<Webinar, AppError> {
        Ok(self.repo.create_webinar(new, unix_millis()).await?)
    }

    /// All webinars, newest first.
    pub async fn list(&self) -> Result<Vec<Webinar>, AppError> {
        Ok(self.repo.webinars().await?)
    }

    /// One webinar.
    pub async fn get(&self, id: WebinarId) -> Result<Webinar, AppError> {
        Ok(self.repo.webinar(id).await?)
    }

    /// Replaces a webinar's settings; its funnel cannot change.
    pub async fn update(&self, id: WebinarId, new: &NewWebinar) -> Result<Webinar, AppError> {
        let current = self.repo.webinar(id).await?;
        if current.funnel != new.funnel {
            return Err(AppError::Conflict(format!("webinar {id} belongs to funnel {}; a webinar cannot move to another funnel", current.funnel)));
        }
        Ok(self.repo.update_webinar(id, new).await?)
    }

    /// Deletes a webinar with its sessions and registrants (events stay).
    pub async fn delete(&self, id: WebinarId) -> Result<(), AppError> {
        Ok(self.repo.delete_webinar(id).await?)
    }

    /// A webinar's booked or added sessions, by start.
    pub async fn sessions(&self, id: WebinarId) -> Result<Vec<Session>, AppError> {
        Ok(self.repo.webinar_sessions(id).await?)
    }

    /// Adds a session starting at `starts_at` (Unix ms, in the future); returns the existing
    /// one if that start is already a session.
    pub async fn add_session(&self, id: WebinarId, starts_at: i64) -> Result<Session, AppError> {
        let now = unix_millis();
        if starts_at <= now || starts_at > now + 2 * 365 * 86_400_000 {
            return Err(AppError::BadRequest("starts_at must be a time in the next two years (Unix milliseconds)".into()));
        }
        Ok(self.repo.webinar_session_at(id, starts_at).await?)
    }

    /// Deletes a session nobody booked.
    pub async fn delete_session(&self, id: SessionId) -> Result<(), AppError> {
        Ok(self.repo.delete_webinar_session(id).await?)
    }

    /// The starts a visitor may book now, earliest first.
    pub async fn upcoming(&self, w: &Webinar, now: i64) -> Result<Vec<i64>, AppError> {
        let one_offs: Vec<i64> = self.repo.webinar_sessions(w.id).await?.iter().map(|s| s.starts_at).collect();
        Ok(w.schedule.next_starts(&w.time_zone, &one_offs, now, BOOKABLE))
    }

    /// A webinar's registrants, newest first.
    pub async fn registrants(&self, id: WebinarId, limit: i64, offset: i64) -> Result<Vec<Registrant>, AppError> {
        self.repo.webinar(id).await?;
        Ok(self.repo.registrants(id, limit, offset).await?)
    }

    /// What a registration on a step of `funnel` will book, checked before anything is
    /// stored: the start the form chose (`chosen`, Unix ms as text, one of the upcoming ones)
    /// or else the next one.
    pub async fn plan(&self, funnel: FunnelId, chosen: Option<&str>, now: i64) -> Result<Plan, AppError> {
        let Some(webinar) = self.repo.funnel_webinar(funnel).await? else {
            return Ok(Plan::NoWebinar);
        };
        let upcoming = self.upcoming(&webinar, now).await?;
        let starts_at = match chosen.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => match c.parse::<i64>().ok().filter(|t| upcoming.contains(t)) {
                Some(t) => t,
                None => return Ok(Plan::NotOffered),
            },
            None => *upcoming.first().ok_or_else(|| AppError::Conflict(format!("webinar {} has no upcoming session to register for", webinar.id)))?,
        };
        Ok(Plan::Book(Booking { webinar, starts_at }))
    }

    /// Books `contact` as planned, after a registration form was submitted on `t` (showing
    /// experiment arm `arm`). Stores the registrant and its `webinar_registered` event
    /// together; a second registration for the same session returns the first (same link).
    pub async fn book(&self, t: &Target, arm: Option<usize>, contact: ContactId, visit: &Visit, booking: Booking, now: i64) -> Result<Registrant, AppError> {
        let Booking { webinar: w, starts_at } = booking;
        let session = self.repo.webinar_session_at(w.id, starts_at).await?;
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| AppError::Unavailable("no random source for the join key"))?;
        let mut ev = visit.event(EventName::webinar_registered(), now);
        // One event per (session, contact): a repeated registration cannot count twice.
        ev.id = digest(&format!("webinar_registered:{}:{contact}", session.id))[..32].parse()?;
        ev.funnel = Some(t.funnel.id);
        ev.step = Some(t.step.id);
        ev.variant = t.arm_name(arm);
        ev.props = serde_json::json!({ "webinar": w.id, "session": session.id, "starts_at": session.starts_at });
        let new = NewRegistrant {
            session: session.id,
            contact,
            join_key: JoinKey::from_random(bytes),
            visitor: Some(visit.visitor.to_string()),
            variant: ev.variant.clone(),
            utm: visit.utm_last.clone(),
            now,
        };
        let (r, _created) = self.events.registration(&*self.repo, &new, ev).await?;
        Ok(r)
    }

    /// What a join link opens; `None` for a key that is malformed or not (or no longer) issued.
    pub async fn ticket(&self, key: &str) -> Result<Option<Ticket>, AppError> {
        let Ok(key) = key.parse::<JoinKey>() else {
            return Ok(None);
        };
        let Some(registrant) = self.repo.registrant_by_key(&key).await? else {
            return Ok(None);
        };
        let session = self.repo.webinar_session(registrant.session).await?;
        let webinar = self.repo.webinar(registrant.webinar).await?;
        Ok(Some(Ticket { registrant, session, webinar }))
    }
}
