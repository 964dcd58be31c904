//! Serving a public page: the experiment arm the visitor sees, its exposure and the page
//! view, both recorded through the event writer.

use crate::{error::AppError, experiments::Experiments, target::Target, visit::Visit, writer::EventWriter};
use hikari_funnel::EventName;

/// Records a view of `t` by `visit` (assigning an experiment arm first, if the step has a live
/// experiment); returns the arm served, `None` without an experiment.
pub async fn view(experiments: &Experiments, events: &EventWriter, t: &Target, visit: &Visit, now: i64) -> Result<Option<usize>, AppError> {
    let arm = match &t.experiment {
        Some(e) => {
            let (arm, exposure) = experiments.serve_arm(e, visit, now).await?;
            if let Some(x) = exposure {
                events.record(x).await?;
            }
            Some(arm)
        }
        None => None,
    };
    let mut ev = visit.event(EventName::page_view(), now);
    ev.funnel = Some(t.funnel.id);
    ev.step = Some(t.step.id);
    ev.variant = t.arm_name(arm);
    events.record(ev).await?;
    Ok(arm)
}
