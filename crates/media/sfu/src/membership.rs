//! Membership: joining (with the JoinResponse), leaving, and telling everyone about a
//! participant (`ParticipantUpdate`). A resume is `resume.rs`.

use hikari_types::{DisconnectReason, JoinInfo, LeaveAction, ParticipantInfo, ParticipantState, ServerSignal};
use str0m::IceCreds;

use crate::arena::{PartIdx, PcIdx};
use crate::ctx::Ctx;
use crate::io::{Join, Output, RoomEvent, SignalMode};
use crate::pc::{Pc, Role};
use crate::quality::Link;
use crate::room::{JoinError, Participant, Room};
use crate::scenario::Simulated;
use crate::speakers::Spoken;

impl Room {
    pub fn join(&mut self, cx: &mut Ctx, join: Join) -> Result<(), JoinError> {
        if join.resume.is_some() {
            return self.resume(cx, join);
        }
        if let Some(&old) = self.by_identity.get(&join.grant.identity) {
            tracing::info!(identity = %join.grant.identity, "duplicate identity replaces the old connection");
            self.remove_participant(cx, old, DisconnectReason::DuplicateIdentity);
        }
        let max = self.info.max_participants;
        if max > 0 && self.participants.len() as u32 >= max {
            return Err(JoinError::RoomFull(self.info.name.to_string()));
        }
        let single = matches!(join.mode, SignalMode::Single { .. });
        let internal = matches!(join.mode, SignalMode::Internal { .. });
        let info = ParticipantInfo {
            sid: cx.rng.sid("PA_").as_str().into(),
            identity: join.grant.identity.clone(),
            name: join.grant.name,
            state: ParticipantState::Joined,
            metadata: join.grant.metadata,
            attributes: join.grant.attributes,
            joined_at_ms: cx.cfg.unix_ms(cx.now),
            version: 1,
            permission: join.grant.permissions,
            kind: join.grant.kind,
            client_protocol: join.client.client_protocol,
            ..Default::default()
        };
        let p = self.participants.next_idx();
        // `force-tcp` (simulateScenario) asked for this identity's next session: TCP only.
        let tcp_only = self.tcp_only.remove(&join.grant.identity);
        // `force-tls` asked for it: this session must relay through TURN over TLS.
        let force_relay = self.relay_only.remove(&join.grant.identity);
        let publisher = (!internal).then(|| self.add_pc(cx, if single { Role::Single } else { Role::Publisher }, p, tcp_only));
        let subscriber = (!single && !internal).then(|| self.add_pc(cx, Role::Subscriber, p, tcp_only));
        self.participants.insert(Participant {
            info,
            conn: join.conn,
            auto_subscribe: join.auto_subscribe,
            publisher,
            subscriber,
            pending: Vec::new(),
            media_lost_at: None,
            signal_lost_at: None,
            allowed: None,
            link: Link::default(),
            quality: None,
            quality_told: false,
            level: 0.0,
            spoken: Spoken::default(),
            speakers_told: false,
            bandwidth_limit: None,
            simulated: Simulated::default(),
        });
        self.by_identity.insert(join.grant.identity, p);
        cx.conns.insert(join.conn, (cx.room, p));
        self.empty_since = None;
        self.had_participants = true;

        let info = self.participant_info(p);
        let hidden = info.permission.hidden;
        let can_subscribe = info.permission.can_subscribe;
        let others = self.participants.iter().filter(|(i, o)| *i != p && !o.info.permission.hidden).map(|(i, _)| i).collect::<Vec<_>>();
        let others_info = others.iter().map(|&i| self.participant_info(i)).collect();
        tracing::info!(room = %self.info.name, participant = %info.identity, sid = %info.sid, single_pc = single, "participant joined");
        cx.signal(
            join.conn,
            ServerSignal::Join(Box::new(JoinInfo {
                room: self.room_info(),
                participant: info.clone(),
                others: others_info,
                subscriber_primary: !single && can_subscribe,
                ping_interval: cx.cfg.ping_interval as i32,
                ping_timeout: cx.cfg.ping_timeout as i32,
                server: cx.cfg.server.clone(),
                publish_codecs: self.codecs.mimes().map(str::to_owned).collect(),
                single_pc: single,
                // The front end adds the TURN servers (the core knows none).
                ice_servers: Vec::new(),
                force_relay,
            })),
        );
        cx.out.push_back(Output::event(RoomEvent::ParticipantJoined(self.room_info(), info.clone())));
        if !hidden {
            self.send_update(cx, &info, Some(p));
        }
        // Existing tracks for the newcomer.
        if self.participants[p].auto_subscribe && can_subscribe {
            let tracks: Vec<_> = self.tracks.iter().filter(|(_, t)| t.published()).map(|(i, _)| i).collect();
            self.subscribe_all(cx, &tracks, p);
        }
        if let Some(sub) = subscriber {
            self.negotiate(cx, sub);
        }
        match join.mode {
            SignalMode::Single { add_tracks, offer } => {
                for add in add_tracks {
                    self.add_track(cx, p, add);
                }
                if let Some(offer) = offer {
                    self.on_offer(cx, p, offer);
                }
            }
            SignalMode::Internal { tracks } => self.publish_internal(cx, p, tracks),
            SignalMode::Dual => {}
        }
        self.process(cx);
        Ok(())
    }

