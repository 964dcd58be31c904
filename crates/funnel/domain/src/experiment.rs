//! Experiments on a step: N weighted arms, each serving another page (a page variant) and/or
//! leading to another next step (a path split), judged by a goal metric.
//!
//! This module holds the model and its validation only. Assignment (hashing), statistics and
//! decisions live in the web layer on top of `hikari-stats`; the clock and the store stay out.

use crate::{DomainError, EventName, FunnelId, StepId};
use serde::{Deserialize, Serialize};

/// An experiment's row id.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExperimentId(pub i64);

impl std::fmt::Display for ExperimentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Most arms an experiment may have.
pub const MAX_ARMS: usize = 10;

/// One arm. Arm 0 is control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arm {
    /// Label shown in results (`A`, `B`, `long-form`, ...).
    pub name: String,
    /// Share of new visitors, relative to the other arms (normalised to sum to 1 on save).
    pub weight: f64,
    /// Serve this step's published page instead of the experiment step's own page.
    #[serde(default)]
    pub page: Option<StepId>,
    /// After a submit, go to this step instead of the one the edges choose.
    #[serde(default)]
    pub next: Option<StepId>,
}

/// What counts as success, per visitor, after their assignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Goal {
    /// Binomial: the visitor had at least one `event` within `window_hours` of assignment
    /// (and, with `min_value`, their values there add up to at least it).
    Conversion {
        /// The event name (e.g. `generate_lead`, `webinar_joined`, `offer_clicked`, `purchase`).
        event: EventName,
        /// Conversion window in hours (1 ..= 8760).
        window_hours: i64,
        /// The least sum of the events' `value`s that counts: `webinar_left` with 30 is
        /// "watched at least 30 minutes" (its value is the minutes of that stay).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_value: Option<f64>,
    },
    /// A value metric: the sum of `event`s' `value` within the window, per visitor (0 when
    /// none), e.g. revenue per visitor from `purchase`.
    Value {
        /// The event name.
        event: EventName,
        /// Window in hours (1 ..= 8760).
        window_hours: i64,
    },
}

impl Goal {
    /// The event counted.
    pub fn event(&self) -> &EventName {
        match self {
            Goal::Conversion { event, .. } | Goal::Value { event, .. } => event,
        }
    }

    /// The window in milliseconds.
    pub fn window_ms(&self) -> i64 {
        match self {
            Goal::Conversion { window_hours, .. } | Goal::Value { window_hours, .. } => window_hours.saturating_mul(3_600_000),
        }
    }

    /// The least sum of values a conversion needs (`None`: one event is enough).
    pub fn min_value(&self) -> Option<f64> {
        match self {
            Goal::Conversion { min_value, .. } => *min_value,
            Goal::Value { .. } => None,
        }
    }

    /// Whether the metric is binomial.
    pub fn is_binomial(&self) -> bool {
        matches!(self, Goal::Conversion { .. })
    }
}

/// How traffic is split.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Fixed weights (an A/B/n test).
    #[default]
    Split,
    /// Weights re-set periodically by top-two Thompson sampling.
    Bandit,
}

/// Where the experiment is in its life.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Assigning visitors.
    Running,
    /// Stopped by a person (or the SRM guard): control is served to new visitors.
    Stopped,
    /// A winner was chosen: it is served to new visitors.
    Decided,
}

impl Status {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Stopped => "stopped",
            Status::Decided => "decided",
        }
    }

    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "running" => Some(Status::Running),
            "stopped" => Some(Status::Stopped),
            "decided" => Some(Status::Decided),
            _ => None,
        }
    }
}

/// A new experiment, as the API receives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExperiment {
    /// Label.
    pub name: String,
    /// The step it runs on.
    pub step: StepId,
    /// Two or more arms; arm 0 is control.
    pub arms: Vec<Arm>,
    /// The goal metric.
    pub goal: Goal,
    /// Split (default) or bandit.
    #[serde(default)]
    pub mode: Mode,
    /// End the test automatically when the winner rule fires.
    #[serde(default)]
    pub auto_winner: bool,
    /// Minimum visitors per arm before any decision (default 100).
    #[serde(default = "default_min_units")]
    pub min_units_per_arm: i64,
}

fn default_min_units() -> i64 {
    100
}

impl NewExperiment {
    /// Checks the name, arms, weights and goal; normalises the weights to sum to 1.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(DomainError::invalid("name", "must have 1 to 200 characters"));
        }
        self.name = name.to_owned();
        validate_arms(&mut self.arms)?;
        match &self.goal {
            Goal::Conversion { window_hours, .. } | Goal::Value { window_hours, .. } => {
                if !(1..=8760).contains(window_hours) {
                    return Err(DomainError::invalid("goal.window_hours", "must be 1 to 8760"));
                }
            }
        }
        if let Some(v) = self.goal.min_value()
            && !(v.is_finite() && v > 0.0)
        {
            return Err(DomainError::invalid("goal.min_value", "a number above 0, or absent"));
        }
        if !(1..=1_000_000).contains(&self.min_units_per_arm) {
            return Err(DomainError::invalid("min_units_per_arm", "must be 1 to 1000000"));
        }
        Ok(())
    }
}

