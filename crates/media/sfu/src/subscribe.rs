//! Subscriptions: adding a leg of a track to a subscriber and renegotiating.
//!
//! On a server-offered (subscriber) PeerConnection, changes queue up and go out in one
//! offer; only one offer is in flight at a time, and the next goes when the answer
//! arrives. Each leg's media line carries msid `PA_publisher|TR_track TR_track`, which is
//! how the SDKs know whose track arrived.

use std::collections::BTreeMap;

use str0m::change::SdpAnswer;
use str0m::media::{Direction, Mid};

use hikari_types::{DisconnectReason, Sdp, SdpKind, ServerSignal, TrackKind, TrackSid};

use crate::arena::{PartIdx, PcIdx, TrackIdx};
use crate::ctx::Ctx;
use crate::forward::Forwarder;
use crate::layers;
use crate::pc::{Change, Pc, Role};
use crate::room::Room;
use crate::track::DownTrack;

/// What each video leg keeps for answering NACKs. A resend older than a second is too
/// late to be played; str0m's default (3 s, up to 1000 packets, some 500 bytes of header
/// state each) was most of a subscriber's memory.
const RTX_CACHE_AGE: std::time::Duration = std::time::Duration::from_secs(1);
const RTX_CACHE_PACKETS: usize = 512;
/// str0m's default share of resends in the bitrate.
const RTX_RATIO_CAP: f32 = 0.15;

impl Room {
    /// Adds participant `s` as a subscriber of track `t`, offering it at once.
    pub(crate) fn subscribe(&mut self, cx: &mut Ctx, t: TrackIdx, s: PartIdx) {
        if let Some(pc) = self.add_leg(cx, t, s) {
            self.negotiate(cx, pc);
        }
    }

    /// Subscribes `s` to several tracks with one offer: a newcomer's audio and video reach
    /// it after one round trip, not one each (an offer waits for the previous answer).
    pub(crate) fn subscribe_all(&mut self, cx: &mut Ctx, tracks: &[TrackIdx], s: PartIdx) {
        let mut offered = None;
        for &t in tracks {
            offered = self.add_leg(cx, t, s).or(offered);
        }
        if let Some(pc) = offered {
            self.negotiate(cx, pc);
        }
    }

    /// Adds the leg of `t` for `s`; the subscriber PeerConnection to renegotiate, if any
    /// (single-PC legs are assigned to the client's lines at once).
    fn add_leg(&mut self, cx: &mut Ctx, t: TrackIdx, s: PartIdx) -> Option<PcIdx> {
        if !self.may_subscribe(t, s) {
            let track = self.tracks.get_mut(t)?;
            if track.owner != s && !track.denied.contains(&s) {
                track.denied.push(s);
                self.tell_permission(cx, t, s, false);
            }
            return None;
        }
        let track = self.tracks.get_mut(t)?;
        if track.owner == s || track.downs.iter().any(|d| d.subscriber == s) {
            return None;
        }
        let pc = self.participants[s].down_pc()?;
        // It now receives the publisher: it hears of its connection quality next time.
        self.participants[s].quality_told = false;
        let video = track.info.kind == TrackKind::Video;
        track.downs.push(DownTrack::new(s, pc, Forwarder::for_leg(video, cx.rng.next_u64())));
        if self.pcs[pc].role == Role::Single {
            self.assign_slots(cx, pc, false);
            return None;
        }
        self.pcs[pc].changes.push(Change::Add(t));
        Some(pc)
    }

    /// Removes participant `s`'s leg of track `t`.
    pub(crate) fn unsubscribe(&mut self, cx: &mut Ctx, t: TrackIdx, s: PartIdx) {
        let Some(track) = self.tracks.get_mut(t) else { return };
        track.denied.retain(|&d| d != s);
        let Some(i) = track.downs.iter().position(|d| d.subscriber == s) else { return };
        let down = track.downs.remove(i);
        if let Some(mid) = down.mid {
            self.unsubscribe_leg(cx, down.pc, mid);
        }
    }

    pub(crate) fn unsubscribe_leg(&mut self, cx: &mut Ctx, pc: PcIdx, mid: Mid) {
        let Some(p) = self.pcs.get_mut(pc) else { return };
        match p.role {
            Role::Subscriber => {
                p.changes.push(Change::Remove(mid));
                self.negotiate(cx, pc);
            }
            Role::Single => self.release_slot(cx, pc, mid),
            Role::Publisher => {}
        }
    }

