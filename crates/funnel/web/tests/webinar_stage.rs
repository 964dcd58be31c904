//! The stage over HTTP, on SQLite and on PostgreSQL: attendees raise hands while the session
//! is live, hosts bring one on stage (its page hears it, its next pass presents) and send it
//! back, mute one in the chat (its lines refused, its page told) and let it speak again, or
//! remove one (no pass, chat, reactions or hand afterwards); attendees cannot do hosts'
//! part, and a registrant of another session is not found.

mod common;

use common::{Backend, EventStream, Server, http, webinar_with_registrants};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn stage_on_sqlite() {
    the_stage(Backend::Sqlite).await;
}

#[tokio::test]
async fn stage_on_postgres() {
    the_stage(Backend::Postgres).await;
}

async fn hand(srv: &Server, key: &str, raised: bool) -> u16 {
    let h = [("Content-Type", "application/json".to_owned())];
    http(srv.addr, "POST", &format!("/join/{key}/hand"), &h, &json!({ "raised": raised }).to_string()).await.status
}

async fn pass(srv: &Server, key: &str) -> (u16, Value) {
    let r = http(srv.addr, "POST", &format!("/join/{key}/pass"), &[], "").await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

async fn the_stage(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (wid, sid, keys) = webinar_with_registrants(&srv, "stage", &["a@example.jp", "b@example.jp"]).await;
    let (_, _, other_keys) = webinar_with_registrants(&srv, "elsewhere", &["c@example.jp"]).await;
    let (a, b) = (&keys[0], &keys[1]);
    let regs = srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await;
    let id_of = |email_index: usize| regs[1 - email_index]["id"].as_i64().expect("id");
    let (ra, rb) = (id_of(0), id_of(1));
    assert_eq!(hand(&srv, a, true).await, 409, "hands go up while the session is live");
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "live"})).await;

    // A hand, raised twice, is one hand and one event; hosts see it.
    assert_eq!(hand(&srv, a, true).await, 204);
    assert_eq!(hand(&srv, a, true).await, 204);
    let stage = srv.ok("GET", &format!("/api/v1/sessions/{sid}/stage"), json!(null)).await;
    assert_eq!(stage["hands"].as_array().map(Vec::len), Some(1), "{stage}");
    assert_eq!(stage["hands"][0][0].as_i64(), Some(ra));
    assert!(stage["hands"][0][1].as_str().is_some_and(|n| n.starts_with("Guest ")), "{stage}");
    let raised = srv.ok("GET", "/api/v1/events?name=hand_raised&limit=10", json!(null)).await;
    assert_eq!(raised.as_array().map(Vec::len), Some(1));
    let h = [("Content-Type", "application/json".to_owned())];
    let body = json!({"registrant": ra, "on": true}).to_string();
    assert_eq!(http(srv.addr, "POST", &format!("/api/v1/sessions/{sid}/stage"), &h, &body).await.status, 401, "attendees cannot");

    // On stage: a's page hears it (b's does not), its hand is down, its next pass presents.
    let mut a_page = EventStream::open(srv.addr, &format!("/join/{a}/events")).await;
    let mut b_page = EventStream::open(srv.addr, &format!("/join/{b}/events")).await;
    let stage = srv.ok("POST", &format!("/api/v1/sessions/{sid}/stage"), json!({"registrant": ra, "on": true})).await;
    assert_eq!((stage["on_stage"].clone(), stage["hands"].clone()), (json!([ra]), json!([])));
    assert!(a_page.until("{\"on\":true,\"type\":\"stage\"}", Duration::from_secs(10)).await, "{}", a_page.text);
    let clap = http(srv.addr, "POST", &format!("/join/{a}/reactions"), &h, r#"{"reaction":"clap"}"#).await;
    assert_eq!(clap.status, 204);
    assert!(b_page.until("\"reaction\":\"clap\"", Duration::from_secs(10)).await, "{}", b_page.text);
    assert!(!b_page.text.contains("\"stage\"") && !b_page.text.contains("registrant"), "no one else's stage or id: {}", b_page.text);
    let (status, p) = pass(&srv, a).await;
    assert_eq!(status, 200);
    assert!(p["token"].as_str().is_some_and(|t| t.ends_with(&format!("|attendee-{ra}|Presenter"))), "{p}");
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/stage"), json!({"registrant": ra, "on": false})).await;
    assert!(a_page.until("{\"on\":false,\"type\":\"stage\"}", Duration::from_secs(10)).await, "{}", a_page.text);
    assert!(pass(&srv, a).await.1["token"].as_str().is_some_and(|t| t.ends_with("|Attendee")));

    // Another session's registrant is not found here.
    let foreign = srv.ok("GET", "/api/v1/webinars", json!(null)).await;
    let other_wid = foreign.as_array().and_then(|l| l.iter().find(|w| w["id"].as_i64() != Some(wid))).and_then(|w| w["id"].as_i64()).expect("other");
    let other = srv.ok("GET", &format!("/api/v1/webinars/{other_wid}/registrants"), json!(null)).await[0]["id"].as_i64().expect("id");
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/stage"), Some(json!({"registrant": other, "on": true}))).await.0, 404);
    assert_eq!(hand(&srv, &other_keys[0], true).await, 409, "its own session is not live");

    // Muted in the chat: a's lines and questions are refused (403), it still reacts and keeps
    // its pass; its page hears it (b's does not), and a page it opens afterwards hears it
    // first; let speak again, it writes.
    let say = |key: &str, kind: &str| {
        let (addr, path, body) = (srv.addr, format!("/join/{key}/messages"), json!({"text": "hello", "kind": kind}).to_string());
        async move { http(addr, "POST", &path, &[("Content-Type", "application/json".to_owned())], &body).await }
    };
    let stage = srv.ok("POST", &format!("/api/v1/sessions/{sid}/mutes"), json!({"registrant": ra, "muted": true})).await;
    assert_eq!(stage["muted"], json!([ra]), "{stage}");
    assert!(a_page.until("{\"muted\":true,\"type\":\"muted\"}", Duration::from_secs(10)).await, "{}", a_page.text);
    for kind in ["chat", "question"] {
        let r = say(a, kind).await;
        assert_eq!(r.status, 403, "{kind}: {}", r.body);
        assert!(r.body.contains("muted"), "{}", r.body);
    }
    assert_eq!(http(srv.addr, "POST", &format!("/join/{a}/reactions"), &h, r#"{"reaction":"heart"}"#).await.status, 204);
    assert_eq!(pass(&srv, a).await.0, 200, "muted, not removed");
    assert_eq!(say(b, "chat").await.status, 201, "the others write");
    let mut reopened = EventStream::open(srv.addr, &format!("/join/{a}/events")).await;
    assert!(reopened.until("\"type\":\"muted\"", Duration::from_secs(10)).await, "{}", reopened.text);
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/mutes"), json!({"registrant": ra, "muted": false})).await;
    assert!(a_page.until("{\"muted\":false,\"type\":\"muted\"}", Duration::from_secs(10)).await, "{}", a_page.text);
    assert_eq!(say(a, "chat").await.status, 201);
    assert!(!b_page.text.contains("\"muted\""), "no one else's mute: {}", b_page.text);
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/mutes"), Some(json!({"registrant": other, "muted": true}))).await.0, 404);
    let body = json!({"registrant": ra, "muted": true}).to_string();
    assert_eq!(http(srv.addr, "POST", &format!("/api/v1/sessions/{sid}/mutes"), &h, &body).await.status, 401, "attendees cannot");

    // Removed: no pass, no chat, no hand, no stage; the list says so.
    let stage = srv.ok("POST", &format!("/api/v1/sessions/{sid}/removals"), json!({"registrant": rb})).await;
    assert_eq!(stage["removed"], json!([rb]));
    assert_eq!(pass(&srv, b).await.0, 403);
    let chat = http(srv.addr, "POST", &format!("/join/{b}/messages"), &h, r#"{"text":"hello"}"#).await;
    assert_eq!(chat.status, 403, "{}", chat.body);
    assert_eq!(hand(&srv, b, true).await, 403);
    let react = http(srv.addr, "POST", &format!("/join/{b}/reactions"), &h, r#"{"reaction":"clap"}"#).await;
    assert_eq!(react.status, 403, "no reactions either: {}", react.body);
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/stage"), Some(json!({"registrant": rb, "on": true}))).await.0, 409);
    assert_eq!(pass(&srv, a).await.0, 200, "the others stay");
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/stage"), Some(json!({"registrant": ra}))).await.0, 400, "on is required");
    srv.finish().await;
}
