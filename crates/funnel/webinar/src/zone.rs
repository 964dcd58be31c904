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
}
