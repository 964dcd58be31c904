//! ffmpeg publishes over RTMP, as OBS does, into the ingest runtime; a recording router
//! stands in for the media thread (the real one is in the server's end-to-end suite).
//! Checks the join, the passthrough and transcoded media, the reports and refusals.

mod common;

use std::sync::Arc;

use common::{Dir, Recorder, ended, ffmpeg, media, target, test_media};
use hikari_ingest::{Ingest, IngestConfig, InputKind, serve_rtmp};
use hikari_sfu::SignalMode;

struct Setup {
    port: u16,
    router: Recorder,
    dir: Arc<Dir>,
}

async fn start() -> Setup {
    common::trace();
    let dir = Arc::new(Dir::new(InputKind::Rtmp, [("plain-key", target("IN_plain", None)), ("ladder-key", target("IN_ladder", Some(true)))]));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let router = Recorder::default();
    let cfg = Arc::new(IngestConfig { ffmpeg: "/usr/bin/ffmpeg".into(), ..IngestConfig::default() });
    tokio::spawn(serve_rtmp(listener, Ingest::default(), router.clone(), Arc::clone(&dir), cfg));
    Setup { port, router, dir }
}

/// ffmpeg publishes 3 s of 320x240 test video and a 440 Hz tone; returns whether it exited 0.
async fn publish(port: u16, key: &str, x264: &[&str]) -> bool {
    let url = format!("rtmp://127.0.0.1:{port}/x/{key}");
    let mut args = test_media(x264);
    args.extend(["-f", "flv", &url]);
    ffmpeg(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h264_without_b_frames_passes_through_and_aac_becomes_opus() {
    let s = start().await;
    assert!(publish(s.port, "plain-key", &["-bf", "0", "-tune", "zerolatency"]).await, "ffmpeg publishes");
    assert_eq!(ended(&s.dir, "IN_plain").await.as_deref(), Some(""), "the ingress ends without an error");
    common::assert_passthrough(&s.router, &s.dir, "IN_plain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_frames_or_transcoding_asked_get_a_simulcast_ladder_and_unknown_keys_are_refused() {
    let s = start().await;
    assert!(!publish(s.port, "no-such-key", &["-bf", "2"]).await, "an unknown key is refused at publish");
    assert!(publish(s.port, "ladder-key", &["-bf", "2"]).await, "ffmpeg publishes");
    assert_eq!(ended(&s.dir, "IN_ladder").await.as_deref(), Some(""));
    let joins = s.router.joins.lock().expect("lock").clone();
    assert_eq!(joins.len(), 1, "only the known key joined");
    let SignalMode::Internal { tracks } = &joins[0].mode else { panic!("an internal join") };
    let sizes: Vec<_> = tracks[0].layers.iter().map(|l| (l.width, l.height)).collect();
    assert_eq!(sizes, vec![(240, 180), (320, 240)], "the 720p ladder fitted to a 320x240 source");
    let (by, _) = media(&s.router);
    for layer in 0..2 {
        let packets = by.get(&(0, layer)).map_or(0, Vec::len);
        assert!(packets > 30, "layer {layer} flows: {packets} packets");
    }
    assert!(by.get(&(1, 0)).map_or(0, Vec::len) > 100, "audio flows");
}
