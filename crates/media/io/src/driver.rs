//! The media thread: owns the SFU and the UDP sockets, and drives the SFU with
//! datagrams, commands and time. No tokio runtime and no locks here; commands arrive on
//! a bounded channel and wake the thread through mio.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use tokio::sync::{mpsc, oneshot, watch};

use hikari_sfu::{AdminError, AdminResponse, Command, ConnId, Output, Protocol, RoomEvent, Sfu, SfuConfig, SignalOut};

use crate::error::MediaError;
use crate::handle::{MediaHandle, Message};
use crate::sinks::Sinks;
use crate::stats::MediaStats;
use crate::tcp::{CONN_BASE, LISTENER, TcpMedia};
use crate::udp_batch::SendBatch;

const WAKER: Token = Token(usize::MAX);
const COMMAND_QUEUE: usize = 4096;

/// Where room events go; called on the media thread, so it must not block.
type EventSink = Box<dyn FnMut(RoomEvent) + Send>;

/// A UDP socket and the address advertised for it.
pub struct MediaSocket {
    /// The local address to bind.
    pub bind: SocketAddr,
    /// The address clients are told (an ICE candidate).
    pub advertised: SocketAddr,
}

/// The ICE-over-TCP listener: where to bind it and the address advertised for it.
#[derive(Clone, Copy, Debug)]
pub struct MediaTcp {
    /// The local address to listen on.
    pub bind: SocketAddr,
    /// The address clients are told (a passive TCP ICE candidate) when it is not the one
    /// they connect to (behind a 1:1 NAT); `None` to take each connection's own.
    pub advertised: Option<SocketAddr>,
}

/// Binds the sockets (and the TCP listener, if any) and starts the media thread; `gso` allows UDP GSO sends. Every room
/// event is handed to `events` on the media thread: it must return at once (publish to
/// a bounded bus, say), never block.
pub fn start(
    cfg: SfuConfig,
    sockets: Vec<MediaSocket>,
    tcp: Option<MediaTcp>,
    gso: bool,
    events: impl FnMut(RoomEvent) + Send + 'static,
) -> Result<MediaHandle, MediaError> {
    let poll = Poll::new().map_err(|source| MediaError::Poller { what: "poller", source })?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).map_err(|source| MediaError::Poller { what: "waker", source })?);
    let mut bound = Vec::new();
    for (i, s) in sockets.iter().enumerate() {
        let bind_error = |source: std::io::Error| {
            let holder = (source.kind() == std::io::ErrorKind::AddrInUse).then(|| crate::holder::udp_port_holder(s.bind.port())).flatten();
            MediaError::Bind { addr: s.bind, holder, source }
        };
        let std_socket = std::net::UdpSocket::bind(s.bind).map_err(bind_error)?;
        std_socket.set_nonblocking(true).map_err(bind_error)?;
        let mut socket = UdpSocket::from_std(std_socket);
        poll.registry().register(&mut socket, Token(i), Interest::READABLE).map_err(bind_error)?;
        tracing::info!(bind = %s.bind, advertised = %s.advertised, "WebRTC UDP socket ready");
        bound.push((socket, s.advertised));
    }
    let tcp = tcp.map(|t| TcpMedia::bind(t.bind, t.advertised, poll.registry())).transpose()?;
    let (tx, rx) = sync_channel(COMMAND_QUEUE);
    let (stats_tx, stats) = watch::channel(MediaStats::default());
    let events: EventSink = Box::new(events);
    std::thread::Builder::new()
        .name("hikari-media".into())
        .spawn(move || MediaLoop::new(cfg, poll, bound, tcp, gso, rx, events, stats_tx).run())
        .map_err(MediaError::Thread)?;
    Ok(MediaHandle::new(tx, waker, stats))
}

struct MediaLoop {
    sfu: Sfu,
    poll: Poll,
    sockets: Vec<(UdpSocket, SocketAddr)>,
    by_advertised: HashMap<SocketAddr, usize>,
    tcp: Option<TcpMedia>,
    next_sweep: Instant,
    rx: Receiver<Message>,
    outboxes: HashMap<ConnId, mpsc::Sender<SignalOut>>,
    events: EventSink,
    too_slow: Vec<ConnId>,
    admin: HashMap<u64, oneshot::Sender<Result<AdminResponse, AdminError>>>,
    next_admin: u64,
    stats: MediaStats,
    stats_tx: watch::Sender<MediaStats>,
    next_stats: Instant,
    /// Datagrams queued per socket, sent with one `sendmmsg` per batch.
    batches: Vec<SendBatch>,
    /// When each input handled since the last send arrived (the forward-latency samples
    /// taken at the next send).
    pending_inputs: Vec<Instant>,
    /// When the ingest read the input of each `SourceMedia` handled since the last send.
    pending_ingest: Vec<Instant>,
    /// Internal sinks' outlets (recorders), batched like the datagrams.
    sinks: Sinks,
}

