//! The HTTP listener's bounds on the real binary: a client that drips a request's headers
//! (slowloris) or opens a connection and sends nothing is cut off after the header-read
//! timeout (10 s), while a normal request on the same server is answered.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

/// Seconds from `start` until the server closes `stream`, while `drip` (if any) is written
/// once a second; None if it is still open after 40 s.
async fn closed_after(mut stream: TcpStream, drip: Option<&[u8]>) -> Option<f64> {
    let start = Instant::now();
    let mut buf = [0u8; 512];
    for _ in 0..40 {
        if let Some(line) = drip
            && stream.write_all(line).await.is_err()
        {
            return Some(start.elapsed().as_secs_f64());
        }
        match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed().as_secs_f64()),
            Ok(Ok(_)) => {} // a 408 before the close, if the server sends one
            Err(_) => {}    // still open and silent
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_connections_are_closed_after_the_header_timeout() {
    let s = common::start("limits").await;
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    let silent = TcpStream::connect(("127.0.0.1", s.port)).await.expect("connect");
    let (slow, silent) = tokio::join!(closed_after(slow, Some(b"X-Drip: 1\r\n")), closed_after(silent, None));
    for (what, t) in [("a header line a second", slow), ("nothing", silent)] {
        let t = t.unwrap_or_else(|| panic!("a connection sending {what} is still open after 40 s"));
        assert!((9.0..25.0).contains(&t), "a connection sending {what} was closed after {t:.1} s");
    }
    // The server still answers.
    let mut ok = TcpStream::connect(("127.0.0.1", s.port)).await.expect("connect");
    ok.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut reply = String::new();
    tokio::time::timeout(Duration::from_secs(10), ok.read_to_string(&mut reply)).await.expect("in time").expect("read");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// Sends one keep-alive `GET /` on `stream` and reads its whole response ("OK").
async fn ask(stream: &mut TcpStream) {
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
    let mut reply = Vec::new();
    let mut buf = [0u8; 512];
    while !reply.ends_with(b"\r\n\r\nOK") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.expect("a reply in time").expect("read");
        assert!(n > 0, "closed mid-reply: {}", String::from_utf8_lossy(&reply));
        reply.extend_from_slice(&buf[..n]);
    }
    assert!(reply.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&reply));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_and_a_busy_one_is_not() {
    let s = common::start_with("idle", "limits:\n  http_idle_seconds: 2\n").await;
    let mut idle = TcpStream::connect(("127.0.0.1", s.port)).await.expect("connect");
    ask(&mut idle).await;
    let mut busy = TcpStream::connect(("127.0.0.1", s.port)).await.expect("connect");
    // The busy connection asks every half second for 4 s: twice the idle timeout.
    let busy_task = tokio::spawn(async move {
        for _ in 0..8 {
            ask(&mut busy).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        ask(&mut busy).await;
    });
    let t = closed_after(idle, None).await.expect("an idle connection is closed");
    assert!((1.5..6.0).contains(&t), "an idle keep-alive connection was closed after {t:.1} s (timeout 2 s)");
    busy_task.await.expect("a connection in use stays open past the idle timeout");
}
