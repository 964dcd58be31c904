//! Bandwidth estimation in the room: str0m's estimate of each subscriber's downlink
//! (transport-wide congestion control) shared among the video it receives (`bwe.rs`).
//!
//! Every tick the room measures each layer's bitrate, then, per subscriber with an
//! estimate, allocates: legs step down (or pause) when the estimate falls and step back up
//! when it grows. A leg paused or resumed for bandwidth is told to the subscriber
//! (`StreamStateUpdate`); the layers the publisher encodes follow the caps (dynacast runs
//! right after). str0m is told the bitrate the subscriber would like, and while a leg gets
//! less than it wishes, the estimator is asked every few seconds for a probe (a short burst
//! that measures the link; none while the link is congested; the wait doubles, up to 24 s,
//! while probes find nothing) instead of padding the link full. Without an estimate (BWE off, or no feedback yet) nothing is capped.

use std::mem;

use str0m::bwe::{Bitrate, BweKind};

use hikari_types::{ServerSignal, StreamState, TrackSource};

use crate::arena::{PartIdx, PcIdx, TrackIdx};
use crate::bwe::{self, Cap, Leg};
use crate::ctx::Ctx;
use crate::layers::LAYERS;
use crate::room::Room;

impl Room {
    /// str0m's new estimate of a PeerConnection's downlink.
    pub(crate) fn on_estimate(&mut self, pc: PcIdx, kind: BweKind) {
        if let BweKind::Twcc { estimate, .. } = kind
            && let Some(pc) = self.pcs.get_mut(pc)
        {
            pc.estimate = Some(estimate.as_u64());
        }
    }

    /// `simulateScenario` subscriber-bandwidth: the participant's downlink is taken to be
    /// `bps` whatever the estimate says; 0 lifts the limit.
    pub(crate) fn limit_bandwidth(&mut self, p: PartIdx, bps: u64) {
        if let Some(part) = self.participants.get_mut(p) {
            part.bandwidth_limit = (bps > 0).then_some(bps);
        }
    }

    /// Measures layer bitrates and allocates every subscriber's bandwidth.
    pub(crate) fn tick_bandwidth(&mut self, cx: &mut Ctx) {
        let now = cx.now;
        let since = self.allocator.measured_at.replace(now);
        for (_, track) in self.tracks.iter_mut() {
            match since {
                Some(since) => track.measure(now.saturating_duration_since(since)),
                // The first window starts now: what came before is not counted in it.
                None => track.layers.iter_mut().for_each(|l| l.bytes = 0),
            }
        }
        let mut index = mem::take(&mut self.allocator.index);
        index.clear();
        for (t, track) in self.tracks.iter() {
            index.extend(track.downs.iter().enumerate().filter(|(_, d)| d.ssrc.is_some()).map(|(i, d)| (d.subscriber, t, i)));
        }
        index.sort_unstable_by_key(|&(p, _, _)| p);
        for group in index.chunk_by(|a, b| a.0 == b.0) {
            self.allocate_for(cx, group);
        }
        self.allocator.index = index;
    }

    /// Shares one subscriber's bandwidth again at once (its wishes changed).
    pub(crate) fn reallocate(&mut self, cx: &mut Ctx, p: PartIdx) {
        let mut index = mem::take(&mut self.allocator.index);
        index.clear();
        for (t, track) in self.tracks.iter() {
            index.extend(track.downs.iter().enumerate().filter(|(_, d)| d.subscriber == p && d.ssrc.is_some()).map(|(i, _)| (p, t, i)));
        }
        if !index.is_empty() {
            self.allocate_for(cx, &index);
        }
        self.allocator.index = index;
    }

