//! Chat and questions in a webinar session over HTTP, on SQLite and on PostgreSQL: open only
//! while live, checked, rate-limited per registrant, questions seen by hosts and their asker
//! until highlighted, moderation reaching other pages as `removed`, host lines, and the
//! events each registrant's message records.

mod common;

use common::{Backend, EventStream, Server, http, webinar_with_registrants};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn chat_on_sqlite() {
    chat_in_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn chat_on_postgres() {
    chat_in_a_session(Backend::Postgres).await;
}

async fn post(srv: &Server, key: &str, body: &str) -> (u16, Value) {
    let r = http(srv.addr, "POST", &format!("/join/{key}/messages"), &[("Content-Type", "application/json".into())], body).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

async fn seen(srv: &Server, key: &str) -> Vec<String> {
    let r = http(srv.addr, "GET", &format!("/join/{key}/messages"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list: Vec<Value> = serde_json::from_str(&r.body).expect("json");
    list.iter().map(|m| m["text"].as_str().unwrap_or("").to_owned()).collect()
}

async fn chat_in_a_session(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (_, sid, keys) = webinar_with_registrants(&srv, "chat", &["a@example.jp", "b@example.jp"]).await;
    let (a, b) = (&keys[0], &keys[1]);
    let hello = json!({"text": "こんにちは"}).to_string();
    let (s, e) = post(&srv, a, &hello).await;
    assert!(s == 409 && e["message"].as_str().is_some_and(|m| m.contains("while it is live")), "closed before live: {s} {e}");
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "live"})).await;

    // B's page follows the session from here.
    let mut b_page = EventStream::open(srv.addr, &format!("/join/{b}/events")).await;

    let (s, m) = post(&srv, a, &hello).await;
    assert_eq!((s, m["text"].as_str(), m["mine"].as_bool(), m["kind"].as_str()), (201, Some("こんにちは"), Some(true), Some("chat")), "{m}");
    assert!(m.get("author").is_none(), "attendees never see registrant ids");
    assert!(m["name"].as_str().is_some_and(|n| n.starts_with("Guest ") && n.len() == 10), "{m}");
    let hello_id = m["id"].as_i64().expect("id");
    assert!(b_page.until("\"text\":\"こんにちは\"", Duration::from_secs(10)).await, "B's page heard A's line: {}", b_page.text);
    assert!(b_page.text.contains("\"mine\":false"));
    let (s, q) = post(&srv, a, &json!({"text": "  価格はいくらですか？ ", "kind": "question"}).to_string()).await;
    assert_eq!((s, q["text"].as_str()), (201, Some("価格はいくらですか？")));
    let question = q["id"].as_i64().expect("id");
    assert_eq!(seen(&srv, a).await, ["こんにちは", "価格はいくらですか？"], "the asker sees its question");
    assert_eq!(seen(&srv, b).await, ["こんにちは"], "others do not");

    // Bad input is refused clearly: empty, too long, unknown kind or field, oversized body, bad key.
    for (body, status) in [
        (json!({"text": "   "}).to_string(), 422),
        (json!({"text": "あ".repeat(501)}).to_string(), 422),
        (json!({"text": "x", "kind": "shout"}).to_string(), 400),
        (json!({"text": "x", "author": "host"}).to_string(), 400),
        ("not json".to_owned(), 400),
        (json!({"text": "x".repeat(9000)}).to_string(), 413),
    ] {
        let (s, e) = post(&srv, b, &body).await;
        assert_eq!(s, status, "{} → {e}", &body[..body.len().min(40)]);
    }
    assert_eq!(post(&srv, &"0".repeat(32), &hello).await.0, 404);

    // Flooding: five lines in ten seconds per registrant (B's two refused lines above count;
    // malformed requests are refused before), then 429; A is not affected.
    let mut statuses = Vec::new();
    for i in 1..=4 {
        statuses.push(post(&srv, b, &json!({"text": i.to_string()}).to_string()).await.0);
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    assert_eq!(post(&srv, a, &json!({"text": "まだ話せます"}).to_string()).await.0, 201);

    // The host: sees everything, speaks (with its CSRF token), hides and highlights.
    let admin = srv.admin().await;
    let say = |csrf: String| {
        let h = [("Cookie", format!("hikari_admin={}", admin.cookie)), ("Content-Type", "application/json".into()), ("X-CSRF-Token", csrf)];
        async move { http(srv.addr, "POST", &format!("/admin/sessions/{sid}/messages"), &h, &json!({"text": "ようこそ"}).to_string()).await }
    };
    assert_eq!(say("wrong".into()).await.status, 403);
    let host_line = say(admin.csrf.clone()).await;
    assert_eq!(host_line.status, 201, "{}", host_line.body);
    let all = srv.ok("GET", &format!("/api/v1/sessions/{sid}/messages"), json!(null)).await;
    assert_eq!(all.as_array().map(Vec::len), Some(7), "{all}");
    let removed = format!("{{\"id\":{hello_id},\"type\":\"removed\"}}");
    let hidden = srv.ok("PATCH", &format!("/api/v1/messages/{hello_id}"), json!({"hidden": true})).await;
    assert_eq!(hidden["hidden"], true);
    srv.ok("PATCH", &format!("/api/v1/messages/{question}"), json!({"highlighted": true, "answered": true})).await;
    assert_eq!(seen(&srv, b).await, ["価格はいくらですか？", "1", "2", "3", "まだ話せます", "ようこそ"], "hidden gone, the highlighted question shown");
    assert!(b_page.until(&removed, Duration::from_secs(10)).await, "B's page was told to remove the hidden line: {}", b_page.text);
    assert_eq!(srv.call("PATCH", &format!("/api/v1/messages/{hello_id}"), Some(json!({"pinned": true}))).await.0, 400);
    let anonymous =
        http(srv.addr, "PATCH", &format!("/api/v1/messages/{hello_id}"), &[("Content-Type", "application/json".into())], "{\"hidden\":false}").await;
    assert_eq!(anonymous.status, 401, "attendees cannot moderate");

    // Each registrant's line is an event of its contact.
    let events = srv.ok("GET", "/api/v1/events?name=chat_message&limit=50", json!(null)).await;
    assert_eq!(events.as_array().map(Vec::len), Some(5), "A's two lines and B's three: {events}");
    let asked = srv.ok("GET", "/api/v1/events?name=question_asked&limit=50", json!(null)).await;
    assert_eq!((asked.as_array().map(Vec::len), asked[0]["props"]["chars"].as_i64()), (Some(1), Some(10)));

    // Reactions: a fixed few, floated on every page, one event each, ten in ten seconds.
    let (react_path, json_type) = (format!("/join/{a}/reactions"), [("Content-Type", "application/json".to_owned())]);
    let react = |body: &'static str| http(srv.addr, "POST", &react_path, &json_type, body);
    assert_eq!(react(r#"{"reaction":"clap"}"#).await.status, 204);
    assert!(b_page.until("\"reaction\":\"clap\"", Duration::from_secs(10)).await, "{}", b_page.text);
    assert_eq!(react(r#"{"reaction":"<script>"}"#).await.status, 400);
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(react(r#"{"reaction":"heart"}"#).await.status);
    }
    assert_eq!((statuses[..9].iter().all(|s| *s == 204), statuses[9]), (true, 429), "{statuses:?}");
    let reactions = srv.ok("GET", "/api/v1/events?name=reaction&limit=50", json!(null)).await;
    assert_eq!(reactions.as_array().map(Vec::len), Some(10));

    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "ended"})).await;
    assert_eq!(post(&srv, a, &json!({"text": "まだ？"}).to_string()).await.0, 409, "closed after the end");
    srv.finish().await;
}
