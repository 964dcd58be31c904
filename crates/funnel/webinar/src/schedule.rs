//! When a webinar's sessions start.

use crate::zone::Zone;
use hikari_funnel::DomainError;
use jiff::{Timestamp, civil};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How a webinar's sessions are planned.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// Sessions added one at a time, each with its own start.
    OneOff,
    /// Every week at these local times (in the webinar's zone).
    Weekly {
        /// Day and time of each weekly session.
        slots: Vec<WeeklySlot>,
    },
    /// Evergreen: a session starts every `every_minutes` on the local clock (:00, :15, …), the
    /// first at least `lead_minutes` after the visitor books.
    JustInTime {
        /// Minutes between sessions; divides a day (5, 10, 15, 20, 30, 60, …).
        every_minutes: u32,
        /// The least time between booking and the start.
        lead_minutes: u32,
    },
    /// No live session: each registrant starts watching when they open their link.
    OnDemand,
}

/// A weekly session: a day and a local time.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklySlot {
    /// The day of the week.
    pub weekday: Day,
    /// The local time, `HH:MM`.
    pub time: ClockTime,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    fn of(w: civil::Weekday) -> Self {
        use civil::Weekday as W;
        match w {
            W::Monday => Self::Monday,
            W::Tuesday => Self::Tuesday,
            W::Wednesday => Self::Wednesday,
            W::Thursday => Self::Thursday,
            W::Friday => Self::Friday,
            W::Saturday => Self::Saturday,
            W::Sunday => Self::Sunday,
        }
    }
}

/// A wall-clock time of day, `HH:MM` (24-hour).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd)]
pub struct ClockTime {
    hour: u8,
    minute: u8,
}

impl std::str::FromStr for ClockTime {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::invalid("time", format!("{s:?} is not a time HH:MM between 00:00 and 23:59"));
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (hour, minute) = (h.parse::<u8>().map_err(|_| bad())?, m.parse::<u8>().map_err(|_| bad())?);
        if hour > 23 || minute > 59 {
            return Err(bad());
        }
        Ok(Self { hour, minute })
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The most start times [`Schedule::next_starts`] lists.
pub const MAX_LISTED: usize = 50;
const MINUTE: i64 = 60_000;

impl Schedule {
    /// Checks the schedule's own rules.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self {
            Self::OneOff | Self::OnDemand => Ok(()),
            Self::Weekly { slots } => {
                if slots.is_empty() || slots.len() > 28 {
                    return Err(DomainError::invalid("schedule.slots", "a weekly schedule has 1 to 28 slots"));
                }
                let mut sorted = slots.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != slots.len() {
                    return Err(DomainError::invalid("schedule.slots", "a slot is listed twice"));
                }
                Ok(())
            }
            Self::JustInTime { every_minutes, lead_minutes } => {
                if !(5..=1440).contains(every_minutes) || 1440 % every_minutes != 0 {
                    return Err(DomainError::invalid("schedule.every_minutes", "between 5 and 1440, dividing a day (5, 10, 15, 20, 30, 60, …)"));
                }
                if *lead_minutes > 1440 {
                    return Err(DomainError::invalid("schedule.lead_minutes", "at most 1440 (a day)"));
                }
                Ok(())
            }
        }
    }

    /// Up to `n` (at most [`MAX_LISTED`]) start times after `now` that a visitor may book,
    /// earliest first, as Unix milliseconds. `one_offs` are the starts of the sessions added
    /// by hand (for [`Schedule::OneOff`]). A weekly slot that falls in a daylight-saving gap
    /// starts at the same instant as the time just after the gap; in a repeated hour, the
    /// first one. An on-demand webinar starts when the visitor books: `[now]`.
    pub fn next_starts(&self, zone: &Zone, one_offs: &[i64], now: i64, n: usize) -> Vec<i64> {
        let n = n.min(MAX_LISTED);
        let mut out = match self {
            Self::OneOff => one_offs.iter().copied().filter(|&t| t > now).collect(),
            Self::OnDemand => vec![now],
            Self::Weekly { slots } => weekly(zone, slots, now, n),
            Self::JustInTime { every_minutes, lead_minutes } => {
                just_in_time(zone, i64::from(*every_minutes) * MINUTE, now + i64::from(*lead_minutes) * MINUTE, n)
            }
        };
        out.sort_unstable();
        out.dedup();
        out.truncate(n);
        out
    }
}

