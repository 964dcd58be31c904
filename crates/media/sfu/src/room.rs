//! A room: its participants, their PeerConnections and the published tracks.
//!
//! One [`Room`] has one owner (the shard that holds the `Sfu`); every method
//! takes `&mut self` and a `Ctx` (`ctx.rs`) with the time and the output queue. This file
//! holds the state and the PeerConnection event loop (draining, events, housekeeping);
//! behaviour is split by concern: joining and leaving in `membership.rs`, resuming in
//! `resume.rs`, publishing in `publish.rs`, subscriptions and renegotiation in
//! `subscribe.rs`, RTP in `media.rs`, internal sinks in `sink.rs`, data packets in
//! `data.rs`, client signals in `signal.rs` (sync states in `sync.rs`, test scenarios in
//! `simulate.rs`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use str0m::{Event, IceConnectionState};

use hikari_types::{
    ConnectionQuality, DisconnectReason, ParticipantIdentity, ParticipantInfo, ParticipantState, RoomInfo, ServerSignal, TrackInfo, TrackPermission,
};

use crate::arena::{Arena, PartIdx, PcIdx, TrackIdx};
use crate::bwe::Allocator;
use crate::codec::Enabled;
use crate::config::SfuConfig;
use crate::ctx::Ctx;
use crate::io::ConnId;
use crate::pc::{self, Pc};
use crate::quality::Link;
use crate::scenario::Simulated;
use crate::speakers::Spoken;
use crate::stats::Counters;
use crate::track::Track;

pub(crate) struct Participant {
    pub info: ParticipantInfo,
    pub conn: ConnId,
    pub auto_subscribe: bool,
    /// The PeerConnection the client publishes on (the only one in single-PC mode); `None`
    /// for an internal publisher (`SignalMode::Internal`).
    pub publisher: Option<PcIdx>,
    /// The server-offered PeerConnection (two-PC mode only).
    pub subscriber: Option<PcIdx>,
    /// Tracks announced by `add_track` and not yet seen in an offer: (cid, track).
    pub pending: Vec<(String, TrackInfo)>,
    /// When the media connection dropped, if it did.
    pub media_lost_at: Option<Instant>,
    /// Who may subscribe to its tracks (`SubscriptionPermission`); `None`: everyone.
    pub allowed: Option<Vec<TrackPermission>>,
    /// When the signal connection closed without a leave, if it did (it may resume).
    pub signal_lost_at: Option<Instant>,
    /// Link measurements, for connection quality.
    pub link: Link,
    /// The connection quality others were last told.
    pub quality: Option<ConnectionQuality>,
    /// Whether this participant was told the connection quality of itself and of everyone
    /// it receives (a new subscription clears it).
    pub quality_told: bool,
    /// Its audio's loudness in the last window, and what others were last told.
    pub level: f32,
    pub spoken: Spoken,
    /// Whether this participant was told who is speaking (newcomers are, at the next tick).
    pub speakers_told: bool,
    /// Its downlink as `simulateScenario` subscriber-bandwidth set it, bits per second.
    pub bandwidth_limit: Option<u64>,
    /// What its `simulateScenario` requests left pending.
    pub simulated: Simulated,
}

impl Participant {
    /// The PeerConnection the server sends this participant's media and data on (none for
    /// an internal publisher).
    pub fn down_pc(&self) -> Option<PcIdx> {
        self.subscriber.or(self.publisher)
    }
}

/// Why a join was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// The room is full.
    #[error("room {0} is full")]
    RoomFull(String),
    /// The room does not exist and may not be created by joining.
    #[error("requested room does not exist")]
    NoSuchRoom,
    /// A resume names no session this room holds for the identity.
    #[error("cannot resume: {0}")]
    CannotResume(&'static str),
}

pub(crate) struct Room {
    pub info: RoomInfo,
    pub participants: Arena<PartIdx, Participant>,
    pub by_identity: HashMap<ParticipantIdentity, PartIdx>,
    pub pcs: Arena<PcIdx, Pc>,
    pub tracks: Arena<TrackIdx, Track>,
    /// str0m events waiting to be handled, with the PeerConnection slot they came from.
    pub events: VecDeque<(PcIdx, Event)>,
    /// When the room became empty (or was created empty).
    pub empty_since: Option<Instant>,
    /// Whether anyone ever joined (decides between empty and departure timeout).
    pub had_participants: bool,
    pub counters: Counters,
    /// Owners of PeerConnections that failed since the last `process`.
    pub failed: Vec<PartIdx>,
    /// PeerConnections with RTP written but not yet drained (see [`Room::flush_writes`]).
    pub dirty: Vec<PcIdx>,
    /// The participant and publisher counts last told (`RoomUpdate`).
    pub told_counts: (u32, u32),
    /// Identities whose next session offers ICE over TCP only (`force-tcp`).
    pub tcp_only: HashSet<ParticipantIdentity>,
    /// Layer bitrates and scratch space for bandwidth allocation (`bandwidth.rs`).
    pub allocator: Allocator,
    /// Identities whose next session must relay through TURN over TLS (`force-tls`).
    pub relay_only: HashSet<ParticipantIdentity>,
    /// The codecs its PeerConnections negotiate (from `info.enabled_codecs`).
    pub codecs: Enabled,
}

