//! One connected SRT caller, start to end: its `srt_protocol` connection (ACKs, NAKs,
//! the 120 ms latency buffer) fed the packets the listener routes to it, the MPEG-TS it
//! delivers through a `TsDemuxer` into a [`Live`] session, as RTMP's media goes. The two
//! halves run side by side in the task (`receive`, `publish`), joined by a bounded queue of
//! units, so a publisher that waits (a codec job starting) never stalls SRT's ACKs. The
//! session ends when the caller shuts down (cleanly), stops answering, sends no media for
//! [`IngestConfig::silence`], floods, sends what is not MPEG-TS, or when the room lets the
//! ingress go; a panic of the SRT code ends only this session, with an error report.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use srt_protocol::connection::{Connection, DuplexConnection};
use srt_protocol::packet::{ControlPacket, ControlTypes, Packet, TimeStamp};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use hikari_demux::{Elementary, TsDemuxer};
use hikari_signal::Router;

use super::accept::serialize;
use super::guard::guarded;
use crate::live::{Claim, Live, Slot, meter};
use crate::publisher::Step;
use crate::{Directory, IngestConfig, IngestError, InputKind, Report, Target};

/// Packets queued from the listener to a session; beyond, they are dropped (SRT repairs).
const QUEUE: usize = 1024;
/// Demuxed units queued for the publisher (about 3 s of 30 fps video and AAC).
const UNITS: usize = 256;

/// What an admitted caller's session starts with.
pub struct Start {
    /// The ingress it publishes for.
    pub target: Target,
    /// Its claim on the ingress.
    pub claim: Claim,
    /// Its place among the encoder connections.
    pub slot: Slot,
}

/// The listener's handle of a caller's session.
pub struct Handle {
    tx: mpsc::Sender<Packet>,
    /// What the session starts with (and its packets' queue), until it starts.
    pub start: Option<(Start, mpsc::Receiver<Packet>)>,
}

impl Handle {
    /// A handle for an admitted caller.
    pub fn new(start: Start) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self { tx, start: Some((start, rx)) }
    }

    /// Hands a packet to the session (a full queue drops it); false when the session ended.
    pub fn deliver(&self, packet: Packet) -> bool {
        !matches!(self.tx.try_send(packet), Err(mpsc::error::TrySendError::Closed(_)))
    }

    /// Whether the session still runs (or has yet to start).
    pub fn alive(&self) -> bool {
        !self.tx.is_closed()
    }
}

/// Runs a caller's session; reports its end even if the SRT code panics.
pub async fn run<R: Router, D: Directory>(
    socket: Arc<UdpSocket>,
    connection: Box<Connection>,
    start: (Start, mpsc::Receiver<Packet>),
    router: R,
    directory: Arc<D>,
    cfg: Arc<IngestConfig>,
) {
    let id = start.0.target.ingress_id.clone();
    let peer = connection.settings.remote;
    let task = tokio::spawn(session(socket, connection, start, router, Arc::clone(&directory), cfg));
    if let Err(error) = task.await
        && error.is_panic()
    {
        tracing::error!(%peer, ingress = %id, "srt: the session panicked");
        directory.report(&id, Report::Ended { error: Some("internal error in the SRT connection".into()) }).await;
    }
}

async fn session<R: Router, D: Directory>(
    socket: Arc<UdpSocket>,
    connection: Box<Connection>,
    start: (Start, mpsc::Receiver<Packet>),
    router: R,
    directory: Arc<D>,
    cfg: Arc<IngestConfig>,
) {
    let (Start { target, claim, slot }, mut rx) = start;
    let peer = connection.settings.remote;
    let id = target.ingress_id.clone();
    directory.report(&id, Report::Buffering).await;
    tracing::info!(%peer, ingress = %id, room = %target.room, "srt: encoder accepted");
    let mut live = Live::new(router, target, Arc::clone(&cfg), claim, InputKind::Srt);
    let mut conn = DuplexConnection::new(*connection);
    // Two halves in one task, so that a publisher waiting (a codec job starting) never
    // stalls the SRT side's ACKs and latency buffer: units pass through a bounded queue.
    let (units_tx, units_rx) = mpsc::channel(UNITS);
    let (received, published) = tokio::join!(receive(&socket, &mut conn, &mut rx, units_tx, &cfg), publish(&mut live, units_rx, &*directory));
    if conn.is_open() {
        shutdown(&socket, &conn).await;
    }
    live.end(&*directory, received.and(published), "srt", peer).await;
    drop(slot);
}

