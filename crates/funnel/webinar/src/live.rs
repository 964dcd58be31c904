//! A session while it runs: its lifecycle (scheduled → backstage → live → ended), who is in
//! its room (the identities the server gives registrants and hosts), and how long each
//! registrant watched.

use crate::ids::RegistrantId;
use hikari_funnel::{DomainError, UserId};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a session is in its life. Attendees see the waiting screen until it is `live`; hosts
/// may rehearse `backstage` first. `ended` is final.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Not started.
    #[default]
    Scheduled,
    /// Hosts are in the room; attendees still wait.
    Backstage,
    /// Attendees watch.
    Live,
    /// Over: nobody joins any more.
    Ended,
}

impl SessionState {
    /// Its name in storage, JSON and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Backstage => "backstage",
            Self::Live => "live",
            Self::Ended => "ended",
        }
    }

    /// Whether a session may go from `self` to `to`: only forwards (backstage may be skipped,
    /// and a session may end from any state), never out of `ended`. Asking for the state it
    /// is already in is allowed (a repeated click changes nothing).
    pub fn check(self, to: Self) -> Result<(), DomainError> {
        let rank = |s: Self| s as u8;
        if self == to || (self != Self::Ended && rank(to) > rank(self)) {
            Ok(())
        } else {
            Err(DomainError::invalid("state", format!("a {} session cannot become {}", self.as_str(), to.as_str())))
        }
    }

    /// Whether attendees may connect to the room.
    pub fn admits_attendees(self) -> bool {
        self == Self::Live
    }

    /// Whether hosts may connect to the room.
    pub fn admits_hosts(self) -> bool {
        self != Self::Ended
    }
}

impl FromStr for SessionState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, DomainError> {
        Ok(match s {
            "scheduled" => Self::Scheduled,
            "backstage" => Self::Backstage,
            "live" => Self::Live,
            "ended" => Self::Ended,
            _ => return Err(DomainError::invalid("state", "one of scheduled, backstage, live, ended")),
        })
    }
}

/// Who a participant of a session's room is, by the identity the server put in its token:
/// `attendee-<registrant id>` or `host-<user id>`. Identities are never chosen by a visitor,
/// so one registrant has one identity (a second connection replaces the first, as LiveKit
/// does for a repeated identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomIdentity {
    /// A registrant, from the personal link.
    Attendee(RegistrantId),
    /// A signed-in admin user.
    Host(UserId),
}

impl fmt::Display for RoomIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Attendee(r) => write!(f, "attendee-{r}"),
            Self::Host(u) => write!(f, "host-{u}"),
        }
    }
}

impl FromStr for RoomIdentity {
    type Err = DomainError;

    /// Parses exactly what [`Display`](fmt::Display) writes (canonical decimal, no sign or
    /// leading zero), so one participant has one spelling.
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let id = |digits: &str| -> Option<i64> {
            let canonical = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
            canonical.then(|| digits.parse().ok()).flatten()
        };
        let bad = || DomainError::invalid("identity", "not a webinar participant");
        if let Some(rest) = s.strip_prefix("attendee-") {
            id(rest).map(|n| Self::Attendee(RegistrantId(n))).ok_or_else(bad)
        } else if let Some(rest) = s.strip_prefix("host-") {
            id(rest).map(|n| Self::Host(UserId(n))).ok_or_else(bad)
        } else {
            Err(bad())
        }
    }
}

/// A registrant's time in the room, kept on the registrant: whether it is in the room now
/// (since when), when it first came, and the milliseconds of every finished stay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Attendance {
    /// Unix ms of the first join, if it ever joined.
    pub first_joined_at: Option<i64>,
    /// Unix ms it joined, while it is in the room.
    pub in_room_since: Option<i64>,
    /// Milliseconds watched in finished stays.
    pub watched_ms: i64,
}

/// A change to a registrant's presence, from the room's own events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// It connected to the room.
    Joined,
    /// It left (closed the tab, lost the network for good, or was removed).
    Left,
}

impl Attendance {
    /// The attendance after `presence` at `at` (Unix ms), and the milliseconds of the stay it
    /// finished (for `Left`); `None` when nothing changes: a join while already in the room
    /// (a replaced connection), or a leave while not in it. A leave never counts time from
    /// before its join, even if the clocks disagree.
    pub fn apply(self, presence: Presence, at: i64) -> Option<(Self, i64)> {
        match (presence, self.in_room_since) {
            (Presence::Joined, None) => Some((Self { first_joined_at: Some(self.first_joined_at.unwrap_or(at)), in_room_since: Some(at), ..self }, 0)),
            (Presence::Left, Some(since)) => {
                let stay = (at - since).max(0);
                Some((Self { in_room_since: None, watched_ms: self.watched_ms + stay, ..self }, stay))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionState::*;

    #[test]
    fn sessions_only_move_forwards_and_never_out_of_ended() {
        for (from, to) in [(Scheduled, Backstage), (Scheduled, Live), (Backstage, Live), (Live, Ended), (Scheduled, Ended), (Live, Live)] {
            assert!(from.check(to).is_ok(), "{from:?} → {to:?}");
        }
        for (from, to) in [(Live, Backstage), (Ended, Live), (Backstage, Scheduled), (Live, Scheduled)] {
            assert!(from.check(to).is_err(), "{from:?} → {to:?}");
        }
        assert!(Live.admits_attendees() && !Backstage.admits_attendees() && !Ended.admits_attendees());
        assert!(Backstage.admits_hosts() && !Ended.admits_hosts());
        for s in [Scheduled, Backstage, Live, Ended] {
            assert_eq!(s.as_str().parse::<SessionState>().expect("round trip"), s);
        }
        assert!("LIVE".parse::<SessionState>().is_err());
    }

    #[test]
    fn room_identities_have_one_spelling() {
        assert_eq!("attendee-12".parse::<RoomIdentity>().expect("attendee"), RoomIdentity::Attendee(RegistrantId(12)));
        assert_eq!("host-3".parse::<RoomIdentity>().expect("host"), RoomIdentity::Host(UserId(3)));
        assert_eq!(RoomIdentity::Attendee(RegistrantId(12)).to_string(), "attendee-12");
        for bad in ["attendee-", "attendee-012", "attendee-+1", "attendee--1", "host-1x", "guest-1", "attendee-99999999999999999999", ""] {
            assert!(bad.parse::<RoomIdentity>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn watch_time_adds_up_stays_and_ignores_repeats() {
        let a = Attendance::default();
        let (a, _) = a.apply(Presence::Joined, 1_000).expect("join");
        assert!(a.apply(Presence::Joined, 2_000).is_none(), "a replaced connection is one stay");
        let (a, stay) = a.apply(Presence::Left, 61_000).expect("leave");
        assert_eq!((stay, a.watched_ms, a.in_room_since), (60_000, 60_000, None));
        assert!(a.apply(Presence::Left, 70_000).is_none());
        let (a, _) = a.apply(Presence::Joined, 100_000).expect("back");
        let (a, stay) = a.apply(Presence::Left, 90_000).expect("clock went back");
        assert_eq!((stay, a.watched_ms, a.first_joined_at), (0, 60_000, Some(1_000)));
    }
}
