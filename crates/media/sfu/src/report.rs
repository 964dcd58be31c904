//! What the room tells participants about each other, periodically: who speaks
//! (`speakers.rs`) and how well everyone is connected (`quality.rs`).

use std::collections::HashMap;

use str0m::stats::PeerStats;

use hikari_types::{QualityInfo, ServerSignal, SpeakerInfo, TrackKind};

use crate::arena::{PartIdx, PcIdx};
use crate::ctx::Ctx;
use crate::pc::Role;
use crate::room::{Participant, Room};
use crate::speakers::Spoken;

impl Room {
    /// Closes every audio track's window and, when someone started or stopped speaking or
    /// a level moved, tells everyone (`SpeakersChanged`): every active speaker, loudest
    /// first, then those who fell silent. A full list in each update suits both SDK
    /// families (JS merges updates; Rust and Python take the update's active speakers as
    /// the list). A newcomer gets the list at its first tick.
    pub(crate) fn tick_speakers(&mut self, cx: &mut Ctx) {
        let Room { tracks, participants, .. } = self;
        for (_, part) in participants.iter_mut() {
            part.level = 0.0;
        }
        for (_, track) in tracks.iter_mut().filter(|(_, t)| t.info.kind == TrackKind::Audio) {
            let level = track.loudness.close_window();
            if let Some(part) = participants.get_mut(track.owner).filter(|_| !track.info.muted) {
                part.level = part.level.max(level);
            }
        }
        let mut changed = false;
        let mut speakers = Vec::new();
        let mut stopped = Vec::new();
        for (_, part) in participants.iter_mut().filter(|(_, p)| !p.info.permission.hidden) {
            if part.spoken.changed(part.level) {
                if part.spoken.active && part.level == 0.0 {
                    stopped.push(SpeakerInfo { sid: part.info.sid.clone(), level: 0.0, active: false });
                }
                part.spoken = Spoken { active: part.level > 0.0, level: part.level };
                changed = true;
            }
            if part.spoken.active {
                speakers.push(SpeakerInfo { sid: part.info.sid.clone(), level: part.spoken.level, active: true });
            }
        }
        speakers.sort_by(|a, b| b.level.total_cmp(&a.level));
        for (_, part) in participants.iter_mut() {
            if changed {
                let update = speakers.iter().chain(&stopped).cloned().collect();
                cx.signal(part.conn, ServerSignal::SpeakersChanged(update));
            } else if !part.speakers_told && !speakers.is_empty() {
                cx.signal(part.conn, ServerSignal::SpeakersChanged(speakers.clone()));
            }
            part.speakers_told = true;
        }
    }

    /// A PeerConnection's periodic measurements.
    pub(crate) fn on_peer_stats(&mut self, pc: PcIdx, stats: &PeerStats) {
        let Some(pc) = self.pcs.get(pc) else { return };
        let role = usize::from(pc.role == Role::Subscriber);
        if let Some(part) = self.participants.get_mut(pc.owner) {
            part.link.observe(role, stats.ingress_loss_fraction, stats.egress_loss_fraction, stats.rtt);
        }
    }

    /// Tells participants whose connection quality changed (`ConnectionQualityUpdate`):
    /// each hears of itself and of the participants whose media it receives (in a webinar,
    /// an attendee hears of the host, not of the other attendees), as LiveKit does. A
    /// newcomer hears the current quality of all of those once.
    pub(crate) fn tell_quality(&mut self, cx: &mut Ctx) {
        let mut changed = Vec::new();
        for (i, part) in self.participants.iter_mut() {
            let (quality, _) = part.link.quality(part.media_lost_at.is_some());
            if part.quality != Some(quality) {
                part.quality = Some(quality);
                changed.push(i);
            }
        }
        let newcomer = |p: &Participant| !p.quality_told;
        if changed.is_empty() && !self.participants.iter().any(|(_, p)| newcomer(p)) {
            return;
        }
        let info = |p: &Participant| {
            let (quality, score) = p.link.quality(p.media_lost_at.is_some());
            (!p.info.permission.hidden).then(|| QualityInfo { sid: p.info.sid.clone(), quality, score })
        };
        let mut to: HashMap<PartIdx, Vec<QualityInfo>> = HashMap::new();
        for (r, part) in self.participants.iter() {
            if newcomer(part) || changed.contains(&r) {
                to.entry(r).or_default().extend(info(part));
            }
        }
        for (_, track) in self.tracks.iter() {
            let Some(owner) = self.participants.get(track.owner) else { continue };
            let owner_changed = changed.contains(&track.owner);
            for down in &track.downs {
                let Some(sub) = self.participants.get(down.subscriber) else { continue };
                if !(owner_changed || newcomer(sub)) {
                    continue;
                }
                let list = to.entry(down.subscriber).or_default();
                if let Some(q) = info(owner).filter(|q| !list.iter().any(|x| x.sid == q.sid)) {
                    list.push(q);
                }
            }
        }
        for (r, list) in to {
            if let Some(part) = self.participants.get(r).filter(|_| !list.is_empty()) {
                cx.signal(part.conn, ServerSignal::ConnectionQuality(list));
            }
        }
        for (_, part) in self.participants.iter_mut() {
            part.quality_told = true;
        }
    }
}