impl Room {
    pub fn new(mut info: RoomInfo, now: Instant) -> Self {
        let codecs = Enabled::from_mimes(info.enabled_codecs.iter().map(String::as_str));
        info.enabled_codecs = codecs.mimes().map(str::to_owned).collect();
        Self {
            codecs,
            info,
            participants: Arena::default(),
            by_identity: HashMap::new(),
            pcs: Arena::default(),
            tracks: Arena::default(),
            events: VecDeque::new(),
            empty_since: Some(now),
            had_participants: false,
            counters: Counters::default(),
            failed: Vec::new(),
            dirty: Vec::new(),
            told_counts: (0, 0),
            tcp_only: HashSet::new(),
            allocator: Allocator::default(),
            relay_only: HashSet::new(),
        }
    }

    /// The room's description with current counts.
    pub fn room_info(&self) -> RoomInfo {
        let mut info = self.info.clone();
        info.num_participants = self.participants.iter().filter(|(_, p)| !p.info.permission.hidden).count() as u32;
        info.num_publishers = self.participants.iter().filter(|(i, _)| self.tracks.iter().any(|(_, t)| t.owner == *i)).count() as u32;
        info
    }

    /// A participant's description with its current tracks.
    pub fn participant_info(&self, p: PartIdx) -> ParticipantInfo {
        let mut info = self.participants[p].info.clone();
        info.tracks = self.tracks.iter().filter(|(_, t)| t.owner == p).map(|(_, t)| t.info.clone()).collect();
        info.is_publisher = !info.tracks.is_empty();
        info
    }

    /// Whether the room should close at `now`.
    pub fn expired(&self, cfg: &SfuConfig, now: Instant) -> bool {
        let Some(since) = self.empty_since else { return false };
        let timeout = if self.had_participants { self.info.departure_timeout } else { self.info.empty_timeout };
        let timeout = if timeout == 0 && !self.had_participants { cfg.room.empty_timeout } else { timeout };
        now.saturating_duration_since(since).as_secs() >= u64::from(timeout)
    }

    /// Handles queued str0m events until none is left, then removes whatever failed.
    pub fn process(&mut self, cx: &mut Ctx) {
        while let Some((pc, event)) = self.events.pop_front() {
            if self.pcs.contains(pc) {
                self.on_event(cx, pc, event);
            }
        }
        // Empty almost always; taking it allocates nothing.
        for p in std::mem::take(&mut self.failed) {
            self.remove_participant(cx, p, DisconnectReason::StateMismatch);
        }
    }

    /// Marks a subscriber PeerConnection as written to. It is drained by
    /// [`Room::flush_writes`] (when the driver polls output) or before its next input,
    /// whichever comes first, or at once after [`pc::MAX_PENDING_WRITES`] writes. A burst
    /// of packets (a video frame) thus costs each subscriber one drain, not one per packet.
    /// Takes the room's fields apart so the hot path can call it while it holds a track.
    pub fn wrote(cx: &mut Ctx, pc: PcIdx, sub: &mut Pc, dirty: &mut Vec<PcIdx>, events: &mut VecDeque<(PcIdx, Event)>, failed: &mut Vec<PartIdx>) {
        sub.pending_writes += 1;
        if sub.pending_writes >= pc::MAX_PENDING_WRITES {
            pc::drain(sub, cx.key(pc), events, cx.out, cx.timers, failed);
            return;
        }
        if !sub.dirty {
            sub.dirty = true;
            if dirty.is_empty() {
                cx.dirty_rooms.push(cx.room);
            }
            dirty.push(pc);
        }
    }

    /// Drains every PeerConnection written to since the last flush, then handles what
    /// they reported.
    pub fn flush_writes(&mut self, cx: &mut Ctx) {
        for i in 0..self.dirty.len() {
            let pc = self.dirty[i];
            if self.pcs.get(pc).is_some_and(|p| p.dirty) {
                self.drain(cx, pc);
            }
        }
        self.dirty.clear();
        self.process(cx);
    }

    /// Drains one PeerConnection after a mutation.
    pub fn drain(&mut self, cx: &mut Ctx, pc: PcIdx) {
        let key = cx.key(pc);
        if let Some(p) = self.pcs.get_mut(pc) {
            pc::drain(p, key, &mut self.events, cx.out, cx.timers, &mut self.failed);
        }
    }

