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
        entry.1 += 1;
        entry.1 <= self.limit
    }
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