    /// Allocates one subscriber's bandwidth among its legs (`group`: all its legs).
    fn allocate_for(&mut self, cx: &mut Ctx, group: &[(PartIdx, TrackIdx, usize)]) {
        let p = group[0].0;
        let Room { participants, tracks, pcs, allocator, .. } = self;
        let Some(part) = participants.get(p) else { return };
        let Some(down_pc) = part.down_pc() else { return };
        let Some(estimate) = part.bandwidth_limit.or_else(|| pcs.get(down_pc).and_then(|pc| pc.estimate)) else { return };
        let (mut budget, mut desired) = (estimate, 0u64);
        allocator.legs.clear();
        allocator.which.clear();
        for &(_, t, d) in group {
            let Some(track) = tracks.get(t) else { continue };
            let down = &track.downs[d];
            if !track.is_video() {
                let rate = track.layer_rate(0);
                budget = budget.saturating_sub(rate);
                desired += rate;
                continue;
            }
            if down.paused {
                continue;
            }
            let wish = down.max_layer.min(track.top_layer());
            let priority = match track.info.source {
                TrackSource::ScreenShare => 2,
                _ if participants.get(track.owner).is_some_and(|o| o.spoken.active) => 1,
                _ => 0,
            };
            let rates: [u64; LAYERS as usize] = std::array::from_fn(|l| track.layer_rate(l as u8));
            desired += rates[usize::from(wish)];
            let may_rise = down.stepped_down_at.is_none_or(|at| cx.now.saturating_duration_since(at) >= bwe::UP_HOLD);
            allocator.legs.push(Leg { priority, wish, rates, current: down.bandwidth, may_rise });
            allocator.which.push((t, d));
        }
        bwe::allocate(budget, &allocator.legs, cx.cfg.allow_pause, &mut allocator.caps, &mut allocator.order);

        let mut states = Vec::new();
        // Whether some leg gets less than it wishes.
        let mut deficient = false;
        for (i, &(t, d)) in allocator.which.iter().enumerate() {
            let (leg, cap) = (&allocator.legs[i], allocator.caps[i]);
            if !matches!(cap, Cap::Layer(l) if l >= leg.wish) {
                deficient = true;
            }
            let track = &mut tracks[t];
            let down = &mut track.downs[d];
            let first = !mem::replace(&mut down.allocated, true);
            if down.bandwidth == cap {
                continue;
            }
            let was_paused = down.bandwidth == Cap::Paused;
            tracing::debug!(track = %track.info.sid, ?cap, estimate, "bandwidth allocation");
            let lower = match (down.bandwidth, cap) {
                (Cap::Layer(old), Cap::Layer(new)) => new < old,
                (Cap::Layer(_), Cap::Paused) => true,
                (Cap::Paused, _) => false,
            };
            if lower && !first {
                down.stepped_down_at = Some(cx.now);
            }
            down.bandwidth = cap;
            if was_paused != (cap == Cap::Paused) {
                if was_paused {
                    down.forwarder.resync();
                }
                let owner = participants.get(track.owner).map(|o| o.info.sid.clone()).unwrap_or_default();
                let state = if cap == Cap::Paused { StreamState::Paused } else { StreamState::Active };
                states.push((owner, track.info.sid.clone(), state));
            }
        }
        if !states.is_empty() {
            cx.signal(part.conn, ServerSignal::StreamState(states));
        }
        // A subscriber below its wish has the estimator probe for more now and then (a short
        // burst that measures the link; str0m skips it while the link is congested), rather
        // than padding the link full all the time.
        if let Some(pc) = pcs.get_mut(down_pc)
            && pc.estimate.is_some()
        {
            // A probe that found nothing (the estimate did not grow since the last one)
            // doubles the wait before the next: a link that stays narrow is not hit every
            // few seconds.
            let (last_at, last_estimate, wait) = pc.probe;
            let probe = deficient && desired > estimate && last_at.is_none_or(|at| cx.now.saturating_duration_since(at) >= wait);
            if probe || far(pc.desired_told, desired) {
                let mut bwe = pc.rtc.bwe();
                if probe {
                    // Only a rise of the desired bitrate asks for a probe: lower it first.
                    bwe.set_bitrate(Bitrate::ZERO, Bitrate::bps(estimate));
                    let gained = last_at.is_none() || estimate > last_estimate + last_estimate / 20;
                    let wait = if gained { bwe::PROBE_INTERVAL } else { (wait * 2).min(bwe::PROBE_INTERVAL_MAX) };
                    pc.probe = (Some(cx.now), estimate, wait);
                }
                pc.rtc.bwe().set_bitrate(Bitrate::ZERO, Bitrate::bps(desired));
                pc.desired_told = desired;
                self.drain(cx, down_pc);
            }
        }
    }
}

/// Whether two bitrates differ by more than a twentieth (worth telling str0m again).
fn far(told: u64, now: u64) -> bool {
    told.abs_diff(now) > told / 20
}
