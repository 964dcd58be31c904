//! A session's numbers, from its registrants and their events: show-up, watch time, the
//! attendees minute by minute, and what they did. Pure arithmetic over what the caller read.

use serde::Serialize;

/// One registrant's stay in the room: joined, and left (or still in at the report's end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stay {
    /// Unix ms.
    pub from: i64,
    /// Unix ms; `None` while in the room.
    pub to: Option<i64>,
    /// Whose (the registrant's row id), so one registrant counts once a minute.
    pub who: i64,
}

/// A session's report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SessionReport {
    /// Registrants booked on it.
    pub registrations: u32,
    /// Registrants who joined the room at least once.
    pub attended: u32,
    /// `attended / registrations` (0 without registrations).
    pub show_up_rate: f64,
    /// Mean watch time of those who attended, seconds.
    pub watch_seconds_mean: f64,
    /// Median watch time of those who attended, seconds.
    pub watch_seconds_median: f64,
    /// Registrants in the room during each minute from the start of the curve.
    pub attendees_by_minute: Vec<u32>,
    /// Unix ms of the curve's first minute.
    pub curve_starts_at: Option<i64>,
    /// Counts of the room's events by name (`chat_message`, `question_asked`, `poll_voted`,
    /// `reaction`, `offer_shown`, `offer_clicked`).
    pub activity: std::collections::BTreeMap<String, u32>,
    /// Registrants who clicked an offer, over those who were shown one (0 when none were).
    pub offer_click_rate: f64,
}

/// Registrants in the room during each minute from `from` to `to` (at least one minute, at
/// most 24 hours); each registrant counts once a minute, however often it reconnected.
pub fn attendees_by_minute(stays: &[Stay], from: i64, to: i64) -> Vec<u32> {
    let minutes = ((to - from).max(0) + 59_999) / 60_000;
    (0..minutes.clamp(1, 24 * 60))
        .map(|m| {
            let (start, end) = (from + m * 60_000, from + (m + 1) * 60_000);
            let mut present: Vec<i64> = stays.iter().filter(|s| s.from < end && s.to.is_none_or(|to| to > start)).map(|s| s.who).collect();
            present.sort_unstable();
            present.dedup();
            u32::try_from(present.len()).unwrap_or(u32::MAX)
        })
        .collect()
}

/// The mean and median of `values` (0 for none).
pub fn mean_median(values: &[i64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    let mid = v.len() / 2;
    let median = if v.len().is_multiple_of(2) { (v[mid - 1] + v[mid]) as f64 / 2.0 } else { v[mid] as f64 };
    (mean, median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_counts_who_is_in_at_each_minute() {
        let stays = [
            Stay { from: 0, to: Some(100_000), who: 1 },
            Stay { from: 30_000, to: None, who: 2 },
            // A reconnect: the same registrant twice in one minute counts once.
            Stay { from: 50_000, to: Some(70_000), who: 3 },
            Stay { from: 65_000, to: Some(200_000), who: 3 },
        ];
        assert_eq!(attendees_by_minute(&stays, 0, 180_000), [3, 3, 2]);
        assert_eq!(attendees_by_minute(&stays, 0, 20_000), [3], "a short session is one minute");
        assert_eq!(attendees_by_minute(&stays, 10, 0), [3], "an end before the start keeps the first minute");
        assert_eq!(attendees_by_minute(&stays, 200_000, 230_000), [1], "who left before the minute is not in it");
        assert_eq!(attendees_by_minute(&[], 0, i64::MAX / 2).len(), 24 * 60, "bounded");
    }

    #[test]
    fn mean_and_median() {
        assert_eq!(mean_median(&[]), (0.0, 0.0));
        assert_eq!(mean_median(&[10, 20, 60]), (30.0, 20.0));
        assert_eq!(mean_median(&[10, 20, 30, 100]), (40.0, 25.0));
    }
}
