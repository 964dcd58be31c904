//! Failed authentication, counted per client address: after `limit` failures within a
//! window, every attempt from that address is refused until the window ends (HTTP 429 with
//! `Retry-After`), so a token cannot be guessed or a secret brute-forced at wire speed.
//! Time is a parameter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Per-address failure counts in fixed windows.
#[derive(Debug)]
pub struct AuthThrottle {
    limit: u32,
    window_secs: i64,
    failures: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

/// Addresses remembered at most; older windows are forgotten first when full.
const MAX_ADDRESSES: usize = 100_000;

impl AuthThrottle {
    /// Allows `limit` failures per address per `window_secs`.
    pub fn new(limit: u32, window_secs: u32) -> Self {
        Self { limit: limit.max(1), window_secs: i64::from(window_secs.max(1)), failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds to wait)` while `ip` is over its limit at `now_unix`.
    pub fn check(&self, ip: IpAddr, now_unix: i64) -> Result<(), u64> {
        // A poisoned lock only means another request panicked mid-update; the counts stand.
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(&ip) {
            Some(&(start, n)) if n >= self.limit && now_unix < start + self.window_secs => {
                Err(u64::try_from(start + self.window_secs - now_unix).unwrap_or(1).max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt from `ip` at `now_unix`.
    pub fn failed(&self, ip: IpAddr, now_unix: i64) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_ADDRESSES {
            let window = self.window_secs;
            failures.retain(|_, (start, _)| now_unix < *start + window);
        }
        let entry = failures.entry(ip).or_insert((now_unix, 0));
        if now_unix >= entry.0 + self.window_secs {
            *entry = (now_unix, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window_others_do_not() {
        let t = AuthThrottle::new(3, 60);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"));
        for now in 100..103 {
            assert_eq!(t.check(a, now), Ok(()));
            t.failed(a, now);
        }
        assert_eq!(t.check(a, 110), Err(50), "retry when the window that began at 100 ends");
        assert_eq!(t.check(b, 110), Ok(()), "another address is not affected");
        assert_eq!(t.check(a, 160), Ok(()), "a new window");
        t.failed(a, 160);
        assert_eq!(t.check(a, 161), Ok(()), "counting starts again");
    }
}
