//! Experiments in the JSON API: CRUD, results, on-demand evaluation and the stand-alone
//! statistics comparison.

use super::{Res, created};
use crate::{
    admin::auth::ApiCaller,
    experiments,
    extract::{ApiJson, ApiPath},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode, response::Response};
use hikari_funnel::{Experiment, ExperimentId, FunnelId, NewExperiment};
use serde_json::Value;

pub(super) async fn list(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Experiment>>> {
    st.store.funnel(FunnelId(id)).await?;
    Ok(Json(st.store.experiments(FunnelId(id)).await?))
}

pub(super) async fn create(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiJson(new): ApiJson<NewExperiment>) -> Res<Response> {
    Ok(created(experiments::create(&st, FunnelId(id), &new).await?))
}

pub(super) async fn get(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Experiment>> {
    Ok(Json(st.store.experiment(ExperimentId(id)).await?))
}

/// `{weights?, auto_winner?}` and/or `{status: "stopped"}` or `{status: "decided", winner}`.
pub(super) async fn update(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<experiments::Change>,
) -> Res<Json<Experiment>> {
    Ok(Json(experiments::update(&st, ExperimentId(id), &c).await?))
}

pub(super) async fn delete(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<StatusCode> {
    st.store.delete_experiment(ExperimentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn results(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Value>> {
    let e = st.store.experiment(ExperimentId(id)).await?;
    Ok(Json(experiments::results(&st, &e).await?))
}

pub(super) async fn evaluate(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Experiment>> {
    let e = st.store.experiment(ExperimentId(id)).await?;
    Ok(Json(experiments::evaluate(&st, &e).await?))
}

pub(super) async fn compare(_: ApiCaller, ApiJson(input): ApiJson<experiments::CompareInput>) -> Res<Json<Value>> {
    Ok(Json(experiments::compare(input)?))
}