fn weekly(zone: &Zone, slots: &[WeeklySlot], now: i64, n: usize) -> Vec<i64> {
    let Ok(today) = Timestamp::from_millisecond(now).map(|t| t.to_zoned_datetime(zone.tz().clone()).date()) else {
        return Vec::new();
    };
    // Enough weeks for n starts when every slot is one a week, and one more for today's past slots.
    let weeks = n.div_ceil(slots.len().max(1)) + 1;
    let mut out = Vec::new();
    let mut day = today;
    for _ in 0..weeks * 7 {
        let d = Day::of(day.weekday());
        for s in slots.iter().filter(|s| s.weekday == d) {
            let Ok(time) = civil::Time::new(s.time.hour as i8, s.time.minute as i8, 0, 0) else { continue };
            if let Ok(z) = day.to_datetime(time).to_zoned_datetime(zone.tz().clone()) {
                let t = z.timestamp().as_millisecond();
                if t > now {
                    out.push(t);
                }
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

fn just_in_time(zone: &Zone, every: i64, earliest: i64, n: usize) -> Vec<i64> {
    // On the local clock: :00, :15, … in the zone, not in UTC (India is UTC+5:30).
    let offset = Timestamp::from_millisecond(earliest).map(|t| i64::from(zone.tz().to_offset(t).seconds()) * 1000).unwrap_or(0);
    let local = earliest + offset;
    let first = local.div_euclid(every) * every + if local.rem_euclid(every) == 0 { 0 } else { every } - offset;
    (0..n as i64).map(|i| first + i * every).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, s: &str) -> i64 {
        let dt: civil::DateTime = s.parse().expect("datetime");
        dt.to_zoned_datetime(jiff::tz::db().get(zone).expect("zone")).expect("zoned").timestamp().as_millisecond()
    }

    fn slot(weekday: Day, time: &str) -> WeeklySlot {
        WeeklySlot { weekday, time: time.parse().expect("time") }
    }

    #[test]
    fn weekly_slots_follow_the_zone_across_daylight_saving() {
        let ny: Zone = "America/New_York".parse().expect("zone");
        let s = Schedule::Weekly { slots: vec![slot(Day::Sunday, "20:00")] };
        // 2026-03-08 is the Sunday US clocks go forward: 20:00 is then UTC-4, a week earlier UTC-5.
        let now = at("America/New_York", "2026-03-01T12:00");
        let starts = s.next_starts(&ny, &[], now, 3);
        assert_eq!(
            starts,
            vec![at("America/New_York", "2026-03-01T20:00"), at("America/New_York", "2026-03-08T20:00"), at("America/New_York", "2026-03-15T20:00")]
        );
        assert_eq!(starts[1] - starts[0], 7 * 24 * 3_600_000 - 3_600_000, "the week of the change is an hour shorter");
    }

    #[test]
    fn weekly_lists_the_next_slots_in_order_and_skips_todays_past_ones() {
        let tokyo = Zone::default();
        let s = Schedule::Weekly { slots: vec![slot(Day::Thursday, "20:00"), slot(Day::Tuesday, "12:00")] };
        // 2026-12-01 is a Tuesday; 13:00 is past its noon slot.
        let now = at("Asia/Tokyo", "2026-12-01T13:00");
        let starts = s.next_starts(&tokyo, &[], now, 3);
        assert_eq!(starts, vec![at("Asia/Tokyo", "2026-12-03T20:00"), at("Asia/Tokyo", "2026-12-08T12:00"), at("Asia/Tokyo", "2026-12-10T20:00")]);
        assert_eq!(s.next_starts(&tokyo, &[], now, 1000).len(), MAX_LISTED);
    }

    #[test]
    fn just_in_time_starts_on_the_local_quarter_after_the_lead() {
        let s = Schedule::JustInTime { every_minutes: 15, lead_minutes: 5 };
        let tokyo = Zone::default();
        let now = at("Asia/Tokyo", "2026-12-01T10:11");
        assert_eq!(s.next_starts(&tokyo, &[], now, 2), vec![at("Asia/Tokyo", "2026-12-01T10:30"), at("Asia/Tokyo", "2026-12-01T10:45")]);
        // Exactly on a quarter after the lead: that quarter.
        assert_eq!(s.next_starts(&tokyo, &[], at("Asia/Tokyo", "2026-12-01T10:10"), 1), vec![at("Asia/Tokyo", "2026-12-01T10:15")]);
        // India's clock is half an hour off UTC's quarters: still :00 and :30 there.
        let kolkata: Zone = "Asia/Kolkata".parse().expect("zone");
        let hourly = Schedule::JustInTime { every_minutes: 60, lead_minutes: 0 };
        assert_eq!(hourly.next_starts(&kolkata, &[], at("Asia/Kolkata", "2026-12-01T09:20"), 1), vec![at("Asia/Kolkata", "2026-12-01T10:00")]);
    }

    #[test]
    fn one_off_and_on_demand() {
        let z = Zone::default();
        assert_eq!(Schedule::OneOff.next_starts(&z, &[30, 10, 20, 5], 10, 5), vec![20, 30]);
        assert_eq!(Schedule::OnDemand.next_starts(&z, &[], 42, 5), vec![42]);
    }

    #[test]
    fn schedules_and_times_are_checked() {
        for bad in [
            Schedule::Weekly { slots: vec![] },
            Schedule::Weekly { slots: vec![slot(Day::Monday, "09:00"), slot(Day::Monday, "09:00")] },
            Schedule::JustInTime { every_minutes: 7, lead_minutes: 0 },
            Schedule::JustInTime { every_minutes: 0, lead_minutes: 0 },
            Schedule::JustInTime { every_minutes: 15, lead_minutes: 2000 },
        ] {
            assert!(bad.validate().is_err(), "{bad:?} accepted");
        }
        for bad in ["24:00", "9:00", "09:60", "0900", "", "ab:cd", "+1:00"] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad:?} accepted");
        }
        let json = serde_json::json!({ "kind": "weekly", "slots": [{ "weekday": "friday", "time": "19:30" }] });
        let s: Schedule = serde_json::from_value(json.clone()).expect("schedule");
        assert_eq!(serde_json::to_value(&s).expect("json"), json);
    }
}
