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
}