    fn add_pc(&mut self, cx: &mut Ctx, role: Role, owner: PartIdx, tcp_only: bool) -> PcIdx {
        let creds = IceCreds { ufrag: cx.rng.base62(16), pass: cx.rng.base62(32) };
        let idx = self.pcs.insert(Pc::new(cx.cfg, self.codecs, role, owner, creds, cx.now, tcp_only));
        cx.demux.add_ufrag(self.pcs[idx].ufrag.clone(), cx.key(idx));
        idx
    }

    /// Removes a participant: its tracks from every subscriber, its PeerConnections,
    /// and tells everyone. The client is told why and its connection closed.
    pub fn remove_participant(&mut self, cx: &mut Ctx, p: PartIdx, reason: DisconnectReason) {
        if !self.participants.contains(p) {
            return;
        }
        let owned: Vec<_> = self.tracks.iter().filter(|(_, t)| t.owner == p).map(|(i, _)| i).collect();
        for t in owned {
            self.unpublish(cx, t);
        }
        for (_, track) in self.tracks.iter_mut() {
            track.downs.retain(|d| d.subscriber != p);
            track.denied.retain(|&s| s != p);
        }
        let Some(part) = self.participants.remove(p) else { return };
        self.by_identity.remove(&part.info.identity);
        for pc in part.publisher.into_iter().chain(part.subscriber) {
            if let Some(mut pc) = self.pcs.remove(pc) {
                pc.rtc.disconnect();
            }
            cx.demux.forget(cx.key(pc));
        }
        cx.conns.remove(&part.conn);
        cx.parked.remove(&part.conn);
        let mut info = part.info;
        info.state = ParticipantState::Disconnected;
        info.disconnect_reason = reason;
        info.version += 1;
        tracing::info!(room = %self.info.name, participant = %info.identity, ?reason, "participant left");
        if reason != DisconnectReason::ClientInitiated && reason != DisconnectReason::SignalClose {
            cx.signal(part.conn, ServerSignal::Leave { reason, action: LeaveAction::Disconnect });
        }
        cx.out.push_back(Output::Close { conn: part.conn, reason });
        if !info.permission.hidden {
            self.send_update(cx, &info, None);
        }
        cx.out.push_back(Output::event(RoomEvent::ParticipantLeft(self.room_info(), info)));
        if self.participants.is_empty() {
            self.empty_since = Some(cx.now);
        }
    }

    /// Sends a participant update to everyone (and to `include_self` itself).
    pub fn send_update(&mut self, cx: &mut Ctx, info: &ParticipantInfo, include_self: Option<PartIdx>) {
        for (i, p) in self.participants.iter() {
            if p.info.sid == info.sid && include_self != Some(i) {
                continue;
            }
            cx.signal(p.conn, ServerSignal::Update(vec![info.clone()]));
        }
    }

    /// Bumps a participant's version and tells everyone, itself included.
    pub fn touch(&mut self, cx: &mut Ctx, p: PartIdx) {
        let Some(part) = self.participants.get_mut(p) else { return };
        part.info.version += 1;
        let info = self.participant_info(p);
        if info.permission.hidden {
            let conn = self.participants[p].conn;
            cx.signal(conn, ServerSignal::Update(vec![info]));
        } else {
            self.send_update(cx, &info, Some(p));
        }
    }
}
