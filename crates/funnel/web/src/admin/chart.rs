//! The experiment page's charts, as plain markup: chance-to-win bars (CSS widths with the
//! value in text) and conversion over time (inline SVG, one polyline per arm). No scripts,
//! no external assets; every label goes through maud's escaping.

use crate::admin::text::{Tr, experiments::X};
use maud::{Markup, html};

/// Line colours, one per arm (up to 10), with a dash pattern each so lines stay apart
/// without colour.
const COLOURS: [&str; 10] = ["#2563eb", "#c2410c", "#15803d", "#7c3aed", "#be123c", "#0e7490", "#a16207", "#4b5563", "#db2777", "#65a30d"];
const DASHES: [&str; 5] = ["", "6 3", "2 3", "8 3 2 3", "12 4"];

/// An arm's colour.
pub(crate) fn colour(arm: usize) -> &'static str {
    COLOURS[arm % COLOURS.len()]
}

/// A horizontal bar for a share in [0, 1], with its value as text beside it.
pub(crate) fn bar(label: &str, share: f64) -> Markup {
    let pct = (share.clamp(0.0, 1.0) * 1000.0).round() / 10.0;
    html! {
        div.bar-row {
            div.bar role="presentation" {
                span.bar-fill style={ "width:" (format!("{pct:.1}")) "%" } {}
            }
            span.bar-value aria-label={ (label) ": " (format!("{pct:.1}")) "%" } { (format!("{pct:.1}")) "%" }
        }
    }
}

/// One day of one arm: visitors assigned that day and their conversions (or value sum).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DayPoint {
    pub arm: usize,
    pub day: i64,
    pub visitors: f64,
    pub value: f64,
}

const W: f64 = 720.0;
const H: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 52.0;

/// Cumulative conversion rate (or mean value) per arm and day of assignment: one `polyline`
/// per arm, y and x axes with labels, and a legend under the chart.
pub(crate) fn over_time(t: Tr, arms: &[String], days: &[DayPoint], binomial: bool) -> Markup {
    let mut all: Vec<i64> = days.iter().map(|d| d.day).collect();
    all.sort_unstable();
    all.dedup();
    let (Some(&first), Some(&last)) = (all.first(), all.last()) else {
        return html! { p.hint { (t.s(X::NoVisitorsYet)) } };
    };
    let series: Vec<Vec<(i64, f64, f64)>> = (0..arms.len())
        .map(|arm| {
            let mut mine: Vec<&DayPoint> = days.iter().filter(|d| d.arm == arm).collect();
            mine.sort_by_key(|d| d.day);
            let (mut n, mut v) = (0.0, 0.0);
            mine.iter()
                .filter_map(|d| {
                    n += d.visitors;
                    v += d.value;
                    (n > 0.0).then(|| (d.day, v / n, n))
                })
                .collect()
        })
        .collect();
    let top = series.iter().flatten().map(|p| p.1).filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    let y_max = nice_ceiling(top * 1.1, binomial);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |day: i64| {
        if last == first { LEFT + plot_w / 2.0 } else { LEFT + plot_w * (day - first) as f64 / (last - first) as f64 }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - (v / y_max).clamp(0.0, 1.0));
    let fmt = |v: f64| {
        if binomial { format!("{:.1}%", v * 100.0) } else { format!("{v:.2}") }
    };
    let step = all.len().div_ceil(6).max(1);
    let x_ticks: Vec<i64> = all.iter().copied().step_by(step).collect();
    let what = if binomial { t.s(X::CumulativeRate) } else { t.s(X::CumulativeMean) };
    html! {
        figure.chart.over-time {
            svg role="img" aria-labelledby="over-time-title over-time-desc" viewBox={ "0 0 " (W) " " (H) } width="100%" {
                title #over-time-title { (t.f(X::ByDay, &[&what])) }
                desc #over-time-desc {
                    @for (i, s) in series.iter().enumerate() {
                        (arms[i]) ": " (s.last().map_or_else(|| t.s(X::NoVisitors).to_string(), |p| fmt(p.1))) ". "
                    }
                }
                @for k in 0..=4 {
                    @let v = y_max * f64::from(k) / 4.0;
                    line x1=(LEFT) x2=(W - RIGHT) y1=(y(v)) y2=(y(v)) stroke="#e2e8f0" {}
                    text.y-tick x=(LEFT - 6.0) y=(y(v) + 4.0) text-anchor="end" font-size="11" { (tick(v, binomial)) }
                }
                line x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(TOP + plot_h) stroke="#334155" {}
                line x1=(LEFT) x2=(W - RIGHT) y1=(TOP + plot_h) y2=(TOP + plot_h) stroke="#334155" {}
                @for d in &x_ticks {
                    text.x-tick x=(x(*d)) y=(TOP + plot_h + 16.0) text-anchor="middle" font-size="11" { (date(*d)) }
                }
                text x=(LEFT + plot_w / 2.0) y=(H - 6.0) text-anchor="middle" font-size="12" { (t.s(X::DayAxis)) }
                text x="12" y=(TOP + plot_h / 2.0) text-anchor="middle" font-size="12"
                    transform={ "rotate(-90 12 " (TOP + plot_h / 2.0) ")" } { (what) }
                @for (i, s) in series.iter().enumerate() {
                    polyline.arm-line data-arm=(i) fill="none" stroke=(colour(i)) stroke-width="2"
                        stroke-dasharray=(DASHES[i % DASHES.len()])
                        points=(points(s, &x, &y)) {}
                    @for p in s {
                        circle cx=(format!("{:.1}", x(p.0))) cy=(format!("{:.1}", y(p.1))) r="3" fill=(colour(i)) {
                            title { (arms[i]) ", " (date(p.0)) ": " (fmt(p.1)) (t.f(X::PointVisitors, &[&p.2])) }
                        }
                    }
                }
            }
            figcaption {
                ul.legend {
                    @for (i, name) in arms.iter().enumerate() {
                        li { span.swatch style={ "background:" (colour(i)) } {} " " (name) }
                    }
                }
            }
        }
    }
}

