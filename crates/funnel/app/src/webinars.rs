//! Webinars: managing them and their sessions, booking a contact on a session when a
//! `webinar_register` step's form is submitted, reading a registrant's ticket by its join
//! key, and running a session: its lifecycle, passes into its room for hosts and registrants,
//! and attendance from the room's own events. The schedule and attendance arithmetic is the
//! webinar domain's; this module adds the clock, the random keys, the store and the room port.

use crate::{
    error::AppError,
    ids::digest,
    live::{LiveHub, Notice},
    rooms::{EncoderAccess, EncoderInput, RoomAccess, RoomRole},
    target::Target,
    visit::Visit,
    writer::EventWriter,
};
use hikari_common::clock::unix_millis;
use hikari_funnel::{ContactId, Event, EventName, FunnelId, UserId, VisitorId};
use hikari_funnel_store::{StoreError, WebinarRepo};
use hikari_webinar::{
    Attendance, JoinKey, NewRegistrant, NewWebinar, Presence, Registrant, RoomIdentity, Session, SessionId, SessionState, Webinar, WebinarId,
};
use std::sync::Arc;

/// How long a pass into a room works: the connection it opens lasts longer (the SDK resumes
/// with the server's refreshed token), but a copied pass is soon useless.
const PASS_TTL_SECS: u64 = 6 * 3600;

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

/// What lets one participant into a session's room.
#[derive(Clone, Debug)]
pub struct Pass {
    /// The room.
    pub room: String,
    /// The participant's identity there ([`RoomIdentity`]).
    pub identity: String,
    /// The access token.
    pub token: String,
}

/// The webinar use cases over the webinar port; cheap to clone.
#[derive(Clone)]
pub struct Webinars {
    repo: Arc<dyn WebinarRepo>,
    events: EventWriter,
    live: LiveHub,
    rooms: Option<Arc<dyn RoomAccess>>,
    encoders: Option<Arc<dyn EncoderAccess>>,
}

/// The identity an encoder presents as in a session's room (never an attendee's, so its
/// stays are not attendance).
pub const ENCODER_IDENTITY: &str = "presenter-encoder";

impl Webinars {
    /// The use cases over `repo`; registrations' events go through `events`. Without a room
    /// port ([`Webinars::with_rooms`]) nobody gets into a room.
    pub fn new(repo: Arc<dyn WebinarRepo>, events: EventWriter) -> Self {
        Self { repo, events, live: LiveHub::default(), rooms: None, encoders: None }
    }

    /// The same use cases, letting participants into rooms through `rooms`.
    pub fn with_rooms(self, rooms: Arc<dyn RoomAccess>) -> Self {
        Self { rooms: Some(rooms), ..self }
    }

    /// The same use cases, letting encoders present through `encoders`.
    pub fn with_encoders(self, encoders: Arc<dyn EncoderAccess>) -> Self {
        Self { encoders: Some(encoders), ..self }
    }

