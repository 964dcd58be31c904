//! `room.simulateScenario(...)`: LiveKit's test hook. The server plays the scenarios that
//! concern the asking participant only; nothing here can touch another participant's
//! session, and each request costs a bounded amount of work (a storm of them tells the
//! others at most once per simulated speech). The pending state is `scenario.rs`.

use hikari_types::{DisconnectReason, LeaveAction, Scenario, ServerSignal, SpeakerInfo};

use crate::arena::PartIdx;
use crate::ctx::Ctx;
use crate::io::Output;
use crate::room::Room;
use crate::scenario::{DROP_WINDOW, ResumeDrop, SPEECH_LEVEL};

impl Room {
    /// Plays `scenario` for participant `p`.
    pub(crate) fn simulate(&mut self, cx: &mut Ctx, p: PartIdx, scenario: Scenario) {
        let part = &mut self.participants[p];
        tracing::info!(participant = %part.info.identity, ?scenario, "simulated scenario");
        match scenario {
            Scenario::ServerLeave => self.remove_participant(cx, p, DisconnectReason::ServerShutdown),
            Scenario::LeaveFullReconnect => self.full_reconnect(cx, p, DisconnectReason::ServerShutdown),
            // The SDK then leaves and joins afresh; that session gets TCP candidates only.
            Scenario::ForceTcp if !cx.cfg.tcp_candidates.is_empty() => {
                self.tcp_only.insert(part.info.identity.clone());
            }
            Scenario::ForceTcp => tracing::info!("force-tcp ignored: ICE over TCP is off (rtc.tcp_port 0)"),
            // The SDK then leaves and joins afresh; that join response asks it to relay
            // (the front end keeps only TURN over TLS, or drops the demand without it).
            Scenario::ForceTls => {
                self.relay_only.insert(part.info.identity.clone());
            }
            Scenario::Speaker { secs } => {
                if part.simulated.speak(cx.now, secs) {
                    self.tell_speech(cx, p, true);
                }
            }
            // A signalling node that died, or a room moved to another node: the signal
            // connection closes without a leave and the client resumes the session.
            Scenario::NodeFailure | Scenario::Migration => self.drop_signal(cx, p),
            Scenario::DisconnectSignalOnResume { no_messages } => {
                let how = if no_messages { ResumeDrop::BeforeAnything } else { ResumeDrop::AfterResponse };
                part.simulated.drop_next_resume = Some((cx.now + DROP_WINDOW, how));
            }
            Scenario::SubscriberBandwidth(bps) => self.limit_bandwidth(p, bps),
        }
    }

    /// Sends participant `p` a leave asking it to join afresh, and removes it.
    pub(crate) fn full_reconnect(&mut self, cx: &mut Ctx, p: PartIdx, reason: DisconnectReason) {
        let conn = self.participants[p].conn;
        cx.signal(conn, ServerSignal::Leave { reason, action: LeaveAction::Reconnect });
        // The leave is sent; a second (disconnect) one must not follow.
        self.remove_participant(cx, p, DisconnectReason::ClientInitiated);
    }

    /// Closes participant `p`'s signal connection without a leave: its session is kept
    /// for a resume, as when the connection drops.
    pub(crate) fn drop_signal(&mut self, cx: &mut Ctx, p: PartIdx) {
        let conn = self.participants[p].conn;
        if !cx.conns.contains_key(&conn) {
            return;
        }
        cx.out.push_back(Output::Close { conn, reason: DisconnectReason::SignalClose });
        self.signal_lost(cx, p, conn);
    }

    /// Tells everyone that `p` started (or stopped) speaking, simulated.
    fn tell_speech(&mut self, cx: &mut Ctx, p: PartIdx, active: bool) {
        let part = &self.participants[p];
        if part.info.permission.hidden {
            return;
        }
        let info = SpeakerInfo { sid: part.info.sid.clone(), level: if active { SPEECH_LEVEL } else { 0.0 }, active };
        for (_, other) in self.participants.iter() {
            cx.signal(other.conn, ServerSignal::SpeakersChanged(vec![info.clone()]));
        }
    }

    /// Periodic: simulated speeches that ended are told, unless the participant really
    /// speaks by now.
    pub(crate) fn tick_simulations(&mut self, cx: &mut Ctx) {
        let ended: Vec<_> = self.participants.iter_mut().filter_map(|(i, part)| part.simulated.speech_ended(cx.now).then_some(i)).collect();
        for p in ended {
            if !self.participants[p].spoken.active {
                self.tell_speech(cx, p, false);
            }
        }
    }
}
