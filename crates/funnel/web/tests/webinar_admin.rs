//! Creating a webinar from the admin, on SQLite and on PostgreSQL: the form (weekly times in
//! Japanese or English), its refusals shown on the form again (bad zone, a funnel that has a
//! webinar, no CSRF token), a session added at a wall-clock time in the webinar's zone, and
//! the console's encoder input (OBS) for it.

mod common;

use common::{Backend, Server, Visitor, between, http};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn admin_webinars_on_sqlite() {
    create_from_the_admin(Backend::Sqlite).await;
}

#[tokio::test]
async fn admin_webinars_on_postgres() {
    create_from_the_admin(Backend::Postgres).await;
}

async fn create_from_the_admin(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let (fid, _) = srv.funnel("seminar", &[("register", "webinar_register", "Register"), ("thanks", "thankyou", "Thanks")]).await;
    let admin = srv.admin().await;
    let mut stranger = Visitor::with_id(5);
    assert_eq!(stranger.go(srv.addr, "GET", "/admin/webinars/new", "").await.status, 303, "only for admins");
    let form = admin.get("/admin/webinars/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(&format!("<option value=\"{fid}\"")) && form.body.contains("Asia/Tokyo"), "{}", form.body);
    assert!(admin.get("/admin/webinars").await.body.contains("href=\"/admin/webinars/new\""));

    let fields = |zone: &str, slots: &str| {
        format!(
            "csrf={}&funnel={fid}&title=%E5%A3%B2%E3%82%8C%E3%82%8B%E8%AC%9B%E5%BA%A7&time_zone={zone}&duration_minutes=90&kind=weekly&slots={slots}",
            admin.csrf
        )
    };
    // Refused, with the form again and what was typed.
    let bad_zone = admin.post("/admin/webinars/new", &fields("Mars%2FBase", "%E6%9C%A8+20%3A00")).await;
    assert_eq!(bad_zone.status, 422, "{}", bad_zone.body);
    assert!(bad_zone.body.contains("role=\"alert\"") && bad_zone.body.contains("Mars/Base") && bad_zone.body.contains("木 20:00"), "{}", bad_zone.body);
    let bad_day = admin.post("/admin/webinars/new", &fields("Asia%2FTokyo", "someday+20%3A00")).await;
    assert!(bad_day.status == 422 && bad_day.body.contains("unknown day"), "{}", bad_day.body);
    let no_csrf = admin.post("/admin/webinars/new", &fields("Asia%2FTokyo", "%E6%9C%A8+20%3A00").replace(&admin.csrf, "x")).await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(srv.ok("GET", "/api/v1/webinars", json!(null)).await.as_array().map(Vec::len), Some(0), "nothing stored yet");

    // Created: Thursdays 20:00 and Mondays 12:30 in Tokyo, 90 minutes.
    let created = admin.post("/admin/webinars/new", &fields("Asia%2FTokyo", "%E6%9C%A8+20%3A00%0D%0Amon+12%3A30")).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let w = &srv.ok("GET", "/api/v1/webinars", json!(null)).await[0];
    let wid = w["id"].as_i64().expect("id");
    assert_eq!(created.location.as_deref(), Some(format!("/admin/webinars/{wid}").as_str()));
    assert_eq!((w["title"].as_str(), w["duration_minutes"].as_i64(), w["time_zone"].as_str()), (Some("売れる講座"), Some(90), Some("Asia/Tokyo")));
    assert_eq!(w["schedule"], json!({"kind": "weekly", "slots": [{"weekday": "thursday", "time": "20:00"}, {"weekday": "monday", "time": "12:30"}]}));
    let again = admin.post("/admin/webinars/new", &fields("Asia%2FTokyo", "mon+12%3A30")).await;
    assert_eq!(again.status, 409, "one webinar per funnel: {}", again.body);

    // A session at a wall-clock time in Tokyo (UTC+9, no daylight saving), a month ahead.
    let page = admin.get(&format!("/admin/webinars/{wid}")).await;
    assert!(page.body.contains("id=\"add-session\"") && page.body.contains("type=\"datetime-local\""), "{}", page.body);
    assert!(page.body.contains("Reminders: 1 day before, 1 h before, 10 min before, live, replay 1 h after"), "the default reminders: {}", page.body);
    let hour = 3_600_000;
    let at = (hikari_common::clock::unix_millis() / hour + 30 * 24) * hour;
    let add = admin.post(&format!("/admin/webinars/{wid}/sessions"), &format!("csrf={}&local={}", admin.csrf, tokyo_wall_clock(at).replace(':', "%3A"))).await;
    assert_eq!((add.status, add.location.as_deref()), (303, Some(format!("/admin/webinars/{wid}").as_str())), "{}", add.body);
    let sessions = srv.ok("GET", &format!("/api/v1/webinars/{wid}/sessions"), json!(null)).await;
    assert_eq!(sessions["sessions"][0]["starts_at"].as_i64(), Some(at), "{sessions}");
    let bad = admin.post(&format!("/admin/webinars/{wid}/sessions"), &format!("csrf={}&local=soon", admin.csrf)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let past = admin.post(&format!("/admin/webinars/{wid}/sessions"), &format!("csrf={}&local=2001-01-01T10%3A00", admin.csrf)).await;
    assert_eq!(past.status, 400, "{}", past.body);
    let listed = admin.get(&format!("/admin/webinars/{wid}")).await;
    assert!(between(&listed.body, "<table id=\"sessions\"", "</table>").is_some_and(|t| t.contains("data-session=")), "{}", listed.body);

    // OBS as the presenter: the console offers the session's stream URL and key, hosts only.
    let sid = sessions["sessions"][0]["id"].as_i64().expect("session");
    let console = admin.get(&format!("/admin/sessions/{sid}/console")).await;
    assert!(console.body.contains("id=\"encoder-show\""), "{}", console.body);
    let input = srv.ok("POST", &format!("/api/v1/sessions/{sid}/encoder"), json!(null)).await;
    let room = sessions["sessions"][0]["room"].as_str().expect("room");
    assert_eq!(input, json!({"url": "rtmp://127.0.0.1:1935/x", "stream_key": format!("{room}|presenter-encoder"), "srt_url": null}));
    assert_eq!(http(srv.addr, "POST", &format!("/api/v1/sessions/{sid}/encoder"), &[], "").await.status, 401, "attendees never see it");
    assert_eq!(srv.call("POST", "/api/v1/sessions/999999/encoder", None).await.0, 404);
    srv.ok("POST", &format!("/api/v1/sessions/{sid}/state"), json!({"state": "ended"})).await;
    assert_eq!(srv.call("POST", &format!("/api/v1/sessions/{sid}/encoder"), None).await.0, 409, "not after the end");
    srv.finish().await;
}

/// `YYYY-MM-DDTHH:MM` in Tokyo (UTC+9) of a Unix-ms instant, as a `datetime-local` input
/// sends it.
fn tokyo_wall_clock(ms: i64) -> String {
    let secs = ms / 1000 + 9 * 3600;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!("{}T{:02}:{:02}", hikari_common::clock::civil_date(days), rest / 3600, rest % 3600 / 60)
}

#[test]
fn the_wall_clock_helper_is_right() {
    assert_eq!(tokyo_wall_clock(1_798_110_000_000), "2026-12-24T20:00");
    assert_eq!(tokyo_wall_clock(951_782_400_000), "2000-02-29T09:00");
}
