//! ffmpeg publishes over SRT (libsrt's caller, live mode, 120 ms latency) into the ingest
//! runtime, with the recording router and directory of `common`. Checks the passthrough
//! media and reports, the stream id forms, and the refusals at the handshake.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Dir, Recorder, ended, ffmpeg, media, target, test_media};
use hikari_ingest::{Ingest, IngestConfig, InputKind, Report, serve_srt};

struct Setup {
    port: u16,
    router: Recorder,
    dir: Arc<Dir>,
}

async fn start(cfg: IngestConfig) -> Setup {
    common::trace();
    let dir = Arc::new(Dir::new(InputKind::Srt, [("plain-key", target("IN_plain", None)), ("other-key", target("IN_other", None))]));
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let port = socket.local_addr().expect("addr").port();
    let router = Recorder::default();
    let cfg = Arc::new(IngestConfig { ffmpeg: "/usr/bin/ffmpeg".into(), ..cfg });
    tokio::spawn(serve_srt(socket, Ingest::default(), router.clone(), Arc::clone(&dir), cfg));
    Setup { port, router, dir }
}

/// The SRT URL of `stream_id` (and more options) on the test's port.
fn url(port: u16, stream_id: &str, more: &str) -> String {
    format!("srt://127.0.0.1:{port}?streamid={stream_id}{more}")
}

/// ffmpeg sends 3 s of H.264 without B-frames and AAC as MPEG-TS; returns whether it exited 0.
async fn publish(url: &str) -> bool {
    let mut args = test_media(&["-bf", "0", "-tune", "zerolatency"]);
    args.extend(["-f", "mpegts", url]);
    ffmpeg(&args).await
}

/// ffmpeg sends 1 s of small H.264 and AAC; returns whether it exited 0.
async fn publish_short(url: &str) -> bool {
    let args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-f", "lavfi"];
    let mut args = args.to_vec();
    args.extend(["-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:v", "libx264", "-bf", "0", "-tune", "zerolatency", "-pix_fmt", "yuv420p"]);
    args.extend(["-c:a", "aac", "-f", "mpegts", url]);
    ffmpeg(&args).await
}

fn joins(router: &Recorder) -> usize {
    router.joins.lock().expect("lock").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h264_without_b_frames_passes_through_and_aac_becomes_opus() {
    let s = start(IngestConfig::default()).await;
    assert!(publish(&url(s.port, "plain-key", "")).await, "ffmpeg publishes");
    assert_eq!(ended(&s.dir, "IN_plain").await.as_deref(), Some(""), "the ingress ends without an error");
    common::assert_passthrough(&s.router, &s.dir, "IN_plain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_and_passphrases_are_refused_at_the_handshake_and_the_access_control_form_works() {
    let s = start(IngestConfig::default()).await;
    assert!(!publish_short(&url(s.port, "no-such-key", "")).await, "an unknown stream id is refused");
    assert!(!publish_short(&url(s.port, "#!::r=no-such-key", "")).await, "an unknown r= resource is refused");
    assert!(!publish_short(&url(s.port, "plain-key", "&passphrase=0123456789abcdef")).await, "a passphrase is refused");
    assert_eq!(joins(&s.router), 0, "nothing joined");
    assert!(s.dir.reports.lock().expect("lock").is_empty(), "nothing was reported");
    // The listener still serves, and takes the key as the r= resource of the #!:: form.
    assert!(publish_short(&url(s.port, "#!::u=obs,r=plain-key,m=publish", "")).await, "the #!:: form publishes");
    assert_eq!(ended(&s.dir, "IN_plain").await.as_deref(), Some(""));
    assert_eq!(joins(&s.router), 1);
    let (by, left) = media(&s.router);
    assert!(by.get(&(0, 0)).map_or(0, |v| v.iter().filter(|p| p.marker).count()) > 20, "video flows");
    assert!(left);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_caller_on_a_key_in_use_is_refused() {
    let s = start(IngestConfig::default()).await;
    let first_url = url(s.port, "plain-key", "");
    let first = tokio::spawn(async move { publish(&first_url).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while s.dir.reports_of("IN_plain").is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.dir.reports_of("IN_plain").first(), Some(&Report::Buffering), "the first caller is in");
    assert!(!publish_short(&url(s.port, "plain-key", "")).await, "the second caller is refused");
    assert!(first.await.expect("the first caller"), "the first caller publishes to the end");
    assert_eq!(ended(&s.dir, "IN_plain").await.as_deref(), Some(""));
    assert_eq!(joins(&s.router), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_or_silence_after_connecting_ends_with_an_error_and_the_next_caller_is_served() {
    let s = start(IngestConfig { silence: Duration::from_secs(1), ..IngestConfig::default() }).await;
    // Raw pixels are not MPEG-TS.
    let raw = url(s.port, "plain-key", "");
    let args = ["-nostdin", "-hide_banner", "-loglevel", "quiet", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=30", "-t", "3", "-f", "rawvideo", &raw];
    let _ = ffmpeg(&args).await;
    let error = ended(&s.dir, "IN_plain").await.expect("the session ends");
    assert!(error.contains("sync"), "ends on the missing TS sync: {error}");
    // A caller whose media pauses longer than `silence` (a frame every 4 s).
    let slow = url(s.port, "other-key", "");
    let args = ["-nostdin", "-hide_banner", "-loglevel", "quiet", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=0.25", "-t", "8"];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args.extend(["-c:v", "libx264", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-f", "mpegts", &slow].map(str::to_owned));
    let caller = tokio::spawn(async move { ffmpeg(&args).await });
    assert_eq!(ended(&s.dir, "IN_other").await.as_deref(), Some("no media for 1 s"));
    caller.abort();
    // The first key is free again and the listener serves.
    assert!(publish_short(&url(s.port, "plain-key", "")).await, "the next caller publishes");
    let ends = s.dir.reports_of("IN_plain").iter().filter(|r| matches!(r, Report::Ended { error: None })).count();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut clean = ends;
    while clean == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        clean = s.dir.reports_of("IN_plain").iter().filter(|r| matches!(r, Report::Ended { error: None })).count();
    }
    assert_eq!(clean, 1, "the next caller ends cleanly");
}
