//! Bandwidth allocation: how one subscriber's estimated downlink is shared among the
//! video tracks it receives.
//!
//! The estimate comes from str0m's transport-wide congestion control (the subscriber's
//! TWCC feedback); the room glue is `bandwidth.rs`. [`allocate`] is pure: given the
//! budget and, per video leg, its priority, the highest layer the subscriber wishes and
//! the bitrate of each layer, it gives each leg a layer cap or pauses it, as LiveKit's
//! allocator does:
//!
//! 1. in priority order (screen share, then the active speaker's camera, then the rest),
//!    every leg gets its lowest layer while the budget lasts; a leg that does not fit is
//!    paused (the subscriber is told: `StreamStateUpdate`) when pausing is allowed
//!    (`rtc.congestion_control.allow_pause`, off by default as in LiveKit), else it keeps
//!    its lowest layer;
//! 2. in the same order, each leg is raised to the highest layer up to its wish that the
//!    rest of the budget pays for.
//!
//! Going above a leg's current layer (or resuming it) needs an eighth more than the
//! layer's bitrate, so an estimate hovering at one layer's edge does not make the leg flap;
//! staying or stepping down needs only the bitrate itself. A leg that just stepped down
//! does not step up again for [`UP_HOLD`] (`Leg::may_rise`): an estimate that swings (a
//! keyframe burst, a probe through a shallow queue) moves the picture once, not back and
//! forth.

use std::time::Instant;

use crate::arena::TrackIdx;
use crate::layers::LAYERS;

/// The extra share of a layer's bitrate the budget must have to step up to it: 1/2^3.
const UP_HEADROOM_SHIFT: u32 = 3;

/// How often a subscriber below its wish probes for more bandwidth, at first.
pub(crate) const PROBE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3);
/// The longest wait between probes that keep finding nothing.
pub(crate) const PROBE_INTERVAL_MAX: std::time::Duration = std::time::Duration::from_secs(24);

/// How long a leg that stepped down (or paused) stays at most where it is.
pub(crate) const UP_HOLD: std::time::Duration = std::time::Duration::from_secs(3);

/// A room's allocation state: when layer bitrates were last measured, and scratch space
/// the periodic allocation reuses.
#[derive(Debug, Default)]
pub(crate) struct Allocator {
    pub measured_at: Option<Instant>,
    /// Every subscribed leg as (subscriber, track, leg index), grouped by subscriber.
    pub index: Vec<(crate::arena::PartIdx, TrackIdx, usize)>,
    pub legs: Vec<Leg>,
    /// The leg each entry of `legs` stands for.
    pub which: Vec<(TrackIdx, usize)>,
    pub caps: Vec<Cap>,
    pub order: Vec<usize>,
}

/// What one leg gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cap {
    /// Forward up to this layer.
    Layer(u8),
    /// Nothing fits: forward nothing (bandwidth pause).
    Paused,
}

/// One video leg as the allocator sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Leg {
    /// Higher first.
    pub priority: u8,
    /// The highest layer the subscriber wishes (size or quality asked for, and what the
    /// publisher has).
    pub wish: u8,
    /// Bits per second of each layer (index 0 the lowest).
    pub rates: [u64; LAYERS as usize],
    /// What the leg had so far.
    pub current: Cap,
    /// Whether it may go above `current` (it did not step down within [`UP_HOLD`]).
    pub may_rise: bool,
}

impl Leg {
    /// The bitrate a layer needs, with headroom when it is above what the leg has.
    pub fn need(&self, layer: u8) -> u64 {
        let rate = self.rates[usize::from(layer)];
        let above = match self.current {
            Cap::Paused => true,
            Cap::Layer(cur) => layer > cur,
        };
        match above {
            false => rate,
            true if self.may_rise => rate + (rate >> UP_HEADROOM_SHIFT),
            true => u64::MAX,
        }
    }
}

