//! A webinar session's report in the admin: registrations, show-up, watch time, the
//! attendees minute by minute drawn as a line (an inline SVG: no script), what they did, and
//! each registrant's watch timeline, engagement score and segments (filtered by `?segment=`).

use crate::{
    admin::{
        auth::Admin,
        layout::layout,
        text::{
            Tr,
            webinars::{W, activity, segment},
        },
    },
    error::HtmlError,
    extract::{ApiPath, ApiQuery},
    state::AppState,
};
use axum::extract::State;
use hikari_webinar::{RegistrantReport, Segment, SessionId, Span, format_start};
use maud::{Markup, html};
use serde::Deserialize;

const W: f64 = 640.0;
const H: f64 = 160.0;

/// The drop-off curve: attendees at each minute, as a polyline scaled to the peak.
fn curve(t: Tr, points: &[u32]) -> Markup {
    let peak = f64::from(points.iter().copied().max().unwrap_or(0).max(1));
    let step = if points.len() > 1 { W / (points.len() - 1) as f64 } else { 0.0 };
    let line: Vec<String> = points.iter().enumerate().map(|(i, n)| format!("{:.1},{:.1}", i as f64 * step, H - f64::from(*n) / peak * (H - 10.0))).collect();
    html! {
        figure.curve {
            svg width=(W) height=(H) viewBox={ "0 0 " (W) " " (H) } role="img" aria-label=(t.s(W::AttendeesByMinute)) {
                polyline fill="none" stroke="#2563eb" stroke-width="2" points=(line.join(" ")) {}
            }
            figcaption { (t.f(W::CurveCaption, &[&peak, &points.len()])) }
        }
    }
}

const BAR: f64 = 240.0;

/// A registrant's stays as bars on the curve's time axis (`from` to `to`, Unix ms).
fn timeline(t: Tr, spans: &[Span], from: i64, to: i64) -> Markup {
    let len = (to - from).max(1) as f64;
    let x = |t: i64| ((t - from) as f64 / len * BAR).clamp(0.0, BAR);
    html! {
        svg.timeline width=(BAR) height="12" viewBox={ "0 0 " (BAR) " 12" } role="img" aria-label=(t.s(W::WatchTimeline)) {
            rect width=(BAR) height="12" fill="#e5e7eb" {}
            @for s in spans {
                @let (a, b) = (x(s.from), x(s.to.unwrap_or(to)));
                rect x=(format!("{a:.1}")) width=(format!("{:.1}", (b - a).max(1.0))) height="12" fill="#2563eb" {}
            }
        }
    }
}

fn registrant_rows(t: Tr, rows: &[RegistrantReport], from: i64, to: i64) -> Markup {
    let mins = |secs: i64| format!("{}:{:02}", secs / 60, secs % 60);
    html! {
        table #registrants {
            thead { tr {
                th { (t.s(W::Contact)) } th { (t.s(W::Engagement)) } th { (t.s(W::Watched)) } th { (t.s(W::Timeline)) } th { (t.s(W::Conduct)) }
                th { (t.s(W::Offer)) } th { (t.s(W::Segments)) }
            } }
            tbody {
                @for r in rows {
                    tr data-registrant=(r.registrant) {
                        td { "#" (r.contact) }
                        td.engagement { (r.engagement) }
                        td { (mins(r.watched_seconds)) }
                        td { (timeline(t, &r.timeline, from, to)) }
                        td { (r.conduct.messages) " / " (r.conduct.questions) " / " (r.conduct.votes) " / " (r.conduct.reactions) }
                        td { @if r.conduct.offer_clicked { (t.s(W::Clicked)) } @else if r.conduct.offer_shown_at.is_some() { (t.s(W::Shown)) } @else { "—" } }
                        td.segments data-segments=(r.segments.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")) {
                            (r.segments.iter().map(|s| segment(s.as_str(), t.ja())).collect::<Vec<_>>().join(if t.ja() { "、" } else { ", " }))
                        }
                    }
                }
            }
        }
    }
}

/// `?segment=` of the report page.
#[derive(Deserialize)]
pub(crate) struct Filter {
    #[serde(default)]
    segment: Option<Segment>,
}

/// `/admin/sessions/{id}/report`.
pub(crate) async fn show(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiQuery(f): ApiQuery<Filter>) -> Result<Markup, HtmlError> {
    let s = st.app.webinars.session(SessionId(id)).await?;
    let w = st.app.webinars.get(s.webinar).await?;
    let r = st.app.session_reports.report(s.id).await?;
    let rows = st.app.session_reports.registrants(s.id, f.segment).await?;
    let from = r.curve_starts_at.unwrap_or(s.starts_at);
    let to = from + (r.attendees_by_minute.len().max(1) as i64) * 60_000;
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let mins = |secs: f64| format!("{}:{:02}", (secs / 60.0) as i64, (secs % 60.0) as i64);
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(W::ReportTitle, &[&w.title]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/webinars/" (w.id) } { "← " (w.title) } }
            h1 { (t.s(W::SessionReport)) }
            p.muted { (format_start(s.starts_at, &w.time_zone, t.0)) }
            dl #report {
                dt { (t.s(W::Registrations)) } dd #registrations { (r.registrations) }
                dt { (t.s(W::Attended)) } dd #attended { (r.attended) (t.f(W::ShowUp, &[&pct(r.show_up_rate)])) }
                dt { (t.s(W::WatchTime)) } dd { (t.f(W::MeanMedian, &[&mins(r.watch_seconds_mean), &mins(r.watch_seconds_median)])) }
                dt { (t.s(W::OfferClickRate)) } dd #offer-click-rate { (pct(r.offer_click_rate)) (t.s(W::OfShown)) }
                @for (name, n) in &r.activity { dt { (activity(name, t.ja())) } dd data-activity=(name) { (n) } }
            }
            @if r.attendees_by_minute.is_empty() { p { (t.s(W::NobodyJoined)) } } @else { (curve(t, &r.attendees_by_minute)) }
            h2 { (t.s(W::Registrants)) }
            nav.segments aria-label=(t.s(W::Segments)) {
                a href={ "/admin/sessions/" (s.id) "/report" } aria-current=[f.segment.is_none().then_some("page")] { (t.s(W::All)) }
                @for seg in Segment::ALL {
                    " · " a href={ "/admin/sessions/" (s.id) "/report?segment=" (seg.as_str()) } aria-current=[(f.segment == Some(seg)).then_some("page")] {
                        (segment(seg.as_str(), t.ja()))
                    }
                }
            }
            @if rows.is_empty() { p { (t.s(W::NoRegistrantHere)) } } @else { (registrant_rows(t, &rows, from, to)) }
            p { small { (t.s(W::EngagementHint)) } }
        },
    ))
}
