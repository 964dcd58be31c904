//! Webinars in the JSON API: CRUD, sessions (booked, added and upcoming; their state) and
//! registrants (with their attendance).

use crate::{
    admin::auth::ApiCaller,
    api::{
        paging::{Paging, checked_limit},
        reply::{Res, created},
    },
    extract::{ApiJson, ApiPath, ApiQuery},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode, response::Response};
use hikari_common::clock::unix_millis;
use hikari_webinar::{
    Message, MessageId, Moderation, NewOffer, NewPoll, NewWebinar, Offer, OfferId, Poll, PollId, PollState, Registrant, RegistrantReport, Segment, Session,
    SessionId, SessionReport, SessionState, Viewer, Webinar, WebinarId,
};
use serde::{Deserialize, Serialize};

pub(super) async fn list(_: ApiCaller, State(st): State<AppState>) -> Res<Json<Vec<Webinar>>> {
    Ok(Json(st.app.webinars.list().await?))
}

pub(super) async fn create(_: ApiCaller, State(st): State<AppState>, ApiJson(new): ApiJson<NewWebinar>) -> Res<Response> {
    Ok(created(st.app.webinars.create(&new).await?))
}

pub(super) async fn get(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Webinar>> {
    Ok(Json(st.app.webinars.get(WebinarId(id)).await?))
}

pub(super) async fn update(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewWebinar>) -> Res<Json<Webinar>> {
    Ok(Json(st.app.webinars.update(WebinarId(id), &new).await?))
}

pub(super) async fn delete(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.webinars.delete(WebinarId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sessions a webinar has, and the starts a visitor could book now.
#[derive(Serialize)]
pub(super) struct Sessions {
    sessions: Vec<Session>,
    upcoming: Vec<i64>,
}

pub(super) async fn sessions(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Sessions>> {
    let w = st.app.webinars.get(WebinarId(id)).await?;
    let upcoming = st.app.webinars.upcoming(&w, unix_millis()).await?;
    Ok(Json(Sessions { sessions: st.app.webinars.sessions(w.id).await?, upcoming }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewSession {
    starts_at: i64,
}

pub(super) async fn add_session(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(s): ApiJson<NewSession>) -> Res<Response> {
    Ok(created(st.app.webinars.add_session(WebinarId(id), s.starts_at).await?))
}

/// A session with its attendees in the room now.
#[derive(Serialize)]
pub(super) struct SessionReply {
    #[serde(flatten)]
    session: Session,
    attendees: u32,
}

pub(super) async fn get_session(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<SessionReply>> {
    let session = st.app.webinars.session(SessionId(id)).await?;
    let attendees = st.app.webinars.live().attendees(session.id);
    Ok(Json(SessionReply { session, attendees }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewState {
    state: SessionState,
}

pub(super) async fn set_state(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(s): ApiJson<NewState>) -> Res<Json<Session>> {
    Ok(Json(st.app.webinars.set_state(SessionId(id), s.state).await?))
}

pub(super) async fn delete_session(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.webinars.delete_session(SessionId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn registrants(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Paging>,
) -> Res<Json<Vec<Registrant>>> {
    Ok(Json(st.app.webinars.registrants(WebinarId(id), checked_limit(p.limit)?, p.offset.max(0)).await?))
}

pub(super) async fn messages(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Message>>> {
    Ok(Json(st.app.chat.history(SessionId(id), Viewer::Host).await?))
}

pub(super) async fn moderate(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(m): ApiJson<Moderation>) -> Res<Json<Message>> {
    Ok(Json(st.app.chat.moderate(MessageId(id), &m).await?))
}

pub(super) async fn polls(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Poll>>> {
    Ok(Json(st.app.polls.list(SessionId(id)).await?))
}

pub(super) async fn create_poll(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewPoll>) -> Res<Response> {
    Ok(created(st.app.polls.create(SessionId(id), &new, unix_millis()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewPollState {
    state: PollState,
}

pub(super) async fn set_poll_state(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(s): ApiJson<NewPollState>) -> Res<Json<Poll>> {
    Ok(Json(st.app.polls.set_state(PollId(id), s.state).await?))
}

pub(super) async fn offers(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Offer>>> {
    Ok(Json(st.app.offers.list(SessionId(id)).await?))
}

pub(super) async fn create_offer(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewOffer>) -> Res<Response> {
    Ok(created(st.app.offers.create(SessionId(id), &new, unix_millis()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Pin {
    pinned: bool,
}

pub(super) async fn pin_offer(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(p): ApiJson<Pin>) -> Res<Json<Offer>> {
    Ok(Json(st.app.offers.pin(OfferId(id), p.pinned).await?))
}

pub(super) async fn encoder_input(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<hikari_funnel_app::EncoderInput>> {
    match st.app.webinars.encoder_input(SessionId(id)).await? {
        Some(input) => Ok(Json(input)),
        None => Err(hikari_funnel_app::AppError::Unavailable("this server takes no encoder input (ingress is off)").into()),
    }
}

pub(super) async fn session_report(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<SessionReport>> {
    Ok(Json(st.app.session_reports.report(SessionId(id)).await?))
}

/// `?segment=` of a session's registrants.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SegmentQuery {
    #[serde(default)]
    segment: Option<Segment>,
}

pub(super) async fn session_registrants(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SegmentQuery>,
) -> Res<Json<Vec<RegistrantReport>>> {
    Ok(Json(st.app.session_reports.registrants(SessionId(id), q.segment).await?))
}

pub(super) async fn stage(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<hikari_funnel_app::StageState>> {
    Ok(Json(st.app.stage.state(SessionId(id)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StageChange {
    registrant: i64,
    on: bool,
}

pub(super) async fn set_stage(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<StageChange>,
) -> Res<Json<hikari_funnel_app::StageState>> {
    st.app.stage.put_on_stage(SessionId(id), hikari_webinar::RegistrantId(c.registrant), c.on).await?;
    Ok(Json(st.app.stage.state(SessionId(id)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Mute {
    registrant: i64,
    muted: bool,
}

pub(super) async fn mute(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<Mute>,
) -> Res<Json<hikari_funnel_app::StageState>> {
    st.app.stage.mute(SessionId(id), hikari_webinar::RegistrantId(m.registrant), m.muted).await?;
    Ok(Json(st.app.stage.state(SessionId(id)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Removal {
    registrant: i64,
}

pub(super) async fn remove(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Removal>,
) -> Res<Json<hikari_funnel_app::StageState>> {
    st.app.stage.remove(SessionId(id), hikari_webinar::RegistrantId(r.registrant)).await?;
    Ok(Json(st.app.stage.state(SessionId(id)).await?))
}
