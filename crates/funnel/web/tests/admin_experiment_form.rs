//! The admin create-experiment form over real HTTP with a signed-in session: bad input is a
//! 4xx page with the message and the values kept, a second live experiment on the step is a
//! 409, posts without a session or CSRF token are refused, a created experiment assigns
//! visitors, and the stop button frees the step. SQLite, and PostgreSQL when
//! `HIKARI_FUNNEL_PG_URL` is set.

mod common;

use common::{AdminSession, Backend, STEPS, Server, Visitor, http, view, wait_for};
use serde_json::{Value, json};
use std::time::Duration;

fn form(csrf: &str, fields: &[(&str, &str)]) -> String {
    let mut out = format!("csrf={csrf}");
    for (k, v) in fields {
        out.push_str(&format!("&{k}={}", v.replace('%', "%25").replace(' ', "+").replace('&', "%26")));
    }
    out
}

fn base<'a>(thanks: &'a str, b_page: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Hero test"),
        ("mode", "split"),
        ("goal_type", "conversion"),
        ("goal_event", "generate_lead"),
        ("window_hours", "24"),
        ("min_units_per_arm", "100"),
        ("arm0_name", "A"),
        ("arm0_weight", "50"),
        ("arm0_next", thanks),
        ("arm1_name", "B"),
        ("arm1_weight", "50"),
        ("arm1_page", b_page),
        ("arm1_next", thanks),
    ]
}

fn with<'a>(mut f: Vec<(&'a str, &'a str)>, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    for (k, v) in changes {
        f.retain(|(n, _)| n != k);
        f.push((k, v));
    }
    f
}

async fn refused(admin: &AdminSession, path: &str, body: &str, status: u16, message: &str) {
    let r = admin.post(path, body).await;
    assert_eq!(r.status, status, "{message}: {}", r.body);
    assert!(r.body.contains(message), "expected “{message}” in: {}", r.body);
    assert!(r.body.contains("value=\"Hero test\""), "the form keeps the values: {}", r.body);
}

