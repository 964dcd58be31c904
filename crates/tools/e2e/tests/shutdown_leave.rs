//! SIGTERM tells every participant to leave with LiveKit's `SERVER_SHUTDOWN` before the
//! server exits, as livekit-server does, so SDKs report why they were disconnected.

use std::time::Duration;

use futures_util::StreamExt;
use hikari_auth::{AccessToken, VideoGrant};
use hikari_types::{DisconnectReason, ServerSignal};
use tokio_tungstenite::tungstenite::Message;

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_is_told_server_shutdown_on_sigterm() {
    let mut s = common::start("shutdown").await;
    let now = hikari_common::clock::unix_secs();
    let token = AccessToken::new("devkey", now, 600)
        .identity("alice")
        .video(VideoGrant { room_join: true, room: "r".into(), ..Default::default() })
        .sign("secret")
        .expect("sign");
    let url = format!("ws://127.0.0.1:{}/rtc?access_token={token}&protocol=16&sdk=test", s.port);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("joins");
    let mut signals = Vec::new();
    // The join response first: then alice is in the room.
    while !signals.iter().any(|s| matches!(s, ServerSignal::Join(_))) {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a frame in time").expect("open").expect("frame");
        if let Message::Binary(b) = frame
            && let Ok(Some(signal)) = hikari_protocol::decode_server_signal(&b)
        {
            signals.push(signal);
        }
    }
    let status = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let leave = loop {
        match tokio::time::timeout(Duration::from_secs(15), ws.next()).await.expect("the leave or a close in time") {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(Some(ServerSignal::Leave { reason, .. })) = hikari_protocol::decode_server_signal(&b) {
                    break Some(reason);
                }
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break None,
        }
    };
    assert_eq!(leave, Some(DisconnectReason::ServerShutdown));
    let exit = s.child.wait().expect("exits");
    assert!(exit.success(), "{exit:?}");
}
