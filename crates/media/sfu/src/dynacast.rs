//! Dynacast: the publisher encodes only the layers someone receives.
//!
//! Per video track, [`Dynacast`] compares the layers subscribers need now (see
//! `layers::needed`) with what the publisher was last told, and says when to tell it again
//! (`SubscribedQualityUpdate`). A layer someone needs is switched on at once; layers no one
//! needs are switched off only after [`DOWN_DELAY`] without a change, so a subscriber who
//! resizes back and forth does not make the publisher's encoder flap. A publisher that was
//! never told anything encodes every layer it has (`all`).

use std::time::{Duration, Instant};

/// How long fewer layers must suffice before the publisher is told to stop the others.
pub(crate) const DOWN_DELAY: Duration = Duration::from_secs(3);

#[derive(Debug, Default)]
pub(crate) struct Dynacast {
    /// The layers the publisher was last told to encode; `None` before the first update.
    sent: Option<u8>,
    /// A smaller set waiting for [`DOWN_DELAY`], with when it was first seen.
    pending: Option<(u8, Instant)>,
}

impl Dynacast {
    /// Given the layers needed now and all the track has, the set to send to the
    /// publisher now, if any.
    pub fn update(&mut self, needed: u8, all: u8, now: Instant) -> Option<u8> {
        let current = self.sent.unwrap_or(all);
        if needed == current {
            self.pending = None;
            return None;
        }
        let switches_on = needed & !current != 0;
        let waited = matches!(self.pending, Some((m, since)) if m == needed && now.saturating_duration_since(since) >= DOWN_DELAY);
        if switches_on || waited {
            self.sent = Some(needed);
            self.pending = None;
            return Some(needed);
        }
        if !matches!(self.pending, Some((m, _)) if m == needed) {
            self.pending = Some((needed, now));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_go_on_at_once_and_off_after_the_delay() {
        let t0 = Instant::now();
        let mut d = Dynacast::default();
        assert_eq!(d.update(0b111, 0b111, t0), None, "the publisher encodes everything already");
        assert_eq!(d.update(0b001, 0b111, t0), None, "switching off waits");
        assert_eq!(d.update(0b001, 0b111, t0 + DOWN_DELAY / 2), None);
        assert_eq!(d.update(0b001, 0b111, t0 + DOWN_DELAY), Some(0b001));
        assert_eq!(d.update(0b001, 0b111, t0 + DOWN_DELAY * 2), None, "told once");
        assert_eq!(d.update(0b011, 0b111, t0 + DOWN_DELAY * 2), Some(0b011), "switching on is immediate");
    }

    #[test]
    fn a_wish_that_changes_back_within_the_delay_changes_nothing() {
        let t0 = Instant::now();
        let mut d = Dynacast::default();
        assert_eq!(d.update(0b011, 0b111, t0), None);
        assert_eq!(d.update(0b111, 0b111, t0 + Duration::from_secs(1)), None, "back to what the publisher does");
        assert_eq!(d.update(0b011, 0b111, t0 + Duration::from_secs(2)), None, "the delay starts again");
        assert_eq!(d.update(0b011, 0b111, t0 + Duration::from_secs(4)), None);
        assert_eq!(d.update(0b011, 0b111, t0 + Duration::from_secs(5)), Some(0b011));
    }

    #[test]
    fn no_subscriber_switches_everything_off_and_one_switches_it_on() {
        let t0 = Instant::now();
        let mut d = Dynacast::default();
        d.update(0, 0b111, t0);
        assert_eq!(d.update(0, 0b111, t0 + DOWN_DELAY), Some(0));
        assert_eq!(d.update(0b001, 0b111, t0 + DOWN_DELAY), Some(0b001));
    }
}
