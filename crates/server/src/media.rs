//! The media thread: owns the SFU and the UDP sockets, and drives the SFU with
//! datagrams, commands and time. No tokio and no locks here; commands arrive on a
//! bounded channel and wake the thread through mio.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use crate::udp_batch::SendBatch;
use anyhow::Context;
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use tokio::sync::{mpsc, oneshot, watch};

use hikari_sfu::{AdminError, AdminRequest, AdminResponse, Command, ConnId, Output, RoomEvent, Sfu, SfuConfig, SfuStats};
use hikari_types::{DisconnectReason, ServerSignal};

/// What the media thread sends to a signal connection.
#[derive(Debug)]
pub enum SignalOut {
    Signal(ServerSignal),
    Close(DisconnectReason),
}

enum Message {
    Command(Command),
    Join(Box<hikari_sfu::Join>, mpsc::Sender<SignalOut>),
    Admin(AdminRequest, oneshot::Sender<Result<AdminResponse, AdminError>>),
}

/// Counters published by the media thread about once a second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// The SFU's own counters.
    pub sfu: SfuStats,
    /// Datagrams sent.
    pub datagrams_out: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Datagrams the kernel refused (buffer full, unreachable).
    pub send_errors: u64,
    /// UDP GSO sends (each carried two or more of the datagrams sent).
    pub gso_sends: u64,
    /// Time from reading a datagram to sending the batch it was handled in (for RTP, the
    /// forwarding latency through the SFU).
    pub forward_latency: LatencyHistogram,
}

/// Upper bounds of [`LatencyHistogram`]'s buckets, in microseconds (then +Inf).
pub const LATENCY_BOUNDS_US: [u64; 11] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];

/// A fixed-bucket histogram: no allocation, no lock; owned by the media thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Observations per bucket (not cumulative); the last is above every bound.
    pub buckets: [u64; LATENCY_BOUNDS_US.len() + 1],
    /// Sum of observations, nanoseconds.
    pub sum_ns: u64,
}

impl LatencyHistogram {
    fn record(&mut self, d: Duration) {
        let us = d.as_micros() as u64;
        let i = LATENCY_BOUNDS_US.iter().position(|b| us <= *b).unwrap_or(LATENCY_BOUNDS_US.len());
        self.buckets[i] += 1;
        self.sum_ns += d.as_nanos() as u64;
    }
}

/// Why an admin request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The request failed.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// The media thread is overloaded or gone.
    #[error("{0}")]
    Unavailable(&'static str),
}

/// A handle to the media thread, shared by the signaling tasks.
#[derive(Clone)]
pub struct MediaHandle {
    tx: SyncSender<Message>,
    waker: Arc<Waker>,
    next_conn: Arc<AtomicU64>,
    stats: watch::Receiver<MediaStats>,
}

/// Signals queued for one client before it counts as too slow and is disconnected.
pub const OUTBOX: usize = 1024;
const WAKER: Token = Token(usize::MAX);
const COMMAND_QUEUE: usize = 4096;

impl MediaHandle {
    pub fn next_conn(&self) -> ConnId {
        ConnId(self.next_conn.fetch_add(1, Ordering::Relaxed))
    }

    /// Queues a join; the media thread sends the join response to `outbox`.
    pub fn join(&self, join: hikari_sfu::Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), &'static str> {
        self.send(Message::Join(Box::new(join), outbox))
    }

    pub fn command(&self, command: Command) -> Result<(), &'static str> {
        self.send(Message::Command(command))
    }

    /// Runs an admin request on the media thread.
    pub async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, MediaError> {
        let (tx, rx) = oneshot::channel();
        self.send(Message::Admin(request, tx)).map_err(MediaError::Unavailable)?;
        Ok(rx.await.map_err(|_| MediaError::Unavailable("media thread stopped"))??)
    }

    /// The latest counters.
    pub fn stats(&self) -> MediaStats {
        *self.stats.borrow()
    }

    fn send(&self, m: Message) -> Result<(), &'static str> {
        match self.tx.try_send(m) {
            Ok(()) => {
                let _ = self.waker.wake();
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err("media thread overloaded"),
            Err(TrySendError::Disconnected(_)) => Err("media thread stopped"),
        }
    }
}

