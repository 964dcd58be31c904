//! A webinar session run over HTTP, on SQLite and on PostgreSQL: the room page's waiting
//! screen, passes refused until the session is live, the host console and the state changes
//! (form and API, forwards only), the notices the pages follow, attendance as the room tells
//! it (with its events), and the end.

mod common;

use common::{Backend, Server, Visitor, sse_until};
use hikari_webinar::Presence;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_session_on_sqlite() {
    run_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_session_on_postgres() {
    run_a_session(Backend::Postgres).await;
}

async fn run_a_session(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (fid, _) = srv.funnel("room", &[("register", "webinar_register", "Register"), ("thanks", "thankyou", "Thanks")]).await;
    let new = json!({"funnel": fid, "title": "ライブ販売会", "schedule": {"kind": "just_in_time", "every_minutes": 15, "lead_minutes": 0}});
    let w = srv.ok("POST", "/api/v1/webinars", new).await;
    let wid = w["id"].as_i64().expect("id");
    let mut v = Visitor::with_id(11);
    v.go(srv.addr, "GET", "/f/room/register", "").await;
    let r = v.go(srv.addr, "POST", "/f/room/register", "_form=form&email=taro%40example.jp").await;
    let key = r.location.expect("location").rsplit_once("?r=").expect("key").1.to_owned();
    let reg = &srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await[0];
    let (rid, sid) = (reg["id"].as_i64().expect("id"), reg["session"].as_i64().expect("session"));
    assert_eq!(reg["attendance"], json!({"first_joined_at": null, "in_room_since": null, "watched_ms": 0}));

    // Before the start: the waiting screen, and no pass into the room.
    let page = v.go(srv.addr, "GET", &format!("/join/{key}"), "").await;
    assert_eq!((page.status, page.header("cache-control")), (200, Some("no-store")));
    for part in ["data-state=\"scheduled\"", "id=\"waiting\"", "/f/room.js", "/f/vendor/livekit-client-", "calendar.ics"] {
        assert!(page.body.contains(part), "{part}: {}", page.body);
    }
    let pass = v.go(srv.addr, "POST", &format!("/join/{key}/pass"), "").await;
    assert_eq!(pass.status, 409, "{}", pass.body);
    assert!(pass.body.contains("not live"), "{}", pass.body);
    assert_eq!(v.go(srv.addr, "POST", &format!("/join/{}/pass", "0".repeat(32)), "").await.status, 404);
    assert_eq!(v.go(srv.addr, "GET", &format!("/join/{}/events", "0".repeat(32)), "").await.status, 404);
    let script = v.go(srv.addr, "GET", "/f/room.js", "").await;
    assert!(script.status == 200 && script.body.contains("LivekitClient"));

    // The attendee's page follows the session while the host moves it along.
    let addr = srv.addr;
    let events_path = format!("/join/{key}/events");
    let watching = tokio::spawn(async move {
        let wanted = ["\"state\":\"scheduled\"", "\"state\":\"backstage\"", "\"state\":\"live\""];
        sse_until(addr, &events_path, &[], &wanted, Duration::from_secs(20)).await
    });
    let admin = srv.admin().await;
    assert!(admin.get("/admin/webinars").await.body.contains("ライブ販売会"));
    let detail = admin.get(&format!("/admin/webinars/{wid}")).await;
    assert!(detail.body.contains(&format!("/admin/sessions/{sid}/console")), "{}", detail.body);
    let console = admin.get(&format!("/admin/sessions/{sid}/console")).await;
    assert_eq!(console.status, 200, "{}", console.body);
    assert!(console.body.contains(&format!("data-token=\"webinar-{wid}-")) && console.body.contains("|host-1|Host\""), "{}", console.body);
    assert!(console.body.contains("/admin/assets/console.js"));
    assert_eq!(v.go(srv.addr, "GET", &format!("/admin/sessions/{sid}/console"), "").await.status, 303, "only for admins");
    assert_eq!(admin.post(&format!("/admin/sessions/{sid}/state"), "state=live").await.status, 403, "no CSRF token");
    let backstage = admin.post(&format!("/admin/sessions/{sid}/state"), &format!("csrf={}&state=backstage", admin.csrf)).await;
    assert_eq!(backstage.status, 303, "{}", backstage.body);
    assert_eq!(v.go(srv.addr, "POST", &format!("/join/{key}/pass"), "").await.status, 409, "attendees wait while hosts rehearse");
    assert_eq!(srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "live"})).await["state"], "live");
    let seen = tokio::time::timeout(Duration::from_secs(25), watching).await.expect("in time").expect("reader");
    assert!(seen.contains("\"state\":\"live\""), "the page heard every change: {seen}");
    let (s, e) = srv.call("POST", &format!("/api/v1/sessions/{sid}/state"), Some(json!({"state": "backstage"}))).await;
    assert!(s == 422 && e["message"].as_str().is_some_and(|m| m.contains("cannot become backstage")), "{s} {e}");
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/state"), Some(json!({"state": "paused"}))).await.0, 400);

    // Live: the attendee's pass names its room and identity, and grants an attendee's rights.
    let pass = v.go(srv.addr, "POST", &format!("/join/{key}/pass"), "").await;
    assert_eq!((pass.status, pass.header("cache-control")), (200, Some("no-store")), "{}", pass.body);
    let pass: Value = serde_json::from_str(&pass.body).expect("json");
    let room = pass["room"].as_str().expect("room").to_owned();
    assert_eq!(pass["identity"], format!("attendee-{rid}"));
    assert_eq!(pass["token"], format!("{room}|attendee-{rid}|Attendee"));

    // Attendance, as the room tells it: one stay of 90 s; repeats, hosts and strangers ignored.
    let identity = format!("attendee-{rid}");
    let t0 = 1_900_000_000_000;
    assert!(srv.webinars.presence(&room, &identity, Presence::Joined, t0).await.expect("join").is_some());
    assert_eq!(srv.ok("GET", &format!("/api/v1/sessions/{sid}"), json!(null)).await["attendees"], 1);
    assert!(srv.webinars.presence(&room, &identity, Presence::Joined, t0 + 5_000).await.expect("again").is_none());
    for (r, who) in [(room.as_str(), "host-1"), ("webinar-0-1", identity.as_str()), (room.as_str(), "attendee-999999"), (room.as_str(), "attendee-01")] {
        assert!(srv.webinars.presence(r, who, Presence::Joined, t0).await.expect("ignored").is_none(), "{r} {who}");
    }
    let left = srv.webinars.presence(&room, &identity, Presence::Left, t0 + 90_000).await.expect("leave").expect("recorded");
    assert_eq!(left.attendance.watched_ms, 90_000);
    let s = srv.ok("GET", &format!("/api/v1/sessions/{sid}"), json!(null)).await;
    assert_eq!((s["state"].as_str(), s["attendees"].as_i64(), s["live_at"].is_i64()), (Some("live"), Some(0), true));
    let reg = &srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await[0];
    assert_eq!(reg["attendance"], json!({"first_joined_at": t0, "in_room_since": null, "watched_ms": 90_000}));
    let contact = reg["contact"].as_i64().expect("contact");
    let events = srv.ok("GET", &format!("/api/v1/events?contact={contact}&limit=10"), json!(null)).await;
    let names: Vec<_> = events.as_array().expect("events").iter().map(|e| e["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["webinar_left", "webinar_joined", "webinar_registered", "sign_up"]);
    assert_eq!((events[0]["props"]["seconds"].as_i64(), events[0]["funnel"].as_i64()), (Some(90), Some(fid)));
    assert!(admin.get(&format!("/admin/webinars/{wid}")).await.body.contains("data-watched-ms=\"90000\""));
    let report = srv.ok("GET", &format!("/api/v1/sessions/{sid}/report"), json!(null)).await;
    assert_eq!((report["registrations"].as_i64(), report["attended"].as_i64(), report["show_up_rate"].as_f64()), (Some(1), Some(1), Some(1.0)), "{report}");
    assert_eq!((report["watch_seconds_mean"].as_f64(), report["watch_seconds_median"].as_f64()), (Some(90.0), Some(90.0)));
    let page = admin.get(&format!("/admin/sessions/{sid}/report")).await;
    assert!(page.status == 200 && page.body.contains("id=\"registrations\"") && page.body.contains("show-up"), "{}", page.body);

    // The end: no more passes; the page says so; the console has nothing to join.
    assert_eq!(srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "ended"})).await["state"], "ended");
    assert_eq!(v.go(srv.addr, "POST", &format!("/join/{key}/pass"), "").await.status, 409);
    let page = v.go(srv.addr, "GET", &format!("/join/{key}"), "").await;
    assert!(page.body.contains("data-state=\"ended\"") && page.body.contains("<section id=\"ended\">"), "the closing message shows: {}", page.body);
    // After the end, the curve runs from going live to the end (the stay was far in the
    // future here, so every minute is empty), within the 24-hour bound.
    let report = srv.ok("GET", &format!("/api/v1/sessions/{sid}/report"), json!(null)).await;
    let curve = report["attendees_by_minute"].as_array().expect("curve");
    assert!(!curve.is_empty() && curve.len() <= 24 * 60, "{report}");
    let console = admin.get(&format!("/admin/sessions/{sid}/console")).await;
    assert!(console.body.contains("This session has ended") && !console.body.contains("data-token"), "{}", console.body);
    srv.finish().await;
}
