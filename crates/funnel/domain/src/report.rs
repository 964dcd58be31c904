//! The ordered funnel report.
//!
//! Semantics follow ClickHouse's `windowFunnel(window)` in its default mode, which the test
//! suite uses as an oracle: per visitor, walk the step hits in time order; a hit on step 1
//! starts a chain; a hit on step k extends a chain that has reached step k-1, if it comes no
//! later than the chain's start plus the window (inclusive). A visitor's level is the furthest
//! step any chain reached. Repeated steps restart or extend chains; hits out of order do not
//! count until the earlier step is reached. Ties in time keep input order.

use crate::StepId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One visit of a step (a `page_view` on it), as the report needs it.
#[derive(Clone, Debug)]
pub struct StepHit {
    /// The visitor.
    pub visitor: String,
    /// The step.
    pub step: StepId,
    /// Unix ms.
    pub ts: i64,
    /// First-touch `utm_source`.
    pub utm_source: Option<String>,
    /// First-touch `utm_campaign`.
    pub utm_campaign: Option<String>,
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepRow {
    /// The step.
    pub step: StepId,
    /// Visitors who reached this step within the window (in order).
    pub visitors: u64,
    /// `visitors / visitors of step 1`, 0 when nobody entered.
    pub conversion_from_start: f64,
    /// `visitors / visitors of the previous step`.
    pub conversion_from_previous: f64,
    /// Visitors of the previous step who did not reach this one.
    pub drop_off: u64,
}

/// Visitors per step for one UTM value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakdownRow {
    /// `utm_source` or `utm_campaign`.
    pub dimension: &'static str,
    /// The value; `(none)` when absent.
    pub value: String,
    /// Visitors per step, in step order.
    pub visitors: Vec<u64>,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunnelReport {
    /// The conversion window, ms.
    pub window_ms: i64,
    /// Per step, in order.
    pub steps: Vec<StepRow>,
    /// Median time from step 1 to the last step among converters, ms.
    pub median_time_to_convert_ms: Option<i64>,
    /// Breakdown by first-touch UTM source and campaign.
    pub breakdown: Vec<BreakdownRow>,
}

/// The furthest level (0 = never entered, `steps.len()` = converted) reached by one visitor's
/// hits, plus the time to convert when converted. `hits` is `(ts, step index)` in any order.
pub fn level(mut hits: Vec<(i64, usize)>, n_steps: usize, window_ms: i64) -> (usize, Option<i64>) {
    hits.sort_by_key(|h| h.0);
    // starts[i] = start time of the latest-starting chain that has reached step i.
    let mut starts: Vec<Option<i64>> = vec![None; n_steps];
    for (ts, i) in hits {
        if i == 0 {
            starts[0] = Some(ts);
        } else if let Some(s) = starts[i - 1]
            && ts <= s.saturating_add(window_ms)
        {
            starts[i] = Some(s);
            if i + 1 == n_steps {
                return (n_steps, Some(ts - s));
            }
        }
    }
    let reached = starts.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    (reached, None)
}

/// Computes the report for `steps` (in funnel order) from step hits.
pub fn funnel_report(steps: &[StepId], hits: &[StepHit], window_ms: i64) -> FunnelReport {
    let index: HashMap<StepId, usize> = steps.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    // Per visitor: their hits as (time, step index), and their earliest hit (for first touch).
    type Visits<'a> = BTreeMap<&'a str, (Vec<(i64, usize)>, &'a StepHit)>;
    let mut per_visitor: Visits<'_> = BTreeMap::new();
    for h in hits {
        let Some(&i) = index.get(&h.step) else {
            continue;
        };
        let entry = per_visitor.entry(&h.visitor).or_insert_with(|| (Vec::new(), h));
        if h.ts < entry.1.ts {
            entry.1 = h;
        }
        entry.0.push((h.ts, i));
    }
    let n = steps.len();
    let mut counts = vec![0u64; n];
    let mut times = Vec::new();
    let mut groups: BTreeMap<(&'static str, String), Vec<u64>> = BTreeMap::new();
    for (visit_hits, first) in per_visitor.into_values() {
        let (reached, time) = level(visit_hits, n, window_ms);
        times.extend(time);
        let none = || "(none)".to_string();
        let keys = [("utm_source", first.utm_source.clone().unwrap_or_else(none)), ("utm_campaign", first.utm_campaign.clone().unwrap_or_else(none))];
        for key in keys {
            let g = groups.entry(key).or_insert_with(|| vec![0; n]);
            g.iter_mut().take(reached).for_each(|c| *c += 1);
        }
        counts.iter_mut().take(reached).for_each(|c| *c += 1);
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let rows = steps
        .iter()
        .enumerate()
        .map(|(i, &step)| {
            let prev = if i == 0 { counts[0] } else { counts[i - 1] };
            StepRow {
                step,
                visitors: counts[i],
                conversion_from_start: ratio(counts[i], counts[0]),
                conversion_from_previous: ratio(counts[i], prev),
                drop_off: prev - counts[i],
            }
        })
        .collect();
    FunnelReport {
        window_ms,
        steps: rows,
        median_time_to_convert_ms: median(&mut times),
        breakdown: groups.into_iter().map(|((dimension, value), visitors)| BreakdownRow { dimension, value, visitors }).collect(),
    }
}

/// The median; for an even count, the mean of the two middle values, rounded down.
fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn window_edges_are_inclusive() {
        assert_eq!(level(vec![(0, 0), (10, 1), (24 * H, 2)], 3, 24 * H), (3, Some(24 * H)));
        assert_eq!(level(vec![(0, 0), (10, 1), (24 * H + 1, 2)], 3, 24 * H), (2, None));
    }

    #[test]
    fn out_of_order_and_repeats() {
        // Step 2 before step 1 does not count; a later restart of step 1 rescues the chain.
        assert_eq!(level(vec![(0, 1), (5, 0), (6, 2)], 3, 100).0, 1);
        assert_eq!(level(vec![(0, 0), (200, 0), (250, 1), (260, 2)], 3, 100), (3, Some(60)));
        // An older chain keeps its level even when step 1 repeats.
        assert_eq!(level(vec![(0, 0), (1, 1), (50, 0), (99, 2)], 3, 100).0, 3);
    }

    #[test]
    fn report_counts_and_breakdown() {
        let hit = |v: &str, s: i64, ts: i64, src: Option<&str>| StepHit {
            visitor: v.into(),
            step: StepId(s),
            ts,
            utm_source: src.map(Into::into),
            utm_campaign: None,
        };
        let hits = [
            hit("a", 1, 0, Some("ads")),
            hit("a", 2, 10, None),
            hit("a", 3, 30, None),
            hit("b", 1, 0, None),
            hit("b", 2, 20, None),
            hit("c", 1, 0, Some("ads")),
            hit("c", 3, 5, None),
        ];
        let r = funnel_report(&[StepId(1), StepId(2), StepId(3)], &hits, 1000);
        let v: Vec<_> = r.steps.iter().map(|s| s.visitors).collect();
        assert_eq!(v, [3, 2, 1]);
        assert_eq!(r.steps[1].drop_off, 1);
        assert_eq!(r.median_time_to_convert_ms, Some(30));
        let ads = r.breakdown.iter().find(|b| b.value == "ads").expect("ads row");
        assert_eq!(ads.visitors, [2, 1, 1]);
    }
}
