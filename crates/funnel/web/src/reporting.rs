//! The funnel report, loaded from the store and shaped as JSON, CSV or a page.

use crate::{FunnelError, clock::now_ms, state::AppState};
use hikari_funnel::{
    FunnelId, Step,
    report::{FunnelReport, funnel_report},
};
use serde::Deserialize;

/// Report parameters; all optional.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    /// Conversion window in hours (default 168, at most 8784).
    pub window_hours: Option<i64>,
    /// Events from this time on, Unix ms (default: all).
    pub since: Option<i64>,
    /// Events before this time, Unix ms (default: now).
    pub until: Option<i64>,
}

pub(crate) async fn load(st: &AppState, funnel: FunnelId, q: &ReportQuery) -> Result<(Vec<Step>, FunnelReport), FunnelError> {
    st.store.funnel(funnel).await?;
    let hours = q.window_hours.unwrap_or(168);
    if !(1..=8784).contains(&hours) {
        return Err(FunnelError::BadRequest("window_hours: use 1-8784".into()));
    }
    let steps = st.store.steps(funnel).await?;
    let since = q.since.unwrap_or(0);
    let until = q.until.unwrap_or_else(|| now_ms().saturating_add(1));
    let hits = st.store.step_hits(funnel, since, until).await?;
    let ids: Vec<_> = steps.iter().map(|s| s.id).collect();
    Ok((steps, funnel_report(&ids, &hits, hours * 3_600_000)))
}

/// One row per step, then one per UTM value.
pub(crate) fn csv(steps: &[Step], r: &FunnelReport) -> String {
    let mut out = String::from("kind,step,name,visitors,conversion_from_start,conversion_from_previous,drop_off\n");
    for (s, row) in steps.iter().zip(&r.steps) {
        out.push_str(&format!(
            "step,{},{},{},{:.4},{:.4},{}\n",
            s.slug,
            field(&s.name),
            row.visitors,
            row.conversion_from_start,
            row.conversion_from_previous,
            row.drop_off
        ));
    }
    for b in &r.breakdown {
        for (s, n) in steps.iter().zip(&b.visitors) {
            out.push_str(&format!("{},{},{},{},,,\n", b.dimension, s.slug, field(&b.value), n));
        }
    }
    out
}

/// Quotes a CSV field, and defuses spreadsheet formulas.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}
