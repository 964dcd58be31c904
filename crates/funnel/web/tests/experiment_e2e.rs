//! End to end over real HTTP on 127.0.0.1: 2,000 simulated visitors (one cookie jar each)
//! on a 2-arm opt-in page where arm B converts clearly better. The scheduler's winner rule
//! declares B, and new visitors then get B while assigned visitors keep their arm. Also
//! bad input on the experiment API and the stand-alone statistics endpoint.

mod common;

use common::{Backend, Server, Visitor, http, page};
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, time::Duration};

/// Visitor `i` converts with probability `p` (a fixed pseudo-random draw per visitor).
fn converts(i: u64, p: f64) -> bool {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64 <= p
}

/// Views the opt-in page and maybe submits; returns the arm seen ("A"/"B").
async fn visit(addr: SocketAddr, i: u64, v: &mut Visitor) -> char {
    let r = v.go(addr, "GET", "/f/ab/optin", "").await;
    assert_eq!(r.status, 200, "visitor {i}: {}", r.body);
    let arm = if r.body.contains("Variant B") {
        'B'
    } else if r.body.contains("Variant A") {
        'A'
    } else {
        panic!("no variant marker")
    };
    let p = if arm == 'B' { 0.30 } else { 0.10 };
    if converts(i, p) {
        let r = v.go(addr, "POST", "/f/ab/optin", &format!("_form=form&email=v{i}%40example.com")).await;
        assert_eq!(r.status, 303, "visitor {i} submit: {}", r.body);
        assert_eq!(r.location.as_deref(), Some("/f/ab/thanks"));
    }
    arm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_visitors_pick_b_then_new_visitors_get_b() {
    tokio::time::timeout(Duration::from_secs(240), scenario()).await.expect("scenario within 240 s");
}

async fn scenario() {
    let api = Server::start(Backend::Sqlite, Duration::from_millis(200)).await.expect("sqlite server");
    let addr = api.addr;

    let f = api.ok("POST", "/api/v1/funnels", json!({"slug": "ab", "name": "AB"})).await;
    let fid = f["id"].as_i64().expect("id");
    let mut steps = HashMap::new();
    for (slug, kind, marker) in [("optin", "optin", "Variant A"), ("optin-b", "optin", "Variant B"), ("thanks", "thankyou", "Thanks")] {
        let s = api.ok("POST", &format!("/api/v1/funnels/{fid}/steps"), json!({"slug": slug, "name": slug, "kind": kind})).await;
        let sid = s["id"].as_i64().expect("step id");
        api.ok("PUT", &format!("/api/v1/steps/{sid}/page"), json!({"version": 1, "page": page(marker)})).await;
        api.ok("POST", &format!("/api/v1/steps/{sid}/publish"), json!({"version": 2})).await;
        steps.insert(slug, sid);
    }
    // optin-b is only a variant page (it comes next by position): both arms go to thanks.
    let arms = json!([{"name": "A", "weight": 0.5, "next": steps["thanks"]}, {"name": "B", "weight": 0.5, "page": steps["optin-b"], "next": steps["thanks"]}]);
    let goal = json!({"type": "conversion", "event": "generate_lead", "window_hours": 24});
    let new = json!({"name": "Headline", "step": steps["optin"], "arms": arms, "goal": goal, "auto_winner": false});

    // Bad input first: clear 4xx answers.
    let bad_weights = json!({"name": "x", "step": steps["optin"], "goal": goal, "arms": [{"name": "A", "weight": -1}, {"name": "B", "weight": 1}]});
    let (s, v) = api.call("POST", &format!("/api/v1/funnels/{fid}/experiments"), Some(bad_weights)).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["message"].as_str().unwrap_or("").contains("weights[0]"), "{v}");
    assert_eq!(api.call("POST", "/api/v1/funnels/999/experiments", Some(new.clone())).await.0, 404);
    assert_eq!(api.call("GET", "/api/v1/experiments/999/results", None).await.0, 404);

    let e = api.ok("POST", &format!("/api/v1/funnels/{fid}/experiments"), new.clone()).await;
    let eid = e["id"].as_i64().expect("experiment id");
    let (s, v) = api.call("POST", &format!("/api/v1/funnels/{fid}/experiments"), Some(new.clone())).await;
    assert_eq!(s, 409, "a second live experiment on the step: {v}");
    let (s, v) = api.call("PATCH", &format!("/api/v1/experiments/{eid}"), Some(json!({"weights": [1, 2, 3]}))).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["message"].as_str().unwrap_or("").contains("2 arms but 3 weights"), "{v}");

    // 2,000 visitors, 8 at a time.
    let mut tasks = Vec::new();
    for lane in 0..8u64 {
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for i in (lane..2000).step_by(8) {
                let mut v = Visitor::default();
                let arm = visit(addr, i, &mut v).await;
                // A second view is the same arm (sticky by cookie).
                let again = v.go(addr, "GET", "/f/ab/optin", "").await;
                assert!(again.body.contains(&format!("Variant {arm}")), "visitor {i} moved");
                seen.push((arm, v));
            }
            seen
        }));
    }
    let mut visitors = Vec::new();
    for t in tasks {
        visitors.extend(t.await.expect("lane"));
    }
    let b_count = visitors.iter().filter(|(a, _)| *a == 'B').count();
    assert!((900..1100).contains(&b_count), "B got {b_count} of 2000");

    // A bot is served but never assigned.
    let bot = http(addr, "GET", "/f/ab/optin", &[("User-Agent", "Googlebot/2.1".into())], "").await;
    assert_eq!(bot.status, 200);

    let r = api.ok("GET", &format!("/api/v1/experiments/{eid}/results"), json!(null)).await;
    let visitors_total: u64 = r["arms"].as_array().expect("arms").iter().map(|a| a["visitors"].as_u64().unwrap_or(0)).sum();
    assert_eq!(visitors_total, 2000, "{r}");
    assert_eq!(r["overall"]["status"], "running");
    assert!(r["overall"]["srm_p"].as_f64().expect("srm") > 0.001, "{r}");
    let b = &r["arms"][1];
    assert!(b["chance_to_win"].as_f64().expect("ctw") > 0.99, "{r}");
    assert!(b["conversions"].as_u64().expect("conv") > r["arms"][0]["conversions"].as_u64().expect("conv") * 2, "{r}");
    assert!(b["p_value"].as_f64().expect("p") < 0.001, "{r}");

    // Switch the automatic winner on; the scheduler (every 200 ms) ends the test.
    api.ok("PATCH", &format!("/api/v1/experiments/{eid}"), json!({"auto_winner": true})).await;
    let mut decided = Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = api.ok("GET", &format!("/api/v1/experiments/{eid}/results"), json!(null)).await;
        if r["overall"]["status"] == "decided" {
            decided = r;
            break;
        }
    }
    assert_eq!(decided["overall"]["winner"], "B", "decided within 10 s: {decided}");
    assert_eq!(decided["decision"]["decision"]["decision"], "winner", "{decided}");
    assert_eq!(decided["decision"]["decision"]["arm"], 1, "the recorded decision keeps its numbers: {decided}");

    // New visitors get B; assigned visitors keep their arm; nobody new is assigned.
    for i in 0..50 {
        let mut v = Visitor::default();
        let r = v.go(addr, "GET", "/f/ab/optin", "").await;
        assert!(r.body.contains("Variant B"), "new visitor {i} after the decision");
    }
    for (arm, v) in visitors.iter_mut().take(40) {
        let r = v.go(addr, "GET", "/f/ab/optin", "").await;
        assert!(r.body.contains(&format!("Variant {arm}")), "an assigned visitor changed arm");
    }
    let r = api.ok("GET", &format!("/api/v1/experiments/{eid}/results"), json!(null)).await;
    let total: u64 = r["arms"].as_array().expect("arms").iter().map(|a| a["visitors"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total, 2000, "no assignments after the decision");
    api.finish().await;
}

