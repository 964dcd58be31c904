//! Experiments in the JSON API: CRUD, results, on-demand evaluation and the stand-alone
//! statistics comparison.

use super::{Res, created};
use crate::{
    admin::auth::ApiCaller,
    clock::now_ms,
    experiments,
    extract::{ApiJson, ApiPath},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode, response::Response};
use hikari_funnel::{DomainError, Experiment, ExperimentId, FunnelId, NewExperiment, experiment::Status};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) async fn list(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Vec<Experiment>>> {
    st.store.funnel(FunnelId(id)).await?;
    Ok(Json(st.store.experiments(FunnelId(id)).await?))
}

pub(super) async fn create(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewExperiment>,
) -> Res<Response> {
    Ok(created(st.store.create_experiment(FunnelId(id), &new, now_ms()).await?))
}

pub(super) async fn get(_: ApiCaller, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Res<Json<Experiment>> {
    Ok(Json(st.store.experiment(ExperimentId(id)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Patch {
    #[serde(default)]
    weights: Option<Vec<f64>>,
    #[serde(default)]
    auto_winner: Option<bool>,
    /// `stopped` ends the test (control for new visitors); `decided` with `winner` picks one.
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    winner: Option<usize>,
}

pub(super) async fn update(
    _: ApiCaller,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<Patch>,
) -> Res<Json<Experiment>> {
    let id = ExperimentId(id);
    let mut e = st.store.experiment(id).await?;
    if p.weights.is_some() || p.auto_winner.is_some() {
        e = st.store.update_experiment(id, p.weights.as_deref(), p.auto_winner).await?;
    }
    match (p.status, p.winner) {
        (None, None) => {}
        (Some(Status::Decided), Some(w)) => {
            e = st.store.end_experiment(id, Status::Decided, Some(w), &json!({ "decision": "manual", "arm": w }), now_ms()).await?;
        }
        (Some(Status::Stopped), None) => {
            e = st.store.end_experiment(id, Status::Stopped, None, &json!({ "decision": "manual_stop" }), now_ms()).await?;
        }
        _ => {
            return Err(DomainError::invalid("status", "use {\"status\": \"stopped\"} or {\"status\": \"decided\", \"winner\": arm index}").into());
        }
    }
    Ok(Json(e))
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
