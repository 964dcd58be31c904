//! Offers in a webinar session over HTTP, on SQLite and on PostgreSQL: hosts write and pin
//! them (one pinned at a time); attendees see only the pinned one, without its address; the
//! page's impression is recorded once; the button records the click and carries the
//! registrant's key to this site's funnel step, never to another site; foreign offers and
//! attendees trying host actions are refused.

mod common;

use common::{Backend, EventStream, Server, http, webinar_with_registrants};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn offers_on_sqlite() {
    offers_in_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn offers_on_postgres() {
    offers_in_a_session(Backend::Postgres).await;
}

async fn pinned(srv: &Server, key: &str) -> Value {
    let r = http(srv.addr, "GET", &format!("/join/{key}/offer"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).expect("json")
}

async fn offers_in_a_session(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (_, sid, keys) = webinar_with_registrants(&srv, "offers", &["a@example.jp", "b@example.jp"]).await;
    let (_, _, other_keys) = webinar_with_registrants(&srv, "elsewhere", &["c@example.jp"]).await;
    let (a, b) = (&keys[0], &keys[1]);
    let new = json!({"title": "本講座", "price": "¥29,800（税込）", "url": "/f/offers/thanks", "stock": 5});
    let o = srv.ok("POST", &format!("/api/v1/sessions/{sid}/offers"), new.clone()).await;
    let oid = o["id"].as_i64().expect("id");
    let external = srv.ok("POST", &format!("/api/v1/sessions/{sid}/offers"), json!({"title": "外部決済", "url": "https://pay.example/x"})).await;
    for bad in [json!({"title": "x", "url": "//evil.example"}), json!({"title": "x", "url": "http://plain.example"}), json!({"title": "", "url": "/f/x"})] {
        assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/offers"), Some(bad.clone())).await.0, 422, "{bad}");
    }
    let anonymous = http(srv.addr, "POST", &format!("/api/v1/offers/{oid}/pin"), &[("Content-Type", "application/json".into())], r#"{"pinned":true}"#).await;
    assert_eq!(anonymous.status, 401, "attendees cannot pin");
    assert_eq!(pinned(&srv, a).await, Value::Null, "nothing pinned yet");

    // Pinned: every page hears it (without the address); a late page reads it.
    let mut b_page = EventStream::open(srv.addr, &format!("/join/{b}/events")).await;
    assert_eq!(srv.ok("POST", &format!("/api/v1/offers/{oid}/pin"), json!({"pinned": true})).await["pinned"], true);
    assert!(b_page.until("\"type\":\"offer\"", Duration::from_secs(10)).await, "{}", b_page.text);
    assert!(b_page.text.contains("本講座") && !b_page.text.contains("/f/offers/thanks"), "{}", b_page.text);
    let seen = pinned(&srv, a).await;
    assert_eq!((seen["id"].as_i64(), seen["stock"].as_i64(), seen.get("url")), (Some(oid), Some(5), None));

    // Shown once per registrant, however often the page says so; only a pinned offer.
    for _ in 0..3 {
        assert_eq!(http(srv.addr, "POST", &format!("/join/{a}/offers/{oid}/shown"), &[], "").await.status, 204);
    }
    assert_eq!(http(srv.addr, "POST", &format!("/join/{a}/offers/{}/shown", external["id"]), &[], "").await.status, 409);
    assert_eq!(http(srv.addr, "POST", &format!("/join/{}/offers/{oid}/shown", other_keys[0]), &[], "").await.status, 404, "another session's offer");

    // The button: recorded, then on to the funnel step with the key, or to another site without it.
    let click = http(srv.addr, "GET", &format!("/join/{a}/offers/{oid}"), &[], "").await;
    assert_eq!((click.status, click.location.as_deref()), (303, Some(format!("/f/offers/thanks?r={a}").as_str())));
    assert_eq!(click.header("referrer-policy"), Some("no-referrer"));
    let away = http(srv.addr, "GET", &format!("/join/{b}/offers/{}", external["id"]), &[], "").await;
    assert_eq!((away.status, away.location.as_deref()), (303, Some("https://pay.example/x")));
    assert_eq!(http(srv.addr, "GET", &format!("/join/{}/offers/{oid}", other_keys[0]), &[], "").await.status, 404);

    // Pinning another takes the first off every screen.
    srv.ok("POST", &format!("/api/v1/offers/{}/pin", external["id"]), json!({"pinned": true})).await;
    assert!(b_page.until(&format!("{{\"id\":{oid},\"type\":\"unpinned\"}}"), Duration::from_secs(10)).await, "{}", b_page.text);
    assert_eq!(pinned(&srv, a).await["id"], external["id"]);
    let listed = srv.ok("GET", &format!("/api/v1/sessions/{sid}/offers"), json!(null)).await;
    assert_eq!(listed.as_array().map(|l| l.iter().filter(|o| o["pinned"] == true).count()), Some(1));

    let shown = srv.ok("GET", "/api/v1/events?name=offer_shown&limit=50", json!(null)).await;
    let clicked = srv.ok("GET", "/api/v1/events?name=offer_clicked&limit=50", json!(null)).await;
    assert_eq!((shown.as_array().map(Vec::len), clicked.as_array().map(Vec::len)), (Some(1), Some(2)));
    // Both clicks, whatever their order (two in one millisecond tie on time).
    let mut offers: Vec<_> = clicked.as_array().expect("events").iter().filter_map(|e| e["props"]["offer"].as_i64()).collect();
    offers.sort_unstable();
    let mut both = vec![oid, external["id"].as_i64().expect("id")];
    both.sort_unstable();
    assert_eq!(offers, both);
    srv.finish().await;
}