#[tokio::test]
async fn compare_endpoint_and_its_bad_input() {
    let api = Server::start(Backend::Sqlite, Duration::from_secs(600)).await.expect("sqlite server");
    // The crate docs' example: chance to win 0.967276.
    let v = api.ok("POST", "/api/v1/stats/compare", json!({"arms": [{"n": 1000, "conversions": 100}, {"n": 1000, "conversions": 130}]})).await;
    assert!((v["arms"][1]["chance_to_win"].as_f64().expect("ctw") - 0.967276).abs() < 1e-6, "{v}");
    assert!(v["arms"][0]["chance_to_win"].is_null());
    let means = json!({"arms": [{"name": "A", "n": 100, "sum": 500.0, "sum_squares": 3000.0}, {"name": "B", "n": 120, "sum": 700.0, "sum_squares": 4500.0}], "weights": [0.5, 0.5]});
    let v = api.ok("POST", "/api/v1/stats/compare", means).await;
    assert_eq!(v["arms"][1]["arm"], "B");
    assert!(v["arms"][1]["p_value"].as_f64().is_some() && v["srm_p"].as_f64().is_some(), "{v}");
    for (bad, needle) in [
        (json!({"arms": [{"n": 10, "conversions": 1}]}), "need 2"),
        (json!({"arms": [{"n": 10, "conversions": 11}, {"n": 10, "conversions": 1}]}), "arms[0]"),
        (json!({"arms": [{"n": 10, "conversions": 1}, {"n": 10, "sum": 1.0, "sum_squares": 1.0}]}), "all arms"),
        (json!({"arms": [{"n": 10, "conversions": 1}, {"n": 10}]}), "arms[1]"),
        (json!({"arms": [{"n": 10, "conversions": 1}, {"n": 10, "conversions": 2}], "weights": [1.0]}), "weights"),
    ] {
        let (s, v) = api.call("POST", "/api/v1/stats/compare", Some(bad)).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["message"].as_str().unwrap_or("").contains(needle), "{needle}: {v}");
    }
    api.finish().await;
}