/// The SRT side: the caller's packets into its connection, the connection's packets out,
/// its MPEG-TS through the demuxer into `units`. Ends when the caller says goodbye (its
/// last units handed over), when the publisher is gone, or with an error.
async fn receive(
    socket: &UdpSocket,
    conn: &mut DuplexConnection,
    rx: &mut mpsc::Receiver<Packet>,
    units: mpsc::Sender<Elementary>,
    cfg: &IngestConfig,
) -> Result<(), IngestError> {
    let peer = conn.settings().remote;
    let mut demuxer = TsDemuxer::new();
    let mut window = (Instant::now(), 0u64);
    let mut last_media = Instant::now();
    let mut said_bye = false;
    let mut dropped = 0u64;
    loop {
        let now = Instant::now();
        let wake = conn.check_timers(now);
        while let Some((packet, to)) = conn.next_packet(now) {
            if let Err(error) = socket.send_to(&serialize(&packet), to).await {
                tracing::debug!(%peer, %error, "srt: send failed");
            }
        }
        while let Some((_, bytes)) = conn.next_data(now) {
            meter(&mut window, bytes.len(), now, cfg)?;
            last_media = now;
            demuxer.push(&bytes)?;
            hand_over(&mut demuxer, &units, &mut dropped, peer);
        }
        if !conn.is_open() {
            if !said_bye {
                return Err(IngestError::Io(io::Error::new(io::ErrorKind::TimedOut, "the SRT caller stopped answering")));
            }
            demuxer.flush();
            hand_over(&mut demuxer, &units, &mut dropped, peer);
            return Ok(());
        }
        let silent_at = last_media + cfg.silence;
        if now >= silent_at {
            return Err(IngestError::Silent(cfg.silence));
        }
        let wake = tokio::time::Instant::from_std(wake.min(silent_at));
        tokio::select! {
            packet = rx.recv() => match packet {
                Some(packet) => {
                    said_bye |= matches!(&packet, Packet::Control(ControlPacket { control_type: ControlTypes::Shutdown, .. }));
                    // srt_protocol panics on some control packets (congestion warnings,
                    // peer errors): that caller's session ends, with an error.
                    if guarded(|| conn.handle_packet_input(Instant::now(), Ok((packet, peer)))).is_none() {
                        return Err(IngestError::Io(io::Error::other("an SRT control packet this listener does not handle")));
                    }
                }
                None => return Err(IngestError::Io(io::Error::other("the SRT listener stopped"))),
            },
            () = tokio::time::sleep_until(wake) => {}
            () = units.closed() => return Ok(()),
        }
    }
}

/// Queues the demuxed units for the publisher; a full queue (the publisher is stalled)
/// drops them.
fn hand_over(demuxer: &mut TsDemuxer, units: &mpsc::Sender<Elementary>, dropped: &mut u64, peer: SocketAddr) {
    while let Some(unit) = demuxer.poll() {
        if let Err(mpsc::error::TrySendError::Full(_)) = units.try_send(unit) {
            if *dropped == 0 {
                tracing::warn!(%peer, "srt: the publisher is behind; dropping media");
            }
            *dropped += 1;
        }
    }
}

/// The room side: units into the publisher, what the room and the job say, the reports.
/// Ends when the units end (the SRT side ended), when the room lets the ingress go, or
/// with the publisher's error.
async fn publish<R: Router, D: Directory>(live: &mut Live<R>, mut units: mpsc::Receiver<Elementary>, directory: &D) -> Result<(), IngestError> {
    loop {
        live.report(directory).await;
        tokio::select! {
            unit = units.recv() => match unit {
                Some(unit) => live.publisher.push(unit, Instant::now()).await?,
                None => return Ok(()),
            },
            step = live.next() => match step? {
                Step::Continue => {}
                Step::Closed(reason) => {
                    tracing::info!(ingress = %live.publisher.target().ingress_id, ?reason, "srt: the room let the ingress go");
                    return Ok(());
                }
            },
        }
    }
}

/// Tells the caller the connection is over.
async fn shutdown(socket: &UdpSocket, conn: &DuplexConnection) {
    let settings = conn.settings();
    let elapsed = Instant::now().saturating_duration_since(settings.socket_start_time);
    let packet = Packet::Control(ControlPacket {
        timestamp: TimeStamp::from_micros(elapsed.as_micros() as u32),
        dest_sockid: settings.remote_sockid,
        control_type: ControlTypes::Shutdown,
    });
    let _ = socket.send_to(&serialize(&packet), settings.remote).await;
}
