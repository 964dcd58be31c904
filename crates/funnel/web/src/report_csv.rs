//! The funnel report as CSV (the JSON and page forms render the same `FunnelReport`).

use hikari_funnel::{Step, report::FunnelReport};

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