async fn create_form(backend: Backend) {
    let Some(s) = Server::start(backend, Duration::from_secs(600)).await else {
        return;
    };
    let admin = s.admin().await;
    let (fid, steps) = s.funnel("ab", &STEPS).await;
    let (thanks, b_page) = (steps["thanks"].to_string(), steps["optin-b"].to_string());
    let path = format!("/admin/steps/{}/experiments/new", steps["optin"]);
    let list = format!("/api/v1/funnels/{fid}/experiments");

    let funnel_page = admin.get(&format!("/admin/funnels/{fid}")).await.body;
    assert!(funnel_page.contains(&format!("href=\"/admin/funnels/{fid}/experiments\"")), "linked from the funnel page");
    let list_page = admin.get(&format!("/admin/funnels/{fid}/experiments")).await.body;
    assert!(list_page.contains(&format!("href=\"{path}\"")), "the list links to the form");
    let f = admin.get(&path).await;
    assert_eq!(f.status, 200);
    assert!(f.body.contains("name=\"arm9_weight\"") && f.body.contains(&format!("value=\"{}\"", admin.csrf)));

    // Refused without a session or without the CSRF token; nothing is created.
    let good = base(&thanks, &b_page);
    let anon = http(s.addr, "POST", &path, &[("Content-Type", "application/x-www-form-urlencoded".into())], &form(&admin.csrf, &good)).await;
    assert_eq!((anon.status, anon.location.as_deref()), (303, Some("/admin/login")));
    assert_eq!(admin.post(&path, &form("", &good)[6..]).await.status, 403, "no csrf field");
    assert_eq!(admin.post(&path, &form("wrong", &good)).await.status, 403, "wrong csrf");
    assert_eq!(s.ok("GET", &list, Value::Null).await, json!([]));

    // Bad input: 4xx with the message, values kept, nothing created.
    let c = admin.csrf.as_str();
    refused(&admin, &path, &form(c, &with(good.clone(), &[("arm0_weight", "-1")])), 422, "Arm 0 weight: must be a finite number ≥ 0").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("arm0_weight", "0"), ("arm1_weight", "0")])), 422, "at least one weight must be positive").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("arm1_weight", "lots")])), 422, "Arm 1 weight: enter a number").await;
    let one_arm: Vec<_> = good.iter().copied().filter(|(k, _)| !k.starts_with("arm1")).collect();
    refused(&admin, &path, &form(c, &one_arm), 422, "need 2 to 10 arms, got 1").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("arm1_page", "999999")])), 422, "Arm 1 page: must be a step of this funnel").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("window_hours", "soon")])), 422, "Goal window: enter a whole number").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("goal_event", "Not An Event!")])), 422, "Goal event").await;
    refused(&admin, &path, &form(c, &with(good.clone(), &[("name", "Hero test"), ("arm1_name", "A")])), 422, "arm names must be unique").await;
    let unknown = admin.post("/admin/steps/999999/experiments/new", &form(c, &good)).await;
    assert_eq!(unknown.status, 404, "unknown step: {}", unknown.body);
    assert!(unknown.body.contains("step not found"), "{}", unknown.body);
    assert_eq!(s.ok("GET", &list, Value::Null).await, json!([]), "nothing half-saved");

    // A good post creates the experiment, which then assigns visitors.
    let made = admin.post(&path, &form(c, &with(good.clone(), &[("auto_winner", "on")]))).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let exps = s.ok("GET", &list, Value::Null).await;
    let eid = exps[0]["id"].as_i64().expect("created");
    assert_eq!(made.location.as_deref(), Some(format!("/admin/experiments/{eid}").as_str()));
    assert_eq!((exps[0]["name"].as_str(), exps[0]["auto_winner"].as_bool()), (Some("Hero test"), Some(true)));
    assert_eq!(exps[0]["arms"][1]["page"].as_i64(), Some(steps["optin-b"]));
    let mut seen = [0; 2];
    for i in 0..40u64 {
        let arm = view(&s, &mut Visitor::with_id(3_000 + i)).await;
        seen[usize::from(arm == 'B')] += 1;
    }
    assert!(seen[0] > 0 && seen[1] > 0, "both arms served: {seen:?}");
    let visitors = wait_for(Duration::from_secs(10), async || {
        let r = s.ok("GET", &format!("/api/v1/experiments/{eid}/results"), Value::Null).await;
        let n: u64 = r["arms"].as_array()?.iter().filter_map(|a| a["visitors"].as_u64()).sum();
        (n == 40).then_some(n)
    })
    .await;
    assert_eq!(visitors, Some(40), "40 visitors assigned");

    // A second live experiment on the step: 409 with the reason.
    refused(&admin, &path, &form(c, &good), 409, "already has a live experiment").await;

    // Stop with the button (CSRF checked), then the step takes a new experiment.
    let stop = format!("/admin/experiments/{eid}/stop");
    assert_eq!(admin.post(&stop, "csrf=nope").await.status, 403);
    let anon = http(s.addr, "POST", &stop, &[("Content-Type", "application/x-www-form-urlencoded".into())], &format!("csrf={c}")).await;
    assert_eq!(anon.status, 303, "not signed in: to the sign-in page");
    assert_eq!(s.ok("GET", &format!("/api/v1/experiments/{eid}"), Value::Null).await["status"], "running");
    assert_eq!(admin.post(&stop, &format!("csrf={c}")).await.status, 303);
    let e = s.ok("GET", &format!("/api/v1/experiments/{eid}"), Value::Null).await;
    assert_eq!((e["status"].as_str(), e["decision"]["decision"].as_str()), (Some("stopped"), Some("manual_stop")), "{e}");
    assert!(admin.get(&format!("/admin/experiments/{eid}")).await.body.contains("Stopped by hand."));
    let again = admin.post(&path, &form(c, &with(good, &[("mode", "bandit")]))).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(s.ok("GET", &list, Value::Null).await.as_array().map(Vec::len), Some(2));
    s.finish().await;
}

both_backends!(create_form, create_form_validates_creates_and_conflicts_sqlite, create_form_validates_creates_and_conflicts_postgres, 120);
