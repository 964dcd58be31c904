//! What the stall watchdog watches, shared by a job's tasks without a lock: when input
//! first arrived that no output has answered yet, and counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// No input waiting for an answer.
const NONE: u64 = u64::MAX;

/// A job's input/output activity.
#[derive(Debug)]
pub struct Activity {
    epoch: Instant,
    /// Milliseconds since `epoch` of the first input since the last output, or `NONE`.
    unanswered_since: AtomicU64,
    /// RTP packets handed to the consumer.
    pub delivered: AtomicU64,
    /// RTP packets dropped because the consumer's queue was full.
    pub dropped: AtomicU64,
}

impl Activity {
    /// Activity counted from now.
    pub fn new() -> Self {
        Self { epoch: Instant::now(), unanswered_since: AtomicU64::new(NONE), delivered: AtomicU64::new(0), dropped: AtomicU64::new(0) }
    }

    fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_millis()).unwrap_or(NONE - 1)
    }

    /// Input was taken at `now`.
    pub fn input(&self, now: Instant) {
        let _ = self.unanswered_since.compare_exchange(NONE, self.millis(now), Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Output came.
    pub fn output(&self) {
        self.unanswered_since.store(NONE, Ordering::Relaxed);
    }

    /// Whether input has waited `window` or longer at `now` with no output since.
    pub fn stalled(&self, now: Instant, window: Duration) -> bool {
        let since = self.unanswered_since.load(Ordering::Relaxed);
        since != NONE && self.millis(now).saturating_sub(since) >= u64::try_from(window.as_millis()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_without_output_stalls_after_the_window() {
        let a = Activity::new();
        let t0 = Instant::now();
        let w = Duration::from_secs(10);
        assert!(!a.stalled(t0 + Duration::from_secs(60), w), "no input, no stall");
        a.input(t0 + Duration::from_secs(1));
        a.input(t0 + Duration::from_secs(5));
        assert!(!a.stalled(t0 + Duration::from_millis(10_900), w));
        assert!(a.stalled(t0 + Duration::from_secs(11), w), "counted from the first unanswered input");
        a.output();
        assert!(!a.stalled(t0 + Duration::from_secs(30), w));
        a.input(t0 + Duration::from_secs(30));
        assert!(a.stalled(t0 + Duration::from_secs(40), w));
    }
}
