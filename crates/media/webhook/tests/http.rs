//! A real HTTP receiver on loopback gets a signed, well-formed webhook.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use hikari_auth::KeySet;
use hikari_types::{RoomInfo, RoomName};
use hikari_webhook::{Event, EventKind, HttpTransport, Notifier, WebhookSettings, body_sha256};

type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

#[tokio::test]
async fn posts_protojson_with_a_raw_signed_token() {
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| async move {
            record.lock().expect("lock").push((headers, body.to_vec()));
            "ok"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let settings = WebhookSettings::new("whkey".into(), "whsecret".into(), vec![format!("http://{addr}/hook")]);
    let n = Notifier::start(settings, HttpTransport::new(Duration::from_secs(5)));
    let room = RoomInfo { name: RoomName::new("lobby"), ..Default::default() };
    n.notify(Event { kind: EventKind::RoomStarted, room, participant: None, track: None, ingress: None, egress: None });
    for _ in 0..500 {
        if n.counters().delivered == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(n.counters().delivered, 1, "{:?}", n.counters());

    let (headers, body) = seen.lock().expect("lock").pop().expect("one request");
    assert_eq!(headers["content-type"], "application/webhook+json");
    let token = headers["authorization"].to_str().expect("ascii");
    assert!(!token.starts_with("Bearer "), "the token is raw");
    let keys = KeySet::new([("whkey".to_owned(), "whsecret".to_owned())]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs() as i64;
    let claims = keys.verify(token, now).expect("verifies");
    assert_eq!(claims.sha256, body_sha256(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["event"], "room_started");
    assert_eq!(v["room"]["name"], "lobby");
    assert!(v["id"].as_str().is_some_and(|id| id.starts_with("EV_")));
    assert!(v["createdAt"].as_str().is_some(), "int64 as a string");
}
