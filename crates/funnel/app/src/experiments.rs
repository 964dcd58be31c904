//! Managing experiments: one path for the JSON API, the admin pages and the scheduler, so all
//! apply the same domain validation and all drop the cached pages after a change. The clock
//! is read here, never in the domain.

use crate::{
    cache::PageCache,
    error::AppError,
    results::{analysis, arm_stats, srm_weights},
    target::Target,
    visit::Visit,
};
use hikari_common::clock::unix_millis;
use hikari_funnel::{
    DomainError, Event, Experiment, ExperimentId, FunnelId, NewExperiment,
    experiment::{Mode, Status},
};
use hikari_funnel_store::ExperimentRepo;
use hikari_stats::{BanditConfig, Decision, WinnerRule, bandit_weights, decide};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// A change to an experiment (`PATCH /api/v1/experiments/{id}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
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
    pub fn stop() -> Self {
        Self { status: Some(Status::Stopped), ..Self::default() }
    }
}

/// The experiment use cases over the experiment port; cheap to clone.
#[derive(Clone)]
pub struct Experiments {
    repo: Arc<dyn ExperimentRepo>,
    pages: Arc<PageCache<Target>>,
}

impl Experiments {
    /// The use cases over `repo`, dropping `pages` after every change.
    pub fn new(repo: Arc<dyn ExperimentRepo>, pages: Arc<PageCache<Target>>) -> Self {
        Self { repo, pages }
    }

    /// The arm a visitor is served and the exposure event to record, if any (see
    /// [`crate::assign::serve`]).
    pub async fn serve_arm(&self, e: &Experiment, visit: &Visit, now: i64) -> Result<(usize, Option<Event>), AppError> {
        crate::assign::serve(&*self.repo, e, visit, now).await
    }

    /// The arm a visitor who already saw the page was served (see [`crate::assign::recorded_arm`]).
    pub async fn recorded_arm(&self, e: &Experiment, visit: &Visit) -> Result<usize, AppError> {
        crate::assign::recorded_arm(&*self.repo, e, visit).await
    }

    /// A funnel's experiments, newest first.
    pub async fn list(&self, funnel: FunnelId) -> Result<Vec<Experiment>, AppError> {
        Ok(self.repo.experiments(funnel).await?)
    }

    /// One experiment.
    pub async fn get(&self, id: ExperimentId) -> Result<Experiment, AppError> {
        Ok(self.repo.experiment(id).await?)
    }

    /// Deletes an experiment and its assignments (events stay).
    pub async fn delete(&self, id: ExperimentId) -> Result<(), AppError> {
        Ok(self.repo.delete_experiment(id).await?)
    }

    /// An experiment's per-arm results, SRM check and daily numbers.
    pub async fn results(&self, e: &Experiment) -> Result<Value, AppError> {
        crate::results::results(&*self.repo, e).await
    }

    /// Creates an experiment on a step of `funnel` (validated by the domain and the store; a
    /// second live experiment on the step is a conflict).
    pub async fn create(&self, funnel: FunnelId, new: &NewExperiment) -> Result<Experiment, AppError> {
        let e = self.repo.create_experiment(funnel, new, unix_millis()).await?;
        self.pages.invalidate();
        Ok(e)
    }

    /// Applies a [`Change`]; returns the experiment as stored afterwards.
    pub async fn update(&self, id: ExperimentId, c: &Change) -> Result<Experiment, AppError> {
        let mut e = self.repo.experiment(id).await?;
        let end = match (c.status, c.winner) {
            (None, None) => None,
            (Some(Status::Decided), Some(w)) => Some((Status::Decided, Some(w), json!({ "decision": "manual", "arm": w }))),
            (Some(Status::Stopped), None) => Some((Status::Stopped, None, json!({ "decision": "manual_stop" }))),
            _ => {
                return Err(DomainError::invalid("status", "use {\"status\": \"stopped\"} or {\"status\": \"decided\", \"winner\": arm index}").into());
            }
        };
        if c.weights.is_some() || c.auto_winner.is_some() {
            e = self.repo.update_experiment(id, c.weights.as_deref(), c.auto_winner).await?;
        }
        if let Some((status, winner, decision)) = end {
            e = self.repo.end_experiment(id, status, winner, &decision, unix_millis()).await?;
        }
        self.pages.invalidate();
        Ok(e)
    }

    /// Every running experiment (for the scheduler).
    pub async fn running(&self) -> Result<Vec<Experiment>, AppError> {
        Ok(self.repo.running_experiments().await?)
    }

    /// Applies the bandit (reweight) and the winner rule to a running experiment; returns it
    /// as stored afterwards.
    pub async fn evaluate(&self, e: &Experiment) -> Result<Experiment, AppError> {
        if e.status != Status::Running {
            return Ok(e.clone());
        }
        let days = self.repo.arm_days(e).await?;
        let stats = arm_stats(e, &days);
        let min_units = u64::try_from(e.min_units_per_arm).unwrap_or(100);
        let mut current = e.clone();
        if e.mode == Mode::Bandit {
            let cfg = BanditConfig { min_units_per_arm: min_units, ..BanditConfig::default() };
            let seed = unix_millis() as u64 ^ (e.id.0 as u64).rotate_left(32);
            let r = bandit_weights(&stats, &cfg, seed).map_err(|err| AppError::BadRequest(err.to_string()))?;
            if let Some(w) = r.weights {
                current = self.repo.update_experiment(e.id, Some(&w), None).await?;
                self.pages.invalidate();
                tracing::info!(experiment = e.id.0, weights = ?w, "bandit reweighted");
            }
        }
        if !e.auto_winner {
            return Ok(current);
        }
        let Some(a) = analysis(&stats, &srm_weights(e, &stats))? else {
            return Ok(current);
        };
        let rule = WinnerRule { min_units_per_arm: min_units, ..WinnerRule::default() };
        let decision = decide(&a, &rule).map_err(|err| AppError::BadRequest(err.to_string()))?;
        let record = |d: &Decision| json!({ "rule": rule, "decision": d, "srm_p": a.srm_p, "arms": a.arms });
        let ended = match &decision {
            Decision::Continue { .. } => return Ok(current),
            Decision::Winner { arm, .. } => self.repo.end_experiment(e.id, Status::Decided, Some(*arm), &record(&decision), unix_millis()).await?,
            Decision::Stop { .. } => self.repo.end_experiment(e.id, Status::Stopped, None, &record(&decision), unix_millis()).await?,
        };
        self.pages.invalidate();
        tracing::info!(experiment = e.id.0, status = ended.status.as_str(), winner = ?ended.winner, "experiment ended by the winner rule");
        Ok(ended)
    }
}
