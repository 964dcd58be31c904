//! Hostile RTMP clients on the listener while ffmpeg publishes through it: garbage instead of
//! a handshake, a slowloris handshake, an oversized chunk size, a bitrate flood. Each bad
//! connection is closed by the server within its limit, and the encoder beside them
//! publishes as if they were not there.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Dir, Recorder, ffmpeg, target, test_media};
use hikari_demux::Limits;
use hikari_ingest::{Ingest, IngestConfig, InputKind, serve_rtmp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// RTMP's handshake packet size (C1, S1, S2, C2).
const HANDSHAKE: usize = 1536;

/// Reads until the server closes the connection; how long that took (`None`: still open
/// after `within`).
async fn closed_within(socket: &mut TcpStream, within: Duration) -> Option<Duration> {
    let t0 = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    while t0.elapsed() < within {
        match tokio::time::timeout(within.saturating_sub(t0.elapsed()), socket.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(t0.elapsed()),
            Ok(Ok(_)) => {}
            Err(_) => return None,
        }
    }
    None
}

/// A client through the handshake (C0 C1, S0 S1 S2, C2).
async fn handshaken(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let mut c0c1 = vec![3u8];
    c0c1.extend(std::iter::repeat_n(7u8, HANDSHAKE));
    s.write_all(&c0c1).await.expect("C0 C1");
    let mut s0s1s2 = vec![0u8; 1 + 2 * HANDSHAKE];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut s0s1s2)).await.expect("S0 S1 S2 in time").expect("S0 S1 S2");
    s.write_all(&s0s1s2[1..=HANDSHAKE]).await.expect("C2");
    s
}

/// One chunk of format 0 on chunk stream `csid`: a whole message of `type_id`.
fn chunk(csid: u8, type_id: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("small");
    let mut out = vec![csid, 0, 0, 0];
    out.extend(&len.to_be_bytes()[1..]);
    out.push(type_id);
    out.extend(stream.to_le_bytes());
    out.extend(payload);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_connections_end_alone_and_the_encoder_beside_them_publishes() {
    common::trace();
    let dir = Arc::new(Dir::new(InputKind::Rtmp, [("plain-key", target("IN_plain", None))]));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let router = Recorder::default();
    let cfg = IngestConfig {
        ffmpeg: "/usr/bin/ffmpeg".into(),
        // 5 Mbit/s over 1 s: the 3 s test stream is far below; the flood far above.
        max_bitrate: 5_000_000,
        flood_window: Duration::from_secs(1),
        rtmp: Limits { handshake_timeout: Duration::from_secs(1), publish_timeout: Duration::from_secs(2), ..Limits::default() },
        ..IngestConfig::default()
    };
    tokio::spawn(serve_rtmp(listener, Ingest::default(), router.clone(), Arc::clone(&dir), Arc::new(cfg)));

    let hostile = async {
        // Garbage: an HTTP request on the RTMP port (C0 must be version 3).
        let mut garbage = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        garbage.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
        let garbage = closed_within(&mut garbage, Duration::from_secs(5)).await;

        // Slowloris: the handshake one byte every 100 ms, which would take minutes.
        let mut slow = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let t0 = Instant::now();
        let dripping = async {
            for _ in 0..100 {
                if slow.write_all(&[3]).await.is_err() {
                    break;
                }
                let mut b = [0u8; 1];
                if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(100), slow.read(&mut b)).await {
                    break;
                }
            }
        };
        dripping.await;
        let slowloris = t0.elapsed();

        // An oversized chunk size after a good handshake (the limit is 1 MiB).
        let mut big = handshaken(port).await;
        big.write_all(&chunk(2, 1, 0, &0x7fff_ffffu32.to_be_bytes())).await.expect("set chunk size");
        let oversized = closed_within(&mut big, Duration::from_secs(5)).await;

        // A flood: 1 MiB audio messages as fast as the socket takes them.
        let mut flood = handshaken(port).await;
        let mut sent = 0usize;
        let mut bytes = chunk(2, 1, 0, &(1u32 << 20).to_be_bytes());
        bytes.extend(chunk(4, 8, 1, &vec![0xaf; 1 << 20]));
        let t1 = Instant::now();
        while t1.elapsed() < Duration::from_secs(10) {
            match tokio::time::timeout(Duration::from_secs(2), flood.write_all(&bytes)).await {
                Ok(Ok(())) => sent += bytes.len(),
                _ => break,
            }
        }
        let flooded = closed_within(&mut flood, Duration::from_secs(5)).await;
        (garbage, slowloris, oversized, flooded, sent)
    };
    let url = format!("rtmp://127.0.0.1:{port}/x/plain-key");
    let mut args = test_media(&["-bf", "0"]);
    args.extend(["-f", "flv", &url]);
    let (published, (garbage, slowloris, oversized, flooded, sent)) = tokio::join!(ffmpeg(&args), hostile);

    assert!(garbage.is_some(), "garbage instead of a handshake is closed");
    assert!(slowloris < Duration::from_secs(5), "a dripped handshake ends at the 1 s handshake limit, took {slowloris:?}");
    assert!(oversized.is_some(), "an oversized chunk size is closed");
    assert!(flooded.is_some() && sent < 64 << 20, "a flood is closed soon after 5 Mbit in its first second (socket buffers aside): {sent} bytes sent");
    assert!(published, "ffmpeg published beside them");
    common::assert_passthrough(&router, &dir, "IN_plain");
    assert_eq!(common::ended(&dir, "IN_plain").await.as_deref(), Some(""), "the encoder's session ended cleanly");
}
