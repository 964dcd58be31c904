//! Part availability after ingest: how long a live HLS part takes to be served after the
//! last of its media reached the server. A part is cut when the frame after it arrives
//! (only then is its last frame's duration known), so the time runs from the arrival of the
//! packet that completed the part's last frame to the part reaching the live stream: about
//! one frame interval, plus the packaging. Kept in one histogram for every packaging job fed
//! by tracks (`hikari_hls_part_availability_seconds`); composites, whose media is made here,
//! are not measured.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hikari_media_io::LatencyHistogram;

/// The recorder's histogram.
pub(crate) type Histogram = Arc<Mutex<LatencyHistogram>>;

/// One job's measure.
pub(crate) struct Availability {
    hist: Histogram,
    /// When the last frame given to the packager was completed.
    last: Option<Instant>,
    /// For each part cut and not yet served, when its last frame was completed.
    cut: VecDeque<Instant>,
}

impl Availability {
    pub(crate) fn new(hist: Histogram) -> Self {
        Self { hist, last: None, cut: VecDeque::new() }
    }

    /// A frame completed by a packet that arrived at `arrived` was given to the packager,
    /// which then held `before` parts and now `after`: each new part ends with the frame
    /// before this one.
    pub(crate) fn frame(&mut self, arrived: Instant, before: usize, after: usize) {
        for _ in before..after {
            self.cut.push_back(self.last.unwrap_or(arrived));
        }
        self.last = Some(arrived);
    }

    /// A part reached the live stream at `now`.
    pub(crate) fn served(&mut self, now: Instant) {
        if let Some(t) = self.cut.pop_front()
            && let Ok(mut h) = self.hist.lock()
        {
            h.record(now.saturating_duration_since(t));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_part_is_timed_from_its_last_frame() {
        let hist = Histogram::default();
        let mut a = Availability::new(hist.clone());
        let t0 = Instant::now();
        a.frame(t0, 0, 0);
        a.frame(t0 + Duration::from_millis(33), 0, 1); // cuts the part ending with the first frame
        a.served(t0 + Duration::from_millis(40));
        a.served(t0 + Duration::from_millis(50)); // a part the measure did not see cut: ignored
        let h = *hist.lock().expect("histogram");
        assert_eq!((h.buckets.iter().sum::<u64>(), h.sum_ns), (1, 40_000_000));
    }
}