/// A UDP socket and the address advertised for it.
pub struct MediaSocket {
    pub bind: SocketAddr,
    pub advertised: SocketAddr,
}

/// Binds the sockets and starts the media thread; `gso` allows UDP GSO sends.
pub fn start(cfg: SfuConfig, sockets: Vec<MediaSocket>, gso: bool, events: mpsc::UnboundedSender<RoomEvent>) -> anyhow::Result<MediaHandle> {
    let poll = Poll::new().context("creating the media poller")?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).context("creating the media waker")?);
    let mut bound = Vec::new();
    for (i, s) in sockets.iter().enumerate() {
        let std_socket = std::net::UdpSocket::bind(s.bind).with_context(|| format!("cannot bind the WebRTC UDP port {}", s.bind))?;
        std_socket.set_nonblocking(true)?;
        let mut socket = UdpSocket::from_std(std_socket);
        poll.registry().register(&mut socket, Token(i), Interest::READABLE)?;
        tracing::info!(bind = %s.bind, advertised = %s.advertised, "WebRTC UDP socket ready");
        bound.push((socket, s.advertised));
    }
    let (tx, rx) = sync_channel(COMMAND_QUEUE);
    let (stats_tx, stats) = watch::channel(MediaStats::default());
    std::thread::Builder::new()
        .name("hikari-media".into())
        .spawn(move || MediaLoop::new(cfg, poll, bound, gso, rx, events, stats_tx).run())
        .context("starting the media thread")?;
    Ok(MediaHandle { tx, waker, next_conn: Arc::new(AtomicU64::new(1)), stats })
}

struct MediaLoop {
    sfu: Sfu,
    poll: Poll,
    sockets: Vec<(UdpSocket, SocketAddr)>,
    by_advertised: HashMap<SocketAddr, usize>,
    rx: Receiver<Message>,
    outboxes: HashMap<ConnId, mpsc::Sender<SignalOut>>,
    events: mpsc::UnboundedSender<RoomEvent>,
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
}

/// Queued datagrams are sent once this many are waiting, even mid wake-up.
const SEND_AT: usize = 64;
/// Datagrams handled between two polls of the SFU's output.
const INPUTS_PER_POLL: usize = 16;

impl MediaLoop {
    fn new(
        cfg: SfuConfig,
        poll: Poll,
        sockets: Vec<(UdpSocket, SocketAddr)>,
        gso: bool,
        rx: Receiver<Message>,
        events: mpsc::UnboundedSender<RoomEvent>,
        stats_tx: watch::Sender<MediaStats>,
    ) -> Self {
        let by_advertised = sockets.iter().enumerate().map(|(i, (_, a))| (*a, i)).collect();
        let batches = sockets.iter().map(|_| SendBatch::new(gso)).collect();
        Self {
            sfu: Sfu::new(cfg, Instant::now()),
            poll,
            sockets,
            by_advertised,
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
                    Token(i) => self.receive(i, &mut buf),
                }
            }
            let now = Instant::now();
            self.sfu.handle_timeout(now);
            self.flush();
            self.send();
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
                Message::Command(c) => self.sfu.handle_command(now, c),
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

    fn queued(&self) -> usize {
        self.batches.iter().map(SendBatch::len).sum()
    }

    /// Hands every queued datagram to the kernel, then records how long the inputs that
    /// produced them waited (receive → send).
    fn send(&mut self) {
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
            Output::Close { conn, reason } => {
                if let Some(outbox) = self.outboxes.remove(&conn) {
                    let _ = outbox.try_send(SignalOut::Close(reason));
                }
            }
            Output::Event(e) => {
                let _ = self.events.send(*e);
            }
            Output::AdminReply { id, result } => {
                if let Some(reply) = self.admin.remove(&id) {
                    let _ = reply.send(*result);
                }
            }
        }
    }
}
