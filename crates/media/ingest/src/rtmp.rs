//! The RTMP listener: one task per encoder connection, driving a
//! `hikari_demux::RtmpSession` with the socket's bytes and the clock, and a
//! [`Live`] session (its `Publisher`) once the stream key named an ingress.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use hikari_demux::{RtmpEvent, RtmpSession};
use hikari_signal::Router;

use crate::live::{Ingest, Live, meter};
use crate::publisher::Step;
use crate::{Directory, IngestConfig, IngestError, InputKind, Report, key_prefix};

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Longest a write to the encoder may take.
const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Accepts encoders on `listener` until the task is dropped.
pub async fn serve_rtmp<R: Router, D: Directory>(listener: TcpListener, ingest: Ingest, router: R, directory: Arc<D>, cfg: Arc<IngestConfig>) {
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "rtmp: accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(slot) = ingest.slot(cfg.max_connections) else {
            tracing::warn!(%peer, max = cfg.max_connections, "rtmp: too many encoder connections; refused");
            continue;
        };
        let (ingest, router, directory, cfg) = (ingest.clone(), router.clone(), Arc::clone(&directory), Arc::clone(&cfg));
        tokio::spawn(async move {
            connection(socket, peer, &ingest, router, directory, cfg).await;
            drop(slot);
        });
    }
}

/// One encoder connection, start to end.
async fn connection<R: Router, D: Directory>(mut socket: TcpStream, peer: SocketAddr, ingest: &Ingest, router: R, directory: Arc<D>, cfg: Arc<IngestConfig>) {
    let _ = socket.set_nodelay(true);
    let mut session = RtmpSession::new(Instant::now(), cfg.rtmp.clone());
    let mut live: Option<Live<R>> = None;
    let result = drive(&mut socket, &mut session, &mut live, ingest, &router, &directory, &cfg).await;
    let _ = flush(&mut socket, &mut session).await;
    let Some(live) = live else {
        if let Err(error) = result {
            tracing::info!(%peer, %error, "rtmp: connection ended before publishing");
        }
        return;
    };
    live.end(&*directory, result, "rtmp", peer).await;
}

async fn drive<R: Router, D: Directory>(
    socket: &mut TcpStream,
    session: &mut RtmpSession,
    live: &mut Option<Live<R>>,
    ingest: &Ingest,
    router: &R,
    directory: &Arc<D>,
    cfg: &Arc<IngestConfig>,
) -> Result<(), IngestError> {
    let mut buf = vec![0u8; READ_CHUNK];
    let mut window = (Instant::now(), 0u64);
    loop {
        while let Some(event) = session.poll_event() {
            match event {
                RtmpEvent::PublishRequested { app, stream_key } => {
                    let Some(target) = directory.find(&stream_key, InputKind::Rtmp).await else {
                        tracing::warn!(%app, key = %key_prefix(&stream_key), "rtmp: unknown stream key; refused");
                        session.reject("unknown stream key");
                        continue;
                    };
                    let Some(claim) = ingest.claim(&target.ingress_id) else {
                        tracing::warn!(ingress = %target.ingress_id, key = %key_prefix(&stream_key), "rtmp: the ingress already has an encoder; refused");
                        session.reject("this stream key is already publishing");
                        continue;
                    };
                    session.accept();
                    directory.report(&target.ingress_id, Report::Buffering).await;
                    tracing::info!(ingress = %target.ingress_id, room = %target.room, "rtmp: encoder accepted");
                    *live = Some(Live::new(router.clone(), target, Arc::clone(cfg), claim, InputKind::Rtmp));
                }
                RtmpEvent::Media(unit) => {
                    tracing::trace!(?unit, "rtmp: media");
                    if let Some(l) = live.as_mut() {
                        l.publisher.push(unit, Instant::now()).await?;
                    }
                }
                RtmpEvent::Metadata(_) => {}
                RtmpEvent::Unpublished => return Ok(()),
            }
        }
        // What the session answered (the handshake, accept or reject) before waiting again.
        flush(socket, session).await?;
        if session.is_closed() {
            return Ok(());
        }
        if let Some(l) = live.as_mut() {
            l.report(&**directory).await;
        }
        let deadline = session.poll_timeout().map(tokio::time::Instant::from_std);
        let timer = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let media = async {
            match live.as_mut() {
                Some(l) => Some(l.next().await),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = socket.read(&mut buf) => {
                let n = read?;
                if n == 0 {
                    return Ok(());
                }
                let now = Instant::now();
                meter(&mut window, n, now, cfg)?;
                session.receive(&buf[..n], now)?;
                tracing::trace!(n, "rtmp: read");
            }
            () = timer => session.handle_timeout(Instant::now())?,
            step = media => match step {
                Some(Ok(Step::Continue)) | None => {}
                Some(Ok(Step::Closed(reason))) => {
                    tracing::info!(?reason, "rtmp: the room let the ingress go");
                    return Ok(());
                }
                Some(Err(error)) => return Err(error),
            },
        }
    }
}

/// Writes what the session has for the encoder.
async fn flush(socket: &mut TcpStream, session: &mut RtmpSession) -> Result<(), IngestError> {
    while let Some(bytes) = session.poll_transmit() {
        tokio::time::timeout(WRITE_TIMEOUT, socket.write_all(&bytes))
            .await
            .map_err(|_| IngestError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "the encoder does not read")))??;
    }
    Ok(())
}
