//! The automatic winner and bandit reweights, applied by a background task every
//! `experiment_interval` (and on demand through the API).

use super::results::{analysis, arm_stats, srm_weights};
use crate::{FunnelError, clock::now_ms, state::AppState};
use hikari_funnel::{
    Experiment,
    experiment::{Mode, Status},
};
use hikari_stats::{BanditConfig, Decision, WinnerRule, bandit_weights, decide};
use serde_json::json;
use std::time::Duration;

/// Starts the scheduler task; it runs until the process ends.
pub(crate) fn spawn(st: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(50)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let running = match st.store.running_experiments().await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "experiment scheduler: cannot list experiments");
                    continue;
                }
            };
            for e in running.into_iter().filter(|e| e.auto_winner || e.mode == Mode::Bandit) {
                if let Err(err) = evaluate(&st, &e).await {
                    tracing::warn!(experiment = e.id.0, error = %err, "experiment evaluation failed");
                }
            }
        }
    });
}

/// Applies the bandit (reweight) and the winner rule to a running experiment; returns it as
/// stored afterwards.
pub(crate) async fn evaluate(st: &AppState, e: &Experiment) -> Result<Experiment, FunnelError> {
    if e.status != Status::Running {
        return Ok(e.clone());
    }
    let days = st.store.arm_days(e).await?;
    let stats = arm_stats(e, &days);
    let min_units = u64::try_from(e.min_units_per_arm).unwrap_or(100);
    let mut current = e.clone();
    if e.mode == Mode::Bandit {
        let cfg = BanditConfig { min_units_per_arm: min_units, ..BanditConfig::default() };
        let seed = now_ms() as u64 ^ (e.id.0 as u64).rotate_left(32);
        let r = bandit_weights(&stats, &cfg, seed).map_err(|err| FunnelError::BadRequest(err.to_string()))?;
        if let Some(w) = r.weights {
            current = st.store.update_experiment(e.id, Some(&w), None).await?;
            st.pages.invalidate();
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
    let decision = decide(&a, &rule).map_err(|err| FunnelError::BadRequest(err.to_string()))?;
    let record = |d: &Decision| json!({ "rule": rule, "decision": d, "srm_p": a.srm_p, "arms": a.arms });
    let ended = match &decision {
        Decision::Continue { .. } => return Ok(current),
        Decision::Winner { arm, .. } => st.store.end_experiment(e.id, Status::Decided, Some(*arm), &record(&decision), now_ms()).await?,
        Decision::Stop { .. } => st.store.end_experiment(e.id, Status::Stopped, None, &record(&decision), now_ms()).await?,
    };
    st.pages.invalidate();
    tracing::info!(experiment = e.id.0, status = ended.status.as_str(), winner = ?ended.winner, "experiment ended by the winner rule");
    Ok(ended)
}
