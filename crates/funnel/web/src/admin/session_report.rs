//! A webinar session's report in the admin: registrations, show-up, watch time, the
//! attendees minute by minute drawn as a line (an inline SVG: no script), what they did, and
//! each registrant's watch timeline, engagement score and segments (filtered by `?segment=`).

use crate::{
    admin::{auth::Admin, layout::layout},
    error::HtmlError,
    extract::{ApiPath, ApiQuery},
    state::AppState,
};
use axum::extract::State;
use hikari_webinar::{RegistrantReport, Segment, SessionId, Span};
use maud::{Markup, html};
use serde::Deserialize;

const W: f64 = 640.0;
const H: f64 = 160.0;

/// The drop-off curve: attendees at each minute, as a polyline scaled to the peak.
fn curve(points: &[u32]) -> Markup {
    let peak = f64::from(points.iter().copied().max().unwrap_or(0).max(1));
    let step = if points.len() > 1 { W / (points.len() - 1) as f64 } else { 0.0 };
    let line: Vec<String> = points.iter().enumerate().map(|(i, n)| format!("{:.1},{:.1}", i as f64 * step, H - f64::from(*n) / peak * (H - 10.0))).collect();
    html! {
        figure.curve {
            svg width=(W) height=(H) viewBox={ "0 0 " (W) " " (H) } role="img" aria-label="Attendees by minute" {
                polyline fill="none" stroke="#2563eb" stroke-width="2" points=(line.join(" ")) {}
            }
            figcaption { "Attendees by minute (peak " (peak) ", " (points.len()) " minutes)" }
        }
    }
}

const BAR: f64 = 240.0;

/// A registrant's stays as bars on the curve's time axis (`from` to `to`, Unix ms).
fn timeline(spans: &[Span], from: i64, to: i64) -> Markup {
    let len = (to - from).max(1) as f64;
    let x = |t: i64| ((t - from) as f64 / len * BAR).clamp(0.0, BAR);
    html! {
        svg.timeline width=(BAR) height="12" viewBox={ "0 0 " (BAR) " 12" } role="img" aria-label="Watch timeline" {
            rect width=(BAR) height="12" fill="#e5e7eb" {}
            @for s in spans {
                @let (a, b) = (x(s.from), x(s.to.unwrap_or(to)));
                rect x=(format!("{a:.1}")) width=(format!("{:.1}", (b - a).max(1.0))) height="12" fill="#2563eb" {}
            }
        }
    }
}

fn registrant_rows(rows: &[RegistrantReport], from: i64, to: i64) -> Markup {
    let mins = |secs: i64| format!("{}:{:02}", secs / 60, secs % 60);
    html! {
        table #registrants {
            thead { tr { th { "Contact" } th { "Engagement" } th { "Watched" } th { "Timeline" } th { "Chat / Q&A / votes / reactions" } th { "Offer" } th { "Segments" } } }
            tbody {
                @for r in rows {
                    tr data-registrant=(r.registrant) {
                        td { "#" (r.contact) }
                        td.engagement { (r.engagement) }
                        td { (mins(r.watched_seconds)) }
                        td { (timeline(&r.timeline, from, to)) }
                        td { (r.conduct.messages) " / " (r.conduct.questions) " / " (r.conduct.votes) " / " (r.conduct.reactions) }
                        td { @if r.conduct.offer_clicked { "clicked" } @else if r.conduct.offer_shown_at.is_some() { "shown" } @else { "—" } }
                        td.segments { (r.segments.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
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
    Ok(layout(
        &format!("Report · {}", w.title),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/webinars/" (w.id) } { "← " (w.title) } }
            h1 { "Session report" }
            dl #report {
                dt { "Registrations" } dd #registrations { (r.registrations) }
                dt { "Attended" } dd #attended { (r.attended) " (" (pct(r.show_up_rate)) " show-up)" }
                dt { "Watch time" } dd { "mean " (mins(r.watch_seconds_mean)) ", median " (mins(r.watch_seconds_median)) }
                dt { "Offer click rate" } dd #offer-click-rate { (pct(r.offer_click_rate)) " of those shown an offer" }
                @for (name, n) in &r.activity { dt { (name) } dd data-activity=(name) { (n) } }
            }
            @if r.attendees_by_minute.is_empty() { p { "Nobody has joined yet." } } @else { (curve(&r.attendees_by_minute)) }
            h2 { "Registrants" }
            nav.segments aria-label="Segments" {
                a href={ "/admin/sessions/" (s.id) "/report" } aria-current=[f.segment.is_none().then_some("page")] { "all" }
                @for seg in Segment::ALL {
                    " · " a href={ "/admin/sessions/" (s.id) "/report?segment=" (seg.as_str()) } aria-current=[(f.segment == Some(seg)).then_some("page")] { (seg.as_str()) }
                }
            }
            @if rows.is_empty() { p { "No registrant here." } } @else { (registrant_rows(&rows, from, to)) }
            p { small { "Engagement (0–100): watching the live part up to 60; chat and questions 5 each up to 15; votes 5 each up to 10; reactions 1 each up to 5; clicking the offer 10." } }
        },
    ))
}
