//! A registrant's ticket: the calendar file `/join/{key}/calendar.ics`, and the ticket panel
//! shown on the funnel's thank-you step (`?r={key}`) and on the room page's waiting screen
//! (`room.rs`, at the personal link `/join/{key}`). The key is the only credential: every
//! response about one is `no-store`, and an unknown, malformed or deleted key gets the same
//! "not valid" page.

use crate::{error::HtmlError, public::visit::locale, render, state::AppState};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use hikari_common::clock::unix_millis;
use hikari_funnel::Locale;
use hikari_funnel_app::Ticket;
use hikari_webinar::{Text, calendar, format_start, ics_utc, rfc3339, text};
use maud::{Markup, html};
use std::collections::HashMap;

/// Personal pages are never stored by browsers or proxies, nor indexed, and their address
/// (which holds the key) is never sent to another site as a referrer.
pub(crate) const PRIVATE: [(header::HeaderName, &str); 3] =
    [(header::CACHE_CONTROL, "no-store"), (header::HeaderName::from_static("x-robots-tag"), "noindex"), (header::REFERRER_POLICY, "no-referrer")];

/// The registrant's personal link.
pub(crate) fn join_url(st: &AppState, t: &Ticket) -> String {
    format!("{}/join/{}", st.config.public_base_url.trim_end_matches('/'), t.registrant.join_key.as_str())
}

/// The ticket: the start in the webinar's zone (and, by `/f/w.js`, in the visitor's), the
/// calendar links and the personal link.
pub(crate) fn panel(st: &AppState, t: &Ticket, l: Locale) -> Markup {
    let key = t.registrant.join_key.as_str();
    let url = join_url(st, t);
    let google = serde_urlencoded::to_string([
        ("action", "TEMPLATE".to_owned()),
        ("text", t.webinar.title.clone()),
        ("dates", format!("{}/{}", ics_utc(t.session.starts_at), ics_utc(t.session.ends_at(&t.webinar)))),
        ("details", url.clone()),
    ])
    .unwrap_or_default();
    html! {
        section.section.ticket id="ticket" {
            h2 { (text(l, Text::Registered)) }
            p { strong { (t.webinar.title) } }
            p { (text(l, Text::Starts)) ": " (format_start(t.session.starts_at, &t.webinar.time_zone, l)) }
            p.local hidden { (text(l, Text::YourTime)) ": " time datetime=(rfc3339(t.session.starts_at)) data-local-time {} }
            p {
                a.btn href={ "/join/" (key) "/calendar.ics" } download="webinar.ics" { (text(l, Text::AddToCalendar)) }
                " "
                a href={ "https://calendar.google.com/calendar/render?" (google) } rel="noopener noreferrer" target="_blank" { (text(l, Text::AddToGoogle)) }
            }
            // A long link wraps anywhere rather than widen a phone's page.
            p style="overflow-wrap:anywhere" { (text(l, Text::JoinLink)) ": " a href=(url) { (url) } }
            p.small { (text(l, Text::KeepPrivate)) }
        }
        script src="/f/w.js" defer {}
    }
}

pub(crate) fn invalid(l: Locale) -> Response {
    (StatusCode::NOT_FOUND, PRIVATE, render::simple(l, text(l, Text::InvalidLink))).into_response()
}

pub(crate) async fn ticket_and_locale(
    st: &AppState,
    key: &str,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<(Option<Ticket>, Locale), HtmlError> {
    let ticket = st.app.webinars.ticket(key).await?;
    let funnel = match &ticket {
        Some(t) => Some(st.app.builder.funnel(t.webinar.funnel).await?),
        None => None,
    };
    Ok((ticket, locale(headers, query, funnel.as_ref())))
}

/// `GET /join/{key}/calendar.ics`.
pub(crate) async fn ics(State(st): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Result<Response, HtmlError> {
    let (ticket, l) = ticket_and_locale(&st, &key, &headers, &HashMap::new()).await?;
    let Some(t) = ticket else {
        return Ok(invalid(l));
    };
    let host = st.config.public_base_url.split("://").nth(1).unwrap_or("hikari").split('/').next().unwrap_or("hikari").to_owned();
    let uid = format!("webinar-{}-registrant-{}@{host}", t.session.id, t.registrant.id);
    let body = calendar(&uid, &t.webinar.title, t.session.starts_at, t.session.ends_at(&t.webinar), &join_url(&st, &t), unix_millis());
    Ok((PRIVATE, [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"webinar.ics\"")], body)
        .into_response())
}
