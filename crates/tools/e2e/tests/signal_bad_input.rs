//! Bad input at the signaling edge of the real binary: tokens, frames, join requests.
//! Each case gets a clear HTTP error or a closed connection, and another client on the
//! same server keeps working.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use hikari_auth::{AccessToken, VideoGrant};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

mod common;

use common::start;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

fn token(secret: &str, identity: &str, issued: i64, ttl: i64, join: bool) -> String {
    AccessToken::new("devkey", issued, ttl)
        .identity(identity)
        .video(VideoGrant { room_join: join, room: "bad-input".into(), ..Default::default() })
        .sign(secret)
        .expect("signing works")
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(port: u16, token: &str) -> Result<Ws, WsError> {
    let url = format!("ws://127.0.0.1:{port}/rtc?access_token={token}&protocol=16&sdk=test");
    tokio_tungstenite::connect_async(url).await.map(|(ws, _)| ws)
}

/// The HTTP status and body of a refused upgrade.
fn refusal(e: WsError) -> (u16, String) {
    match e {
        WsError::Http(r) => {
            let body = r.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            (r.status().as_u16(), body)
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// The next binary frame within a bounded time.
async fn next_frame(ws: &mut Ws) -> Option<Message> {
    tokio::time::timeout(Duration::from_secs(5), ws.next()).await.ok().flatten().and_then(Result::ok)
}

/// A `ping_req` (field 16) with timestamp 42, encoded by hand.
const PING_REQ: [u8; 5] = [0x82, 0x01, 0x02, 0x08, 0x2a];

/// Sends a ping and waits for the `pong_resp` (field 20), skipping other messages.
async fn pongs(ws: &mut Ws) -> bool {
    if ws.send(Message::Binary(PING_REQ.to_vec().into())).await.is_err() {
        return false;
    }
    for _ in 0..20 {
        match next_frame(ws).await {
            Some(Message::Binary(b)) if b.starts_with(&[0xa2, 0x01]) => return true,
            Some(Message::Binary(_)) => continue,
            _ => return false,
        }
    }
    false
}

async fn joined(port: u16, identity: &str) -> Ws {
    let mut ws = connect(port, &token("secret", identity, now(), 600, true)).await.expect("valid join");
    match next_frame(&mut ws).await {
        Some(Message::Binary(b)) => assert_eq!(b.first(), Some(&0x0a), "the first message is the join response"),
        other => panic!("expected a join response, got {other:?}"),
    }
    ws
}

/// A close frame (with its code) or the end of the stream, within a bounded time.
async fn closed_with(ws: &mut Ws) -> Option<u16> {
    for _ in 0..20 {
        match next_frame(ws).await {
            Some(Message::Close(frame)) => return Some(frame.map(|f| u16::from(f.code)).unwrap_or(1005)),
            Some(_) => continue,
            None => return Some(1006),
        }
    }
    None
}

#[tokio::test]
async fn tokens_are_checked_before_the_upgrade() {
    let s = start("bad-input").await;
    let cases = [
        (token("wrong", "a", now(), 600, true), "signature is invalid"),
        (token("secret", "a", now() - 7200, 600, true), "expired"),
        (token("secret", "a", now() + 7200, 600, true), "not valid yet"),
        (token("secret", "a", now(), 600, false), "permissions denied"),
        ("not-a-jwt".to_owned(), "invalid authorization token"),
        (String::new(), "missing authorization token"),
    ];
    for (t, message) in cases {
        let (status, body) = refusal(connect(s.port, &t).await.expect_err("refused"));
        assert_eq!(status, 401, "{message}");
        assert!(body.contains(message), "body {body:?} should say {message:?}");
    }
    let (status, body) = refusal(
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/rtc/v1?access_token={}&join_request=%%%", s.port, token("secret", "a", now(), 600, true)))
            .await
            .expect_err("refused"),
    );
    assert_eq!(status, 400);
    assert!(body.contains("join_request"), "{body}");
}

#[tokio::test]
async fn bad_frames_close_only_their_connection() {
    let s = start("bad-input").await;
    let mut bystander = joined(s.port, "bystander").await;

    // Unknown message type (field 99): ignored, the connection keeps working.
    let mut curious = joined(s.port, "curious").await;
    curious.send(Message::Binary(vec![0x9a, 0x06, 0x00].into())).await.expect("sent");
    assert!(pongs(&mut curious).await, "an unknown message type is ignored");

    // Malformed protobuf: the connection is closed with 1007.
    let mut broken = joined(s.port, "broken").await;
    broken.send(Message::Binary(vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f].into())).await.expect("sent");
    assert_eq!(closed_with(&mut broken).await, Some(1007));

    // A text frame: closed with 1003.
    let mut texter = joined(s.port, "texter").await;
    texter.send(Message::Text("{\"offer\":{}}".into())).await.expect("sent");
    assert_eq!(closed_with(&mut texter).await, Some(1003));

    // An oversized frame: closed (1009) before it is read whole.
    let mut flooder = joined(s.port, "flooder").await;
    let _ = flooder.send(Message::Binary(vec![0u8; 2 << 20].into())).await;
    assert!(closed_with(&mut flooder).await.is_some(), "oversized frame closes the connection");

    // A client that vanishes without a leave.
    let vanisher = joined(s.port, "vanisher").await;
    drop(vanisher);

    assert!(pongs(&mut bystander).await, "the bystander is unaffected");
    assert!(pongs(&mut curious).await);
    let health = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await;
    assert!(health.is_ok(), "the server is still up");
}
