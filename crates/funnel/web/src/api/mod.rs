//! The JSON API under `/api/v1/`: everything the builder does, for scripts and integrations.

mod experiments;
mod openapi;
mod paging;
mod reply;
mod webinars;

use crate::{
    admin::auth::ApiCaller,
    api::{
        paging::{Paging, checked_limit, default_limit},
        reply::{Res, created},
    },
    error::FunnelError,
    extract::{ApiJson, ApiPath, ApiQuery},
    report_csv,
    security::issue_token,
    state::AppState,
};
use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use hikari_funnel::{Contact, ContactId, Edge, EdgeId, Event, Funnel, FunnelId, Locale, NewEdge, NewFunnel, NewStep, Page, PageDraft, Step, StepId, TokenId};
use hikari_funnel_app::ReportQuery;
use hikari_funnel_store::EventQuery;
use serde::Deserialize;
use serde_json::{Value, json};

/// Drops cached pages once a mutating request has finished (see `hikari_funnel_app::cache`).
async fn invalidate_pages(State(st): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mutating = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let res = next.run(req).await;
    if mutating {
        st.app.pages.invalidate();
    }
    res
}

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/funnels", get(list_funnels).post(create_funnel))
        .route("/api/v1/funnels/{id}", get(get_funnel).patch(update_funnel).delete(delete_funnel))
        .route("/api/v1/funnels/{id}/steps", get(list_steps).post(create_step))
        .route("/api/v1/funnels/{id}/steps/order", put(reorder_steps))
        .route("/api/v1/funnels/{id}/edges", get(list_edges).post(create_edge))
        .route("/api/v1/funnels/{id}/report", get(report))
        .route("/api/v1/funnels/{id}/report.csv", get(report_csv))
        .route("/api/v1/steps/{id}", get(get_step).delete(delete_step))
        .route("/api/v1/steps/{id}/page", get(get_page).put(save_page))
        .route("/api/v1/steps/{id}/publish", post(publish_page))
        .route("/api/v1/edges/{id}", axum::routing::delete(delete_edge))
        .route("/api/v1/contacts", get(list_contacts))
        .route("/api/v1/contacts/{id}", get(get_contact))
        .route("/api/v1/events", get(list_events))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(delete_token))
        .route("/api/v1/funnels/{id}/experiments", get(experiments::list).post(experiments::create))
        .route("/api/v1/experiments/{id}", get(experiments::get).patch(experiments::update).delete(experiments::delete))
        .route("/api/v1/experiments/{id}/results", get(experiments::results))
        .route("/api/v1/experiments/{id}/evaluate", post(experiments::evaluate))
        .route("/api/v1/stats/compare", post(experiments::compare))
        .route("/api/v1/webinars", get(webinars::list).post(webinars::create))
        .route("/api/v1/webinars/{id}", get(webinars::get).put(webinars::update).delete(webinars::delete))
        .route("/api/v1/webinars/{id}/sessions", get(webinars::sessions).post(webinars::add_session))
        .route("/api/v1/webinars/{id}/registrants", get(webinars::registrants))
        .route("/api/v1/sessions/{id}", get(webinars::get_session).delete(webinars::delete_session))
        .route("/api/v1/sessions/{id}/state", post(webinars::set_state))
        .route("/api/v1/sessions/{id}/report", get(webinars::session_report))
        .route("/api/v1/sessions/{id}/registrants", get(webinars::session_registrants))
        .route("/api/v1/sessions/{id}/encoder", post(webinars::encoder_input))
        .route("/api/v1/sessions/{id}/stage", get(webinars::stage).post(webinars::set_stage))
        .route("/api/v1/sessions/{id}/removals", post(webinars::remove))
        .route("/api/v1/sessions/{id}/mutes", post(webinars::mute))
        .route("/api/v1/sessions/{id}/messages", get(webinars::messages))
        .route("/api/v1/messages/{id}", axum::routing::patch(webinars::moderate))
        .route("/api/v1/sessions/{id}/polls", get(webinars::polls).post(webinars::create_poll))
        .route("/api/v1/polls/{id}/state", post(webinars::set_poll_state))
        .route("/api/v1/sessions/{id}/offers", get(webinars::offers).post(webinars::create_offer))
        .route("/api/v1/offers/{id}/pin", post(webinars::pin_offer))
        .layer(axum::middleware::from_fn_with_state(state, invalidate_pages))
}

async fn list_funnels(_: ApiCaller, State(st): State<AppState>) -> Res<Json<Vec<Funnel>>> {
    Ok(Json(st.app.builder.funnels().await?))
}

async fn create_funnel(_: ApiCaller, State(st): State<AppState>, ApiJson(new): ApiJson<NewFunnel>) -> Res<Response> {
    Ok(created(st.app.builder.create_funnel(&new).await?))
}

