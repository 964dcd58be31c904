//! The webinar domain: what a webinar, its sessions and its registrants are, independent of
//! HTTP and SQL.
//!
//! A [`Webinar`] belongs to a funnel and has a [`Schedule`]: sessions added one by one, weekly
//! slots, just-in-time ("the next session starts in a few minutes", for evergreen funnels) or
//! on demand. [`Schedule::next_starts`] lists the start times a visitor may book, computed in
//! the webinar's [`Zone`] (daylight saving included). A booked start becomes a [`Session`],
//! which owns one LiveKit room; a contact who registers becomes a [`Registrant`] of a session,
//! holding an unguessable [`JoinKey`] for the personal join link. [`calendar`] writes the
//! add-to-calendar file (RFC 5545). While a session runs, its [`SessionState`] says who may
//! connect, [`RoomIdentity`] names its room's participants, and [`Attendance`] adds up how
//! long each registrant watched; [`RegistrantReport`] gives each one's timeline, an
//! [`engagement`] score and its [`Segment`]s (no-show, attended, left before the offer, …).
//! [`Message`]s are what people say in the room (chat and questions), with who may see each
//! ([`Viewer`]) and what hosts did with it ([`Moderation`]);
//! [`Poll`]s are asked by hosts and voted on once per registrant; [`Offer`]s are pinned by hosts
//! and clicked through the server.
//!
//! Invariants: no IO and no clock (times are Unix milliseconds passed in); the time-zone
//! rules come from the tz database compiled into the binary, so a result never depends on the
//! machine it runs on. Errors are the funnel domain's [`hikari_funnel::DomainError`].

mod chat;
mod engagement;
mod ics;
mod ids;
mod live;
mod offer;
mod poll;
mod reminder;
mod report;
mod schedule;
mod text;
mod webinar;
mod zone;

pub use chat::{Author, MAX_MESSAGE_CHARS, Message, MessageKind, Moderation, NewMessage, PostedMessage, Reaction, Viewer};
pub use engagement::{Conduct, RegistrantReport, Segment, SessionFrame, Span, engagement, points as engagement_points, segments, stays_of};
pub use ics::{calendar, utc as ics_utc};
pub use ids::{JoinKey, MessageId, OfferId, PollId, RegistrantId, SessionId, WebinarId};
pub use live::{Attendance, Presence, RoomIdentity, SessionState};
pub use offer::{NewOffer, Offer};
pub use poll::{MAX_OPTIONS, NewPoll, Poll, PollState};
pub use reminder::{MAX_REMINDERS, Reminder, check_reminders, default_reminders, plan as plan_reminders};
pub use report::{SessionReport, Stay, attendees_by_minute, mean_median};
pub use schedule::{ClockTime, Day, MAX_LISTED, Schedule, WeeklySlot};
pub use text::{Text, format_start, rfc3339, text};
pub use webinar::{NewRegistrant, NewWebinar, Registrant, Session, Webinar};
pub use zone::Zone;
