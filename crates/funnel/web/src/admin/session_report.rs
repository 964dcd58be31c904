//! A webinar session's report in the admin: registrations, show-up, watch time, the
//! attendees minute by minute drawn as a line (an inline SVG: no script), and what they did.

use crate::{
    admin::{auth::Admin, layout::layout},
    error::HtmlError,
    extract::ApiPath,
    state::AppState,
};
use axum::extract::State;
use hikari_webinar::SessionId;
use maud::{Markup, html};

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

/// `/admin/sessions/{id}/report`.
pub(crate) async fn show(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<Markup, HtmlError> {
    let s = st.app.webinars.session(SessionId(id)).await?;
    let w = st.app.webinars.get(s.webinar).await?;
    let r = st.app.session_reports.report(s.id).await?;
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
        },
    ))
}
