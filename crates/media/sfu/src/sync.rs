//! `SyncState`: after a resume the client says what it believes, and the session is set
//! to match (LiveKit's in-process resume does the same). Its publications must all be
//! known, or it is asked to join afresh; the subscriptions it lists are applied as an
//! `UpdateSubscription`, and the tracks it disabled are paused as `UpdateTrackSettings`
//! would pause them. Tracks that are unknown, or not another participant's, are skipped;
//! a state sent outside a resume changes nothing the client did not already ask for.

use std::collections::HashSet;

use hikari_types::{DisconnectReason, LayerWant, SyncState, TrackSid};

use crate::arena::PartIdx;
use crate::ctx::Ctx;
use crate::room::Room;
use crate::signal::MAX_TRACKS_PER_REQUEST;

impl Room {
    /// Applies participant `p`'s `SyncState`.
    pub(crate) fn sync_state(&mut self, cx: &mut Ctx, p: PartIdx, state: SyncState) {
        let published = &state.published[..state.published.len().min(MAX_TRACKS_PER_REQUEST)];
        if let Some(sid) = published.iter().find(|sid| !self.publishes(p, sid)) {
            tracing::warn!(participant = %self.participants[p].info.identity, track = %sid, "sync state names a publication the server does not hold; asking for a fresh join");
            self.full_reconnect(cx, p, DisconnectReason::StateMismatch);
            return;
        }
        self.update_subscriptions(cx, p, &state.track_sids, state.subscribe);
        self.disable_legs(cx, p, &state.disabled);
    }

    /// Whether `sid` is one of `p`'s tracks (published, or announced and not yet offered).
    fn publishes(&self, p: PartIdx, sid: &TrackSid) -> bool {
        self.tracks.iter().any(|(_, t)| t.owner == p && t.info.sid == *sid) || self.participants[p].pending.iter().any(|(_, t)| t.sid == *sid)
    }

    /// Pauses `p`'s legs of the tracks named, each keeping the video it asked for.
    fn disable_legs(&mut self, cx: &mut Ctx, p: PartIdx, sids: &[TrackSid]) {
        let named: HashSet<&TrackSid> = sids.iter().take(MAX_TRACKS_PER_REQUEST).collect();
        let mut by_want: Vec<(LayerWant, Vec<TrackSid>)> = Vec::new();
        for (_, track) in self.tracks.iter().filter(|(_, t)| named.contains(&t.info.sid)) {
            let Some(down) = track.downs.iter().find(|d| d.subscriber == p && !d.paused) else { continue };
            match by_want.iter_mut().find(|(want, _)| *want == down.want) {
                Some((_, group)) => group.push(track.info.sid.clone()),
                None => by_want.push((down.want, vec![track.info.sid.clone()])),
            }
        }
        for (want, group) in by_want {
            self.update_track_settings(cx, p, &group, true, want, 0);
        }
    }
}
