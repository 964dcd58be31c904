//! The checked-in oracle fixture: levels computed by ClickHouse `windowFunnel` (via chdb, see
//! `tests/e2e/funnel/oracle.py --write-fixture`) on a generated log with window edges, repeats
//! and out-of-order steps. Runs without Python.

use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
struct Fixture {
    window_ms: i64,
    n_steps: usize,
    events: Vec<Hit>,
    expected_levels: BTreeMap<String, usize>,
}

#[derive(serde::Deserialize)]
struct Hit {
    visitor: String,
    step: usize,
    ts: i64,
}

#[test]
fn matches_window_funnel() {
    let f: Fixture = serde_json::from_str(include_str!("data/window_funnel.json")).expect("fixture parses");
    let mut per: BTreeMap<String, Vec<(i64, usize)>> = BTreeMap::new();
    for h in f.events {
        per.entry(h.visitor).or_default().push((h.ts, h.step));
    }
    assert_eq!(per.len(), f.expected_levels.len());
    for (v, hits) in per {
        let (level, _) = hikari_funnel::report::level(hits, f.n_steps, f.window_ms);
        assert_eq!(level, f.expected_levels[&v], "visitor {v}");
    }
}
