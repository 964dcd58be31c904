//! Hikari's SFU core: rooms, participants, tracks, subscriptions and RTP forwarding,
//! as a sans-IO state machine.
//!
//! # Model
//!
//! An [`Sfu`] owns rooms. Each room owns its participants, their PeerConnections (one
//! str0m `Rtc` in RTP mode per PeerConnection) and the published tracks with one
//! forwarding leg per subscriber. The SFU is fed three kinds of input, each with the
//! current time:
//!
//! - [`Sfu::handle_command`]: a verified join, a client signal, a closed connection;
//! - [`Sfu::handle_datagram`]: a UDP datagram with its source and local destination;
//! - [`Sfu::handle_timeout`]: time passing.
//!
//! After each input the driver drains [`Sfu::poll_output`] (datagrams to send, signals to
//! clients, connections to close, room events) and sleeps until [`Sfu::poll_timeout`] or
//! the next input.
//!
//! **Architecture Invariant:** this crate knows no sockets, no clock, no tokio and no
//! HTTP. Time is always a parameter; randomness comes from a caller-chosen seed. It
//! speaks `hikari-types`, never protobuf. Network input never panics: bad packets are
//! dropped, bad signals end that client's session and no one else's.
#![deny(missing_docs)]

mod admin;
mod arena;
mod bandwidth;
mod bwe;
pub mod codec;
mod config;
mod ctx;
mod data;
mod demux;
mod droplog;
mod dynacast;
mod forward;
mod io;
mod layers;
mod media;
mod membership;
mod pc;
mod permission;
mod publish;
mod quality;
mod report;
mod resume;
mod rng;
mod room;
mod scenario;
mod settings;
mod signal;
mod simulate;
mod single;
mod sink;
mod source;
mod speakers;
mod stats;
mod subscribe;
mod svc;
mod sync;
mod timers;
mod track;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::net::Receive;

use hikari_types::{DisconnectReason, LeaveAction, RoomInfo, RoomName, ServerSignal};

pub use config::{LIVEKIT_COMPATIBLE_VERSION, RoomDefaults, SfuConfig};
pub use hikari_types::{AdminError, AdminRequest, AdminResponse, JoinGrant};
pub use io::{Command, ConnId, Join, MediaPacket, Output, Protocol, RoomEvent, SignalMode, SignalOut, SinkEnd, SinkId, SourcePacket, Transmit};
pub use room::JoinError;
pub use stats::{Counters, SfuStats};

use arena::{Arena, PartIdx, RoomIdx};
use ctx::{Ctx, Parked};
use demux::{Demux, PcKey};
use rng::Rng;
use room::Room;
use timers::Timers;

/// How often rooms check for lost participants and expiry, and tell connection quality.
const HOUSEKEEPING: Duration = Duration::from_secs(1);
/// The most PeerConnection timeouts one `handle_timeout` feeds (the rest wait for the next).
const MAX_DUE_PER_CALL: usize = 4096;
/// How often rooms tell who speaks and which layers publishers should encode.
const TICK: Duration = Duration::from_millis(300);

/// The SFU: a set of rooms owned by one thread.
pub struct Sfu {
    cfg: SfuConfig,
    rng: Rng,
    rooms: Arena<RoomIdx, Room>,
    room_by_name: HashMap<RoomName, RoomIdx>,
    conns: HashMap<ConnId, (RoomIdx, PartIdx)>,
    /// Signals kept for closed signal connections whose sessions may resume.
    parked: HashMap<ConnId, Parked>,
    demux: Demux,
    timers: Timers,
    /// The timers due in the current `handle_timeout`, kept between calls (no allocation).
    due: Vec<(Instant, PcKey)>,
    out: VecDeque<Output>,
    /// Rooms whose subscriber PeerConnections were written to and await a drain.
    dirty_rooms: Vec<RoomIdx>,
    /// The time of the latest input, for drains done while output is polled.
    now: Instant,
    next_housekeeping: Instant,
    next_tick: Instant,
    stats: SfuStats,
}

