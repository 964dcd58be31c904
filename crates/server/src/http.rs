//! The HTTP/1.1 listener: axum's router behind hyper's connection state machine, with the
//! bounds a public server needs. A new connection's first request headers must arrive within
//! the header timeout (hyper closes a connection that sends nothing, or drips a header line
//! at a time), and so must every later request's once its first byte arrived; a keep-alive
//! connection with no byte in either direction for the idle timeout is closed (after the
//! response in flight, if any); a failed `accept` (out of file descriptors) pauses the loop
//! instead of ending it. WebSocket upgrades leave these timeouts behind: signaling has its
//! own pings.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long a client may take over a request's headers, and sit idle between requests.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

/// Binds `addr` and serves `app` on it until the returned task is aborted.
pub async fn serve_on(addr: SocketAddr, app: Router, timeouts: Timeouts, what: &'static str) -> anyhow::Result<JoinHandle<std::io::Result<()>>> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, "{what} listening");
    Ok(tokio::spawn(accept_loop(listener, app, timeouts)))
}

async fn accept_loop(listener: TcpListener, app: Router, timeouts: Timeouts) -> std::io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE and the like: wait for connections to close rather than spin or exit.
                tracing::warn!(error = %e, "accept failed; pausing 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Client addresses reach the handlers (rate limits key on them).
        let service = TowerToHyperService::new(app.clone().layer(axum::Extension(ConnectInfo(peer))));
        tokio::spawn(async move {
            let io = Watched::new(stream);
            let activity = io.activity.clone();
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.header_read)
                .serve_connection(io, service)
                .with_upgrades();
            tokio::pin!(connection);
            // Idle: ask hyper to close after the response in flight; still idle as long
            // again (a client that stopped reading): drop the connection.
            let mut closing_since: Option<Instant> = None;
            let deadline = |closing: Option<Instant>| closing.map_or(activity.last(), |t| t.max(activity.last())) + timeouts.idle;
            let result = loop {
                tokio::select! {
                    result = connection.as_mut() => break result,
                    () = tokio::time::sleep_until(deadline(closing_since)) => {
                        if Instant::now() < deadline(closing_since) {
                            continue; // bytes moved meanwhile
                        }
                        if closing_since.is_some() {
                            tracing::debug!(%peer, "dropping an HTTP connection that neither reads nor writes");
                            break Ok(());
                        }
                        tracing::debug!(%peer, "closing an idle HTTP connection");
                        connection.as_mut().graceful_shutdown();
                        closing_since = Some(Instant::now());
                    }
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
            }
        });
    }
}

/// When a connection last moved a byte, in milliseconds after it opened.
struct Activity {
    opened: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        self.last_ms.store(self.opened.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.opened + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

/// A TCP stream that notes each read and write in its [`Activity`].
struct Watched {
    io: TokioIo<TcpStream>,
    activity: Arc<Activity>,
}

impl Watched {
    fn new(stream: TcpStream) -> Self {
        Self { io: TokioIo::new(stream), activity: Arc::new(Activity { opened: Instant::now(), last_ms: AtomicU64::new(0) }) }
    }

    fn noted<T>(&self, poll: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if let Poll::Ready(Ok(_)) = &poll {
            self.activity.touch();
        }
        poll
    }
}

impl Read for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_read(cx, buf);
        self.noted(poll)
    }
}

impl Write for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(cx, buf);
        self.noted(poll)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.noted(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
