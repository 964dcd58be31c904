//! Each registrant's session over HTTP, on SQLite and on PostgreSQL: the watch timeline, the
//! engagement score and the segments (no-show, attended, left before the offer, clicked but
//! did not buy, bought), in the API (`?segment=` filters) and on the admin report; and the
//! `value` of `webinar_left` that "watched ≥ N minutes" experiment goals add up.

mod common;

use common::{Backend, Server, http, webinar_with_registrants};
use hikari_funnel::{Event, Utm};
use hikari_webinar::Presence;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn segments_on_sqlite() {
    segments_of_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn segments_on_postgres() {
    segments_of_a_session(Backend::Postgres).await;
}

fn now() -> i64 {
    hikari_common::clock::unix_millis()
}

/// The registrants in `segment` (all for `None`), by contact email order of registration.
async fn in_segment(srv: &Server, sid: i64, segment: Option<&str>) -> Vec<Value> {
    let q = segment.map(|s| format!("?segment={s}")).unwrap_or_default();
    srv.ok("GET", &format!("/api/v1/sessions/{sid}/registrants{q}"), json!(null)).await.as_array().cloned().expect("list")
}

async fn segments_of_a_session(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (wid, sid, keys) = webinar_with_registrants(&srv, "segs", &["a@example.jp", "b@example.jp", "c@example.jp", "d@example.jp"]).await;
    let regs = srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await;
    // Newest first: d, c, b, a.
    let reg = |i: usize| regs[3 - i].clone();
    let rid = |i: usize| reg(i)["id"].as_i64().expect("id");
    let room = srv.ok("GET", &format!("/api/v1/sessions/{sid}"), json!(null)).await["room"].as_str().expect("room").to_owned();
    let presence = |i: usize, p: Presence, at: i64| {
        let (webinars, room, identity) = (srv.webinars.clone(), room.clone(), format!("attendee-{}", rid(i)));
        async move { webinars.presence(&room, &identity, p, at).await.expect("presence").expect("recorded") }
    };

    // Before the end nobody is a no-show yet.
    assert!(in_segment(&srv, sid, Some("no_show")).await.is_empty());
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "live"})).await;
    let t0 = now();
    // b watched a minute and left before the offer; a and d stay for it; c never comes.
    presence(1, Presence::Joined, t0 - 120_000).await;
    presence(1, Presence::Left, t0 - 60_000).await;
    presence(0, Presence::Joined, t0).await;
    presence(3, Presence::Joined, t0).await;
    let offer = srv.ok("POST", &format!("/api/v1/sessions/{sid}/offers"), json!({"title": "本講座", "url": "/f/segs/thanks"})).await;
    let oid = offer["id"].as_i64().expect("id");
    srv.ok("POST", &format!("/api/v1/offers/{oid}/pin"), json!({"pinned": true})).await;
    for i in [0, 3] {
        assert_eq!(http(srv.addr, "POST", &format!("/join/{}/offers/{oid}/shown", keys[i]), &[], "").await.status, 204);
        assert_eq!(http(srv.addr, "GET", &format!("/join/{}/offers/{oid}", keys[i]), &[], "").await.status, 303);
    }
    assert_eq!(
        http(srv.addr, "POST", &format!("/join/{}/messages", keys[0]), &[("Content-Type", "application/json".into())], r#"{"text":"買います"}"#).await.status,
        201
    );
    // d's contact buys (a checkout records the purchase); a does not.
    let d_contact = reg(3)["contact"].as_i64().expect("contact");
    srv.append_events(&[Event {
        id: format!("{:032x}", 0xb0u64 + d_contact as u64).parse().expect("id"),
        ts: now(),
        visitor: format!("{:032x}", 7u64).parse().expect("visitor"),
        contact: Some(hikari_funnel::ContactId(d_contact)),
        session: "s".into(),
        funnel: None,
        step: None,
        variant: None,
        name: "purchase".parse().expect("name"),
        props: json!({"value": 29_800, "currency": "JPY"}),
        utm_first: Utm::default(),
        utm_last: Utm::default(),
        bot: false,
    }])
    .await;
    let left = presence(0, Presence::Left, t0 + 30 * 60_000).await;
    assert_eq!(left.attendance.watched_ms, 30 * 60_000);
    presence(3, Presence::Left, t0 + 10 * 60_000).await;
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "ended"})).await;

    let all = in_segment(&srv, sid, None).await;
    assert_eq!(all.len(), 4, "{all:#?}");
    let of = |i: usize| all.iter().find(|r| r["registrant"].as_i64() == Some(rid(i))).cloned().expect("listed");
    let segs = |i: usize| of(i)["segments"].as_array().cloned().expect("segments");
    assert_eq!(segs(0), [json!("attended"), json!("clicked_not_bought")]);
    assert_eq!(segs(1), [json!("attended"), json!("left_before_offer")]);
    assert_eq!(segs(2), [json!("no_show")]);
    assert_eq!(segs(3), [json!("attended"), json!("bought")]);
    // The timeline and what a did.
    assert_eq!(of(0)["timeline"], json!([{"from": t0, "to": t0 + 30 * 60_000}]));
    assert_eq!(of(0)["watched_seconds"], 1800);
    assert_eq!((of(0)["conduct"]["messages"].as_i64(), of(0)["conduct"]["offer_clicked"].as_bool()), (Some(1), Some(true)));
    // Scores: a watched longest, spoke and clicked; c, who never came, scores 0.
    let score = |i: usize| of(i)["engagement"].as_i64().expect("score");
    assert!(score(0) > score(3) && score(3) > score(1) && score(1) > score(2), "{all:#?}");
    assert_eq!(score(2), 0);
    assert_eq!(all[0]["registrant"].as_i64(), Some(rid(0)), "most engaged first");
    for (segment, who) in [("no_show", 2), ("left_before_offer", 1), ("clicked_not_bought", 0), ("bought", 3)] {
        let listed = in_segment(&srv, sid, Some(segment)).await;
        assert_eq!(listed.iter().map(|r| r["registrant"].as_i64()).collect::<Vec<_>>(), [Some(rid(who))], "{segment}");
    }
    assert_eq!(in_segment(&srv, sid, Some("attended")).await.len(), 3);
    let (status, body) = srv.call("GET", &format!("/api/v1/sessions/{sid}/registrants?segment=vip"), None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(srv.call("GET", "/api/v1/sessions/999999/registrants", None).await.0, 404);
    let anonymous = http(srv.addr, "GET", &format!("/api/v1/sessions/{sid}/registrants"), &[], "").await;
    assert_eq!(anonymous.status, 401);

    // `webinar_left` carries the stay's minutes as its value (what experiment goals add up).
    let lefts = srv.ok("GET", "/api/v1/events?name=webinar_left&limit=10", json!(null)).await;
    let mut minutes: Vec<f64> = lefts.as_array().expect("events").iter().filter_map(|e| e["props"]["value"].as_f64()).collect();
    minutes.sort_by(f64::total_cmp);
    assert_eq!(minutes, [1.0, 10.0, 30.0]);

    // The admin report lists them with their timelines, filtered by segment.
    let admin = srv.admin().await;
    let page = admin.get(&format!("/admin/sessions/{sid}/report")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for part in ["id=\"registrants\"", "class=\"timeline\"", "left_before_offer", "clicked_not_bought"] {
        assert!(page.body.contains(part), "{part}: {}", page.body);
    }
    let no_shows = admin.get(&format!("/admin/sessions/{sid}/report?segment=no_show")).await;
    assert_eq!(no_shows.body.matches("data-registrant=").count(), 1, "{}", no_shows.body);
    srv.finish().await;
}