/// Shares `budget` bits per second among `legs`; `caps[i]` receives leg `i`'s cap, and
/// `order` is scratch space (reused across calls, so the tick allocates nothing once warm).
/// Without `allow_pause` a leg that does not fit keeps its lowest layer.
pub(crate) fn allocate(budget: u64, legs: &[Leg], allow_pause: bool, caps: &mut Vec<Cap>, order: &mut Vec<usize>) {
    caps.clear();
    caps.resize(legs.len(), Cap::Paused);
    order.clear();
    order.extend(0..legs.len());
    // Stable: equal priorities keep their order (the tracks' order in the room).
    order.sort_by_key(|&i| std::cmp::Reverse(legs[i].priority));
    let mut left = budget;
    for &i in order.iter() {
        let need = legs[i].need(0);
        if need <= left || !allow_pause {
            left = left.saturating_sub(need);
            caps[i] = Cap::Layer(0);
        }
    }
    for &i in order.iter() {
        let Cap::Layer(base) = caps[i] else { continue };
        let leg = &legs[i];
        let spent = leg.need(base);
        for layer in (base + 1..=leg.wish.min(LAYERS - 1)).rev() {
            let extra = leg.need(layer).saturating_sub(spent);
            if extra <= left {
                left -= extra;
                caps[i] = Cap::Layer(layer);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: [u64; 3] = [150_000, 500_000, 1_500_000];

    fn leg(priority: u8, wish: u8, current: Cap) -> Leg {
        Leg { priority, wish, rates: RATES, current, may_rise: true }
    }

    fn run(budget: u64, legs: &[Leg]) -> Vec<Cap> {
        let (mut caps, mut order) = (Vec::new(), Vec::new());
        allocate(budget, legs, true, &mut caps, &mut order);
        caps
    }

    #[test]
    fn a_rich_budget_gives_every_leg_its_wish() {
        let legs = [leg(0, 2, Cap::Layer(2)), leg(0, 0, Cap::Layer(0))];
        assert_eq!(run(10_000_000, &legs), [Cap::Layer(2), Cap::Layer(0)]);
    }

    #[test]
    fn a_constrained_budget_steps_down_and_a_starved_one_pauses() {
        let one = [leg(0, 2, Cap::Layer(2))];
        assert_eq!(run(1_400_000, &one), [Cap::Layer(1)], "high no longer fits");
        assert_eq!(run(400_000, &one), [Cap::Layer(0)]);
        assert_eq!(run(100_000, &one), [Cap::Paused], "not even the low layer");
    }

    #[test]
    fn stepping_up_needs_headroom_but_staying_does_not() {
        let at_low = [leg(0, 2, Cap::Layer(0))];
        assert_eq!(run(520_000, &at_low), [Cap::Layer(0)], "500k fits, 562.5k with headroom does not");
        assert_eq!(run(570_000, &at_low), [Cap::Layer(1)]);
        let at_mid = [leg(0, 2, Cap::Layer(1))];
        assert_eq!(run(520_000, &at_mid), [Cap::Layer(1)], "staying needs only the bitrate");
        let paused = [leg(0, 2, Cap::Paused)];
        assert_eq!(run(160_000, &paused), [Cap::Paused], "resuming needs headroom too");
        assert_eq!(run(170_000, &paused), [Cap::Layer(0)]);
    }

    #[test]
    fn a_leg_that_just_stepped_down_holds() {
        let held = [Leg { may_rise: false, ..leg(0, 2, Cap::Layer(0)) }];
        assert_eq!(run(10_000_000, &held), [Cap::Layer(0)], "no rise however rich");
        assert_eq!(run(100_000, &held), [Cap::Paused], "stepping further down is allowed");
        let paused = [Leg { may_rise: false, ..leg(0, 2, Cap::Paused) }];
        assert_eq!(run(10_000_000, &paused), [Cap::Paused]);
    }

    #[test]
    fn priority_decides_who_keeps_its_picture_and_who_goes_up_first() {
        // A camera (0) and a screen share (2): the share is served first.
        let legs = [leg(0, 2, Cap::Layer(0)), leg(2, 2, Cap::Layer(0))];
        assert_eq!(run(200_000, &legs), [Cap::Paused, Cap::Layer(0)]);
        assert_eq!(run(2_500_000, &legs), [Cap::Layer(1), Cap::Layer(2)], "the share goes high, the camera gets what is left");
    }

    #[test]
    fn without_pausing_a_starved_leg_keeps_its_lowest_layer() {
        let legs = [leg(2, 2, Cap::Layer(2)), leg(0, 2, Cap::Layer(2))];
        let (mut caps, mut order) = (Vec::new(), Vec::new());
        allocate(200_000, &legs, false, &mut caps, &mut order);
        assert_eq!(caps, [Cap::Layer(0), Cap::Layer(0)]);
    }

    #[test]
    fn a_leg_never_exceeds_its_wish() {
        let legs = [leg(0, 1, Cap::Layer(1))];
        assert_eq!(run(u64::MAX, &legs), [Cap::Layer(1)]);
        let single = [Leg { priority: 0, wish: 0, rates: [800_000, 0, 0], current: Cap::Layer(0), may_rise: true }];
        assert_eq!(run(900_000, &single), [Cap::Layer(0)]);
        assert_eq!(run(700_000, &single), [Cap::Paused], "a track with one layer pauses rather than degrade");
    }
}
