//! The experiment engine on top of `hikari-stats`: which arm a visitor is served (hash,
//! then the sticky record), per-arm results, the automatic winner and bandit reweights,
//! and the scheduler that applies them. The clock is read here, never in the domain.

mod manage;
mod results;
mod scheduler;

pub(crate) use manage::{Change, create, update};
pub(crate) use results::{CompareInput, compare, results, srm_warning};
pub(crate) use scheduler::{evaluate, spawn};

use crate::{FunnelError, public::Visit, state::AppState};
use hikari_funnel::{Event, EventName, Experiment, experiment::Status};

/// The exposure event, GrowthBook's GA4 convention: `experiment_viewed` with
/// `experiment_id` and `variation_id` parameters.
pub(crate) const EXPOSURE: &str = "experiment_viewed";

/// The arm a visitor sees and, when the experiment is running and the visitor is a person,
/// the exposure event to record. Bots are never assigned: they see the winner or control.
/// Once decided, assigned visitors keep their arm and everyone new sees the winner.
pub(crate) async fn serve(st: &AppState, e: &Experiment, visit: &Visit, now: i64) -> Result<(usize, Option<Event>), FunnelError> {
    if visit.bot {
        return Ok((e.fallback_arm(), None));
    }
    match e.status {
        Status::Running => {
            let proposed = hikari_stats::assign(&e.seed(), visit.visitor.as_str(), &e.weights());
            let arm = st.store.assign_visitor(e.id, &visit.visitor, proposed, now).await?;
            let arm = if arm < e.arms.len() { arm } else { 0 };
            let mut ev = visit.event(EventName::exposure(), now);
            ev.funnel = Some(e.funnel);
            ev.step = Some(e.step);
            ev.variant = Some(e.arms[arm].name.clone());
            ev.props = serde_json::json!({ "experiment_id": e.id.0, "variation_id": arm });
            Ok((arm, Some(ev)))
        }
        Status::Decided | Status::Stopped => Ok((recorded_arm(st, e, visit).await?, None)),
    }
}

/// The arm of a visitor who already saw the page (form posts): the sticky record, else the
/// arm a new visitor would get now (without assigning).
pub(crate) async fn recorded_arm(st: &AppState, e: &Experiment, visit: &Visit) -> Result<usize, FunnelError> {
    if visit.bot || e.status == Status::Stopped {
        return Ok(e.fallback_arm());
    }
    Ok(match st.store.assignment(e.id, &visit.visitor).await? {
        Some(arm) if arm < e.arms.len() => arm,
        _ if e.status == Status::Running => hikari_stats::assign(&e.seed(), visit.visitor.as_str(), &e.weights()),
        _ => e.fallback_arm(),
    })
}

trait ExposureName {
    fn exposure() -> Self;
}

impl ExposureName for EventName {
    fn exposure() -> Self {
        EXPOSURE.parse().unwrap_or_else(|_| EventName::page_view())
    }
}
