//! The admin results page of an experiment over real HTTP with a signed-in session: per-arm
//! rows, chance-to-win bars, the over-time SVG, the SRM banner, the evaluate button. SQLite,
//! and PostgreSQL when `HIKARI_FUNNEL_PG_URL` is set.

mod common;

use common::{Backend, STEPS, Server, Visitor, between, view};
use serde_json::{Value, json};
use std::time::Duration;

/// The `<tr class="arm" …>` rows of the results table.
fn arm_rows(html: &str) -> Vec<&str> {
    html.split("<tr class=\"arm\"").skip(1).map(|r| r.split("</tr>").next().unwrap_or("")).collect()
}

async fn results_page(backend: Backend) {
    let Some(s) = Server::start(backend, Duration::from_secs(600)).await else {
        return;
    };
    let admin = s.admin().await;
    let (fid, steps) = s.funnel("ab", &STEPS).await;
    let arms = json!([{"name": "A", "weight": 1, "next": steps["thanks"]}, {"name": "B", "weight": 1, "page": steps["optin-b"], "next": steps["thanks"]}]);
    let new = json!({"name": "Headline <script>x()</script>", "step": steps["optin"], "arms": arms, "min_units_per_arm": 50,
        "goal": {"type": "conversion", "event": "generate_lead", "window_hours": 24}});
    let e = s.ok("POST", &format!("/api/v1/funnels/{fid}/experiments"), new).await;
    let eid = e["id"].as_i64().expect("id");
    let page_path = format!("/admin/experiments/{eid}");

    // Before any visitor: the page renders, with no chart yet.
    let p = admin.get(&page_path).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("No visitors yet") && !p.body.contains("<polyline"));

    // 300 visitors (fixed ids): B converts 1 in 3, A 1 in 12.
    for i in 0..300u64 {
        let mut v = Visitor::with_id(7_000 + i);
        let arm = view(&s, &mut v).await;
        if (arm == 'B' && i % 3 == 0) || (arm == 'A' && i % 12 == 0) {
            let r = v.go(s.addr, "POST", "/f/ab/optin", &format!("_form=form&email=v{i}%40example.com")).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
    }
    let results = format!("/api/v1/experiments/{eid}/results");
    let r = s.ok("GET", &results, Value::Null).await;
    let p = admin.get(&page_path).await;
    assert_eq!(p.status, 200);
    let html = &p.body;
    assert!(html.contains("Headline &lt;script&gt;x()&lt;/script&gt;") && !html.contains("<script>x()"), "escaped name");
    let rows = arm_rows(html);
    assert_eq!(rows.len(), 2, "one row per arm");
    for (i, row) in rows.iter().enumerate() {
        let api = &r["arms"][i];
        let visitors = between(row, "<td class=\"visitors\">", "<").expect("visitors cell");
        assert_eq!(visitors, api["visitors"].to_string(), "arm {i} visitors");
        assert!(row.contains(&format!("<td>{}</td>", api["conversions"])), "arm {i} conversions: {row}");
    }
    let ctw = r["arms"][1]["chance_to_win"].as_f64().expect("ctw");
    assert!(ctw > 0.95, "B clearly better: {r}");
    let width = format!("{:.1}", ctw * 100.0);
    assert!(rows[1].contains(&format!("style=\"width:{width}%\"")), "B's bar is {width}% wide: {}", rows[1]);
    assert!(rows[1].contains(&format!("aria-label=\"B: {width}%\"")), "B's bar value in text");
    assert!(rows[0].contains("baseline") && !rows[0].contains("bar-fill"), "no bar for control");
    assert_eq!(html.matches("<polyline").count(), 2, "one line per arm");
    assert!(html.contains("Day of assignment") && html.contains("class=\"legend\""), "axes and legend");
    assert!(r["overall"]["srm_p"].as_f64().expect("srm p") > 0.001, "{r}");
    assert!(!html.contains("srm-warning"), "no SRM banner for a balanced split");

    // The weights no longer match the visitors: SRM banner.
    s.ok("PATCH", &format!("/api/v1/experiments/{eid}"), json!({"weights": [1, 9]})).await;
    let r = s.ok("GET", &results, Value::Null).await;
    assert_eq!(r["overall"]["srm_warning"], true, "{r}");
    let html = admin.get(&page_path).await.body;
    assert!(html.contains("id=\"srm-warning\"") && html.contains("Sample ratio mismatch"), "SRM banner");

    // Evaluate now (the same code as the API): the winner rule stops on the SRM.
    s.ok("PATCH", &format!("/api/v1/experiments/{eid}"), json!({"auto_winner": true})).await;
    let evaluate = format!("/admin/experiments/{eid}/evaluate");
    assert_eq!(admin.post(&evaluate, "").await.status, 403, "no CSRF token");
    assert_eq!(s.ok("GET", &format!("/api/v1/experiments/{eid}"), Value::Null).await["status"], "running");
    let done = admin.post(&evaluate, &format!("csrf={}", admin.csrf)).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some(page_path.as_str())));
    let e = s.ok("GET", &format!("/api/v1/experiments/{eid}"), Value::Null).await;
    assert_eq!(e["status"], "stopped", "{e}");
    let html = admin.get(&page_path).await.body;
    assert!(html.contains("Stopped by the winner rule (sample ratio mismatch)."), "recorded decision shown");
    assert!(!html.contains("Stop experiment"), "no stop button on a stopped experiment");
    s.finish().await;
}

both_backends!(results_page, results_page_shows_arms_bars_chart_and_srm_sqlite, results_page_shows_arms_bars_chart_and_srm_postgres, 120);
