//! The experiment scheduler: every `experiment_interval` it applies the automatic winner and
//! bandit reweights to running experiments, until [`SchedulerTask::shutdown`].

use crate::experiments::Experiments;
use hikari_funnel::experiment::Mode;
use std::{sync::Arc, time::Duration};
use tokio::{sync::Notify, task::JoinHandle};

/// The scheduler's background task.
#[must_use = "call shutdown() to stop it; dropping this leaves the task running"]
pub struct SchedulerTask {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SchedulerTask {
    /// Starts the scheduler (needs a Tokio runtime); the first run is immediate.
    pub fn start(experiments: Experiments, every: Duration) -> Self {
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(experiments, every, stop.clone()));
        Self { stop, task }
    }

    /// Stops the scheduler after the evaluation under way, if any, and waits for it.
    pub async fn shutdown(self) {
        self.stop.notify_one();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "experiment scheduler ended abnormally");
        }
    }
}

async fn run(experiments: Experiments, every: Duration, stop: Arc<Notify>) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.notified() => return,
            _ = tick.tick() => {}
        }
        let running = match experiments.running().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "experiment scheduler: cannot list experiments");
                continue;
            }
        };
        for e in running.into_iter().filter(|e| e.auto_winner || e.mode == Mode::Bandit) {
            if let Err(err) = experiments.evaluate(&e).await {
                tracing::warn!(experiment = e.id.0, error = %err, "experiment evaluation failed");
            }
        }
    }
}
