//! Polls in a webinar session over HTTP, on SQLite and on PostgreSQL: hosts draft, open and
//! close them through the API; attendees see open and closed ones (never drafts), vote once
//! while live, see results only once closed; bad votes, foreign polls and attendees trying
//! host actions are refused.

mod common;

use common::{Backend, EventStream, Server, http, webinar_with_registrants};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn polls_on_sqlite() {
    polls_in_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn polls_on_postgres() {
    polls_in_a_session(Backend::Postgres).await;
}

async fn vote(srv: &Server, key: &str, poll: i64, body: &str) -> (u16, Value) {
    let r = http(srv.addr, "POST", &format!("/join/{key}/polls/{poll}/vote"), &[("Content-Type", "application/json".into())], body).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

async fn seen(srv: &Server, key: &str) -> Value {
    let r = http(srv.addr, "GET", &format!("/join/{key}/polls"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).expect("json")
}

async fn polls_in_a_session(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (_, sid, keys) = webinar_with_registrants(&srv, "polls", &["a@example.jp", "b@example.jp"]).await;
    let (_, other_sid, other_keys) = webinar_with_registrants(&srv, "other", &["c@example.jp"]).await;
    let (a, b) = (&keys[0], &keys[1]);
    let new = json!({"question": "今日の目的は？", "options": ["集客", "売上", "学び"]});
    let poll = srv.ok("POST", &format!("/api/v1/sessions/{sid}/polls"), new.clone()).await;
    let pid = poll["id"].as_i64().expect("id");
    assert_eq!((poll["state"].as_str(), poll["votes"].clone()), (Some("draft"), json!([0, 0, 0])));
    let (s, e) = srv.call("POST", &format!("/api/v1/sessions/{sid}/polls"), Some(json!({"question": "q", "options": ["only"]}))).await;
    assert_eq!(s, 422, "{e}");
    let anonymous = http(srv.addr, "POST", &format!("/api/v1/sessions/{sid}/polls"), &[("Content-Type", "application/json".into())], &new.to_string()).await;
    assert_eq!(anonymous.status, 401, "attendees cannot create polls");
    assert_eq!(seen(&srv, a).await, json!([]), "drafts are the hosts' own");

    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "live"})).await;
    assert_eq!(vote(&srv, a, pid, r#"{"choice": 1}"#).await.0, 409, "a draft is not open");
    let mut b_page = EventStream::open(srv.addr, &format!("/join/{b}/events")).await;
    let open = srv.ok("POST", &format!("/api/v1/polls/{pid}/state"), json!({"state": "open"})).await;
    assert_eq!(open["state"], "open");
    assert!(b_page.until("\"type\":\"poll\"", Duration::from_secs(10)).await, "B's page heard the poll open: {}", b_page.text);
    assert!(b_page.text.contains("\"votes\":null"), "no results while open: {}", b_page.text);

    // Votes: once each, a valid option, on a poll of one's own session.
    let (s, v) = vote(&srv, a, pid, r#"{"choice": 1}"#).await;
    assert_eq!((s, v["mine"].as_i64(), v["votes"].is_null()), (201, Some(1), true), "{v}");
    let (s, e) = vote(&srv, a, pid, r#"{"choice": 2}"#).await;
    assert!(s == 409 && e["message"].as_str().is_some_and(|m| m.contains("already voted")), "{s} {e}");
    assert_eq!(vote(&srv, b, pid, r#"{"choice": 3}"#).await.0, 422, "no fourth option");
    assert_eq!(vote(&srv, b, pid, r#"{"choice": -1}"#).await.0, 400);
    assert_eq!(vote(&srv, b, pid, r#"{"option": 1}"#).await.0, 400);
    srv.ok("POST", &format!("/api/v1/sessions/{other_sid}/state"), json!({"state": "live"})).await;
    assert_eq!(vote(&srv, &other_keys[0], pid, r#"{"choice": 1}"#).await.0, 404, "another session's poll");
    assert_eq!(vote(&srv, b, pid + 1000, r#"{"choice": 1}"#).await.0, 404);
    assert_eq!(vote(&srv, b, pid, r#"{"choice": 0}"#).await.0, 201);
    assert_eq!(seen(&srv, a).await[0]["mine"], 1);
    let counted = srv.ok("GET", &format!("/api/v1/sessions/{sid}/polls"), json!(null)).await;
    assert_eq!(counted[0]["votes"], json!([1, 1, 0]), "hosts see the count while it is open");

    // One open poll at a time; closing shows the results to everyone.
    let second = srv.ok("POST", &format!("/api/v1/sessions/{sid}/polls"), json!({"question": "次回も参加？", "options": ["はい", "いいえ"]})).await;
    let (s, e) = srv.call("POST", &format!("/api/v1/polls/{}/state", second["id"]), Some(json!({"state": "open"}))).await;
    assert!(s == 409 && e["message"].as_str().is_some_and(|m| m.contains("close it first")), "{s} {e}");
    srv.ok("POST", &format!("/api/v1/polls/{pid}/state"), json!({"state": "closed"})).await;
    assert!(b_page.until("\"votes\":[1,1,0]", Duration::from_secs(10)).await, "B's page got the results: {}", b_page.text);
    assert_eq!(seen(&srv, b).await[0]["votes"], json!([1, 1, 0]));
    assert_eq!(vote(&srv, b, pid, r#"{"choice": 2}"#).await.0, 409, "closed");
    let (s, _) = srv.call("POST", &format!("/api/v1/polls/{pid}/state"), Some(json!({"state": "open"}))).await;
    assert_eq!(s, 422, "a closed poll stays closed");

    let events = srv.ok("GET", "/api/v1/events?name=poll_voted&limit=50", json!(null)).await;
    assert_eq!(events.as_array().map(Vec::len), Some(2));
    assert_eq!(events[0]["props"]["poll"].as_i64(), Some(pid));
    srv.finish().await;
}
