//! Every endpoint that takes a LiveKit access token refuses every kind of bad one with a
//! 401 or 403 — never a success, never a 5xx — and accepts the good one, on the real binary.

use futures_util::StreamExt;
use hikari_auth::{AccessToken, VideoGrant};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tokio_tungstenite::tungstenite::Error as WsError;

mod common;

use common::{api as http, start_with};

const KEY: &str = "devkey";
const SECRET: &str = "secret";

fn now() -> i64 {
    hikari_common::clock::unix_secs()
}

fn grant(room: &str) -> VideoGrant {
    VideoGrant { room_join: true, room_list: true, room_admin: true, room_create: true, room: room.into(), ..Default::default() }
}

fn signed(key: &str, secret: &str, issued: i64, ttl: i64, video: VideoGrant) -> String {
    AccessToken::new(key, issued, ttl).identity("alice").video(video).sign(secret).expect("sign")
}

/// The claims of a good token, signed another way.
fn with_header(alg: Option<Algorithm>) -> String {
    let claims = serde_json::json!({ "iss": KEY, "sub": "alice", "nbf": now(), "exp": now() + 600, "video": { "roomJoin": true, "roomList": true, "roomAdmin": true, "room": "mine" } });
    match alg {
        Some(alg) => jsonwebtoken::encode(&Header::new(alg), &claims, &EncodingKey::from_secret(SECRET.as_bytes())).expect("encode"),
        None => {
            use base64::Engine;
            let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.", b64(&serde_json::json!({ "alg": "none", "typ": "JWT" })), b64(&claims))
        }
    }
}

/// (name, token) for every kind of bad token.
fn bad_tokens() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("none", None),
        ("malformed", Some("not.a.jwt".into())),
        ("garbage", Some("%%%".into())),
        ("wrong secret", Some(signed(KEY, "another-secret", now(), 600, grant("mine")))),
        ("expired", Some(signed(KEY, SECRET, now() - 7200, 600, grant("mine")))),
        ("not yet valid", Some(signed(KEY, SECRET, now() + 3600, 600, grant("mine")))),
        ("unknown key", Some(signed("otherkey", SECRET, now(), 600, grant("mine")))),
        ("alg none", Some(with_header(None))),
        ("HS384", Some(with_header(Some(Algorithm::HS384)))),
        ("HS512", Some(with_header(Some(Algorithm::HS512)))),
    ]
}

fn refused(status: u16) -> bool {
    status == 401 || status == 403
}

/// The HTTP status of a WebSocket join (101 when it upgrades).
async fn join(port: u16, path: &str, token: Option<&str>) -> u16 {
    let url = match token {
        Some(t) => format!("ws://127.0.0.1:{port}{path}?access_token={t}&protocol=16&sdk=test"),
        None => format!("ws://127.0.0.1:{port}{path}?protocol=16&sdk=test"),
    };
    match tokio_tungstenite::connect_async(url).await {
        Ok((mut ws, response)) => {
            let status = response.status().as_u16();
            let _ = ws.close(None).await;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), ws.next()).await;
            status
        }
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("{path}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_token_endpoint_refuses_every_bad_token() {
    // Every bad token comes from one address: lift the failed-authentication limit, which
    // `auth_throttle.rs` tests on its own.
    let s = start_with("tokens", "limits:\n  auth_failures_per_minute: 100000\n").await;
    let port = s.port;
    let good = signed(KEY, SECRET, now(), 600, grant("mine"));
    // The good token works everywhere, so the refusals below are about the token.
    assert_eq!(http(port, "GET", "/rtc/validate?access_token=", Some(&good), "").await.0, 200, "validate");
    assert_eq!(http(port, "POST", "/twirp/livekit.RoomService/ListRooms", Some(&good), "{}").await.0, 200, "ListRooms");
    assert_eq!(join(port, "/rtc", Some(&good)).await, 101, "join");

    let mut failures = Vec::new();
    for (case, token) in bad_tokens() {
        let t = token.as_deref();
        let q = t.map(|t| format!("?access_token={t}")).unwrap_or_default();
        let checks = [
            ("GET /rtc/validate", http(port, "GET", &format!("/rtc/validate{q}"), None, "").await),
            ("GET /rtc/v1/validate", http(port, "GET", &format!("/rtc/v1/validate{q}"), None, "").await),
            ("Twirp ListRooms", http(port, "POST", "/twirp/livekit.RoomService/ListRooms", t, "{}").await),
            ("Twirp CreateRoom", http(port, "POST", "/twirp/livekit.RoomService/CreateRoom", t, r#"{"name":"mine"}"#).await),
            ("funnel API", http(port, "GET", "/api/v1/funnels", t, "").await),
        ];
        for (what, (status, body)) in checks {
            if !refused(status) {
                failures.push(format!("{case}: {what} answered {status} {body}"));
            }
        }
        for path in ["/rtc", "/rtc/v1"] {
            let status = join(port, path, t).await;
            if !refused(status) {
                failures.push(format!("{case}: join {path} answered {status}"));
            }
        }
    }
    // A valid token without the grant an endpoint needs, or for another room.
    let no_grants = signed(KEY, SECRET, now(), 600, VideoGrant { room: "mine".into(), ..Default::default() });
    let other_room = signed(KEY, SECRET, now(), 600, VideoGrant { room_admin: true, room: "other".into(), ..Default::default() });
    let grant_checks = [
        ("no roomList: ListRooms", http(port, "POST", "/twirp/livekit.RoomService/ListRooms", Some(&no_grants), "{}").await.0),
        ("no roomCreate: CreateRoom", http(port, "POST", "/twirp/livekit.RoomService/CreateRoom", Some(&no_grants), r#"{"name":"mine"}"#).await.0),
        ("no roomJoin: join", join(port, "/rtc", Some(&no_grants)).await),
        (
            "admin of another room: ListParticipants",
            http(port, "POST", "/twirp/livekit.RoomService/ListParticipants", Some(&other_room), r#"{"room":"mine"}"#).await.0,
        ),
        (
            "admin of another room: RemoveParticipant",
            http(port, "POST", "/twirp/livekit.RoomService/RemoveParticipant", Some(&other_room), r#"{"room":"mine","identity":"alice"}"#).await.0,
        ),
    ];
    for (what, status) in grant_checks {
        if !refused(status) {
            failures.push(format!("{what} answered {status}"));
        }
    }
    assert!(failures.is_empty(), "bad tokens not refused:\n{}", failures.join("\n"));
}
