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
    /// This room's slot in the SFU.
    pub room: RoomIdx,
}

impl Ctx<'_> {
    pub fn signal(&mut self, conn: ConnId, signal: ServerSignal) {
        self.out.push_back(Output::signal(conn, signal));
    }

    pub fn key(&self, pc: PcIdx) -> PcKey {
        PcKey { room: self.room, pc }
    }
}