    fn on_event(&mut self, cx: &mut Ctx, pc: PcIdx, event: Event) {
        match event {
            Event::RtpPacket(packet) => self.on_rtp(cx, pc, packet),
            Event::KeyframeRequest(req) => self.on_keyframe_request(cx, pc, req.mid),
            Event::ChannelData(data) => self.on_channel_data(cx, pc, data),
            Event::ChannelOpen(id, label) => self.pcs[pc].register_channel(id, &label),
            Event::ChannelClose(id) => {
                self.pcs[pc].channels.remove(&id);
            }
            Event::MediaAdded(added) => self.on_media_added(cx, pc, added),
            // str0m's per-stream counts are cumulative; the counters take the increase.
            Event::MediaEgressStats(st) => {
                self.counters.nacks_received += self.pcs[pc].nack_increase((st.mid, st.rid, true), st.nacks);
            }
            Event::MediaIngressStats(st) => {
                self.counters.nacks_sent += self.pcs[pc].nack_increase((st.mid, st.rid, false), st.nacks);
            }
            Event::PeerStats(stats) => self.on_peer_stats(pc, &stats),
            Event::EgressBitrateEstimate(kind) => self.on_estimate(pc, kind),
            Event::Connected => self.on_connected(cx, pc),
            Event::IceConnectionStateChange(state) => self.on_ice_state(cx, pc, state),
            // The peer closed DTLS on purpose: SDKs do it just before their leave arrives.
            Event::Closed => {
                let owner = self.pcs[pc].owner;
                self.remove_participant(cx, owner, DisconnectReason::ClientInitiated);
            }
            _ => {}
        }
    }

    fn on_connected(&mut self, cx: &mut Ctx, pc: PcIdx) {
        self.pcs[pc].connected = true;
        let owner = self.pcs[pc].owner;
        let Some(part) = self.participants.get_mut(owner) else { return };
        part.media_lost_at = None;
        if part.info.state != ParticipantState::Active {
            part.info.state = ParticipantState::Active;
            self.touch(cx, owner);
        }
    }

    fn on_ice_state(&mut self, cx: &mut Ctx, pc: PcIdx, state: IceConnectionState) {
        let owner = self.pcs[pc].owner;
        let Some(part) = self.participants.get_mut(owner) else { return };
        match state {
            IceConnectionState::Disconnected => {
                part.media_lost_at.get_or_insert(cx.now);
            }
            IceConnectionState::Connected | IceConnectionState::Completed => part.media_lost_at = None,
            _ => {}
        }
    }

    /// Periodic work: participants whose media stayed lost are removed.
    pub fn housekeeping(&mut self, cx: &mut Ctx) {
        let grace = cx.cfg.media_loss_grace;
        let lost: Vec<_> =
            self.participants.iter().filter(|(_, p)| p.media_lost_at.is_some_and(|at| cx.now.saturating_duration_since(at) >= grace)).map(|(i, _)| i).collect();
        for p in lost {
            tracing::info!(room = %self.info.name, "media connection lost; removing participant");
            self.remove_participant(cx, p, DisconnectReason::StateMismatch);
        }
        let window = cx.cfg.resume_window;
        let gone: Vec<_> = self
            .participants
            .iter()
            .filter(|(_, p)| p.signal_lost_at.is_some_and(|at| cx.now.saturating_duration_since(at) >= window))
            .map(|(i, _)| i)
            .collect();
        for p in gone {
            tracing::info!(room = %self.info.name, participant = %self.participants[p].info.identity, "signal connection not resumed in time; removing participant");
            self.remove_participant(cx, p, DisconnectReason::SignalClose);
        }
        let timeout = cx.cfg.negotiation_timeout;
        let unanswered: Vec<_> = self
            .pcs
            .iter()
            .filter(|(_, pc)| pc.offer_sent_at.is_some_and(|at| cx.now.saturating_duration_since(at) >= timeout))
            .map(|(_, pc)| pc.owner)
            .collect();
        for p in unanswered {
            tracing::warn!(room = %self.info.name, "client did not answer the server offer in time; removing participant");
            self.remove_participant(cx, p, DisconnectReason::StateMismatch);
        }
        self.tell_quality(cx);
        self.tell_counts(cx);
        self.process(cx);
    }

    /// Tells everyone the room's counts when they changed (`RoomUpdate`), at most once per
    /// housekeeping, so a join storm costs one update per second, not one per join.
    fn tell_counts(&mut self, cx: &mut Ctx) {
        let info = self.room_info();
        let counts = (info.num_participants, info.num_publishers);
        if counts == self.told_counts {
            return;
        }
        self.told_counts = counts;
        for (_, p) in self.participants.iter() {
            cx.signal(p.conn, ServerSignal::RoomUpdate(info.clone()));
        }
    }

    /// Frequent periodic work: who speaks, what each subscriber's bandwidth carries, and
    /// which layers publishers should encode.
    pub fn tick(&mut self, cx: &mut Ctx) {
        self.tick_speakers(cx);
        self.tick_simulations(cx);
        self.tick_bandwidth(cx);
        self.tick_dynacast(cx);
    }
}