/// Queued datagrams are sent once this many are waiting, even mid wake-up.
const SEND_AT: usize = 64;
/// Datagrams handled between two polls of the SFU's output.
const INPUTS_PER_POLL: usize = 16;

impl MediaLoop {
    #[allow(clippy::too_many_arguments)]
    fn new(
        cfg: SfuConfig,
        poll: Poll,
        sockets: Vec<(UdpSocket, SocketAddr)>,
        tcp: Option<TcpMedia>,
        gso: bool,
        rx: Receiver<Message>,
        events: EventSink,
        stats_tx: watch::Sender<MediaStats>,
    ) -> Self {
        let by_advertised = sockets.iter().enumerate().map(|(i, (_, a))| (*a, i)).collect();
        let batches = sockets.iter().map(|_| SendBatch::new(gso)).collect();
        Self {
            sfu: Sfu::new(cfg, Instant::now()),
            poll,
            sockets,
            by_advertised,
            tcp,
            next_sweep: Instant::now(),
            rx,
            outboxes: HashMap::new(),
            events,
            too_slow: Vec::new(),
            admin: HashMap::new(),
            next_admin: 1,
            stats: MediaStats::default(),
            stats_tx,
            next_stats: Instant::now(),
            batches,
            pending_inputs: Vec::with_capacity(256),
            pending_ingest: Vec::with_capacity(64),
            sinks: Sinks::default(),
        }
    }

    fn run(mut self) {
        let mut events = Events::with_capacity(256);
        let mut buf = vec![0u8; 2048];
        loop {
            let wait = self.sfu.poll_timeout().saturating_duration_since(Instant::now());
            if let Err(e) = self.poll.poll(&mut events, Some(wait.max(Duration::from_micros(100)))) {
                if e.kind() != ErrorKind::Interrupted {
                    tracing::error!(error = %e, "media poll failed");
                }
                continue;
            }
            for event in events.iter() {
                match event.token() {
                    WAKER => self.commands(),
                    LISTENER => {
                        if let Some(tcp) = &mut self.tcp {
                            tcp.accept(self.poll.registry(), Instant::now());
                        }
                    }
                    Token(i) if i >= CONN_BASE => self.tcp_event(i - CONN_BASE, event.is_readable(), event.is_writable(), &mut buf),
                    Token(i) => self.receive(i, &mut buf),
                }
            }
            let now = Instant::now();
            self.sfu.handle_timeout(now);
            self.flush();
            self.send();
            if now >= self.next_sweep {
                self.next_sweep = now + Duration::from_secs(1);
                if let Some(tcp) = &mut self.tcp {
                    tcp.sweep(self.poll.registry(), now);
                }
            }
            if now >= self.next_stats {
                self.next_stats = now + Duration::from_secs(1);
                self.stats.sfu = self.sfu.stats();
                self.stats_tx.send_replace(self.stats);
            }
        }
    }

