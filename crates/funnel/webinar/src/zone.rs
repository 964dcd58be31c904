//! A time zone by its IANA name, checked against the bundled tz database.

use hikari_funnel::DomainError;
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// An IANA time zone (`Asia/Tokyo`, `America/New_York`). Japan's is the default: most
/// webinars run from there.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant (Unix ms) of a wall-clock time in this zone, written as an HTML
    /// `datetime-local` input sends it (`2026-12-24T20:00`, seconds optional). A time skipped
    /// by daylight saving is the instant after the gap; a repeated one, the first.
    pub fn instant_of(&self, local: &str) -> Result<i64, DomainError> {
        let bad = || DomainError::invalid("starts_at", format!("{local:?} is not a date and time such as 2026-12-24T20:00"));
        let dt: jiff::civil::DateTime = local.trim().parse().map_err(|_| bad())?;
        let z = dt.to_zoned_datetime(self.tz.clone()).map_err(|_| bad())?;
        Ok(z.timestamp().as_millisecond())
    }

    pub(crate) fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

impl Default for Zone {
    fn default() -> Self {
        "Asia/Tokyo".parse().unwrap_or_else(|_| Self { name: "UTC".into(), tz: TimeZone::UTC })
    }
}

impl FromStr for Zone {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        // The database also knows fixed-offset and legacy names; a webinar needs a place.
        if s.len() > 64 || !(s.contains('/') || s == "UTC") {
            return Err(DomainError::invalid("time_zone", format!("{s:?} is not an IANA time zone such as Asia/Tokyo")));
        }
        let tz =
            jiff::tz::db().get(s).map_err(|_| DomainError::invalid("time_zone", format!("unknown time zone {s:?} (use an IANA name such as Asia/Tokyo)")))?;
        // The database's spelling (names are matched without regard to case).
        let name = tz.iana_name().unwrap_or(s).to_owned();
        Ok(Self { name, tz })
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_iana_names_from_the_bundled_database() {
        assert_eq!(Zone::default().name(), "Asia/Tokyo");
        assert_eq!("america/new_york".parse::<Zone>().map(|z| z.name().to_owned()), Ok("America/New_York".into()));
        assert_eq!("UTC".parse::<Zone>().map(|z| z.name().to_owned()), Ok("UTC".into()));
        for bad in ["", "JST", "Asia/Nowhere", "+09:00", "../../etc/localtime", &"A/".repeat(40)] {
            assert!(bad.parse::<Zone>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn wall_clock_times_become_instants_in_the_zone() {
        let tokyo = Zone::default();
        assert_eq!(tokyo.instant_of("2026-12-24T20:00"), Ok(1_798_110_000_000), "20:00 JST is 11:00 UTC");
        assert_eq!(tokyo.instant_of(" 2026-12-24T20:00:30 "), Ok(1_798_110_030_000));
        let ny: Zone = "America/New_York".parse().expect("zone");
        // 2026-03-08 02:30 does not exist in New York: the instant after the gap (03:30 EDT).
        assert_eq!(ny.instant_of("2026-03-08T02:30"), ny.instant_of("2026-03-08T03:30"));
        for bad in ["", "2026-13-01T10:00", "tomorrow", "2026-12-24T25:00"] {
            assert!(tokyo.instant_of(bad).is_err(), "{bad:?} accepted");
        }
    }
}