impl Sfu {
    /// A new SFU with no rooms.
    pub fn new(cfg: SfuConfig, now: Instant) -> Self {
        Self {
            rng: Rng::new(cfg.seed),
            cfg,
            rooms: Arena::default(),
            room_by_name: HashMap::new(),
            conns: HashMap::new(),
            parked: HashMap::new(),
            demux: Demux::default(),
            timers: Timers::default(),
            due: Vec::new(),
            out: VecDeque::new(),
            dirty_rooms: Vec::new(),
            now,
            next_housekeeping: now + HOUSEKEEPING,
            next_tick: now + TICK,
            stats: SfuStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SfuConfig {
        &self.cfg
    }

    /// Feeds a command.
    pub fn handle_command(&mut self, now: Instant, command: Command) {
        // Commands change PeerConnections (renegotiation, removal): drain written ones first.
        self.flush_writes();
        self.now = now;
        match command {
            Command::Join(join) => self.join(now, *join),
            Command::Signal { conn, signal } => {
                let Some(&(room, p)) = self.conns.get(&conn) else {
                    tracing::debug!(?conn, "signal for an unknown connection");
                    return;
                };
                self.with_room(room, now, |r, cx| r.on_signal(cx, p, signal));
            }
            Command::Admin { id, request } => {
                let result = self.admin(now, request);
                self.out.push_back(Output::AdminReply { id, result: Box::new(result) });
            }
            // Without a leave, the session is kept for a while: the client may resume it.
            Command::Closed { conn } => {
                if let Some(&(room, p)) = self.conns.get(&conn) {
                    self.with_room(room, now, |r, cx| r.signal_lost(cx, p, conn));
                }
            }
            Command::AttachSink { sink, room, track } => {
                let attached =
                    self.room_by_name.get(&room).copied().and_then(|r| self.with_room(r, now, |room, cx| room.attach_sink(cx, sink, &track)).flatten());
                if attached.is_none() {
                    self.out.push_back(Output::SinkClosed { sink, reason: io::SinkEnd::NotFound });
                }
            }
            Command::DetachSink { sink } => self.each_room(now, |room, _| room.detach_sink(sink)),
            Command::SinkKeyframe { sink } => self.each_room(now, |room, cx| room.sink_keyframe(cx, sink)),
            Command::SourceMedia { conn, track, layer, packets, .. } => {
                let Some(&(room, p)) = self.conns.get(&conn) else { return };
                self.with_room(room, now, |r, cx| r.on_source_media(cx, p, track, layer, packets));
            }
            Command::Shutdown => {
                let rooms: Vec<_> = self.rooms.iter().map(|(r, _)| r).collect();
                tracing::info!(rooms = rooms.len(), "shutting down: every participant leaves");
                for r in rooms {
                    self.end_room(r, now, DisconnectReason::ServerShutdown);
                }
            }
        }
    }

    /// Removes every participant of room `r` (each gets a leave for `reason`) and closes it.
    fn end_room(&mut self, r: RoomIdx, now: Instant, reason: DisconnectReason) {
        self.with_room(r, now, |room, cx| {
            let all: Vec<_> = room.participants.iter().map(|(i, _)| i).collect();
            for p in all {
                room.remove_participant(cx, p, reason);
            }
            room.process(cx);
        });
        self.close_room(r);
    }

    fn join(&mut self, now: Instant, join: Join) {
        let conn = join.conn;
        let room = match self.room_by_name.get(&join.grant.room) {
            Some(&r) => r,
            None if join.resume.is_some() => {
                self.refuse(conn, JoinError::CannotResume("the room has closed"));
                return;
            }
            None if self.cfg.room.auto_create => self.create_room(now, join.grant.room.clone(), None),
            None => {
                self.refuse(conn, JoinError::NoSuchRoom);
                return;
            }
        };
        if let Some(Err(e)) = self.with_room(room, now, |r, cx| r.join(cx, join)) {
            self.refuse(conn, e);
        }
    }

    fn refuse(&mut self, conn: ConnId, error: JoinError) {
        tracing::warn!(?conn, %error, "join refused");
        // A session that cannot be resumed can still be joined afresh: the client should.
        let action = if matches!(error, JoinError::CannotResume(_)) { LeaveAction::Reconnect } else { LeaveAction::Disconnect };
        self.out.push_back(Output::signal(conn, ServerSignal::Leave { reason: DisconnectReason::JoinFailure, action }));
        self.out.push_back(Output::Close { conn, reason: DisconnectReason::JoinFailure });
    }

    /// Creates a room (or returns the existing one), with optional settings overriding
    /// the defaults.
    pub(crate) fn create_room(&mut self, now: Instant, name: RoomName, settings: Option<RoomInfo>) -> RoomIdx {
        if let Some(&r) = self.room_by_name.get(&name) {
            return r;
        }
        let defaults = &self.cfg.room;
        let mut info = settings.unwrap_or(RoomInfo {
            empty_timeout: defaults.empty_timeout,
            departure_timeout: defaults.departure_timeout,
            max_participants: defaults.max_participants,
            ..Default::default()
        });
        if info.enabled_codecs.is_empty() {
            info.enabled_codecs.clone_from(&defaults.enabled_codecs);
        }
        info.name = name.clone();
        info.sid = self.rng.sid("RM_").as_str().into();
        info.creation_time_ms = self.cfg.unix_ms(now);
        tracing::info!(room = %name, sid = %info.sid, "room started");
        self.out.push_back(Output::event(RoomEvent::RoomStarted(info.clone())));
        let r = self.rooms.insert(Room::new(info, now));
        self.room_by_name.insert(name, r);
        r
    }

    /// Feeds a UDP datagram that arrived from `source` on the local address `destination`.
    pub fn handle_datagram(&mut self, now: Instant, source: SocketAddr, destination: SocketAddr, datagram: &[u8]) {
        self.handle_packet(now, Protocol::Udp, source, destination, datagram);
    }

    /// Feeds a packet that arrived over `proto` (a UDP datagram, or one RFC 4571 frame of
    /// an ICE-TCP connection) from `source` on the local address `destination`.
    pub fn handle_packet(&mut self, now: Instant, proto: Protocol, source: SocketAddr, destination: SocketAddr, datagram: &[u8]) {
        self.now = now;
        self.stats.datagrams_in += 1;
        self.stats.bytes_in += datagram.len() as u64;
        let (key, learned) = match self.demux.by_addr(source, destination) {
            Some(key) => (key, true),
            None => match self.demux.by_stun(datagram) {
                Some(key) => (key, false),
                None => return,
            },
        };
        let Ok(receive) = Receive::new(proto, source, destination, datagram) else { return };
        let input = Input::Receive(now, receive);
        self.drain_if_written(key, now);
        let Some(room) = self.rooms.get_mut(key.room) else { return };
        let Some(pc) = room.pcs.get_mut(key.pc) else { return };
        if !learned {
            if !pc.rtc.accepts(&input) {
                return;
            }
            self.demux.learn(source, destination, key);
        }
        if let Err(error) = pc.rtc.handle_input(input) {
            tracing::debug!(%source, %error, "datagram refused");
        }
        self.with_room(key.room, now, |r, cx| {
            r.drain(cx, key.pc);
            r.process(cx);
        });
    }

    /// Advances time: due PeerConnection timers, then periodic room housekeeping.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        // Only what was due when called: a PeerConnection that asks for `now` again (str0m's
        // pacer does, while a bandwidth probe waits for padding) is fed on the next call, not
        // thousands of times in this one. Bounded, so one call's work is too.
        let mut due = std::mem::take(&mut self.due);
        due.clear();
        while due.len() < MAX_DUE_PER_CALL {
            let Some(entry) = self.timers.pop_due(now) else { break };
            due.push(entry);
        }
        for &(at, key) in &due {
            let Some(pc) = self.rooms.get(key.room).and_then(|r| r.pcs.get(key.pc)) else { continue };
            // A PeerConnection's live entry is the one at `scheduled`; older entries were
            // superseded by an earlier deadline. Feeding those would only cost a full drain.
            if pc.scheduled != Some(at) {
                continue;
            }
            self.drain_if_written(key, now);
            let Some(pc) = self.rooms.get_mut(key.room).and_then(|r| r.pcs.get_mut(key.pc)) else { continue };
            pc.scheduled = None;
            self.stats.timeouts_fed += 1;
            if let Err(error) = pc.rtc.handle_input(Input::Timeout(now)) {
                tracing::debug!(%error, "timeout input refused");
            }
            self.with_room(key.room, now, |r, cx| {
                r.drain(cx, key.pc);
                r.process(cx);
            });
        }
        self.due = due;
        if now >= self.next_tick {
            self.next_tick = now + TICK;
            self.each_room(now, |room, cx| {
                room.tick(cx);
                room.process(cx);
            });
        }
        if now >= self.next_housekeeping {
            self.next_housekeeping = now + HOUSEKEEPING;
            let rooms: Vec<_> = self.rooms.iter().map(|(i, _)| i).collect();
            for r in rooms {
                self.with_room(r, now, |room, cx| room.housekeeping(cx));
                if self.rooms[r].expired(&self.cfg, now) {
                    self.close_room(r);
                }
            }
        }
    }

    fn close_room(&mut self, r: RoomIdx) {
        let Some(room) = self.rooms.remove(r) else { return };
        for (_, track) in room.tracks.iter() {
            sink::close_sinks(&mut self.out, track, io::SinkEnd::RoomClosed);
        }
        // Keep the closed room's counts in the totals.
        self.stats.counters.add(&room.counters);
        self.room_by_name.remove(&room.info.name);
        tracing::info!(room = %room.info.name, "room finished");
        self.out.push_back(Output::event(RoomEvent::RoomFinished(room.room_info())));
    }

    /// The next output, if any.
    ///
    /// Datagrams for subscribers are produced here, not while the input is handled: a
    /// driver that feeds a burst of datagrams and then polls lets each subscriber be
    /// drained once for the whole burst.
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.out.is_empty() {
            self.flush_writes();
        }
        self.out.pop_front()
    }

