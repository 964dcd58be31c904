//! Visitor-facing routes: `/f/{funnel}/{step}` (page and form post), `/f/collect` (tracking
//! beacon) and the two scripts.

mod room;
mod ticket;
mod visit;

use crate::{
    assets,
    error::{FunnelError, HtmlError},
    extract::{ApiJson, ClientIp},
    public::visit::{Visit, locale},
    ratelimit::Over,
    render::{self, PageView},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Form, Path, Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use hikari_common::clock::unix_millis;
use hikari_funnel::{Locale, Msg};
use hikari_funnel_app::{Submitted, collect::NewEvent};
use serde::Deserialize;
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/f/form.js", get(assets::form_js))
        .route("/f/t.js", get(assets::track_js))
        .route("/f/w.js", get(assets::ticket_js))
        .route("/f/room.js", get(assets::room_js))
        .route("/join/{key}", get(room::show))
        .route("/join/{key}/pass", post(room::pass))
        .route("/join/{key}/events", get(room::events))
        // A chat line is short: a body over 8 KiB is refused before it is read.
        .route("/join/{key}/polls", get(room::polls))
        .route("/join/{key}/reactions", post(room::react))
        .route("/join/{key}/hand", post(room::hand))
        .route("/join/{key}/offer", get(room::offer))
        .route("/join/{key}/offers/{id}", get(room::offer_click))
        .route("/join/{key}/offers/{id}/shown", post(room::offer_shown))
        .route("/join/{key}/polls/{id}/vote", post(room::vote))
        .route("/join/{key}/messages", get(room::messages).post(room::say).layer(axum::extract::DefaultBodyLimit::max(8 * 1024)))
        .route("/join/{key}/calendar.ics", get(ticket::ics))
        .route(&assets::livekit_client_path(), get(assets::livekit_client_js))
        .route(&assets::hls_js_path(), get(assets::hls_js))
        .route("/f/collect", post(collect))
        .route("/f/{funnel}/{step}", get(show).post(submit))
}

fn with_cookies(st: &AppState, visit: &Visit, status: StatusCode, body: impl IntoResponse) -> Response {
    let mut res = (status, body).into_response();
    for (k, v) in visit.cookies(st.secure_cookies()) {
        res.headers_mut().append(k, v);
    }
    res
}

/// 429 for a visitor: the page says so, `Retry-After` says when (the limits' windows are a minute).
fn too_many(locale: Locale) -> Response {
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")], render::simple(locale, locale.text(Msg::RateLimited))).into_response()
}

fn not_found(locale: Locale) -> Response {
    (StatusCode::NOT_FOUND, render::not_found(locale)).into_response()
}

async fn show(
    State(st): State<AppState>,
    Path((funnel, step)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
) -> Result<Response, HtmlError> {
    let Some(t) = st.app.target(&funnel, &step).await? else {
        return Ok(not_found(locale(&headers, &query, None)));
    };
    let now = unix_millis();
    let mut visit = Visit::read(&headers, &query);
    // Past the per-address limit a view is flagged like a bot's: served, kept, not counted
    // (and never assigned an experiment arm); a flood ten times the limit is refused.
    match st.views.check(&ip, now) {
        Over::No => {}
        Over::Soft => visit.who.bot = true,
        Over::Hard => return Ok(too_many(locale(&headers, &query, Some(&t.funnel)))),
    }
    let arm = st.app.view(&t, &visit.who, now).await?;
    if let Some(url) = &t.step.redirect_url {
        return Ok(with_cookies(&st, &visit, StatusCode::FOUND, [(header::LOCATION, url.as_str())]));
    }
    let locale = locale(&headers, &query, Some(&t.funnel));
    // After a registration: the registrant's ticket, if the key is one of this funnel's.
    let ticket = match query.get("r") {
        Some(key) => st.app.webinars.ticket(key).await?.filter(|k| k.webinar.funnel == t.funnel.id),
        None => None,
    };
    let view = PageView {
        locale,
        title: &t.step.name,
        draft: t.page_of(arm),
        action: t.path(),
        failed: None,
        utm: &visit.who.utm_last,
        sanitizer: &st.sanitizer,
        tracking: Some((t.funnel.id.0, t.step.id.0)),
        now,
        ticket: ticket.as_ref().map(|k| ticket::panel(&st, k, locale)),
    };
    let mut res = with_cookies(&st, &visit, StatusCode::OK, render::page(&view));
    if ticket.is_some() {
        for (name, value) in ticket::PRIVATE {
            res.headers_mut().insert(name, axum::http::HeaderValue::from_static(value));
        }
    }
    Ok(res)
}

/// A form post: parse and rate-limit here, the rest is the app's submit use case.
async fn submit(
    State(st): State<AppState>,
    Path((funnel, step)): Path<(String, String)>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, HtmlError> {
    let query = HashMap::new();
    let Some(t) = st.app.target(&funnel, &step).await? else {
        return Ok(not_found(locale(&headers, &query, None)));
    };
    let loc = locale(&headers, &query, Some(&t.funnel));
    let Ok(Form(mut raw)) = form else {
        return Ok((StatusCode::BAD_REQUEST, render::simple(loc, loc.text(Msg::FixErrors))).into_response());
    };
    raw.values_mut().for_each(|v| v.retain(|c| c != '\0'));
    let now = unix_millis();
    if !st.submits.allow(&ip, now) {
        return Ok(too_many(loc));
    }
    let visit = Visit::read(&headers, &query);
    match st.app.submit(&t, &visit.who, &raw, now).await? {
        Submitted::UnknownForm => Ok((StatusCode::BAD_REQUEST, render::simple(loc, loc.text(Msg::FixErrors))).into_response()),
        Submitted::Invalid { arm, form, errors } => {
            let view = PageView {
                locale: loc,
                title: &t.step.name,
                draft: t.page_of(arm),
                action: t.path(),
                failed: Some((&form, &errors, &raw)),
                utm: &visit.who.utm_last,
                sanitizer: &st.sanitizer,
                tracking: Some((t.funnel.id.0, t.step.id.0)),
                now,
                ticket: None,
            };
            Ok(with_cookies(&st, &visit, StatusCode::UNPROCESSABLE_ENTITY, render::page(&view)))
        }
        Submitted::Next { location } => Ok(with_cookies(&st, &visit, StatusCode::SEE_OTHER, [(header::LOCATION, location)])),
    }
}

#[derive(Deserialize)]
struct Beacon {
    events: Vec<NewEvent>,
}

/// `POST /f/collect`: custom events from the tracking script, at most 25 a request, from this
/// site's own pages (`Origin`), within the per-address limit.
async fn collect(State(st): State<AppState>, headers: HeaderMap, ClientIp(ip): ClientIp, ApiJson(b): ApiJson<Beacon>) -> Result<Response, FunnelError> {
    if !same_origin(&headers, &st.config.public_base_url) {
        return Err(FunnelError::CrossOrigin);
    }
    let now = unix_millis();
    if !st.collects.allow(&ip, now) {
        return Err(FunnelError::RateLimited);
    }
    let visit = Visit::read(&headers, &HashMap::new());
    let accepted = st.app.collect(&visit.who, b.events, now).await?;
    Ok(with_cookies(&st, &visit, StatusCode::OK, Json(serde_json::json!({ "accepted": accepted }))))
}

/// Whether the request's `Origin` is this site: the configured public origin, or the origin
/// of the `Host` the request was sent to. Browsers send `Origin` with every `POST`, the
/// beacon's included; a request without one did not come from a page of ours.
fn same_origin(headers: &HeaderMap, public_base_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == public_base_url.trim_end_matches('/') {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}
