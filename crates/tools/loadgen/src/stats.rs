//! Counters and a fixed-bucket latency histogram.

use std::time::Duration;

/// Plain counters of the media engine.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// UDP datagrams received by all client sockets.
    pub rx_datagrams: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// RTP packets decrypted and delivered by str0m.
    pub rx_rtp: u64,
    /// Their payload bytes.
    pub rx_payload_bytes: u64,
    /// UDP datagrams sent.
    pub tx_datagrams: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Send errors (full socket buffer and the like).
    pub tx_errors: u64,
    /// RTP packets the publishers wrote.
    pub tx_rtp: u64,
    /// Keyframe requests publishers received.
    pub keyframe_requests: u64,
}

/// 10 µs buckets up to 100 ms, then 1 ms buckets up to 10 s.
#[derive(Clone, Debug)]
pub struct Histogram {
    fine: Vec<u64>,
    coarse: Vec<u64>,
    count: u64,
    max_us: u64,
}

const FINE_US: u64 = 10;
const FINE_N: usize = 10_000;
const COARSE_US: u64 = 1000;
const COARSE_N: usize = 10_000;

impl Default for Histogram {
    fn default() -> Self {
        Self { fine: vec![0; FINE_N], coarse: vec![0; COARSE_N], count: 0, max_us: 0 }
    }
}

impl Histogram {
    /// Adds one sample.
    pub fn record(&mut self, d: Duration) {
        let us = d.as_micros() as u64;
        self.count += 1;
        self.max_us = self.max_us.max(us);
        let fi = (us / FINE_US) as usize;
        if fi < FINE_N {
            self.fine[fi] += 1;
        } else {
            let ci = ((us / COARSE_US) as usize).min(COARSE_N - 1);
            self.coarse[ci] += 1;
        }
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q` quantile (0..=1) in milliseconds (bucket upper bound), `None` when empty.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.fine.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(((i as u64 + 1) * FINE_US) as f64 / 1000.0);
            }
        }
        for (i, n) in self.coarse.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(((i as u64 + 1) * COARSE_US) as f64 / 1000.0);
            }
        }
        Some(self.max_us as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_fall_in_the_right_bucket() {
        let mut h = Histogram::default();
        for us in 1..=100u64 {
            h.record(Duration::from_micros(us * 100));
        }
        h.record(Duration::from_millis(500));
        assert_eq!(h.count(), 101);
        // The 51st of 101 samples is 5.1 ms, reported as its 10 µs bucket's upper bound.
        let p50 = h.quantile_ms(0.5).expect("samples");
        assert!((5.1..=5.111).contains(&p50), "{p50}");
        assert_eq!(h.quantile_ms(1.0), Some(501.0));
        assert_eq!(Histogram::default().quantile_ms(0.5), None);
    }
}
