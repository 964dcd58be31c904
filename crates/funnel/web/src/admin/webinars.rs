//! Webinars in the admin: the list, one webinar's sessions (booked, added and upcoming) and
//! registrants with their attendance, and the host console of a session: the host's camera,
//! microphone and screen (through the embedded `livekit-client`), the session's state
//! (backstage, live, ended) and the live attendee count.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        layout::layout,
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
use hikari_funnel::Locale;
use hikari_funnel_app::AppError;
use hikari_webinar::{Registrant, Session, SessionId, SessionState, Viewer, Webinar, WebinarId, format_start};
use maud::{Markup, html};
use serde::Deserialize;

type Page = Result<Markup, HtmlError>;

/// How many registrants the webinar page lists.
const LISTED: i64 = 200;

fn when(w: &Webinar, ms: i64) -> String {
    format_start(ms, &w.time_zone, Locale::En)
}

/// `/admin/webinars`.
pub(crate) async fn list(admin: Admin, State(st): State<AppState>) -> Page {
    let webinars = st.app.webinars.list().await?;
    Ok(layout(
        "Webinars",
        Some(&admin.csrf),
        html! {
            h1 { "Webinars" }
            p { a.button #new-webinar href="/admin/webinars/new" { "New webinar" } }
            @if webinars.is_empty() {
                p { "No webinar yet: create one for a funnel that has a webinar_register step (see docs/webinars.md)." }
            } @else {
                table #webinars {
                    thead { tr { th { "Title" } th { "Funnel" } th { "Time zone" } th { "Length" } } }
                    tbody {
                        @for w in &webinars {
                            tr {
                                td { a href={ "/admin/webinars/" (w.id) } { (w.title) } }
                                td { a href={ "/admin/funnels/" (w.funnel) } { "funnel " (w.funnel) } }
                                td { (w.time_zone.name()) }
                                td { (w.duration_minutes) " min" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// A reminder schedule as a line: `1 day before, 1 h before, live, replay 1 h after`.
fn reminders_text(rs: &[hikari_webinar::Reminder]) -> String {
    use hikari_webinar::Reminder;
    let span = |m: u32| match m {
        m if m > 0 && m % 1440 == 0 => format!("{} day{}", m / 1440, if m == 1440 { "" } else { "s" }),
        m if m > 0 && m % 60 == 0 => format!("{} h", m / 60),
        m => format!("{m} min"),
    };
    let all: Vec<String> = rs
        .iter()
        .map(|r| match *r {
            Reminder::Before { minutes } => format!("{} before", span(minutes)),
            Reminder::Live => "live".to_owned(),
            Reminder::Replay { minutes: 0 } => "replay at the end".to_owned(),
            Reminder::Replay { minutes } => format!("replay {} after", span(minutes)),
        })
        .collect();
    if all.is_empty() { "none".to_owned() } else { all.join(", ") }
}

fn minutes(ms: i64) -> String {
    format!("{}:{:02}", ms / 60_000, ms % 60_000 / 1000)
}

fn registrants_table(rs: &[Registrant], sessions: &[Session], w: &Webinar) -> Markup {
    html! {
        table #registrants {
            thead { tr { th { "Registered" } th { "Contact" } th { "Session" } th { "Arm" } th { "Joined" } th { "Watched" } } }
            tbody {
                @for r in rs {
                    tr data-registrant=(r.id) {
                        td { (when(w, r.registered_at)) }
                        td { a href={ "/admin/contacts?id=" (r.contact) } { "contact " (r.contact) } }
                        td { @if let Some(s) = sessions.iter().find(|s| s.id == r.session) { (when(w, s.starts_at)) } }
                        td { (r.variant.as_deref().unwrap_or("")) }
                        td { @match r.attendance.first_joined_at { Some(t) => (when(w, t)), None => "no" } @if r.attendance.in_room_since.is_some() { " (in the room)" } }
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
    Ok(layout(
        &w.title,
        Some(&admin.csrf),
        html! {
            p { a href="/admin/webinars" { "← Webinars" } }
            h1 { (w.title) }
            p.muted { (w.time_zone.name()) " · " (w.duration_minutes) " minutes · funnel " a href={ "/admin/funnels/" (w.funnel) } { (w.funnel) } }
            p #reminders.muted { "Reminders: " (reminders_text(&w.reminders)) " (" code { "PUT /api/v1/webinars/" (w.id) } " changes them; sending comes with email and LINE)" }
            h2 { "Sessions" }
            @if sessions.is_empty() { p { "No session yet: one is created when somebody registers, or prepare one below." } }
            @else {
                table #sessions {
                    thead { tr { th { "Starts" } th { "State" } th { "Room" } th { "" } } }
                    tbody {
                        @for s in &sessions {
                            tr data-session=(s.id) {
                                td { (when(&w, s.starts_at)) }
                                td { (s.state.as_str()) }
                                td { code { (s.room) } }
                                td {
                                    @if s.state.admits_hosts() { a.button href={ "/admin/sessions/" (s.id) "/console" } { "Open console" } " " }
                                    a href={ "/admin/sessions/" (s.id) "/report" } { "Report" }
                                }
                            }
                        }
                    }
                }
            }
            form #add-session method="post" action={ "/admin/webinars/" (w.id) "/sessions" } {
                input type="hidden" name="csrf" value=(admin.csrf);
                label { "Add a session at (" (w.time_zone.name()) ") " input name="local" type="datetime-local" required; }
                button type="submit" { "Add session" }
            }
            @if !upcoming.is_empty() {
                h2 { "Upcoming starts" }
                ul #upcoming {
                    @for t in upcoming.iter().filter(|t| !sessions.iter().any(|s| s.starts_at == **t)) {
                        li {
                            (when(&w, *t)) " "
                            form.inline method="post" action={ "/admin/webinars/" (w.id) "/sessions" } {
                                input type="hidden" name="csrf" value=(admin.csrf);
                                input type="hidden" name="starts_at" value=(t);
                                button type="submit" { "Prepare this session" }
                            }
                        }
                    }
                }
            }
            h2 { "Registrants" }
            @if rs.is_empty() { p { "Nobody has registered yet." } } @else { (registrants_table(&rs, &sessions, &w)) }
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
    let steps: &[(SessionState, &str, &str)] = &[
        (SessionState::Backstage, "Backstage", "Hosts talk and test; attendees still see the waiting screen."),
        (SessionState::Live, "Go live", "Attendees' pages switch to the stage."),
        (SessionState::Ended, "End the webinar", "Everyone is told it is over; the room closes to attendees."),
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
    Ok(layout(
        &format!("Console · {}", w.title),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/webinars/" (w.id) } { "← " (w.title) } }
            h1 { (w.title) }
            p.muted { (when(&w, s.starts_at)) }
            div #console data-session=(s.id) data-state=(s.state.as_str()) data-token=[pass.as_ref().map(|p| &p.token)] {
                p {
                    "State: " strong #state { (s.state.as_str()) }
                    " · Attendees in the room: " strong #attendees { (st.app.webinars.live().attendees(s.id)) }
                    " · " span #connection { "not connected" }
                }
                (controls(&admin, &s))
                @if pass.is_some() {
                    p #devices {
                        button #camera type="button" { "Camera off" } " "
                        button #mic type="button" { "Mic off" } " "
                        button #screen type="button" { "Share screen" }
                    }
                    div #preview.preview {}
                    div #remote.preview {}
                    h2 { "Stream from OBS" }
                    p.muted { "Present from OBS, ffmpeg or a hardware encoder instead of (or besides) the camera here: it appears on the stage like a host." }
                    p { button #encoder-show type="button" { "Show the stream URL and key" } " " span #encoder-error.muted role="alert" {} }
                    div #encoder hidden {
                        label { "Server (OBS: Settings → Stream → Custom) " input #encoder-url readonly; }
                        label { "Stream key (secret: whoever has it can present) " input #encoder-key readonly; }
                        label #encoder-srt-row hidden { "SRT (instead of RTMP) " input #encoder-srt readonly; }
                    }
                    h2 { "Raised hands and the stage" }
                    ul #hands.hands {}
                    span #stage-error.muted role="alert" {}
                    h2 { "Offers" }
                    div #offers {}
                    form #new-offer {
                        input name="title" maxlength="120" required placeholder="Product";
                        input name="price" maxlength="60" placeholder="Price, as shown (¥29,800 税込)";
                        input name="url" required placeholder="/f/your-funnel/checkout or https://…";
                        input name="stock" type="number" min="0" placeholder="Places left (optional)";
                        input name="minutes" type="number" min="1" placeholder="Ends in minutes (optional)";
                        button type="submit" { "Add offer" }
                        span #offer-error.muted role="alert" {}
                    }
                    h2 { "Polls" }
                    div #polls {}
                    form #new-poll {
                        input name="question" maxlength="200" required placeholder="Question";
                        textarea name="options" rows="3" required placeholder="Options, one per line (2 to 6)" {}
                        button type="submit" { "Draft poll" }
                        span #poll-error.muted role="alert" {}
                    }
                    h2 { "Chat and questions" }
                    ol #messages.messages {}
                    form #say {
                        textarea name="text" rows="2" maxlength=(hikari_webinar::MAX_MESSAGE_CHARS) required placeholder="Write to everyone" {}
                        button type="submit" { "Send as host" }
                        span #say-error.muted role="alert" {}
                    }
                } @else {
                    p { "This session has ended." }
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
