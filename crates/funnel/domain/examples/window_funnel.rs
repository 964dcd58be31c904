//! Reads `{"window_ms", "n_steps", "events": [{"visitor", "step", "ts"}]}` (step is a 0-based
//! index) on stdin and prints `{"visitor": level}`: the oracle harness's view of
//! [`hikari_funnel::report::level`].

use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
struct Input {
    window_ms: i64,
    n_steps: usize,
    events: Vec<Hit>,
}

#[derive(serde::Deserialize)]
struct Hit {
    visitor: String,
    step: usize,
    ts: i64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input: Input = serde_json::from_reader(std::io::stdin().lock())?;
    let mut per: BTreeMap<String, Vec<(i64, usize)>> = BTreeMap::new();
    for h in input.events {
        per.entry(h.visitor).or_default().push((h.ts, h.step));
    }
    let levels: BTreeMap<String, usize> = per.into_iter().map(|(v, hits)| (v, hikari_funnel::report::level(hits, input.n_steps, input.window_ms).0)).collect();
    println!("{}", serde_json::to_string(&levels)?);
    Ok(())
}
