//! Which arm of an experiment a visitor is served: the hash, then the sticky record. Bots
//! are never assigned: they see the winner or control.

use crate::{error::AppError, visit::Visit};
use hikari_funnel::{Event, EventName, Experiment, experiment::Status};
use hikari_funnel_store::ExperimentRepo;

/// The exposure event, GrowthBook's GA4 convention: `experiment_viewed` with
/// `experiment_id` and `variation_id` parameters.
pub const EXPOSURE: &str = "experiment_viewed";

fn exposure_name() -> EventName {
    EXPOSURE.parse().unwrap_or_else(|_| EventName::page_view())
}

/// The arm a visitor sees and, when the experiment is running and the visitor is a person,
/// the exposure event to record. Once decided, assigned visitors keep their arm and everyone
/// new sees the winner.
pub async fn serve(repo: &dyn ExperimentRepo, e: &Experiment, visit: &Visit, now: i64) -> Result<(usize, Option<Event>), AppError> {
    if visit.bot {
        return Ok((e.fallback_arm(), None));
    }
    match e.status {
        Status::Running => {
            let proposed = hikari_stats::assign(&e.seed(), visit.visitor.as_str(), &e.weights());
            let arm = repo.assign_visitor(e.id, &visit.visitor, proposed, now).await?;
            let arm = if arm < e.arms.len() { arm } else { 0 };
            let mut ev = visit.event(exposure_name(), now);
            ev.funnel = Some(e.funnel);
            ev.step = Some(e.step);
            ev.variant = Some(e.arms[arm].name.clone());
            ev.props = serde_json::json!({ "experiment_id": e.id.0, "variation_id": arm });
            Ok((arm, Some(ev)))
        }
        Status::Decided | Status::Stopped => Ok((recorded_arm(repo, e, visit).await?, None)),
    }
}

/// The arm of a visitor who already saw the page (form posts): the sticky record, else the
/// arm a new visitor would get now (without assigning).
pub async fn recorded_arm(repo: &dyn ExperimentRepo, e: &Experiment, visit: &Visit) -> Result<usize, AppError> {
    if visit.bot || e.status == Status::Stopped {
        return Ok(e.fallback_arm());
    }
    Ok(match repo.assignment(e.id, &visit.visitor).await? {
        Some(arm) if arm < e.arms.len() => arm,
        _ if e.status == Status::Running => hikari_stats::assign(&e.seed(), visit.visitor.as_str(), &e.weights()),
        _ => e.fallback_arm(),
    })
}
