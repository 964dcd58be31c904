//! Resuming a session: a client whose signal connection dropped (a network change, a
//! proxy that cut the WebSocket) reconnects with `reconnect=1` and keeps its participant,
//! its subscriptions and its tracks; the others see nothing.
//!
//! When the signal connection closes without a leave, the participant stays for
//! `resume_window` and its signals are parked (`Ctx::signal`). A resume from the same
//! identity naming the same participant sid takes the session over: the parked signals
//! follow a `ReconnectResponse` on the new connection, and ICE restarts (the client
//! restarts its publisher PeerConnection; the server offers a restart on the subscriber
//! one). Anything else (an unknown or foreign session, one whose offer was in flight, one
//! whose parked signals overflowed) is refused with a leave asking for a fresh join.

use hikari_types::ServerSignal;

use crate::arena::{PartIdx, PcIdx};
use crate::ctx::{Ctx, Parked};
use crate::io::{ConnId, Join, Output, SignalMode};
use crate::pc::Role;
use crate::room::{JoinError, Room};
use crate::scenario::ResumeDrop;

impl Room {
    /// The signal connection `conn` of participant `p` closed without a leave.
    pub(crate) fn signal_lost(&mut self, cx: &mut Ctx, p: PartIdx, conn: ConnId) {
        let Some(part) = self.participants.get_mut(p).filter(|part| part.conn == conn) else { return };
        tracing::info!(room = %self.info.name, participant = %part.info.identity, "signal connection closed; the session may resume");
        part.signal_lost_at = Some(cx.now);
        cx.conns.remove(&conn);
        cx.parked.insert(conn, Parked::default());
    }

    /// A join with `reconnect=1`: takes the session over, or refuses.
    pub(crate) fn resume(&mut self, cx: &mut Ctx, join: Join) -> Result<(), JoinError> {
        let wanted = join.resume.clone().unwrap_or_default();
        let p = self.by_identity.get(&join.grant.identity).copied().ok_or(JoinError::CannotResume("no session for this identity"))?;
        let part = &self.participants[p];
        if !wanted.as_str().is_empty() && part.info.sid != wanted {
            return Err(JoinError::CannotResume("the session named is not this identity's"));
        }
        let single = matches!(join.mode, SignalMode::Single { .. });
        let Some(publisher) = part.publisher else {
            return Err(JoinError::CannotResume("an internal publisher does not resume"));
        };
        if single != (self.pcs[publisher].role == Role::Single) {
            return Err(JoinError::CannotResume("the session used the other signalling mode"));
        }
        if part.subscriber.is_some_and(|s| self.pcs[s].offer_in_flight.is_some()) {
            return Err(JoinError::CannotResume("a server offer was unanswered"));
        }
        let old = part.conn;
        if cx.parked.get(&old).is_some_and(|parked| parked.overflowed) {
            return Err(JoinError::CannotResume("too many signals were missed"));
        }
        let missed = cx.parked.remove(&old).map(|parked| parked.signals).unwrap_or_default();
        if cx.conns.remove(&old).is_some() {
            // The old connection is still open (the client gave up on it first).
            cx.out.push_back(Output::Close { conn: old, reason: hikari_types::DisconnectReason::SignalClose });
        }
        let part = &mut self.participants[p];
        part.conn = join.conn;
        part.signal_lost_at = None;
        part.quality_told = false;
        part.speakers_told = false;
        cx.conns.insert(join.conn, (cx.room, p));
        tracing::info!(room = %self.info.name, participant = %part.info.identity, missed = missed.len(), "session resumed");
        let participant = part.info.sid.clone();
        // `disconnect-signal-on-resume[-no-messages]` (simulateScenario): this connection
        // is dropped once, before or after the response; the client resumes again.
        let drop = part.simulated.take_resume_drop(cx.now);
        if drop == Some(ResumeDrop::BeforeAnything) {
            // The missed signals are parked again, for the next resume.
            self.drop_signal(cx, p);
        } else {
            cx.signal(join.conn, ServerSignal::Reconnect { server: cx.cfg.server.clone(), participant, ice_servers: Vec::new() });
        }
        for signal in missed {
            cx.signal(join.conn, signal);
        }
        if drop.is_some() {
            // Parked for the next resume (which restarts ICE), or sent and then dropped.
            if drop == Some(ResumeDrop::AfterResponse) {
                self.drop_signal(cx, p);
            }
            tracing::info!(participant = %self.participants[p].info.identity, "simulated: the resumed signal connection is dropped");
            self.process(cx);
            return Ok(());
        }
        if let Some(sub) = self.participants[p].subscriber {
            self.pcs[sub].restart_ice = true;
            self.negotiate(cx, sub);
        }
        if let SignalMode::Single { offer: Some(offer), .. } = join.mode {
            self.on_offer(cx, p, offer);
        }
        self.process(cx);
        Ok(())
    }

    /// Registers a PeerConnection's local ICE ufrag with the demultiplexer again after an
    /// ICE restart changed it (the old one keeps working until the PeerConnection goes).
    pub(crate) fn refresh_ufrag(&mut self, cx: &mut Ctx, pc: PcIdx) {
        let Some(p) = self.pcs.get_mut(pc) else { return };
        let ufrag = p.rtc.direct_api().local_ice_credentials().ufrag;
        self.learn_ufrag(cx, pc, ufrag);
    }

    /// Makes STUN for `ufrag` reach PeerConnection `pc` (after an ICE restart, whichever
    /// side started it), and records it as the PeerConnection's ufrag.
    pub(crate) fn learn_ufrag(&mut self, cx: &mut Ctx, pc: PcIdx, ufrag: String) {
        let Some(p) = self.pcs.get_mut(pc) else { return };
        if ufrag != p.ufrag {
            cx.demux.add_ufrag(ufrag.clone(), cx.key(pc));
            p.ufrag = ufrag;
        }
    }
}
