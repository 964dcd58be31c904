//! What a room method needs from outside the room: the time, the configuration, the
//! output queue and the SFU-wide indexes (connections, demultiplexing, timers).

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use hikari_types::ServerSignal;

use crate::arena::{PartIdx, PcIdx, RoomIdx};
use crate::config::SfuConfig;
use crate::demux::{Demux, PcKey};
use crate::io::{ConnId, Output};
use crate::rng::Rng;
use crate::timers::Timers;

/// Everything a room method needs from outside the room.
pub(crate) struct Ctx<'a> {
    pub now: Instant,
    pub cfg: &'a SfuConfig,
    pub rng: &'a mut Rng,
    pub out: &'a mut VecDeque<Output>,
    /// Rooms with subscriber PeerConnections written to but not yet drained.
    pub dirty_rooms: &'a mut Vec<RoomIdx>,
    pub demux: &'a mut Demux,
    pub timers: &'a mut Timers,
    pub conns: &'a mut HashMap<ConnId, (RoomIdx, PartIdx)>,
    /// Signals for participants whose signal connection closed, kept for a resume.
    pub parked: &'a mut HashMap<ConnId, Parked>,
    /// This room's slot in the SFU.
    pub room: RoomIdx,
}

/// Most signals kept for a participant whose signal connection closed. Past that, its
/// session cannot be resumed (the client joins afresh).
pub(crate) const MAX_PARKED: usize = 512;

/// Signals for a closed signal connection, replayed when its session resumes.
#[derive(Debug, Default)]
pub(crate) struct Parked {
    pub signals: VecDeque<ServerSignal>,
    /// More than [`MAX_PARKED`] were sent: some are lost.
    pub overflowed: bool,
}

impl Ctx<'_> {
    pub fn signal(&mut self, conn: ConnId, signal: ServerSignal) {
        match self.parked.get_mut(&conn) {
            Some(p) if p.signals.len() < MAX_PARKED => p.signals.push_back(signal),
            Some(p) => p.overflowed = true,
            None => self.out.push_back(Output::signal(conn, signal)),
        }
    }

    pub fn key(&self, pc: PcIdx) -> PcKey {
        PcKey { room: self.room, pc }
    }
}