/// A polyline's points; a series of one day (every experiment's first day) becomes a short
/// level stroke around its point, so the line is visible before there is a second day.
fn points(s: &[(i64, f64, f64)], x: &impl Fn(i64) -> f64, y: &impl Fn(f64) -> f64) -> String {
    match s {
        [(day, v, _)] => format!("{:.1},{:.1} {:.1},{:.1}", x(*day) - 12.0, y(*v), x(*day) + 12.0, y(*v)),
        _ => s.iter().map(|p| format!("{:.1},{:.1}", x(p.0), y(p.1))).collect::<Vec<_>>().join(" "),
    }
}

/// An axis label: up to three decimals, trailing zeros dropped (`0.25%`, `1%`, `12.5`).
fn tick(v: f64, binomial: bool) -> String {
    let s = format!("{:.3}", if binomial { v * 100.0 } else { v });
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if binomial { format!("{s}%") } else { s.to_string() }
}

/// The smallest of 1, 2, 2.5, 5 × 10ᵏ at or above `v` (a positive axis top); 1 % for an
/// empty binomial chart, 1 for an empty value chart.
fn nice_ceiling(v: f64, binomial: bool) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return if binomial { 0.01 } else { 1.0 };
    }
    let base = 10f64.powf(v.log10().floor());
    let top = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * base).find(|t| *t >= v).unwrap_or(10.0 * base);
    if binomial { top.min(1.0) } else { top }
}

/// `YYYY-MM-DD` of a Unix day (days since 1970-01-01).
pub(crate) fn date(day: i64) -> String {
    hikari_common::clock::civil_date(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_axis_tops() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(19_723), "2024-01-01");
        assert_eq!(date(19_782), "2024-02-29");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(nice_ceiling(0.33, true), 0.5);
        assert_eq!(nice_ceiling(0.9, true), 1.0);
        assert_eq!(nice_ceiling(0.0, true), 0.01);
        assert_eq!(nice_ceiling(1.2, true), 1.0);
        assert_eq!(nice_ceiling(42.0, false), 50.0);
        assert_eq!(nice_ceiling(f64::NAN, false), 1.0);
        assert_eq!(tick(0.0025, true), "0.25%");
        assert_eq!(tick(0.01, true), "1%");
        assert_eq!(tick(0.0, true), "0%");
        assert_eq!(tick(12.5, false), "12.5");
    }

    #[test]
    fn one_polyline_per_arm_and_escaped_names() {
        let arms = vec!["<A>".to_string(), "B".to_string(), "C".to_string()];
        let days = [
            DayPoint { arm: 0, day: 20_000, visitors: 10.0, value: 1.0 },
            DayPoint { arm: 1, day: 20_000, visitors: 10.0, value: 3.0 },
            DayPoint { arm: 1, day: 20_001, visitors: 10.0, value: 1.0 },
        ];
        let svg = over_time(Tr::default(), &arms, &days, true).into_string();
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains("&lt;A&gt;") && !svg.contains("<A>"));
        // B: 3/10 on day one, then 4/20 cumulative.
        assert!(svg.contains("30.0% (10 visitors)") && svg.contains("20.0% (20 visitors)"), "{svg}");
        assert!(over_time(Tr::default(), &arms, &[], true).into_string().contains("No visitors yet"));
        let ja = over_time(Tr(hikari_funnel::Locale::Ja), &arms, &days, true).into_string();
        assert!(ja.contains("累積コンバージョン率") && ja.contains("（訪問者 10）"), "{ja}");
    }
}