/// Checks arms (2 ..= 10, unique non-empty names) and normalises their weights.
pub fn validate_arms(arms: &mut [Arm]) -> Result<(), DomainError> {
    if arms.len() < 2 || arms.len() > MAX_ARMS {
        return Err(DomainError::invalid("arms", format!("need 2 to {MAX_ARMS} arms, got {}", arms.len())));
    }
    for (i, a) in arms.iter_mut().enumerate() {
        let n = a.name.trim();
        if n.is_empty() || n.chars().count() > 64 {
            return Err(DomainError::invalid(format!("arms[{i}].name"), "must have 1 to 64 characters"));
        }
        a.name = n.to_owned();
    }
    for i in 1..arms.len() {
        if arms[..i].iter().any(|a| a.name == arms[i].name) {
            return Err(DomainError::invalid(format!("arms[{i}].name"), "arm names must be unique"));
        }
    }
    let weights: Vec<f64> = arms.iter().map(|a| a.weight).collect();
    let normal = normalise_weights(&weights)?;
    for (a, w) in arms.iter_mut().zip(normal) {
        a.weight = w;
    }
    Ok(())
}

/// Weights must be finite, non-negative and not all zero; returns them scaled to sum to 1.
pub fn normalise_weights(weights: &[f64]) -> Result<Vec<f64>, DomainError> {
    if let Some(i) = weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(DomainError::invalid(format!("weights[{i}]"), "must be a finite number ≥ 0"));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return Err(DomainError::invalid("weights", "at least one weight must be positive, and their sum finite"));
    }
    Ok(weights.iter().map(|w| w / total).collect())
}

/// A stored experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// Row id.
    pub id: ExperimentId,
    /// The funnel of its step.
    pub funnel: FunnelId,
    /// The step it runs on.
    pub step: StepId,
    /// Label.
    pub name: String,
    /// Arms with their current weights (summing to 1).
    pub arms: Vec<Arm>,
    /// Goal metric.
    pub goal: Goal,
    /// Split or bandit.
    pub mode: Mode,
    /// Whether the winner rule may end the test.
    pub auto_winner: bool,
    /// Minimum visitors per arm before a decision or a bandit reweight.
    pub min_units_per_arm: i64,
    /// Life-cycle state.
    pub status: Status,
    /// The chosen arm once decided.
    pub winner: Option<usize>,
    /// The decision with its numbers, as recorded.
    pub decision: Option<serde_json::Value>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the decision or stop.
    pub ended_at: Option<i64>,
}

impl Experiment {
    /// The hash seed: fixed for the experiment's life, so the same visitor always hashes
    /// to the same bucket.
    pub fn seed(&self) -> String {
        format!("hikari-exp-{}", self.id)
    }

    /// Current weights, arm order.
    pub fn weights(&self) -> Vec<f64> {
        self.arms.iter().map(|a| a.weight).collect()
    }

    /// The arm served to a visitor who has no sticky assignment and gets none: the winner
    /// once decided, else control.
    pub fn fallback_arm(&self) -> usize {
        self.winner.filter(|w| *w < self.arms.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(name: &str, weight: f64) -> Arm {
        Arm { name: name.into(), weight, page: None, next: None }
    }

    #[test]
    fn weights_are_checked_and_normalised() {
        let mut arms = vec![arm("A", 1.0), arm("B", 3.0)];
        validate_arms(&mut arms).expect("valid");
        assert_eq!((arms[0].weight, arms[1].weight), (0.25, 0.75));
        assert!(validate_arms(&mut [arm("A", -1.0), arm("B", 1.0)]).is_err());
        assert!(validate_arms(&mut [arm("A", 0.0), arm("B", 0.0)]).is_err());
        assert!(validate_arms(&mut [arm("A", f64::NAN), arm("B", 1.0)]).is_err());
        assert!(validate_arms(&mut [arm("A", 1.0)]).is_err());
        assert!(validate_arms(&mut [arm("A", f64::MAX), arm("B", f64::MAX)]).is_err());
        assert!(validate_arms(&mut [arm("A", 1.0), arm(" A ", 1.0)]).is_err());
    }
}

/// Sufficient statistics of one arm for one day of assignment, as the store computes them
/// from the event log: visitors assigned that day, how many converted within the goal
/// window, and the sum and sum of squares of their per-visitor values (for a conversion goal,
/// the value is 1 or 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmDay {
    /// Arm index.
    pub arm: usize,
    /// Unix day (ms / 86 400 000) of assignment.
    pub day: i64,
    /// Visitors.
    pub n: i64,
    /// Visitors with at least one goal event.
    pub conversions: i64,
    /// Sum of per-visitor values.
    pub sum: f64,
    /// Sum of squared per-visitor values.
    pub sum_squares: f64,
}
