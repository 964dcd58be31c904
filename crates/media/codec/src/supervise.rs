//! A job's supervisor task: owns the child, watches for its exit, its owner letting go and
//! stalls; then lets the receivers drain and sends [`JobOutput::Ended`] last.

use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::process::Child;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;

use crate::activity::Activity;
use crate::cpu;
use crate::error::JobError;
use crate::output::JobOutput;
use crate::tail::Tail;

/// How long the supervisor waits for the stderr reader after the child is gone.
const STDERR_GRACE: Duration = Duration::from_secs(2);

/// Everything the supervisor needs.
pub struct Supervisor {
    /// The ffmpeg child.
    pub child: Child,
    /// Resolves (with an error) when the `Job` is dropped.
    pub stop: oneshot::Receiver<()>,
    /// Input/output activity.
    pub activity: Arc<Activity>,
    /// The stall window.
    pub stall_after: Duration,
    /// The receiving tasks.
    pub receivers: Vec<JoinHandle<()>>,
    /// Tells the receivers ffmpeg has exited.
    pub done: watch::Sender<bool>,
    /// The stderr reader.
    pub stderr: JoinHandle<()>,
    /// Its lines.
    pub tail: Tail,
    /// The consumer.
    pub out: mpsc::Sender<JobOutput>,
    /// The last CPU time seen (milliseconds), for after the child is gone.
    pub cpu_millis: Arc<AtomicU64>,
    /// Set once the child is gone.
    pub ended: Arc<AtomicBool>,
}

enum Outcome {
    Exited(std::io::Result<ExitStatus>),
    Stopped,
    Stalled,
}

impl Supervisor {
    /// Runs the job to its end.
    pub async fn run(mut self) {
        let pid = self.child.id();
        // Often enough that the CPU time read last misses little of a short job (the child's
        // /proc entry goes when it is reaped), and the stall is seen soon after its window.
        let period = (self.stall_after / 4).clamp(Duration::from_millis(50), Duration::from_millis(250));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let outcome = loop {
            tokio::select! {
                status = self.child.wait() => break Outcome::Exited(status),
                _ = &mut self.stop => {
                    let _ = self.child.kill().await;
                    break Outcome::Stopped;
                }
                _ = tick.tick() => {
                    if let Some(t) = pid.and_then(cpu::of_pid) {
                        self.cpu_millis.store(u64::try_from(t.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
                    }
                    if self.activity.stalled(Instant::now(), self.stall_after) {
                        let _ = self.child.kill().await;
                        break Outcome::Stalled;
                    }
                }
            }
        };
        self.ended.store(true, Ordering::Relaxed);
        let _ = self.done.send(true);
        for r in self.receivers {
            let _ = r.await;
        }
        let _ = timeout(STDERR_GRACE, self.stderr).await;
        let stderr = self.tail.joined();
        let result = match outcome {
            Outcome::Exited(Ok(status)) if status.success() => Ok(()),
            Outcome::Exited(Ok(status)) => Err(JobError::Failed { status: status.to_string(), stderr }),
            Outcome::Exited(Err(e)) => Err(JobError::Wait(e.to_string())),
            Outcome::Stopped => Ok(()),
            Outcome::Stalled => Err(JobError::Stalled { after: self.stall_after, stderr }),
        };
        if let Err(e) = &result {
            tracing::warn!(error = %e, "transcode job ended");
        }
        let _ = self.out.send(JobOutput::Ended(result)).await;
    }
}
