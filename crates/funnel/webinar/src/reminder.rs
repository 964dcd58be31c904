//! A webinar's reminder schedule: when its registrants are reminded (minutes before the
//! start, when it goes live, minutes after it ends for the replay). Stored with the webinar;
//! sending them is the messaging side's. [`plan`] says when each fires for one registrant,
//! leaving out those whose time had passed when it registered (a late registrant is not sent
//! "tomorrow at 20:00" an hour before the start).

use hikari_funnel::DomainError;
use serde::{Deserialize, Serialize};

/// The most reminders a webinar has.
pub const MAX_REMINDERS: usize = 12;

/// One reminder of a webinar's schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reminder {
    /// This many minutes before the start (1 to 20 160: two weeks).
    Before {
        /// Minutes.
        minutes: u32,
    },
    /// When a host takes the session live.
    Live,
    /// This many minutes after the planned end, for the replay (0 to 10 080: a week).
    Replay {
        /// Minutes.
        minutes: u32,
    },
}

/// The schedule new webinars get: the day before, an hour before, ten minutes before, when
/// it goes live, and the replay an hour after the end (what Japanese webinar tools send).
pub fn default_reminders() -> Vec<Reminder> {
    vec![
        Reminder::Before { minutes: 1440 },
        Reminder::Before { minutes: 60 },
        Reminder::Before { minutes: 10 },
        Reminder::Live,
        Reminder::Replay { minutes: 60 },
    ]
}

/// Checks a schedule and puts it in time order: at most [`MAX_REMINDERS`], each within its
/// range, none twice.
pub fn check_reminders(reminders: &mut Vec<Reminder>) -> Result<(), DomainError> {
    if reminders.len() > MAX_REMINDERS {
        return Err(DomainError::invalid("reminders", format!("at most {MAX_REMINDERS}")));
    }
    for r in reminders.iter() {
        match *r {
            Reminder::Before { minutes } if !(1..=20_160).contains(&minutes) => {
                return Err(DomainError::invalid("reminders", "before: 1 to 20160 minutes (two weeks)"));
            }
            Reminder::Replay { minutes } if minutes > 10_080 => {
                return Err(DomainError::invalid("reminders", "replay: 0 to 10080 minutes after the end (a week)"));
            }
            _ => {}
        }
    }
    // Time order: the earliest "before" first, then live, then the replays.
    reminders.sort_by_key(|r| match *r {
        Reminder::Before { minutes } => (0, u32::MAX - minutes),
        Reminder::Live => (1, 0),
        Reminder::Replay { minutes } => (2, minutes),
    });
    let n = reminders.len();
    reminders.dedup();
    if reminders.len() != n {
        return Err(DomainError::invalid("reminders", "each reminder once"));
    }
    Ok(())
}

/// When each reminder fires for a registrant who registered at `registered_at` for a session
/// from `starts_at` to `ends_at` (Unix ms; "live" at the planned start until the session
/// actually goes live). Reminders before the start whose time had passed at registration are
/// left out; the others keep their order.
pub fn plan(reminders: &[Reminder], starts_at: i64, ends_at: i64, registered_at: i64) -> Vec<(Reminder, i64)> {
    reminders
        .iter()
        .map(|r| {
            let at = match *r {
                Reminder::Before { minutes } => starts_at - i64::from(minutes) * 60_000,
                Reminder::Live => starts_at,
                Reminder::Replay { minutes } => ends_at + i64::from(minutes) * 60_000,
            };
            (*r, at)
        })
        .filter(|(r, at)| !matches!(r, Reminder::Before { .. }) || *at > registered_at)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn schedules_are_checked_and_put_in_time_order() {
        let mut r = vec![Reminder::Replay { minutes: 60 }, Reminder::Live, Reminder::Before { minutes: 10 }, Reminder::Before { minutes: 1440 }];
        check_reminders(&mut r).expect("valid");
        assert_eq!(r, [Reminder::Before { minutes: 1440 }, Reminder::Before { minutes: 10 }, Reminder::Live, Reminder::Replay { minutes: 60 }]);
        let mut d = default_reminders();
        check_reminders(&mut d).expect("the default is valid");
        assert_eq!(d, default_reminders(), "and already in order");
        for bad in [
            vec![Reminder::Before { minutes: 0 }],
            vec![Reminder::Before { minutes: 20_161 }],
            vec![Reminder::Replay { minutes: 10_081 }],
            vec![Reminder::Live, Reminder::Live],
            vec![Reminder::Before { minutes: 5 }; 13],
        ] {
            assert!(check_reminders(&mut bad.clone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_json_is_tagged_by_when() {
        let r: Vec<Reminder> = serde_json::from_str(r#"[{"at":"before","minutes":60},{"at":"live"},{"at":"replay","minutes":0}]"#).expect("json");
        assert_eq!(r, [Reminder::Before { minutes: 60 }, Reminder::Live, Reminder::Replay { minutes: 0 }]);
        assert!(serde_json::from_str::<Reminder>(r#"{"at":"before"}"#).is_err());
        assert!(serde_json::from_str::<Reminder>(r#"{"at":"never"}"#).is_err());
    }

    #[test]
    fn a_late_registrant_gets_only_the_reminders_still_ahead() {
        let (start, end) = (100 * 24 * 60 * MIN, 100 * 24 * 60 * MIN + 90 * MIN);
        let early = plan(&default_reminders(), start, end, 0);
        assert_eq!(early.len(), 5);
        assert_eq!(early[0], (Reminder::Before { minutes: 1440 }, start - 1440 * MIN));
        assert_eq!(early[4], (Reminder::Replay { minutes: 60 }, end + 60 * MIN));
        // Registered 30 minutes before the start: the day-before and hour-before ones are gone.
        let late = plan(&default_reminders(), start, end, start - 30 * MIN);
        assert_eq!(late.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [Reminder::Before { minutes: 10 }, Reminder::Live, Reminder::Replay { minutes: 60 }]);
        // Registered for a session already running (just in time): live and the replay remain.
        assert_eq!(plan(&default_reminders(), start, end, start + MIN).len(), 2);
    }
}
