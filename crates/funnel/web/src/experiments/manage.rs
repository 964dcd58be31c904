//! Creating and changing experiments: one path for the JSON API and the admin pages, so both
//! apply the same domain validation and both drop the cached pages afterwards.

use crate::{FunnelError, clock::now_ms, state::AppState};
use hikari_funnel::{DomainError, Experiment, ExperimentId, FunnelId, NewExperiment, experiment::Status};
use serde::Deserialize;
use serde_json::json;

/// Creates an experiment on a step of `funnel` (validated by the domain and the store; a
/// second live experiment on the step is a conflict).
pub(crate) async fn create(st: &AppState, funnel: FunnelId, new: &NewExperiment) -> Result<Experiment, FunnelError> {
    let e = st.store.create_experiment(funnel, new, now_ms()).await?;
    st.pages.invalidate();
    Ok(e)
}

/// A change to an experiment (`PATCH /api/v1/experiments/{id}`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    /// New weights, one per arm (normalised; sticky assignments are kept).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Switches the automatic winner.
    #[serde(default)]
    pub auto_winner: Option<bool>,
    /// `stopped` ends the test (control for everyone); `decided` with `winner` picks one.
    #[serde(default)]
    pub status: Option<Status>,
    /// The arm index picked by hand, with `status: decided`.
    #[serde(default)]
    pub winner: Option<usize>,
}

impl Change {
    /// The change that stops an experiment.
    pub(crate) fn stop() -> Self {
        Self { status: Some(Status::Stopped), ..Self::default() }
    }
}

/// Applies a [`Change`]; returns the experiment as stored afterwards.
pub(crate) async fn update(st: &AppState, id: ExperimentId, c: &Change) -> Result<Experiment, FunnelError> {
    let mut e = st.store.experiment(id).await?;
    let end = match (c.status, c.winner) {
        (None, None) => None,
        (Some(Status::Decided), Some(w)) => Some((Status::Decided, Some(w), json!({ "decision": "manual", "arm": w }))),
        (Some(Status::Stopped), None) => Some((Status::Stopped, None, json!({ "decision": "manual_stop" }))),
        _ => {
            return Err(DomainError::invalid("status", "use {\"status\": \"stopped\"} or {\"status\": \"decided\", \"winner\": arm index}").into());
        }
    };
    if c.weights.is_some() || c.auto_winner.is_some() {
        e = st.store.update_experiment(id, c.weights.as_deref(), c.auto_winner).await?;
    }
    if let Some((status, winner, decision)) = end {
        e = st.store.end_experiment(id, status, winner, &decision, now_ms()).await?;
    }
    st.pages.invalidate();
    Ok(e)
}
