//! Failed authentications are limited per client address across signaling and Twirp: past
//! the limit, that address gets 429 with `Retry-After`, even with a good token, until the
//! minute ends.

use hikari_auth::{AccessToken, VideoGrant};

mod common;

use common::start_with;

fn token(secret: &str) -> String {
    let now = hikari_common::clock::unix_secs();
    AccessToken::new("devkey", now, 600)
        .identity("alice")
        .video(VideoGrant { room_join: true, room_list: true, room: "r".into(), ..Default::default() })
        .sign(secret)
        .expect("sign")
}

/// A call with `token`; Twirp's POSTs carry an empty message.
async fn call(port: u16, method: &str, path: &str, token: &str) -> (u16, String) {
    common::api(port, method, path, Some(token), if method == "POST" { "{}" } else { "" }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_keeps_failing_is_held_off_then_told_when_to_retry() {
    let s = start_with("throttle", "limits:\n  auth_failures_per_minute: 3\n").await;
    let (good, bad) = (token("secret"), token("wrong-secret"));
    assert_eq!(call(s.port, "GET", "/rtc/validate", &good).await.0, 200, "a good token before any failure");
    // Three failures, across signaling and Twirp, are answered as failures.
    assert_eq!(call(s.port, "GET", "/rtc/validate", &bad).await.0, 401);
    assert_eq!(call(s.port, "POST", "/twirp/livekit.RoomService/ListRooms", &bad).await.0, 401);
    assert_eq!(call(s.port, "GET", "/rtc/validate", &bad).await.0, 401);
    // Then the address is held off on every endpoint, whatever it sends.
    for (method, path, t) in [("GET", "/rtc/validate", &bad), ("GET", "/rtc/validate", &good), ("POST", "/twirp/livekit.RoomService/ListRooms", &good)] {
        let (status, _) = call(s.port, method, path, t).await;
        assert_eq!(status, 429, "{method} {path}");
    }
    let headers = "Content-Type: application/json\r\n";
    let response = common::request_head(s.port, "GET", "/rtc/validate", headers).await;
    let retry: u64 = response
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("retry-after: ").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in {response}"));
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}