    fn commands(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            let now = Instant::now();
            match m {
                Message::Join(join, outbox) => {
                    self.outboxes.insert(join.conn, outbox);
                    self.sfu.handle_command(now, Command::Join(join));
                }
                Message::Command(c) => {
                    match &c {
                        Command::SourceMedia { received: Some(at), .. } => self.pending_ingest.push(*at),
                        Command::DetachSink { sink } => self.sinks.detach(*sink),
                        _ => {}
                    }
                    self.sfu.handle_command(now, c)
                }
                Message::AttachSink { sink, room, track, outlet } => {
                    self.sinks.attach(sink, outlet);
                    self.sfu.handle_command(now, Command::AttachSink { sink, room, track });
                }
                Message::Admin(request, reply) => {
                    let id = self.next_admin;
                    self.next_admin += 1;
                    self.admin.insert(id, reply);
                    self.sfu.handle_command(now, Command::Admin { id, request });
                }
            }
            self.flush();
        }
        self.send();
    }

    fn receive(&mut self, i: usize, buf: &mut [u8]) {
        // Bounded per wake-up so one busy socket cannot starve the others.
        for n in 1..=256 {
            let Some((socket, local)) = self.sockets.get(i) else {
                return;
            };
            let local = *local;
            match socket.recv_from(buf) {
                Ok((len, source)) => {
                    let at = Instant::now();
                    self.sfu.handle_datagram(at, source, local, &buf[..len]);
                    self.pending_inputs.push(at);
                    // The SFU drains subscriber legs when output is polled: polling after a
                    // few datagrams rather than each lets a burst share one drain per leg.
                    if n % INPUTS_PER_POLL == 0 {
                        self.flush();
                        if self.queued() >= SEND_AT {
                            self.send();
                        }
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => {
                    tracing::debug!(error = %e, "udp receive failed");
                    break;
                }
            }
        }
        self.flush();
        self.send();
    }

    /// A TCP connection is readable or writable: packets from it go to the SFU.
    fn tcp_event(&mut self, id: usize, readable: bool, writable: bool, buf: &mut [u8]) {
        let MediaLoop { tcp, sfu, poll, pending_inputs, .. } = self;
        let Some(tcp) = tcp else { return };
        if writable {
            tcp.flush(poll.registry(), id);
        }
        if readable {
            tcp.readable(poll.registry(), id, buf, Instant::now(), |peer, local, packet| {
                let at = Instant::now();
                sfu.handle_packet(at, Protocol::Tcp, peer, local, packet);
                pending_inputs.push(at);
            });
        }
        self.flush();
        self.send();
    }

    fn queued(&self) -> usize {
        self.batches.iter().map(SendBatch::len).sum()
    }

    /// Hands every queued datagram to the kernel, then records how long the inputs that
    /// produced them waited (receive → send).
    fn send(&mut self) {
        for sink in self.sinks.flush() {
            self.sfu.handle_command(Instant::now(), Command::DetachSink { sink });
        }
        self.stats.sink_packets_dropped = self.sinks.dropped;
        for (batch, (socket, _)) in self.batches.iter_mut().zip(&self.sockets) {
            if batch.len() == 0 {
                continue;
            }
            let sent = batch.flush(socket);
            self.stats.datagrams_out += sent.datagrams;
            self.stats.bytes_out += sent.bytes;
            self.stats.send_errors += sent.errors;
            self.stats.gso_sends += sent.gso_sends;
        }
        // Every input handled since the last send waited until now (an input that
        // produced nothing, RTCP say, counts as if it had been forwarded).
        let now = Instant::now();
        for at in self.pending_inputs.drain(..) {
            self.stats.forward_latency.record(now.saturating_duration_since(at));
        }
        for at in self.pending_ingest.drain(..) {
            self.stats.ingest_latency.record(now.saturating_duration_since(at));
        }
    }

    fn flush(&mut self) {
        loop {
            while let Some(output) = self.sfu.poll_output() {
                self.output(output);
            }
            if self.too_slow.is_empty() {
                return;
            }
            for conn in std::mem::take(&mut self.too_slow) {
                tracing::warn!(?conn, "client too slow to read signals; disconnecting");
                self.outboxes.remove(&conn);
                self.sfu.handle_command(Instant::now(), Command::Closed { conn });
            }
        }
    }

    fn output(&mut self, output: Output) {
        match output {
            Output::Transmit(t) if t.proto == Protocol::Tcp => {
                if let Some(tcp) = &mut self.tcp {
                    tcp.send(self.poll.registry(), t.destination, &t.contents);
                }
            }
            Output::Transmit(t) => {
                let Some(&i) = self.by_advertised.get(&t.source) else {
                    return;
                };
                self.batches[i].push(t.contents.into(), t.destination);
            }
            Output::Signal { conn, signal } => {
                if let Some(outbox) = self.outboxes.get(&conn) {
                    match outbox.try_send(SignalOut::Signal(*signal)) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => self.too_slow.push(conn),
                        Err(mpsc::error::TrySendError::Closed(_)) => {
                            self.outboxes.remove(&conn);
                        }
                    }
                }
            }
            // An internal publisher (an ingest) hears of keyframe requests on its outbox; when
            // it is full the request is dropped (another follows while the need lasts).
            Output::SourceKeyframe { conn, track, layer } => {
                if let Some(outbox) = self.outboxes.get(&conn) {
                    let _ = outbox.try_send(SignalOut::Keyframe { track, layer });
                }
            }
            Output::Close { conn, reason } => {
                if let Some(outbox) = self.outboxes.remove(&conn) {
                    let _ = outbox.try_send(SignalOut::Close(reason));
                }
            }
            Output::Event(e) => (self.events)(*e),
            Output::Media { sink, packet } => self.sinks.packet(sink, *packet),
            Output::SinkClosed { sink, reason } => self.sinks.closed(sink, reason),
            Output::AdminReply { id, result } => {
                if let Some(reply) = self.admin.remove(&id) {
                    let _ = reply.send(*result);
                }
            }
        }
    }
}