    /// Sends a server offer if changes wait and none is in flight.
    pub(crate) fn negotiate(&mut self, cx: &mut Ctx, pc: PcIdx) {
        let Some(p) = self.pcs.get_mut(pc) else { return };
        if p.role != Role::Subscriber || p.offer_in_flight.is_some() {
            return;
        }
        if p.channels_added && p.changes.is_empty() && !p.restart_ice {
            return;
        }
        let owner_conn = self.participants[p.owner].conn;
        let Pc { rtc, changes, channels_added, restart_ice, .. } = p;
        let mut api = rtc.sdp_api();
        let new_ufrag = std::mem::take(restart_ice).then(|| api.ice_restart(true).ufrag);
        let mut new_channels = Vec::new();
        if !*channels_added {
            for config in Pc::server_channel_configs() {
                let label = config.label.clone();
                new_channels.push((api.add_channel_with_config(config), label));
            }
            *channels_added = true;
        }
        for change in changes.drain(..) {
            match change {
                Change::Add(t) => {
                    let Some(track) = self.tracks.get_mut(t) else { continue };
                    let Some(down) = track.downs.iter_mut().find(|d| d.pc == pc && d.mid.is_none()) else { continue };
                    let publisher = &self.participants[track.owner].info.sid;
                    let kind = match track.info.kind {
                        TrackKind::Video => str0m::media::MediaKind::Video,
                        _ => str0m::media::MediaKind::Audio,
                    };
                    let sid = track.info.sid.as_str();
                    let mid = api.add_media(kind, Direction::SendOnly, Some(format!("{publisher}|{sid}")), Some(sid.to_owned()), None);
                    down.mid = Some(mid);
                }
                Change::Remove(mid) => api.stop_media(mid),
            }
        }
        let Some((offer, pending)) = api.apply() else { return };
        if let Some(ufrag) = new_ufrag {
            self.learn_ufrag(cx, pc, ufrag);
        }
        let p = &mut self.pcs[pc];
        for (id, label) in new_channels {
            p.register_channel(id, &label);
        }
        p.offers_made += 1;
        let id = p.offers_made;
        p.offer_in_flight = Some((pending, id));
        p.offer_sent_at = Some(cx.now);
        cx.signal(owner_conn, ServerSignal::Offer(Sdp { kind: SdpKind::Offer, sdp: offer.to_sdp_string(), id, mid_to_track: BTreeMap::new() }));
        self.drain(cx, pc);
    }

    /// The client's answer to our subscriber offer.
    pub(crate) fn on_answer(&mut self, cx: &mut Ctx, p: PartIdx, sdp: Sdp) {
        let Some(pc) = self.participants[p].subscriber else {
            tracing::warn!("answer without a subscriber PeerConnection");
            return;
        };
        self.pcs[pc].offer_sent_at = None;
        let Some((pending, id)) = self.pcs[pc].offer_in_flight.take() else {
            tracing::warn!(participant = %self.participants[p].info.identity, "answer without an offer in flight");
            return;
        };
        if sdp.id != 0 && sdp.id != id {
            tracing::debug!(expected = id, got = sdp.id, "answer id differs from the offer's");
        }
        let result = SdpAnswer::from_sdp_string(&sdp.sdp)
            .map_err(|e| e.to_string())
            .and_then(|answer| self.pcs[pc].rtc.sdp_api().accept_answer(pending, answer).map_err(|e| e.to_string()));
        if let Err(error) = result {
            tracing::warn!(participant = %self.participants[p].info.identity, %error, "refused SDP answer");
            self.remove_participant(cx, p, DisconnectReason::StateMismatch);
            return;
        }
        self.drain(cx, pc);
        self.bind_legs(cx, pc);
        self.negotiate(cx, pc);
    }

    /// Legs with a negotiated media line get their SSRC; video legs ask for a keyframe.
    pub(crate) fn bind_legs(&mut self, cx: &mut Ctx, pc: PcIdx) {
        let mut keyframes = Vec::new();
        let mut told = Vec::new();
        for (t, track) in self.tracks.iter_mut() {
            let flowing = track.flowing(cx.now);
            for down in track.downs.iter_mut().filter(|d| d.pc == pc && d.ssrc.is_none()) {
                let Some(mid) = down.mid else { continue };
                let ssrc = self.pcs[pc].rtc.direct_api().stream_tx_by_mid(mid, None).map(|s| {
                    if track.info.kind == TrackKind::Video {
                        s.set_rtx_cache(RTX_CACHE_PACKETS, RTX_CACHE_AGE, Some(RTX_RATIO_CAP));
                    }
                    s.ssrc()
                });
                down.ssrc = ssrc;
                if ssrc.is_some() && track.info.kind == TrackKind::Video {
                    keyframes.push((t, layers::pick(down.max_layer, flowing)));
                }
                if ssrc.is_some() && !track.subscribed_told {
                    track.subscribed_told = true;
                    told.push((track.owner, track.info.sid.clone()));
                }
            }
        }
        for (t, layer) in keyframes {
            self.request_keyframe(cx, t, layer);
        }
        // A track's first subscriber: its publisher is told (`TrackSubscribed`).
        for (owner, sid) in told {
            if let Some(p) = self.participants.get(owner) {
                cx.signal(p.conn, ServerSignal::TrackSubscribed(sid));
            }
        }
    }

    /// Single-PC mode: which track each of our sending media lines carries.
    pub(crate) fn single_pc_mids(&self, pc: PcIdx) -> BTreeMap<String, TrackSid> {
        self.tracks.iter().flat_map(|(_, t)| t.downs.iter().filter(|d| d.pc == pc).filter_map(|d| d.mid.map(|m| (m.to_string(), t.info.sid.clone())))).collect()
    }
}
