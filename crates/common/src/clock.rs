//! The wall clock, read in one place. Cores that must be deterministic (the SFU, the funnel
//! domain, token checks) never call this: drivers read it and pass the time in.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch; 0 if the system clock is before 1970.
pub fn unix_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Milliseconds since the Unix epoch; 0 if the system clock is before 1970.
pub fn unix_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_and_millis_agree() {
        let (s, ms) = (super::unix_secs(), super::unix_millis());
        assert!(s > 1_700_000_000, "clock reads {s}");
        assert!((ms / 1000 - s).abs() <= 1, "{ms} ms vs {s} s");
    }
}
