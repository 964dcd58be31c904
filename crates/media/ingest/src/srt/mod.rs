//! The SRT listener (Hikari's extension; LiveKit's ingress has no SRT): callers in live
//! mode (ffmpeg `-f mpegts "srt://HOST:PORT?streamid=KEY"`, OBS's SRT output) publish
//! MPEG-TS into the ingress their stream id names. SRT itself is `srt_protocol`'s sans-IO
//! core; this module is its driver: one task reads the UDP socket and runs the handshakes
//! ([`accept::Acceptor`]), a task per decision asks the [`Directory`] and claims the
//! ingress, and a task per connected caller ([`session`]) runs its connection and its
//! `TsDemuxer` into a publisher, as RTMP does. Refusals happen in the handshake, with SRT's
//! rejection reasons (libsrt's callers print them): Forbidden for an unknown stream key,
//! Conflict for a key in use, BadRequest for a stream id without a key, Overload for too
//! many encoders, Unsecure for a passphrase (there is no encryption here).

pub mod accept;
pub(crate) mod guard;
mod session;
pub mod stream_id;
mod wire;

use std::sync::Arc;
use std::time::{Duration, Instant};

use srt_protocol::packet::{RejectReason, ServerRejectReason};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use hikari_signal::Router;

use crate::live::Ingest;
use crate::{Directory, IngestConfig, InputKind, key_prefix};
use accept::{Acceptor, Event, Request};
use session::{Handle, Start};

/// The largest datagram read (SRT packets are at most 1500 bytes).
const DATAGRAM: usize = 2048;
/// How often stale handshakes and ended sessions are swept.
const SWEEP: Duration = Duration::from_secs(1);

/// Accepts SRT callers on `socket` until the task is dropped.
pub async fn serve_srt<R: Router, D: Directory>(socket: UdpSocket, ingest: Ingest, router: R, directory: Arc<D>, cfg: Arc<IngestConfig>) {
    let socket = Arc::new(socket);
    let ipv6 = socket.local_addr().is_ok_and(|a| a.is_ipv6());
    let mut acceptor = Acceptor::<Handle>::new(ipv6);
    let (decided_tx, mut decided) = mpsc::channel::<(Request, Result<Handle, RejectReason>)>(accept::MAX_HANDSHAKES);
    let mut buf = vec![0u8; DATAGRAM];
    let mut sweep = tokio::time::interval(SWEEP);
    loop {
        while let Some(event) = acceptor.poll() {
            match event {
                Event::Send(to, bytes) => {
                    if let Err(error) = socket.send_to(&bytes, to).await {
                        tracing::debug!(%to, %error, "srt: send failed");
                    }
                }
                Event::Decide(request) => {
                    let (tx, ingest, directory, cfg) = (decided_tx.clone(), ingest.clone(), Arc::clone(&directory), Arc::clone(&cfg));
                    tokio::spawn(async move {
                        let decision = admit(&request, &ingest, &*directory, &cfg).await;
                        let _ = tx.send((request, decision)).await;
                    });
                }
                Event::Open(from, connection) => {
                    let Some(start) = acceptor.session(from).and_then(|h| h.start.take()) else { continue };
                    let (socket, router, directory, cfg) = (Arc::clone(&socket), router.clone(), Arc::clone(&directory), Arc::clone(&cfg));
                    tokio::spawn(session::run(socket, connection, start, router, directory, cfg));
                }
            }
        }
        tokio::select! {
            read = socket.recv_from(&mut buf) => match read {
                Ok((n, from)) => {
                    let Some((handle, packet)) = acceptor.receive(Instant::now(), from, &buf[..n]) else { continue };
                    if !handle.deliver(packet) {
                        acceptor.close(from);
                    }
                }
                // ICMP errors of earlier sends surface here on some systems; nothing to do.
                Err(error) => tracing::debug!(%error, "srt: receive failed"),
            },
            Some((request, decision)) = decided.recv() => acceptor.decide(Instant::now(), &request, decision),
            _ = sweep.tick() => acceptor.sweep(Instant::now(), Handle::alive),
        }
    }
}

/// Decides on a caller: its stream id must name an ingress that takes SRT and has no
/// encoder, and a connection place must be free.
async fn admit<D: Directory>(request: &Request, ingest: &Ingest, directory: &D, cfg: &IngestConfig) -> Result<Handle, RejectReason> {
    let peer = request.from;
    if request.passphrase {
        tracing::warn!(%peer, "srt: the caller set a passphrase, but SRT ingest has no encryption; refused (remove the passphrase)");
        return Err(RejectReason::Core(srt_protocol::packet::CoreRejectReason::Unsecure));
    }
    let key = match stream_id::stream_key(request.stream_id.as_deref().unwrap_or_default()) {
        Ok(key) => key,
        Err(error) => {
            tracing::warn!(%peer, %error, "srt: no stream key; refused");
            return Err(RejectReason::Server(ServerRejectReason::BadRequest));
        }
    };
    let Some(target) = directory.find(key, InputKind::Srt).await else {
        tracing::warn!(%peer, key = %key_prefix(key), "srt: unknown stream key; refused");
        return Err(RejectReason::Server(ServerRejectReason::Forbidden));
    };
    let Some(slot) = ingest.slot(cfg.max_connections) else {
        tracing::warn!(%peer, max = cfg.max_connections, "srt: too many encoder connections; refused");
        return Err(RejectReason::Server(ServerRejectReason::Overload));
    };
    let Some(claim) = ingest.claim(&target.ingress_id) else {
        tracing::warn!(%peer, ingress = %target.ingress_id, key = %key_prefix(key), "srt: the ingress already has an encoder; refused");
        return Err(RejectReason::Server(ServerRejectReason::Conflict));
    };
    Ok(Handle::new(Start { target, claim, slot }))
}
