//! A fixed-window counter per key (client address), in memory.

use std::{collections::HashMap, sync::Mutex};

/// Allows `limit` hits per key per window.
pub(crate) struct RateLimiter {
    limit: u32,
    window_ms: i64,
    hits: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window_ms: i64) -> Self {
        Self { limit, window_ms, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts a hit for `key` at `now`; false when over the limit.
    pub fn allow(&self, key: &str, now: i64) -> bool {
        self.hit(key, now) <= self.limit
    }

    /// Counts a hit for `key` at `now` and says how it compares with the limit.
    pub fn check(&self, key: &str, now: i64) -> Over {
        let hits = self.hit(key, now);
        if hits <= self.limit {
            Over::No
        } else if hits <= self.limit.saturating_mul(10) {
            Over::Soft
        } else {
            Over::Hard
        }
    }

    /// Counts a hit for `key` at `now`; returns the hits in the current window, this one included.
    fn hit(&self, key: &str, now: i64) -> u32 {
        // A poisoned lock only means another request panicked mid-update; the counts are
        // still usable.
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now - *start < self.window_ms);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= self.window_ms {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1
    }
}

/// Where a key stands against its limit: within it, over it, or over ten times it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Over {
    No,
    Soft,
    Hard,
}

impl RateLimiter {
    /// Whether `key` has used up its hits in the window running at `now`, without counting
    /// one (for limits on failures: check first, count only when the attempt fails).
    pub fn exhausted(&self, key: &str, now: i64) -> bool {
        let hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.get(key).is_some_and(|&(start, n)| now - start < self.window_ms && n >= self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_resets() {
        let r = RateLimiter::new(2, 1000);
        assert!(r.allow("a", 0) && r.allow("a", 1));
        assert!(!r.allow("a", 2));
        assert!(r.allow("b", 2));
        assert!(r.allow("a", 1000));
    }

    #[test]
    fn check_tells_soft_from_hard() {
        let r = RateLimiter::new(2, 1000);
        let seen: Vec<Over> = (0..22).map(|i| r.check("a", i)).collect();
        assert_eq!(&seen[..2], &[Over::No; 2]);
        assert_eq!(&seen[2..20], &[Over::Soft; 18]);
        assert_eq!(&seen[20..], &[Over::Hard; 2]);
        assert_eq!(r.check("a", 1000), Over::No, "a new window");
    }

    #[test]
    fn exhausted_peeks_without_counting() {
        let r = RateLimiter::new(2, 1000);
        assert!(!r.exhausted("a", 0));
        r.allow("a", 0);
        assert!(!r.exhausted("a", 1), "one failure of two");
        r.allow("a", 1);
        assert!(r.exhausted("a", 2) && r.exhausted("a", 999));
        assert!(!r.exhausted("a", 1000), "a new window");
        assert!(!r.exhausted("b", 2));
    }
}
