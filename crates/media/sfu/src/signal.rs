//! A client's signals, dispatched to the room's concerns.

use std::collections::{BTreeMap, HashSet};

use str0m::Candidate;

use hikari_types::{ClientSignal, DisconnectReason, RequestOutcome, ServerSignal, SignalTarget, TrackSid, UpdateMetadata};

use crate::arena::PartIdx;
use crate::ctx::Ctx;
use crate::room::Room;

/// Longest name, metadata and attribute sizes accepted from clients (LiveKit's limits).
const MAX_NAME: usize = 256;
const MAX_METADATA: usize = 64 * 1024;
const MAX_ATTRIBUTES: usize = 64 * 1024;
/// Most tracks one request (a subscription change, a sync state) is read for: the work a
/// message costs stays bounded whatever its size.
pub(crate) const MAX_TRACKS_PER_REQUEST: usize = 1024;

impl Room {
    pub(crate) fn on_signal(&mut self, cx: &mut Ctx, p: PartIdx, signal: ClientSignal) {
        match signal {
            ClientSignal::Offer(sdp) => {
                tracing::debug!(participant = %self.participants[p].info.identity, lines = %directions(&sdp.sdp), "client offer");
                self.on_offer(cx, p, sdp)
            }
            ClientSignal::Answer(sdp) => {
                tracing::debug!(participant = %self.participants[p].info.identity, lines = %directions(&sdp.sdp), "client answer");
                self.on_answer(cx, p, sdp)
            }
            ClientSignal::Trickle(t) => {
                let part = &self.participants[p];
                let pc = match t.target {
                    SignalTarget::Subscriber => part.down_pc(),
                    SignalTarget::Publisher => part.publisher,
                };
                if let Some(pc) = pc
                    && let Some(candidate) = parse_candidate(&t.candidate)
                {
                    self.pcs[pc].rtc.add_remote_candidate(candidate);
                    self.drain(cx, pc);
                }
            }
            ClientSignal::AddTrack(add) => self.add_track(cx, p, add),
            ClientSignal::Mute { sid, muted } => {
                self.set_muted(cx, p, &sid, muted);
            }
            ClientSignal::Subscription { track_sids, subscribe } => self.update_subscriptions(cx, p, &track_sids, subscribe),
            ClientSignal::TrackSettings { track_sids, disabled, want, fps } => self.update_track_settings(cx, p, &track_sids, disabled, want, fps),
            ClientSignal::UpdateVideoLayers { track_sid, layers } => self.update_video_layers(cx, p, &track_sid, layers),
            ClientSignal::Leave { .. } => {
                self.remove_participant(cx, p, DisconnectReason::ClientInitiated);
            }
            ClientSignal::UpdateMetadata(update) => self.update_metadata(cx, p, update),
            ClientSignal::Ping(t) => {
                let conn = self.participants[p].conn;
                cx.signal(conn, ServerSignal::Pong(t));
            }
            ClientSignal::PingReq { timestamp, .. } => {
                let conn = self.participants[p].conn;
                cx.signal(conn, ServerSignal::PongResp { last_ping_timestamp: timestamp, timestamp: cx.cfg.unix_ms(cx.now) });
            }
            ClientSignal::SubscriptionPermission { all, tracks } => self.set_subscription_permission(cx, p, all, tracks),
            ClientSignal::Simulate(scenario) => self.simulate(cx, p, scenario),
            ClientSignal::SyncState(state) => self.sync_state(cx, p, state),
            ClientSignal::Ignored(what) => tracing::debug!(what, "signal ignored"),
        }
        self.process(cx);
    }

    /// Subscribes participant `p` to the tracks named, or unsubscribes it (unknown tracks
    /// and its own are skipped; at most [`MAX_TRACKS_PER_REQUEST`] are read).
    pub(crate) fn update_subscriptions(&mut self, cx: &mut Ctx, p: PartIdx, sids: &[TrackSid], subscribe: bool) {
        if !self.participants[p].info.permission.can_subscribe {
            return;
        }
        let named: HashSet<&TrackSid> = sids.iter().take(MAX_TRACKS_PER_REQUEST).collect();
        let tracks: Vec<_> = self.tracks.iter().filter(|(_, t)| named.contains(&t.info.sid)).map(|(i, _)| i).collect();
        if subscribe {
            self.subscribe_all(cx, &tracks, p);
            return;
        }
        for t in tracks {
            self.unsubscribe(cx, t, p);
        }
    }

    fn update_metadata(&mut self, cx: &mut Ctx, p: PartIdx, update: UpdateMetadata) {
        let part = &mut self.participants[p];
        let conn = part.conn;
        let attributes_size: usize = update.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
        let (outcome, message) = if !part.info.permission.can_update_metadata {
            (RequestOutcome::NotAllowed, "does not have permission to update own metadata")
        } else if update.name.len() > MAX_NAME || update.metadata.len() > MAX_METADATA || attributes_size > MAX_ATTRIBUTES {
            (RequestOutcome::LimitExceeded, "name, metadata or attributes too large")
        } else {
            if !update.metadata.is_empty() {
                part.info.metadata = update.metadata;
            }
            if !update.name.is_empty() {
                part.info.name = update.name;
            }
            apply_attributes(&mut part.info.attributes, update.attributes);
            (RequestOutcome::Ok, "")
        };
        if outcome == RequestOutcome::Ok {
            self.touch(cx, p);
        }
        if update.request_id != 0 || outcome != RequestOutcome::Ok {
            cx.signal(conn, ServerSignal::RequestResponse { request_id: update.request_id, outcome, message: message.to_owned() });
        }
    }
}

/// Sets attributes; an empty value deletes the key (LiveKit's rule).
fn apply_attributes(into: &mut BTreeMap<String, String>, update: BTreeMap<String, String>) {
    for (k, v) in update {
        if v.is_empty() {
            into.remove(&k);
        } else {
            into.insert(k, v);
        }
    }
}

/// Parses a trickled candidate line; None for an empty or unparseable one.
fn parse_candidate(line: &str) -> Option<Candidate> {
    if line.is_empty() {
        return None;
    }
    match Candidate::from_sdp_string(line) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::debug!(error = %e, "unparseable trickle candidate");
            None
        }
    }
}

/// `mid:direction` of each media line of an SDP, for debug logs.
fn directions(sdp: &str) -> String {
    let mut out = Vec::new();
    let mut mid = "";
    for line in sdp.lines() {
        if let Some(m) = line.strip_prefix("a=mid:") {
            mid = m.trim();
        } else if let Some(d) = ["a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"].iter().find(|d| line.trim() == **d) {
            out.push(format!("{mid}:{}", &d[2..]));
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_lines() {
        assert!(parse_candidate("candidate:1 1 udp 2122260223 10.77.0.2 54321 typ host generation 0").is_some());
        assert!(parse_candidate("").is_none());
        assert!(parse_candidate("candidate:garbage").is_none());
    }

    #[test]
    fn empty_attribute_deletes() {
        let mut a: BTreeMap<String, String> = [("k".to_owned(), "v".to_owned())].into();
        apply_attributes(&mut a, [("k".to_owned(), String::new()), ("n".to_owned(), "1".to_owned())].into());
        assert_eq!(a, [("n".to_owned(), "1".to_owned())].into());
    }
}
