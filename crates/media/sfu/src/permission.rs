//! Subscription permissions: a publisher may allow only some participants (by sid or
//! identity) to receive some or all of its tracks (`SubscriptionPermission`, as in
//! LiveKit). A subscriber refused a track is told (`SubscriptionPermissionUpdate`,
//! allowed false) and remembered; when the publisher allows it later, it is subscribed
//! and told. Taking a permission away unsubscribes at once.

use hikari_types::{ServerSignal, TrackPermission};

use crate::arena::{PartIdx, TrackIdx};
use crate::ctx::Ctx;
use crate::room::Room;

/// Most entries one permission message may carry.
const MAX_ENTRIES: usize = 1024;

impl Room {
    /// Whether participant `s` may receive track `t`.
    pub(crate) fn may_subscribe(&self, t: TrackIdx, s: PartIdx) -> bool {
        let (Some(track), Some(sub)) = (self.tracks.get(t), self.participants.get(s)) else { return false };
        let Some(rule) = self.participants.get(track.owner).and_then(|o| o.allowed.as_ref()) else { return true };
        rule.iter().any(|r| {
            let names = (!r.participant_sid.is_empty() && r.participant_sid == sub.info.sid.as_str())
                || (!r.participant_identity.is_empty() && r.participant_identity == sub.info.identity.as_str());
            names && (r.all_tracks || r.track_sids.contains(&track.info.sid))
        })
    }

    /// Tells `s` whether it may receive track `t`.
    pub(crate) fn tell_permission(&mut self, cx: &mut Ctx, t: TrackIdx, s: PartIdx, allowed: bool) {
        let (Some(track), Some(sub)) = (self.tracks.get(t), self.participants.get(s)) else { return };
        let Some(owner) = self.participants.get(track.owner) else { return };
        let signal = ServerSignal::SubscriptionPermissionUpdate { participant_sid: owner.info.sid.clone(), track_sid: track.info.sid.clone(), allowed };
        cx.signal(sub.conn, signal);
    }

    /// A publisher's `SubscriptionPermission`.
    pub(crate) fn set_subscription_permission(&mut self, cx: &mut Ctx, p: PartIdx, all: bool, mut rules: Vec<TrackPermission>) {
        rules.truncate(MAX_ENTRIES);
        let Some(part) = self.participants.get_mut(p) else { return };
        part.allowed = (!all).then_some(rules);
        let own: Vec<_> = self.tracks.iter().filter(|(_, t)| t.owner == p).map(|(i, _)| i).collect();
        for t in own {
            let refused: Vec<_> = self.tracks[t].downs.iter().map(|d| d.subscriber).filter(|&s| !self.may_subscribe(t, s)).collect();
            for s in refused {
                self.unsubscribe(cx, t, s);
                self.tracks[t].denied.push(s);
                self.tell_permission(cx, t, s, false);
            }
            let waiting = std::mem::take(&mut self.tracks[t].denied);
            for s in waiting {
                if self.may_subscribe(t, s) {
                    self.tell_permission(cx, t, s, true);
                    self.subscribe(cx, t, s);
                } else {
                    self.tracks[t].denied.push(s);
                }
            }
        }
    }
}
