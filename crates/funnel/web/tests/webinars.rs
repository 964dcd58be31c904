//! Webinars over HTTP, on SQLite and on PostgreSQL: created through the API, booked through a
//! `webinar_register` step's real form, the ticket on the thank-you step and on the personal
//! page, the calendar file, and keys that open nothing.

mod common;

use common::{Backend, Server, Visitor, between};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn webinars_on_sqlite() {
    register_and_read_the_ticket(Backend::Sqlite).await;
}

#[tokio::test]
async fn webinars_on_postgres() {
    register_and_read_the_ticket(Backend::Postgres).await;
}

async fn register_and_read_the_ticket(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (fid, _) = srv.funnel("live", &[("register", "webinar_register", "Register"), ("thanks", "thankyou", "Thanks")]).await;
    let (other, _) = srv.funnel("other", &[("page", "optin", "Other")]).await;

    // The API: one webinar per funnel, checked input, sessions on offer.
    let new = json!({"funnel": fid, "title": "売れるウェビナー", "duration_minutes": 45, "schedule": {"kind": "just_in_time", "every_minutes": 15, "lead_minutes": 0}});
    let (s, w) = srv.call("POST", "/api/v1/webinars", Some(new.clone())).await;
    assert_eq!(s, 201, "{w}");
    assert_eq!((w["time_zone"].as_str(), w["duration_minutes"].as_i64()), (Some("Asia/Tokyo"), Some(45)));
    assert_eq!(w["reminders"].as_array().map(Vec::len), Some(5), "the default reminders: {w}");
    let wid = w["id"].as_i64().expect("id");
    assert_eq!(srv.call("POST", "/api/v1/webinars", Some(new.clone())).await.0, 409, "one webinar per funnel");
    for bad in [
        json!({"funnel": other, "title": "x", "time_zone": "Mars/Base", "schedule": {"kind": "one_off"}}),
        json!({"funnel": other, "title": "x", "schedule": {"kind": "just_in_time", "every_minutes": 7, "lead_minutes": 0}}),
        json!({"funnel": other, "title": "x", "schedule": {"kind": "weekly", "slots": [{"weekday": "friday", "time": "25:00"}]}}),
        json!({"funnel": other, "title": "", "schedule": {"kind": "one_off"}}),
        json!({"funnel": other, "title": "x", "schedule": {"kind": "one_off"}, "reminders": [{"at": "before", "minutes": 0}]}),
        json!({"funnel": other, "title": "x", "schedule": {"kind": "one_off"}, "reminders": [{"at": "live"}, {"at": "live"}]}),
        json!({"funnel": other, "title": "x", "schedule": {"kind": "one_off"}, "reminders": [{"at": "tomorrow"}]}),
    ] {
        // 400 when it does not parse (an unknown zone, a bad time), 422 when a rule refuses it.
        let (s, e) = srv.call("POST", "/api/v1/webinars", Some(bad.clone())).await;
        assert!((s == 400 || s == 422) && e["message"].as_str().is_some_and(|m| !m.is_empty()), "{bad} → {s} {e}");
    }
    // Reminders replaced with the rest, kept in time order.
    let mut changed = new.clone();
    changed["reminders"] = json!([{"at": "replay", "minutes": 0}, {"at": "before", "minutes": 30}]);
    let w = srv.ok("PUT", &format!("/api/v1/webinars/{wid}"), changed).await;
    assert_eq!(w["reminders"], json!([{"at": "before", "minutes": 30}, {"at": "replay", "minutes": 0}]));
    let sessions = srv.ok("GET", &format!("/api/v1/webinars/{wid}/sessions"), json!(null)).await;
    assert_eq!(sessions["upcoming"].as_array().map(Vec::len), Some(10));
    assert_eq!(srv.call("POST", &format!("/api/v1/webinars/{wid}/sessions"), Some(json!({"starts_at": 1000}))).await.0, 400, "a past start");

    // A visitor registers through the form; the thank-you step shows the ticket.
    let mut v = Visitor::with_id(7);
    v.go(srv.addr, "GET", "/f/live/register", "").await;
    let r = v.go(srv.addr, "POST", "/f/live/register", "_form=form&email=hanako%40example.jp").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.location.expect("location");
    let key = location.strip_prefix("/f/live/thanks?r=").expect("the thank-you step with the key").to_owned();
    let thanks = v.go(srv.addr, "GET", &location, "").await;
    assert_eq!(thanks.status, 200);
    assert!(thanks.body.contains("売れるウェビナー") && thanks.body.contains(&format!("/join/{key}/calendar.ics")), "{}", thanks.body);
    assert!(thanks.body.contains("JST"), "the start in the webinar's zone");
    for (name, value) in [("cache-control", "no-store"), ("referrer-policy", "no-referrer"), ("x-robots-tag", "noindex")] {
        assert_eq!(thanks.header(name), Some(value), "a page with a personal key: {name}");
    }

    // The personal page and the calendar file.
    let page = v.go(srv.addr, "GET", &format!("/join/{key}"), "").await;
    assert_eq!((page.status, page.header("cache-control"), page.header("referrer-policy")), (200, Some("no-store"), Some("no-referrer")));
    assert!(page.body.contains(&format!("http://127.0.0.1/join/{key}")), "{}", page.body);
    assert!(page.header("content-security-policy").is_some_and(|c| c.contains("script-src 'self'")));
    let ics = v.go(srv.addr, "GET", &format!("/join/{key}/calendar.ics"), "").await;
    assert_eq!((ics.status, ics.header("content-type")), (200, Some("text/calendar; charset=utf-8")));
    let start = between(&ics.body, "DTSTART:", "\r\n").expect("DTSTART");
    assert!(start.len() == 16 && start.ends_with('Z'), "{start}");
    assert!(ics.body.contains("SUMMARY:売れるウェビナー\r\n") && ics.body.contains(&format!("URL:http://127.0.0.1/join/{key}\r\n")), "{}", ics.body);

    // Keys that are not issued, or another funnel's page, show no ticket.
    for bad in
        [format!("/join/{}", "0".repeat(32)), format!("/join/{}", key.to_uppercase()), "/join/x".into(), format!("/join/{}/calendar.ics", "f".repeat(32))]
    {
        let r = v.go(srv.addr, "GET", &bad, "").await;
        assert_eq!(r.status, 404, "{bad}");
        assert!(!r.body.contains("calendar.ics"), "{bad}");
    }
    let foreign = v.go(srv.addr, "GET", &format!("/f/other/page?r={key}"), "").await;
    assert_eq!(foreign.status, 200);
    assert!(!foreign.body.contains("calendar.ics"), "another funnel's page shows no ticket");

    // The admin sees the registrant; a booked session stays; deleting the webinar voids the link.
    let regs = srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await;
    assert_eq!(regs.as_array().map(Vec::len), Some(1));
    assert_eq!(regs[0]["join_key"].as_str(), Some(key.as_str()));
    let session = regs[0]["session"].as_i64().expect("session");
    assert_eq!(srv.call("DELETE", &format!("/api/v1/sessions/{session}"), None).await.0, 409);
    assert_eq!(srv.call("DELETE", &format!("/api/v1/webinars/{wid}"), None).await.0, 204);
    assert_eq!(v.go(srv.addr, "GET", &format!("/join/{key}"), "").await.status, 404);
    srv.finish().await;
}
