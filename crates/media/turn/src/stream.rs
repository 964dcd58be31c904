//! The TLS (or plain TCP) listener: a task per connection, each with its own session; the
//! allocation lives as long as the connection (RFC 8656 §3.1).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::debug;
use turn_server_proto::types::TransportType;

use crate::clock::Clock;
use crate::frame::{Framer, pad_for_stream};
use crate::relay::FromPeer;
use crate::session::{Session, Shared};
use crate::udp::{IDLE, TICK};

/// Datagrams from peers waiting for one connection's task.
const PEER_QUEUE: usize = 256;
/// A client that does not take our bytes within this time is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Frames handled per read before the task looks at its other inputs.
const MAX_FRAMES_PER_READ: usize = 256;

pub(crate) struct Listener {
    pub(crate) listener: TcpListener,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) handshake_timeout: Duration,
    pub(crate) max_connections: usize,
}

pub(crate) async fn run(l: Listener, sh: Arc<Shared>, clock: Clock, mut stop: watch::Receiver<bool>) {
    let Ok(listen) = l.listener.local_addr() else { return };
    let permits = Arc::new(Semaphore::new(l.max_connections));
    // Dropped on return: every connection task ends with the listener.
    let mut conns = JoinSet::new();
    loop {
        let (tcp, client) = tokio::select! {
            _ = stop.changed() => break,
            r = l.listener.accept() => match r {
                Ok(x) => x,
                Err(e) => { debug!(error = %e, "TURN accept failed"); continue; }
            },
        };
        while conns.try_join_next().is_some() {}
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            debug!(%client, "TURN connection refused: too many");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (sh, stop, tls, hs) = (sh.clone(), stop.clone(), l.tls.clone(), l.handshake_timeout);
        conns.spawn(async move {
            let _permit = permit;
            match tls {
                None => serve(tcp, listen, client, sh, clock, stop).await,
                Some(acceptor) => match tokio::time::timeout(hs, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => serve(tls, listen, client, sh, clock, stop).await,
                    Ok(Err(e)) => debug!(%client, error = %e, "TURN TLS handshake failed"),
                    Err(_) => debug!(%client, "TURN TLS handshake timed out"),
                },
            }
        });
    }
}

async fn serve<S: AsyncRead + AsyncWrite>(stream: S, listen: SocketAddr, client: SocketAddr, sh: Arc<Shared>, clock: Clock, mut stop: watch::Receiver<bool>) {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::channel::<FromPeer>(PEER_QUEUE);
    let mut session = Session::new(&sh, TransportType::Tcp, listen, client, clock.now());
    let mut framer = Framer::default();
    let mut buf = vec![0u8; 16_384];
    let mut out = Vec::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            r = rd.read(&mut buf) => {
                let n = match r { Ok(0) | Err(_) => break, Ok(n) => n };
                if framer.push(&buf[..n]).is_err() {
                    debug!(%client, "TURN stream buffer overflow");
                    break;
                }
                let now = clock.now();
                let unix_now = hikari_common::clock::unix_secs();
                let mut bad = false;
                for _ in 0..MAX_FRAMES_PER_READ {
                    match framer.next_frame() {
                        Ok(Some(frame)) => session.on_client(&sh, &tx, &frame, now, unix_now, &mut out),
                        Ok(None) => break,
                        Err(_) => { bad = true; break; }
                    }
                }
                if bad {
                    debug!(%client, "TURN stream is not TURN");
                    break;
                }
            }
            Some(p) = rx.recv() => session.on_peer(&sh, &tx, &p, clock.now(), &mut out),
            _ = tick.tick() => {
                let now = clock.now();
                if session.wake <= now {
                    session.drive(&sh, &tx, now, &mut out);
                }
                if !session.has_allocation() && now.saturating_duration_since(session.last_seen) >= IDLE {
                    break;
                }
            }
        }
        for d in out.drain(..) {
            match tokio::time::timeout(WRITE_TIMEOUT, wr.write_all(&pad_for_stream(d))).await {
                Ok(Ok(())) => {}
                _ => {
                    debug!(%client, "TURN client does not read; closing");
                    return;
                }
            }
        }
    }
    let _ = tokio::time::timeout(WRITE_TIMEOUT, wr.shutdown()).await;
}
