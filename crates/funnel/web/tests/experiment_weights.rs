//! Weights over time, over real HTTP: the bandit reweights through the scheduler (not by a
//! direct call) towards the arm that converts best, keeping the 1 % floor, and neither the
//! bandit nor a hand-made weight change moves a visitor who already has an arm. Runs on
//! SQLite, and on PostgreSQL when `HIKARI_FUNNEL_PG_URL` is set.

mod common;

use common::{Backend, Server, Visitor, view, wait_for};
use serde_json::{Value, json};
use std::time::Duration;

async fn submit(s: &Server, v: &mut Visitor, i: u64) {
    let r = v.go(s.addr, "POST", "/f/ab/optin", &format!("_form=form&email=v{i}%40example.com")).await;
    assert_eq!(r.status, 303, "visitor {i} submit: {}", r.body);
}

fn weights(e: &Value) -> Vec<f64> {
    e["arms"].as_array().expect("arms").iter().map(|a| a["weight"].as_f64().expect("weight")).collect()
}

async fn bandit(backend: Backend) {
    let Some(s) = Server::start(backend, Duration::from_millis(100)).await else {
        return;
    };
    let (fid, steps) = s
        .funnel(
            "ab",
            &[("optin", "optin", "Variant A"), ("optin-b", "optin", "Variant B"), ("optin-c", "optin", "Variant C"), ("thanks", "thankyou", "Thanks")],
        )
        .await;
    let arms = json!([
        {"name": "A", "weight": 1, "next": steps["thanks"]},
        {"name": "B", "weight": 1, "page": steps["optin-b"], "next": steps["thanks"]},
        {"name": "C", "weight": 1, "page": steps["optin-c"], "next": steps["thanks"]},
    ]);
    let new = json!({"name": "Bandit", "step": steps["optin"], "arms": arms, "mode": "bandit", "min_units_per_arm": 30,
        "goal": {"type": "conversion", "event": "generate_lead", "window_hours": 24}});
    let e = s.ok("POST", &format!("/api/v1/funnels/{fid}/experiments"), new).await;
    let eid = e["id"].as_i64().expect("id");
    let start = weights(&e);
    assert!(start.iter().all(|w| (w - 1.0 / 3.0).abs() < 1e-9), "{e}");

    // B converts 1 in 2 of its visitors, A and C 1 in 10 (counted per arm, so the rates
    // are exact whatever the split turns out to be while the bandit moves it).
    let mut seen = Vec::new();
    let mut per_arm = [0u64; 3];
    for i in 0..270u64 {
        let mut v = Visitor::with_id(1_000 + i);
        let arm = view(&s, &mut v).await;
        let k = usize::from(arm as u8 - b'A');
        per_arm[k] += 1;
        let every = if arm == 'B' { 2 } else { 10 };
        if per_arm[k] % every == 1 {
            submit(&s, &mut v, i).await;
        }
        seen.push((arm, v));
    }
    assert!(per_arm.iter().all(|n| *n >= 30), "every arm reached the bandit's minimum: {per_arm:?}");

    // The scheduler (every 100 ms) re-sets the stored weights; wait for them to favour B.
    let path = format!("/api/v1/experiments/{eid}");
    let moved = wait_for(Duration::from_secs(20), async || {
        let w = weights(&s.ok("GET", &path, Value::Null).await);
        (w[1] > 0.4 && w[1] > 1.5 * w[0] && w[1] > 1.5 * w[2]).then_some(w)
    })
    .await;
    let last = weights(&s.ok("GET", &path, Value::Null).await);
    let w = moved.unwrap_or_else(|| panic!("the bandit did not favour B within 20 s: {last:?}"));
    assert!(w.iter().all(|x| *x >= 0.01 - 1e-12), "1 % floor: {w:?}");
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9, "weights sum to 1: {w:?}");
    let e = s.ok("GET", &path, Value::Null).await;
    assert_eq!(e["status"], "running", "a bandit without auto_winner keeps running: {e}");

    // Everyone already assigned keeps their arm under the new weights.
    for (i, (arm, v)) in seen.iter_mut().enumerate() {
        assert_eq!(view(&s, v).await, *arm, "visitor {i} changed arm after the reweight");
    }
    let r = s.ok("GET", &format!("/api/v1/experiments/{eid}/results"), Value::Null).await;
    let total: u64 = r["arms"].as_array().expect("arms").iter().map(|a| a["visitors"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total, 270, "revisits assign nobody again: {r}");
    assert!(r["overall"]["srm_p"].is_null(), "no SRM check for bandits: {r}");
    s.finish().await;
}

both_backends!(bandit, bandit_reweights_through_the_scheduler_sqlite, bandit_reweights_through_the_scheduler_postgres, 120);

async fn weight_change(backend: Backend) {
    let Some(s) = Server::start(backend, Duration::from_secs(600)).await else {
        return;
    };
    let (fid, steps) = s.funnel("ab", &[("optin", "optin", "Variant A"), ("optin-b", "optin", "Variant B"), ("thanks", "thankyou", "Thanks")]).await;
    let arms = json!([{"name": "A", "weight": 0.5}, {"name": "B", "weight": 0.5, "page": steps["optin-b"]}]);
    let new = json!({"name": "Split", "step": steps["optin"], "arms": arms,
        "goal": {"type": "conversion", "event": "generate_lead", "window_hours": 24}});
    let e = s.ok("POST", &format!("/api/v1/funnels/{fid}/experiments"), new).await;
    let eid = e["id"].as_i64().expect("id");

    let mut old = Vec::new();
    for i in 0..200u64 {
        let mut v = Visitor::with_id(50_000 + i);
        old.push((view(&s, &mut v).await, v));
    }
    let old_b = old.iter().filter(|(a, _)| *a == 'B').count();
    assert!((70..=130).contains(&old_b), "50/50 split: B got {old_b} of 200");

    // A drastic change: 2 % / 98 %.
    let e = s.ok("PATCH", &format!("/api/v1/experiments/{eid}"), json!({"weights": [1, 49]})).await;
    assert!((weights(&e)[1] - 0.98).abs() < 1e-9, "{e}");

    for (i, (arm, v)) in old.iter_mut().enumerate() {
        assert_eq!(view(&s, v).await, *arm, "assigned visitor {i} moved after the weight change");
    }
    let mut new_b = 0;
    for i in 0..200u64 {
        let mut v = Visitor::with_id(90_000 + i);
        if view(&s, &mut v).await == 'B' {
            new_b += 1;
        }
    }
    assert!(new_b >= 185, "new visitors follow 2/98: B got {new_b} of 200");
    let r = s.ok("GET", &format!("/api/v1/experiments/{eid}/results"), Value::Null).await;
    assert_eq!(r["arms"][0]["visitors"].as_u64(), Some((400 - old_b - new_b) as u64), "{r}");
    assert_eq!(r["arms"][1]["visitors"].as_u64(), Some((old_b + new_b) as u64), "{r}");
    assert_eq!(r["overall"]["srm_warning"], true, "the old 50/50 visitors no longer match 2/98: {r}");
    s.finish().await;
}

both_backends!(weight_change, weight_change_over_http_moves_no_assigned_visitor_sqlite, weight_change_over_http_moves_no_assigned_visitor_postgres, 120);