    /// Drains every subscriber PeerConnection with written RTP. Bounded: draining handles
    /// events that may write again, but each pass starts from what the last one left.
    fn flush_writes(&mut self) {
        for _ in 0..8 {
            if self.dirty_rooms.is_empty() {
                return;
            }
            let now = self.now;
            // Rooms written to again while flushing are pushed after these `n`.
            let n = self.dirty_rooms.len();
            for i in 0..n {
                let room = self.dirty_rooms[i];
                self.with_room(room, now, |r, cx| r.flush_writes(cx));
            }
            self.dirty_rooms.drain(..n);
        }
    }

    /// When [`Sfu::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Instant {
        let periodic = self.next_housekeeping.min(self.next_tick);
        match self.timers.next() {
            Some(at) => at.min(periodic),
            None => periodic,
        }
    }

    /// Counters since start, with current room, participant and track counts.
    pub fn stats(&self) -> SfuStats {
        let mut s = self.stats;
        for (_, r) in self.rooms.iter() {
            s.counters.add(&r.counters);
            s.participants += r.participants.len() as u64;
            s.tracks += r.tracks.len() as u64;
        }
        s.rooms = self.rooms.len() as u64;
        s
    }

    /// The open rooms.
    pub fn rooms(&self) -> impl Iterator<Item = RoomInfo> + '_ {
        self.rooms.iter().map(|(_, r)| r.room_info())
    }

    /// str0m wants a PeerConnection drained before its next input: drain one that has
    /// RTP written since its last drain (its events wait for the room's next `process`).
    fn drain_if_written(&mut self, key: PcKey, now: Instant) {
        if self.rooms.get(key.room).and_then(|r| r.pcs.get(key.pc)).is_some_and(|p| p.dirty) {
            self.with_room(key.room, now, |r, cx| r.drain(cx, key.pc));
        }
    }

    /// Calls `f` on every room in turn.
    fn each_room(&mut self, now: Instant, mut f: impl FnMut(&mut Room, &mut Ctx)) {
        let rooms: Vec<_> = self.rooms.iter().map(|(i, _)| i).collect();
        for r in rooms {
            self.with_room(r, now, &mut f);
        }
    }

    fn with_room<R>(&mut self, room: RoomIdx, now: Instant, f: impl FnOnce(&mut Room, &mut Ctx) -> R) -> Option<R> {
        let Sfu { cfg, rng, rooms, conns, parked, demux, timers, out, dirty_rooms, .. } = self;
        let r = rooms.get_mut(room)?;
        let mut cx = Ctx { now, cfg, rng, out, dirty_rooms, demux, timers, conns, parked, room };
        Some(f(r, &mut cx))
    }
}
