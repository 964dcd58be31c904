//! The room page at the registrant's personal link `/join/{key}`: the waiting screen with a
//! countdown until the session is live, then the stage (the hosts' video, screen and sound
//! through the embedded `livekit-client`), and a closing message once it ends. The page
//! follows the session through `/join/{key}/events` (server-sent notices) and asks
//! `/join/{key}/pass` for its room token only when it is live. The key is the only
//! credential, so every response is private (`no-store`, `noindex`, `no-referrer`).

use crate::{
    assets::livekit_client_path,
    error::{FunnelError, HtmlError},
    extract::ApiJson,
    notices,
    public::ticket::{PRIVATE, invalid, panel, ticket_and_locale},
    render,
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use hikari_common::clock::unix_millis;
use hikari_funnel::Locale;
use hikari_funnel_app::Ticket;
use hikari_webinar::{NewMessage, SessionState, Text, Viewer, rfc3339, text};
use maud::{Markup, html};
use serde::Serialize;
use std::collections::HashMap;

fn stage(st: &AppState, t: &Ticket, l: Locale) -> Markup {
    let key = t.registrant.join_key.as_str();
    let state = t.session.state;
    let waiting = matches!(state, SessionState::Scheduled | SessionState::Backstage);
    html! {
        div #room.room data-key=(key) data-state=(state.as_str()) data-starts=(rfc3339(t.session.starts_at))
            data-t-connecting=(text(l, Text::Connecting)) data-t-reconnecting=(text(l, Text::Reconnecting))
            data-t-replaced=(text(l, Text::Replaced)) data-t-backstage=(text(l, Text::Backstage))
            data-t-voted=(text(l, Text::Voted)) data-t-host=(text(l, Text::Host)) data-t-answered=(text(l, Text::Answered)) data-t-too-fast=(text(l, Text::TooFast))
            data-t-raise=(text(l, Text::RaiseHand)) data-t-lower=(text(l, Text::LowerHand)) data-t-removed=(text(l, Text::Removed))
            data-t-muted=(text(l, Text::Muted)) {
            h1 { (t.webinar.title) }
            p #status.small role="status" aria-live="polite" {}
            section #waiting hidden[!waiting] {
                p { (text(l, Text::StartsSoon)) }
                p.countdown { (text(l, Text::StartsIn)) " " strong #countdown {} }
                (panel(st, t, l))
            }
            section #stage hidden {
                div #videos.videos {}
                p { button #sound.btn type="button" hidden { (text(l, Text::SoundOn)) } }
                p #reactions.reactions {
                    @for (name, emoji) in REACTIONS { button type="button" data-reaction=(name) aria-label=(name) { (emoji) } }
                }
                p.small { span #attendees { "0" } " " (text(l, Text::Watching)) " " button #hand.btn type="button" { (text(l, Text::RaiseHand)) } }
                section #invite.invite hidden {
                    p { (text(l, Text::Invited)) }
                    p { button #join-stage.btn type="button" { (text(l, Text::JoinStage)) } }
                }
                p { button #leave-stage.btn type="button" hidden { (text(l, Text::LeaveStage)) } }
                section #offer.offer hidden data-t-left=(text(l, Text::Left)) data-t-ends=(text(l, Text::EndsIn)) {
                    p.offer-title { strong #offer-title {} }
                    p #offer-price.offer-price {}
                    p.small { span #offer-scarcity {} }
                    p { a #offer-buy.btn href="#" { (text(l, Text::BuyNow)) } }
                }
                section #polls.polls aria-label=(text(l, Text::Poll)) aria-live="polite" {}
                (chat(l))
            }
            section #ended hidden[state != SessionState::Ended] { p { (text(l, Text::Ended)) } }
        }
        script src=(livekit_client_path()) defer {}
        script src="/f/room.js" defer {}
    }
}

/// The reactions attendees may send, as the buttons show them.
const REACTIONS: [(&str, &str); 6] = [("thumbs_up", "👍"), ("heart", "❤️"), ("clap", "👏"), ("laugh", "😂"), ("party", "🎉"), ("wow", "😮")];

/// The chat under the stage: what was said (filled by the script) and a line to send.
fn chat(l: Locale) -> Markup {
    html! {
        section #chat.chat aria-label=(text(l, Text::Chat)) {
            h2 { (text(l, Text::Chat)) }
            ol #messages.messages aria-live="polite" {}
            form #say {
                textarea name="text" rows="2" maxlength=(hikari_webinar::MAX_MESSAGE_CHARS) required placeholder=(text(l, Text::ChatPlaceholder)) {}
                label.check { input type="checkbox" name="question"; " " (text(l, Text::AskHosts)) }
                button.btn type="submit" { (text(l, Text::Send)) }
                p #say-error.small role="alert" {}
            }
        }
    }
}

/// `GET /join/{key}`.
pub(crate) async fn show(
    State(st): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    let (ticket, l) = ticket_and_locale(&st, &key, &headers, &query).await?;
    let Some(t) = ticket else {
        return Ok(invalid(l));
    };
    Ok((PRIVATE, render::shell(l, &t.webinar.title, stage(&st, &t, l))).into_response())
}

/// A pass into the room.
#[derive(Serialize)]
pub(crate) struct PassReply {
    room: String,
    identity: String,
    token: String,
}

/// `POST /join/{key}/pass`: the room token, while the session is live (409 otherwise).
pub(crate) async fn pass(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, FunnelError> {
    let Some(t) = st.app.webinars.ticket(&key).await? else {
        return Err(FunnelError::NotFound("join link"));
    };
    let p = st.app.webinars.attendee_pass(&t).await?;
    Ok((PRIVATE, Json(PassReply { room: p.room, identity: p.identity, token: p.token })).into_response())
}

/// `GET /join/{key}/events`.
pub(crate) async fn events(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, FunnelError> {
    let Some(t) = st.app.webinars.ticket(&key).await? else {
        return Err(FunnelError::NotFound("join link"));
    };
    Ok((PRIVATE, notices::stream(&st.app.webinars, t.session.id, Viewer::Attendee(t.registrant.id)).await?).into_response())
}

async fn ticket(st: &AppState, key: &str) -> Result<Ticket, FunnelError> {
    st.app.webinars.ticket(key).await?.ok_or(FunnelError::NotFound("join link"))
}

/// `GET /join/{key}/messages`: the latest messages this registrant may see.
pub(crate) async fn messages(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let me = Viewer::Attendee(t.registrant.id);
    let list: Vec<_> = st.app.chat.history(t.session.id, me).await?.iter().map(|m| notices::attendee_view(m, me)).collect();
    Ok((PRIVATE, Json(list)).into_response())
}

/// `POST /join/{key}/messages`: says something in the room (`{"text", "kind"}`), at most a
/// few lines in a few seconds per registrant.
pub(crate) async fn say(State(st): State<AppState>, Path(key): Path<String>, ApiJson(new): ApiJson<NewMessage>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let now = unix_millis();
    if !st.chats.allow(&t.registrant.id.to_string(), now) {
        return Err(FunnelError::RateLimited);
    }
    let m = st.app.chat.say(&t, new, now).await?;
    let me = Viewer::Attendee(t.registrant.id);
    Ok((axum::http::StatusCode::CREATED, PRIVATE, Json(notices::attendee_view(&m, me))).into_response())
}

/// `GET /join/{key}/polls`: the open and closed polls, with this registrant's votes.
pub(crate) async fn polls(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let list: Vec<_> = st.app.polls.seen(&t).await?.iter().map(|s| notices::poll_view(&s.poll, s.mine)).collect();
    Ok((PRIVATE, Json(list)).into_response())
}

/// A registrant's vote.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Vote {
    choice: usize,
}

/// `POST /join/{key}/polls/{id}/vote`: votes once (`{"choice": option index}`).
pub(crate) async fn vote(State(st): State<AppState>, Path((key, id)): Path<(String, i64)>, ApiJson(v): ApiJson<Vote>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let p = st.app.polls.vote(&t, hikari_webinar::PollId(id), v.choice, unix_millis()).await?;
    Ok((axum::http::StatusCode::CREATED, PRIVATE, Json(notices::poll_view(&p, Some(v.choice)))).into_response())
}

/// `GET /join/{key}/offer`: the pinned offer, or `null`.
pub(crate) async fn offer(State(st): State<AppState>, Path(key): Path<String>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let pinned = st.app.offers.pinned(&t).await?;
    Ok((PRIVATE, Json(pinned.as_ref().map(notices::offer_view))).into_response())
}

/// `POST /join/{key}/offers/{id}/shown`: the page showed the pinned offer (recorded once).
pub(crate) async fn offer_shown(State(st): State<AppState>, Path((key, id)): Path<(String, i64)>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    st.app.offers.shown(&t, hikari_webinar::OfferId(id), unix_millis()).await?;
    Ok((axum::http::StatusCode::NO_CONTENT, PRIVATE).into_response())
}

/// `GET /join/{key}/offers/{id}`: the offer's button. Records the click and sends the
/// registrant on (a path of this site with its key; the `no-referrer` policy keeps the join
/// link from the next page).
pub(crate) async fn offer_click(State(st): State<AppState>, Path((key, id)): Path<(String, i64)>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let to = st.app.offers.clicked(&t, hikari_webinar::OfferId(id), unix_millis()).await?;
    Ok((PRIVATE, axum::response::Redirect::to(&to)).into_response())
}

/// A registrant's reaction.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct React {
    reaction: hikari_webinar::Reaction,
}

/// `POST /join/{key}/reactions`: one of the fixed reactions (`{"reaction": "clap"}`), a few
/// a second at most per registrant.
pub(crate) async fn react(State(st): State<AppState>, Path(key): Path<String>, ApiJson(r): ApiJson<React>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let now = unix_millis();
    if !st.reactions.allow(&t.registrant.id.to_string(), now) {
        return Err(FunnelError::RateLimited);
    }
    st.app.chat.react(&t, r.reaction, now).await?;
    Ok((axum::http::StatusCode::NO_CONTENT, PRIVATE).into_response())
}

/// A raised (or lowered) hand.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hand {
    raised: bool,
}

/// `POST /join/{key}/hand`: raises or lowers this registrant's hand (`{"raised": true}`);
/// shares the reactions' limit.
pub(crate) async fn hand(State(st): State<AppState>, Path(key): Path<String>, ApiJson(h): ApiJson<Hand>) -> Result<Response, FunnelError> {
    let t = ticket(&st, &key).await?;
    let now = unix_millis();
    if !st.reactions.allow(&t.registrant.id.to_string(), now) {
        return Err(FunnelError::RateLimited);
    }
    st.app.stage.raise_hand(&t, h.raised, now).await?;
    Ok((axum::http::StatusCode::NO_CONTENT, PRIVATE).into_response())
}
