//! Webinars, sessions and registrants.

use crate::{
    ids::{JoinKey, RegistrantId, SessionId, WebinarId},
    live::{Attendance, SessionState},
    reminder::{Reminder, check_reminders, default_reminders},
    schedule::Schedule,
    zone::Zone,
};
use hikari_funnel::{ContactId, DomainError, FunnelId, Utm};
use serde::{Deserialize, Serialize};

/// A webinar: a funnel's live (or evergreen) event, with its schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Webinar {
    /// Row id.
    pub id: WebinarId,
    /// The funnel whose `webinar_register` step books it.
    pub funnel: FunnelId,
    /// Shown on pages, in calendars and in emails.
    pub title: String,
    /// Where its times are planned (and shown by default).
    pub time_zone: Zone,
    /// How long a session lasts, for calendars and the room.
    pub duration_minutes: u32,
    /// When sessions start.
    pub schedule: Schedule,
    /// When registrants are reminded, in time order.
    pub reminders: Vec<Reminder>,
    /// Unix ms.
    pub created_at: i64,
}

fn default_duration() -> u32 {
    60
}

/// A webinar to create (or the new state of one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebinar {
    /// The funnel it belongs to.
    pub funnel: FunnelId,
    /// 1 to 200 characters.
    pub title: String,
    /// IANA name; `Asia/Tokyo` when absent.
    #[serde(default)]
    pub time_zone: Zone,
    /// 5 to 600 minutes; 60 when absent.
    #[serde(default = "default_duration")]
    pub duration_minutes: u32,
    /// When sessions start.
    pub schedule: Schedule,
    /// When registrants are reminded; [`default_reminders`] when absent.
    #[serde(default = "default_reminders")]
    pub reminders: Vec<Reminder>,
}

impl NewWebinar {
    /// Trims the title and checks every rule.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        self.title = self.title.trim().to_owned();
        if self.title.is_empty() || self.title.chars().count() > 200 || self.title.chars().any(char::is_control) {
            return Err(DomainError::invalid("title", "1 to 200 characters, on one line"));
        }
        if !(5..=600).contains(&self.duration_minutes) {
            return Err(DomainError::invalid("duration_minutes", "between 5 and 600"));
        }
        check_reminders(&mut self.reminders)?;
        self.schedule.validate()
    }
}

/// One start of a webinar, with the LiveKit room it runs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Row id.
    pub id: SessionId,
    /// Its webinar.
    pub webinar: WebinarId,
    /// Unix ms.
    pub starts_at: i64,
    /// The room's name on this server ([`Session::room_for`]).
    pub room: String,
    /// Where it is in its life.
    pub state: SessionState,
    /// Unix ms it went live, if it did.
    pub live_at: Option<i64>,
    /// Unix ms it ended, if it did.
    pub ended_at: Option<i64>,
}

impl Session {
    /// The room of the session of `webinar` starting at `starts_at`: one per start, known
    /// before the session is stored, and never a name a visitor chose.
    pub fn room_for(webinar: WebinarId, starts_at: i64) -> String {
        format!("webinar-{webinar}-{starts_at}")
    }

    /// When it ends, by its webinar's duration (Unix ms).
    pub fn ends_at(&self, w: &Webinar) -> i64 {
        self.starts_at + i64::from(w.duration_minutes) * 60_000
    }
}

/// A contact booked on a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Registrant {
    /// Row id.
    pub id: RegistrantId,
    /// The webinar.
    pub webinar: WebinarId,
    /// The booked session.
    pub session: SessionId,
    /// Who.
    pub contact: ContactId,
    /// The personal join link's secret.
    pub join_key: JoinKey,
    /// The visitor id of the browser that registered.
    pub visitor: Option<String>,
    /// The experiment arm the registration page showed, if any.
    pub variant: Option<String>,
    /// The visit's last-touch UTM values.
    pub utm: Utm,
    /// Unix ms.
    pub registered_at: i64,
    /// Its time in the session's room.
    pub attendance: Attendance,
}

/// A registration to store: a contact booked on a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRegistrant {
    /// The booked session.
    pub session: SessionId,
    /// Who.
    pub contact: ContactId,
    /// A fresh key ([`JoinKey::from_random`]); kept only if the contact was not yet booked on
    /// the session.
    pub join_key: JoinKey,
    /// The visitor id of the browser that registered.
    pub visitor: Option<String>,
    /// The experiment arm the registration page showed, if any.
    pub variant: Option<String>,
    /// The visit's last-touch UTM values.
    pub utm: Utm,
    /// Unix ms.
    pub now: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(title: &str, minutes: u32) -> NewWebinar {
        NewWebinar {
            funnel: FunnelId(1),
            title: title.into(),
            time_zone: Zone::default(),
            duration_minutes: minutes,
            schedule: Schedule::OneOff,
            reminders: default_reminders(),
        }
    }

    #[test]
    fn a_new_webinar_is_checked_and_defaults_to_tokyo_and_an_hour() {
        let w: NewWebinar =
            serde_json::from_value(serde_json::json!({ "funnel": 1, "title": " 売れるウェビナー ", "schedule": { "kind": "one_off" } })).expect("json");
        assert_eq!((w.time_zone.name(), w.duration_minutes), ("Asia/Tokyo", 60));
        let mut w = w;
        w.validate().expect("valid");
        assert_eq!(w.title, "売れるウェビナー");
        for mut bad in [new("", 60), new("   ", 60), new(&"x".repeat(201), 60), new("a\nb", 60), new("ok", 4), new("ok", 601)] {
            assert!(bad.validate().is_err(), "{bad:?} accepted");
        }
        assert!(
            serde_json::from_value::<NewWebinar>(serde_json::json!({ "funnel": 1, "title": "t", "time_zone": "Mars/Base", "schedule": { "kind": "one_off" } }))
                .is_err()
        );
    }

    #[test]
    fn each_start_has_its_own_room() {
        assert_eq!(Session::room_for(WebinarId(3), 1_700_000_000_000), "webinar-3-1700000000000");
        assert_ne!(Session::room_for(WebinarId(3), 1), Session::room_for(WebinarId(3), 2));
    }
}
