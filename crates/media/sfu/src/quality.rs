//! Connection quality from what the PeerConnections measure.
//!
//! str0m reports, per PeerConnection, the loss of what it receives (from sequence gaps)
//! and of what it sends (from the peer's receiver reports), and the round trip. A
//! participant's [`Link`] keeps the worst of its PeerConnections' latest reports; [`score`]
//! turns loss and delay into a mean-opinion-like score from 1 to 5 (4.5 for a perfect
//! link, as LiveKit's), and its thresholds into excellent, good and poor. A participant
//! whose media connection is down is lost.

use std::time::Duration;

use hikari_types::ConnectionQuality;

/// Score above which a link is excellent: about 2 % loss on a short round trip.
const EXCELLENT: f32 = 4.1;
/// Score above which it is good: about 4.5 % loss, or a long round trip.
const GOOD: f32 = 3.6;

/// A participant's latest link measurements.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Link {
    /// Loss in 0..=1 per PeerConnection role (publishing, subscribing).
    pub loss: [f32; 2],
    /// Round trip per role.
    pub rtt: [Option<Duration>; 2],
}

impl Link {
    /// Records one PeerConnection's report (`role` 0 publishing, 1 subscribing).
    pub fn observe(&mut self, role: usize, ingress_loss: Option<f32>, egress_loss: Option<f32>, rtt: Option<Duration>) {
        let loss = ingress_loss.unwrap_or(0.0).max(egress_loss.unwrap_or(0.0));
        if let (Some(l), Some(r)) = (self.loss.get_mut(role), self.rtt.get_mut(role)) {
            *l = if loss.is_finite() { loss.clamp(0.0, 1.0) } else { 0.0 };
            if rtt.is_some() {
                *r = rtt;
            }
        }
    }

    /// The score and quality, `lost` when the media connection is down.
    pub fn quality(&self, lost: bool) -> (ConnectionQuality, f32) {
        if lost {
            return (ConnectionQuality::Lost, 1.0);
        }
        let loss = self.loss[0].max(self.loss[1]);
        let rtt = self.rtt.iter().flatten().max().copied().unwrap_or_default();
        let s = score(loss, rtt);
        let q = if s > EXCELLENT {
            ConnectionQuality::Excellent
        } else if s > GOOD {
            ConnectionQuality::Good
        } else {
            ConnectionQuality::Poor
        };
        (q, s)
    }
}

/// 4.5 for no loss and a short round trip; each percent of loss costs 0.2, and each
/// 100 ms of round trip beyond 200 ms costs 0.1.
pub(crate) fn score(loss: f32, rtt: Duration) -> f32 {
    let loss_pct = loss * 100.0;
    let late_ms = rtt.as_millis().saturating_sub(200) as f32;
    (4.5 - 0.2 * loss_pct - late_ms / 1000.0).clamp(1.0, 5.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quality(loss: f32, rtt_ms: u64) -> ConnectionQuality {
        let mut l = Link::default();
        l.observe(1, None, Some(loss), Some(Duration::from_millis(rtt_ms)));
        l.quality(false).0
    }

    #[test]
    fn loss_and_delay_lower_the_quality() {
        assert_eq!(quality(0.0, 20), ConnectionQuality::Excellent);
        assert_eq!(quality(0.01, 50), ConnectionQuality::Excellent);
        assert_eq!(quality(0.03, 50), ConnectionQuality::Good);
        assert_eq!(quality(0.10, 50), ConnectionQuality::Poor);
        assert_eq!(quality(0.0, 800), ConnectionQuality::Good);
        assert_eq!(quality(0.0, 2000), ConnectionQuality::Poor);
        assert_eq!(Link::default().quality(true).0, ConnectionQuality::Lost);
    }

    #[test]
    fn the_worse_direction_counts_and_bad_numbers_are_ignored() {
        let mut l = Link::default();
        l.observe(0, Some(0.2), None, None);
        l.observe(1, None, Some(0.0), None);
        assert_eq!(l.quality(false).0, ConnectionQuality::Poor, "publishing loss counts");
        l.observe(0, Some(f32::NAN), Some(f32::INFINITY), None);
        assert_eq!(l.quality(false).0, ConnectionQuality::Excellent);
        assert!((1.0..=5.0).contains(&score(5.0, Duration::from_secs(100))));
    }
}
