//! The HTTP/1.1 listener: axum's router behind hyper's connection state machine, with the
//! bounds a public server needs. A new connection's first request headers must arrive within
//! [`HEADER_READ_TIMEOUT`] (hyper closes a connection that sends nothing, or drips a header
//! line at a time), and so must every later request's once its first byte arrived; a failed
//! `accept` (out of file descriptors) pauses the loop instead of ending it.
//! WebSocket upgrades leave these timeouts behind: signaling has its own pings.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How long a client has to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `addr` and serves `app` on it until the returned task is aborted.
pub async fn serve_on(addr: SocketAddr, app: Router, what: &'static str) -> anyhow::Result<JoinHandle<std::io::Result<()>>> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, "{what} listening");
    Ok(tokio::spawn(accept_loop(listener, app)))
}

async fn accept_loop(listener: TcpListener, app: Router) -> std::io::Result<()> {
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
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
            }
        });
    }
}