async fn get_funnel(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Funnel>> {
    Ok(Json(st.app.builder.funnel(FunnelId(id)).await?))
}

#[derive(Deserialize)]
struct FunnelPatch {
    name: String,
    #[serde(default)]
    locale: Option<Locale>,
}

async fn update_funnel(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(p): ApiJson<FunnelPatch>) -> Res<Json<Funnel>> {
    Ok(Json(st.app.builder.update_funnel(FunnelId(id), &p.name, p.locale).await?))
}

async fn delete_funnel(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.builder.delete_funnel(FunnelId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_steps(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Step>>> {
    st.app.builder.funnel(FunnelId(id)).await?;
    Ok(Json(st.app.builder.steps(FunnelId(id)).await?))
}

async fn create_step(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewStep>) -> Res<Response> {
    Ok(created(st.app.builder.create_step(FunnelId(id), &new).await?))
}

#[derive(Deserialize)]
struct Order {
    order: Vec<StepId>,
}

async fn reorder_steps(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(o): ApiJson<Order>) -> Res<Json<Vec<Step>>> {
    st.app.builder.funnel(FunnelId(id)).await?;
    st.app.builder.reorder_steps(FunnelId(id), &o.order).await?;
    Ok(Json(st.app.builder.steps(FunnelId(id)).await?))
}

async fn get_step(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Step>> {
    Ok(Json(st.app.builder.step(StepId(id)).await?))
}

async fn delete_step(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.builder.delete_step(StepId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_edges(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Edge>>> {
    st.app.builder.funnel(FunnelId(id)).await?;
    Ok(Json(st.app.builder.edges(FunnelId(id)).await?))
}

async fn create_edge(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewEdge>) -> Res<Response> {
    st.app.builder.funnel(FunnelId(id)).await?;
    Ok(created(st.app.builder.create_edge(FunnelId(id), &new).await?))
}

async fn delete_edge(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.builder.delete_edge(EdgeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_page(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Value>> {
    let p = st.app.builder.page(StepId(id)).await?;
    Ok(Json(json!({
        "version": p.version,
        "published_version": p.published_version,
        "page": p.draft.page,
        "css": p.draft.css,
    })))
}

#[derive(Deserialize)]
struct PageSave {
    version: i64,
    page: Page,
    #[serde(default)]
    css: String,
}

async fn save_page(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(p): ApiJson<PageSave>) -> Res<Json<Value>> {
    let draft = PageDraft { page: p.page, css: p.css };
    let version = st.app.builder.save_page(StepId(id), &draft, p.version).await?;
    Ok(Json(json!({ "version": version })))
}

#[derive(Deserialize)]
struct Publish {
    version: i64,
}

async fn publish_page(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(p): ApiJson<Publish>) -> Res<Json<Value>> {
    let v = st.app.builder.publish_page(StepId(id), p.version).await?;
    Ok(Json(json!({ "published_version": v })))
}

async fn list_contacts(_: ApiCaller, State(st): State<AppState>, ApiQuery(p): ApiQuery<Paging>) -> Res<Json<Vec<Contact>>> {
    Ok(Json(st.app.records.contacts(checked_limit(p.limit)?, p.offset.max(0)).await?))
}

async fn get_contact(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Contact>> {
    Ok(Json(st.app.records.contact(ContactId(id)).await?))
}

#[derive(Deserialize)]
struct EventFilter {
    funnel: Option<i64>,
    contact: Option<i64>,
    visitor: Option<String>,
    name: Option<String>,
    #[serde(default = "default_limit")]
    limit: i64,
}

async fn list_events(_: ApiCaller, State(st): State<AppState>, ApiQuery(f): ApiQuery<EventFilter>) -> Res<Json<Vec<Event>>> {
    let strip = |s: Option<String>| s.map(|s| s.replace('\0', ""));
    let q = EventQuery {
        funnel: f.funnel.map(FunnelId),
        contact: f.contact.map(ContactId),
        visitor: strip(f.visitor),
        name: strip(f.name),
        limit: checked_limit(f.limit)?,
    };
    Ok(Json(st.app.records.events(&q).await?))
}

async fn report(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiQuery(q): ApiQuery<ReportQuery>) -> Res<Json<Value>> {
    let (steps, r) = st.app.reports.by_id(FunnelId(id), &q).await?;
    let mut v = serde_json::to_value(&r).map_err(|e| FunnelError::BadRequest(e.to_string()))?;
    v["step_names"] = steps.iter().map(|s| Value::from(s.name.clone())).collect();
    Ok(Json(v))
}

async fn report_csv(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiQuery(q): ApiQuery<ReportQuery>) -> Res<Response> {
    let (steps, r) = st.app.reports.by_id(FunnelId(id), &q).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], report_csv::csv(&steps, &r)).into_response())
}

async fn list_tokens(_: ApiCaller, State(st): State<AppState>) -> Res<Json<Value>> {
    let tokens = st.admin.tokens().await?;
    Ok(Json(tokens.iter().map(|t| json!({ "id": t.id, "name": t.name, "created_at": t.created_at })).collect()))
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
}

async fn create_token(_: ApiCaller, State(st): State<AppState>, ApiJson(t): ApiJson<NewToken>) -> Res<Response> {
    let (id, token) = issue_token(&*st.admin, &t.name).await?;
    Ok(created(json!({ "id": id, "name": t.name.trim(), "token": token })))
}

async fn delete_token(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.admin.delete_token(TokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
