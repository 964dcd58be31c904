//! Webinars in the admin: the list, one webinar's sessions (booked, added and upcoming) and
//! registrants with their attendance, and the host console of a session: the host's camera,
//! microphone and screen (through the embedded `livekit-client`), the session's state
//! (backstage, live, ended) and the live attendee count.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        layout::layout,
        text::{
            Tr,
            common::C,
            webinars::{W, session_state},
        },
    },
    assets::livekit_client_path,
    error::{FunnelError, HtmlError},
    extract::ApiPath,
    notices,
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use hikari_common::clock::unix_millis;
use hikari_funnel_app::AppError;
use hikari_webinar::{Registrant, Session, SessionId, SessionState, Viewer, Webinar, WebinarId, format_start};
use maud::{Markup, html};
use serde::Deserialize;

type Page = Result<Markup, HtmlError>;

/// How many registrants the webinar page lists.
const LISTED: i64 = 200;

/// A moment in the webinar's time zone, in the admin's language.
fn when(t: Tr, w: &Webinar, ms: i64) -> String {
    format_start(ms, &w.time_zone, t.0)
}

/// `/admin/webinars`.
pub(crate) async fn list(admin: Admin, State(st): State<AppState>) -> Page {
    let webinars = st.app.webinars.list().await?;
    let t = admin.tr;
    Ok(layout(
        t,
        t.s(W::Webinars),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(W::Webinars)) }
            p { a.button #new-webinar href="/admin/webinars/new" { (t.s(W::NewWebinar)) } }
            @if webinars.is_empty() {
                p { (t.s(W::NoWebinar)) }
            } @else {
                table #webinars {
                    thead { tr { th { (t.s(W::Title)) } th { (t.s(W::Funnel)) } th { (t.s(W::TimeZone)) } th { (t.s(W::Length)) } } }
                    tbody {
                        @for w in &webinars {
                            tr {
                                td { a href={ "/admin/webinars/" (w.id) } { (w.title) } }
                                td { a href={ "/admin/funnels/" (w.funnel) } { (t.f(W::FunnelN, &[&w.funnel])) } }
                                td { (w.time_zone.name()) }
                                td { (t.f(C::Minutes, &[&w.duration_minutes])) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// A reminder schedule as a line: `1 day before, 1 h before, live, replay 1 h after`.
fn reminders_text(t: Tr, rs: &[hikari_webinar::Reminder]) -> String {
    use hikari_webinar::Reminder;
    let span = |m: u32| match m {
        1440 => t.f(W::RemDay, &[&1]),
        m if m > 0 && m % 1440 == 0 => t.f(W::RemDays, &[&(m / 1440)]),
        m if m > 0 && m % 60 == 0 => t.f(W::RemHours, &[&(m / 60)]),
        m => t.f(W::RemMinutes, &[&m]),
    };
    let all: Vec<String> = rs
        .iter()
        .map(|r| match *r {
            Reminder::Before { minutes } => t.f(W::RemBefore, &[&span(minutes)]),
            Reminder::Live => t.s(W::RemLive).to_owned(),
            Reminder::Replay { minutes: 0 } => t.s(W::RemReplayAtEnd).to_owned(),
            Reminder::Replay { minutes } => t.f(W::RemReplayAfter, &[&span(minutes)]),
        })
        .collect();
    if all.is_empty() { t.s(W::RemNone).to_owned() } else { all.join(if t.ja() { "、" } else { ", " }) }
}

fn minutes(ms: i64) -> String {
    format!("{}:{:02}", ms / 60_000, ms % 60_000 / 1000)
}

fn registrants_table(t: Tr, rs: &[Registrant], sessions: &[Session], w: &Webinar) -> Markup {
    html! {
        table #registrants {
            thead { tr {
                th { (t.s(W::Registered)) } th { (t.s(W::Contact)) } th { (t.s(W::Session)) } th { (t.s(W::Arm)) } th { (t.s(W::Joined)) } th { (t.s(W::Watched)) }
            } }
            tbody {
                @for r in rs {
                    tr data-registrant=(r.id) {
                        td { (when(t, w, r.registered_at)) }
                        td { a href={ "/admin/contacts?id=" (r.contact) } { (t.f(W::ContactN, &[&r.contact])) } }
                        td { @if let Some(s) = sessions.iter().find(|s| s.id == r.session) { (when(t, w, s.starts_at)) } }
                        td { (r.variant.as_deref().unwrap_or("")) }
                        td {
                            @match r.attendance.first_joined_at { Some(at) => (when(t, w, at)), None => (t.s(W::No)) }
                            @if r.attendance.in_room_since.is_some() { (t.s(W::InTheRoom)) }
                        }
                        td data-watched-ms=(r.attendance.watched_ms) { (minutes(r.attendance.watched_ms)) }
                    }
                }
            }
        }
    }
}

/// `/admin/webinars/{id}`.
pub(crate) async fn show(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let w = st.app.webinars.get(WebinarId(id)).await?;
    let sessions = st.app.webinars.sessions(w.id).await?;
    let upcoming = st.app.webinars.upcoming(&w, unix_millis()).await?;
    let rs = st.app.webinars.registrants(w.id, LISTED, 0).await?;
    let t = admin.tr;
    Ok(layout(
        t,
        &w.title,
        Some(&admin.csrf),
        html! {
            p { a href="/admin/webinars" { "← " (t.s(W::Webinars)) } }
            h1 { (w.title) }
            p.muted {
                (w.time_zone.name()) " · " (t.f(W::MinutesLong, &[&w.duration_minutes])) " · " a href={ "/admin/funnels/" (w.funnel) } { (t.f(W::FunnelN, &[&w.funnel])) }
            }
            p #reminders.muted { (t.s(W::Reminders)) (reminders_text(t, &w.reminders)) (t.s(W::RemindersOpen)) code { "PUT /api/v1/webinars/" (w.id) } (t.s(W::RemindersHow)) }
            h2 { (t.s(W::Sessions)) }
            @if sessions.is_empty() { p { (t.s(W::NoSession)) } }
            @else {
                table #sessions {
                    thead { tr { th { (t.s(W::Starts)) } th { (t.s(W::State)) } th { (t.s(W::Room)) } th { "" } } }
                    tbody {
                        @for s in &sessions {
                            tr data-session=(s.id) {
                                td { (when(t, &w, s.starts_at)) }
                                td data-state=(s.state.as_str()) { (session_state(t, s.state)) }
                                td { code { (s.room) } }
                                td {
                                    @if s.state.admits_hosts() { a.button href={ "/admin/sessions/" (s.id) "/console" } { (t.s(W::OpenConsole)) } " " }
                                    a href={ "/admin/sessions/" (s.id) "/report" } { (t.s(W::Report)) }
                                }
                            }
                        }
                    }
                }
            }
            form #add-session method="post" action={ "/admin/webinars/" (w.id) "/sessions" } {
                input type="hidden" name="csrf" value=(admin.csrf);
                label { (t.f(W::AddSessionAt, &[&w.time_zone.name()])) input name="local" type="datetime-local" required; }
                button type="submit" { (t.s(W::AddSession)) }
            }
            @if !upcoming.is_empty() {
                h2 { (t.s(W::Upcoming)) }
                ul #upcoming {
                    @for at in upcoming.iter().filter(|at| !sessions.iter().any(|s| s.starts_at == **at)) {
                        li {
                            (when(t, &w, *at)) " "
                            form.inline method="post" action={ "/admin/webinars/" (w.id) "/sessions" } {
                                input type="hidden" name="csrf" value=(admin.csrf);
                                input type="hidden" name="starts_at" value=(at);
                                button type="submit" { (t.s(W::Prepare)) }
                            }
                        }
                    }
                }
            }
            h2 { (t.s(W::Registrants)) }
            @if rs.is_empty() { p { (t.s(W::NobodyRegistered)) } } @else { (registrants_table(t, &rs, &sessions, &w)) }
        },
    ))
}

#[derive(Deserialize)]
pub(crate) struct NewSessionForm {
    #[serde(default)]
    csrf: String,
    /// An upcoming start (Unix ms), from the list.
    #[serde(default)]
    starts_at: Option<i64>,
    /// Or a wall-clock time in the webinar's zone (`datetime-local`).
    #[serde(default)]
    local: Option<String>,
}

/// `POST /admin/webinars/{id}/sessions`: prepares the session at an upcoming start (and opens
/// its console), or adds one at a local date and time (and shows the webinar again).
pub(crate) async fn prepare(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, Form(f): Form<NewSessionForm>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    let w = st.app.webinars.get(WebinarId(id)).await?;
    let (starts_at, next) = match (f.starts_at, f.local.as_deref()) {
        (Some(t), _) => (t, None),
        (None, Some(local)) => (w.time_zone.instant_of(local).map_err(AppError::from)?, Some(format!("/admin/webinars/{id}"))),
        (None, None) => return Err(FunnelError::BadRequest("starts_at or local: when the session starts".into()).into()),
    };
    let s = st.app.webinars.add_session(w.id, starts_at).await?;
    Ok(Redirect::to(&next.unwrap_or_else(|| format!("/admin/sessions/{}/console", s.id))).into_response())
}

/// The state buttons: the next steps of a session's life.
fn controls(admin: &Admin, s: &Session) -> Markup {
    let t = admin.tr;
    let steps: &[(SessionState, &str, &str)] = &[
        (SessionState::Backstage, t.s(W::Backstage), t.s(W::BackstageHint)),
        (SessionState::Live, t.s(W::GoLive), t.s(W::GoLiveHint)),
        (SessionState::Ended, t.s(W::End), t.s(W::EndHint)),
    ];
    html! {
        div #controls {
            @for (to, label, hint) in steps {
                form.inline method="post" action={ "/admin/sessions/" (s.id) "/state" } data-state=(to.as_str())
                    hidden[s.state.check(*to).is_err() || s.state == *to] {
                    input type="hidden" name="csrf" value=(admin.csrf);
                    input type="hidden" name="state" value=(to.as_str());
                    button.danger[*to == SessionState::Ended] type="submit" title=(hint) { (label) }
                }
            }
        }
    }
}

/// `/admin/sessions/{id}/console`: the host's console.
pub(crate) async fn console(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let s = st.app.webinars.session(SessionId(id)).await?;
    let w = st.app.webinars.get(s.webinar).await?;
    let pass = match s.state.admits_hosts() {
        true => Some(st.app.webinars.host_pass(s.id, admin.user, "Host").await?),
        false => None,
    };
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(W::ConsoleTitle, &[&w.title]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/webinars/" (w.id) } { "← " (w.title) } }
            h1 { (w.title) }
            p.muted { (when(t, &w, s.starts_at)) }
            div #console data-session=(s.id) data-state=(s.state.as_str()) data-token=[pass.as_ref().map(|p| &p.token)] {
                p {
                    (t.s(W::StateLabel)) strong #state { (session_state(t, s.state)) }
                    (t.s(W::AttendeesInRoom)) strong #attendees { (st.app.webinars.live().attendees(s.id)) }
                    " · " span #connection { (t.s(W::NotConnected)) }
                }
                (controls(&admin, &s))
                @if pass.is_some() {
                    p #devices {
                        button #camera type="button" { (t.s(W::CameraOff)) } " "
                        button #mic type="button" { (t.s(W::MicOff)) } " "
                        button #screen type="button" { (t.s(W::ShareScreen)) }
                    }
                    div #preview.preview {}
                    div #remote.preview {}
                    h2 { (t.s(W::FromObs)) }
                    p.muted { (t.s(W::FromObsHint)) }
                    p { button #encoder-show type="button" { (t.s(W::ShowStreamKey)) } " " span #encoder-error.muted role="alert" {} }
                    div #encoder hidden {
                        label { (t.s(W::EncoderServer)) input #encoder-url readonly; }
                        label { (t.s(W::EncoderKey)) input #encoder-key readonly; }
                        label #encoder-srt-row hidden { (t.s(W::EncoderSrt)) input #encoder-srt readonly; }
                    }
                    h2 { (t.s(W::Hands)) }
                    ul #hands.hands {}
                    span #stage-error.muted role="alert" {}
                    h2 { (t.s(W::Offers)) }
                    div #offers {}
                    form #new-offer {
                        input name="title" maxlength="120" required placeholder=(t.s(W::OfferProduct));
                        input name="price" maxlength="60" placeholder=(t.s(W::OfferPrice));
                        input name="url" required placeholder=(t.s(W::OfferUrl));
                        input name="stock" type="number" min="0" placeholder=(t.s(W::OfferStock));
                        input name="minutes" type="number" min="1" placeholder=(t.s(W::OfferMinutes));
                        button type="submit" { (t.s(W::AddOffer)) }
                        span #offer-error.muted role="alert" {}
                    }
                    h2 { (t.s(W::Polls)) }
                    div #polls {}
                    form #new-poll {
                        input name="question" maxlength="200" required placeholder=(t.s(W::PollQuestion));
                        textarea name="options" rows="3" required placeholder=(t.s(W::PollOptions)) {}
                        button type="submit" { (t.s(W::DraftPoll)) }
                        span #poll-error.muted role="alert" {}
                    }
                    h2 { (t.s(W::Chat)) }
                    ol #messages.messages {}
                    form #say {
                        textarea name="text" rows="2" maxlength=(hikari_webinar::MAX_MESSAGE_CHARS) required placeholder=(t.s(W::WriteToEveryone)) {}
                        button type="submit" { (t.s(W::SendAsHost)) }
                        span #say-error.muted role="alert" {}
                    }
                } @else {
                    p { (t.s(W::HasEnded)) }
                }
            }
            @if pass.is_some() {
                script src=(livekit_client_path()) defer {}
                script src="/admin/assets/console.js" defer {}
            }
        },
    ))
}

#[derive(Deserialize)]
pub(crate) struct StateForm {
    #[serde(default)]
    csrf: String,
    state: String,
}

/// `POST /admin/sessions/{id}/state` (the console's script posts to the JSON API instead, so
/// the host's media keeps flowing; this is the same without a script).
pub(crate) async fn set_state(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, Form(f): Form<StateForm>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    let to: SessionState = f.state.parse().map_err(|e: hikari_funnel::DomainError| FunnelError::BadRequest(e.to_string()))?;
    st.app.webinars.set_state(SessionId(id), to).await?;
    Ok(Redirect::to(&format!("/admin/sessions/{id}/console")).into_response())
}

/// `GET /admin/sessions/{id}/events`: the console's notices.
pub(crate) async fn events(_: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<Response, HtmlError> {
    Ok(notices::stream(&st.app.webinars, SessionId(id), Viewer::Host).await?.into_response())
}
