//! Experiments in the JSON API: CRUD, results, on-demand evaluation and the stand-alone
//! statistics comparison.

use crate::{
    admin::auth::ApiCaller,
    api::reply::{Res, created},
    extract::{ApiJson, ApiPath},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode, response::Response};
use hikari_funnel::{Experiment, ExperimentId, FunnelId, NewExperiment};
use hikari_funnel_app::{Change, results::CompareInput};
use serde_json::Value;

pub(super) async fn list(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Experiment>>> {
    st.app.builder.funnel(FunnelId(id)).await?;
    Ok(Json(st.app.experiments.list(FunnelId(id)).await?))
}

pub(super) async fn create(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewExperiment>) -> Res<Response> {
    Ok(created(st.app.experiments.create(FunnelId(id), &new).await?))
}

pub(super) async fn get(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Experiment>> {
    Ok(Json(st.app.experiments.get(ExperimentId(id)).await?))
}

/// `{weights?, auto_winner?}` and/or `{status: "stopped"}` or `{status: "decided", winner}`.
pub(super) async fn update(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(c): ApiJson<Change>) -> Res<Json<Experiment>> {
    Ok(Json(st.app.experiments.update(ExperimentId(id), &c).await?))
}

pub(super) async fn delete(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.app.experiments.delete(ExperimentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn results(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Value>> {
    let e = st.app.experiments.get(ExperimentId(id)).await?;
    Ok(Json(st.app.experiments.results(&e).await?))
}

pub(super) async fn evaluate(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Experiment>> {
    let e = st.app.experiments.get(ExperimentId(id)).await?;
    Ok(Json(st.app.experiments.evaluate(&e).await?))
}

pub(super) async fn compare(_: ApiCaller, ApiJson(input): ApiJson<CompareInput>) -> Res<Json<Value>> {
    Ok(Json(hikari_funnel_app::results::compare(input)?))
}