    /// The notices of running sessions.
    pub fn live(&self) -> &LiveHub {
        &self.live
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

    /// One session.
    pub async fn session(&self, id: SessionId) -> Result<Session, AppError> {
        Ok(self.repo.webinar_session(id).await?)
    }

    /// Moves a session along its life (scheduled → backstage → live → ended) and tells its
    /// pages; an ended session's room is closed.
    pub async fn set_state(&self, id: SessionId, to: SessionState) -> Result<Session, AppError> {
        let s = self.repo.set_session_state(id, to, unix_millis()).await?;
        self.live.publish(id, Notice::State { state: s.state });
        // Nobody stays in an ended session's room, whatever their page does.
        if s.state == SessionState::Ended
            && let Some(rooms) = &self.rooms
        {
            rooms.close(&s.room);
        }
        tracing::info!(session = %id, room = %s.room, state = s.state.as_str(), "webinar session state");
        Ok(s)
    }

    fn rooms(&self) -> Result<&dyn RoomAccess, AppError> {
        self.rooms.as_deref().ok_or(AppError::Unavailable("this server runs no rooms"))
    }

    /// A registrant's pass into its session's room, once the session is live.
    pub async fn attendee_pass(&self, t: &Ticket) -> Result<Pass, AppError> {
        let session = self.repo.webinar_session(t.session.id).await?;
        if !session.state.admits_attendees() {
            return Err(AppError::Conflict(format!("the session is {}, not live", session.state.as_str())));
        }
        self.live.refuse_removed(session.id, t.registrant.id)?;
        let role = if self.live.on_stage(session.id, t.registrant.id) { RoomRole::Presenter } else { RoomRole::Attendee };
        let identity = RoomIdentity::Attendee(t.registrant.id).to_string();
        let token = self.rooms()?.token(&session.room, &identity, "", role, PASS_TTL_SECS)?;
        Ok(Pass { room: session.room, identity, token })
    }

    /// A host's pass into a session's room (any time before it ends).
    pub async fn host_pass(&self, id: SessionId, user: UserId, name: &str) -> Result<Pass, AppError> {
        let session = self.repo.webinar_session(id).await?;
        if !session.state.admits_hosts() {
            return Err(AppError::Conflict(format!("session {id} has ended")));
        }
        let identity = RoomIdentity::Host(user).to_string();
        let token = self.rooms()?.token(&session.room, &identity, name, RoomRole::Host, PASS_TTL_SECS)?;
        Ok(Pass { room: session.room, identity, token })
    }

    /// Where an encoder (OBS) sends the stage of a session that has not ended: made on the
    /// first ask, the same afterwards (so a host sets OBS up once per session). `None` when
    /// the server takes no encoder input.
    pub async fn encoder_input(&self, id: SessionId) -> Result<Option<EncoderInput>, AppError> {
        let session = self.repo.webinar_session(id).await?;
        if !session.state.admits_hosts() {
            return Err(AppError::Conflict(format!("session {id} has ended")));
        }
        let Some(encoders) = &self.encoders else { return Ok(None) };
        let webinar = self.repo.webinar(session.webinar).await?;
        encoders.encoder_input(&session.room, ENCODER_IDENTITY, &webinar.title).await
    }

    /// A participant joined or left a room (told by the room itself, through the binary's
    /// wiring, so a closed tab counts too). For a registrant of the room's session, records
    /// its attendance with a `webinar_joined` or `webinar_left` event and returns it; anyone
    /// else (hosts, other rooms' participants, identities this server never issued) is
    /// ignored. A join while already in the room (a replaced connection) records nothing.
    pub async fn presence(&self, room: &str, identity: &str, presence: Presence, at: i64) -> Result<Option<Registrant>, AppError> {
        let Ok(RoomIdentity::Attendee(id)) = identity.parse() else {
            return Ok(None);
        };
        let mut r = match self.repo.registrant(id).await {
            Ok(r) => r,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let session = self.repo.webinar_session(r.session).await?;
        if session.room != room {
            tracing::warn!(%room, %identity, "a registrant appeared in another session's room; not counted");
            return Ok(None);
        }
        let webinar = self.repo.webinar(r.webinar).await?;
        // Another change may land between the read and the write: read again, a few times.
        for _ in 0..4 {
            let Some((after, stay)) = r.attendance.apply(presence, at) else {
                return Ok(None);
            };
            let event = presence_event(&webinar, &session, &r, presence, at, stay, &after)?;
            if self.events.presence(&*self.repo, r.id, &r.attendance, &after, event).await? {
                self.live.count(session.id, if presence == Presence::Joined { 1 } else { -1 });
                r.attendance = after;
                return Ok(Some(r));
            }
            r = self.repo.registrant(id).await?;
        }
        Err(AppError::Unavailable("the attendance changed too often to record; the room will tell again"))
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

/// The `webinar_joined` or `webinar_left` event of a registrant's stay; for a leave, the
/// stay's and the total watched seconds. One room event is stored once (the id is derived
/// from the registrant and the time).
fn presence_event(w: &Webinar, s: &Session, r: &Registrant, p: Presence, at: i64, stay_ms: i64, after: &Attendance) -> Result<Event, AppError> {
    let name = match p {
        Presence::Joined => EventName::webinar_joined(),
        Presence::Left => EventName::webinar_left(),
    };
    let mut props = serde_json::json!({});
    if p == Presence::Left {
        props["seconds"] = (stay_ms / 1000).into();
        props["watched_seconds"] = (after.watched_ms / 1000).into();
        // Minutes of this stay: what a value goal on `webinar_left` adds up ("watched ≥ N min").
        props["value"] = ((stay_ms as f64 / 60_000.0 * 100.0).round() / 100.0).into();
    }
    let seed = format!("{at}");
    registrant_event(w, s, r, name, at, &seed, props)
}

/// An event of something a registrant did in a session: its contact, the browser it
/// registered from, its experiment arm and UTM, the webinar, session and registrant (added
/// to `props`). Its id is derived from the name, the registrant and `seed`, so the same act
/// told twice is stored once.
pub(crate) fn registrant_event(
    w: &Webinar,
    s: &Session,
    r: &Registrant,
    name: EventName,
    at: i64,
    seed: &str,
    mut props: serde_json::Value,
) -> Result<Event, AppError> {
    let visitor: VisitorId = match r.visitor.as_deref().map(str::parse) {
        Some(Ok(v)) => v,
        _ => digest(&format!("registrant:{}", r.id))[..32].parse()?,
    };
    if let Some(p) = props.as_object_mut() {
        p.insert("webinar".into(), w.id.0.into());
        p.insert("session".into(), s.id.0.into());
        p.insert("registrant".into(), r.id.0.into());
    }
    Ok(Event {
        id: digest(&format!("{}:{}:{seed}", name.as_str(), r.id))[..32].parse()?,
        ts: at,
        visitor,
        contact: Some(r.contact),
        session: s.room.clone(),
        funnel: Some(w.funnel),
        step: None,
        variant: r.variant.clone(),
        name,
        props,
        utm_first: r.utm.clone(),
        utm_last: r.utm.clone(),
        bot: false,
    })
}
