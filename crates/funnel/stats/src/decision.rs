//! The automatic-winner rule: from an [`ExperimentAnalysis`], continue, declare a winner,
//! or stop for a reason a person must look at.
//!
//! The rule, with GrowthBook's default thresholds:
//!
//! 1. **Stop** when the split is broken (SRM p < 0.001): no winner can be trusted.
//! 2. **Continue** while any arm has fewer than the minimum units (default 100).
//! 3. **Winner: a variant** when its chance to win is ≥ 0.95 and its risk (expected
//!    loss of choosing it) is ≤ 0.0025. With several such variants the one with the
//!    highest chance to win wins (then the highest expected effect).
//! 4. **Winner: control** when every variant clearly loses, the mirror image of 3:
//!    its chance to win is ≤ 0.05 and the risk of keeping control (expected loss if the
//!    variant were in fact better) is ≤ 0.0025. (A plain "risk ≥ 0.0125" lose test is
//!    not used: with relative risk it fires on variants that are merely uncertain, such
//!    as a +10 % lift at 1 000 units per arm with chance to win 0.76.)
//! 5. Otherwise **continue**.
//!
//! A variant whose test was degenerate (zero variance, zero control mean) can neither
//! win nor lose. The decision is pure; ending the test, routing traffic and recording the
//! decision belong to the caller.

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};
use crate::experiment::ExperimentAnalysis;
use crate::srm::DEFAULT_SRM_THRESHOLD;

/// Thresholds of the automatic-winner rule; the defaults are GrowthBook's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WinnerRule {
    /// Units every arm needs before any decision (default 100).
    pub min_units_per_arm: u64,
    /// Chance to win a variant needs (default 0.95).
    pub chance_to_win_threshold: f64,
    /// Largest risk a winning arm may carry (default 0.0025, GrowthBook's "win" risk).
    pub win_risk_threshold: f64,
    /// SRM p-value below which the experiment is stopped (default 0.001).
    pub srm_threshold: f64,
}

impl Default for WinnerRule {
    fn default() -> Self {
        WinnerRule { min_units_per_arm: 100, chance_to_win_threshold: 0.95, win_risk_threshold: 0.0025, srm_threshold: DEFAULT_SRM_THRESHOLD }
    }
}

/// The numbers of one variant against control that a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The variant's arm index.
    pub arm: usize,
    /// Units in the variant.
    pub n: u64,
    /// Chance that the variant beats control.
    pub chance_to_win: f64,
    /// Expected loss `[of choosing control, of choosing the variant]`.
    pub risk: [f64; 2],
    /// Posterior mean of the effect.
    pub expected: f64,
    /// Credible interval of the effect.
    pub ci: [f64; 2],
}

/// Why the experiment goes on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ContinueReason {
    /// An arm has not reached the minimum sample.
    InsufficientSample {
        /// The arm.
        arm: usize,
        /// Its units.
        n: u64,
        /// Units required.
        required: u64,
    },
    /// No variant is a clear winner and not every variant is a clear loser.
    NoClearWinner,
}

/// Why the experiment must stop without a winner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StopReason {
    /// The observed split does not match the weights.
    SampleRatioMismatch {
        /// SRM p-value.
        p_value: f64,
        /// Threshold it fell below.
        threshold: f64,
    },
}

/// The outcome of the automatic-winner rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Keep collecting data.
    Continue {
        /// Why no decision was made.
        reasons: Vec<ContinueReason>,
    },
    /// Serve `arm` to all new visitors.
    Winner {
        /// The winning arm (0 means control).
        arm: usize,
        /// SRM p-value at decision time.
        srm_p: f64,
        /// Every variant's numbers against control.
        evidence: Vec<Evidence>,
    },
    /// Stop the automatic process; a person must look at the experiment.
    Stop {
        /// Why.
        reasons: Vec<StopReason>,
    },
}

/// Applies `rule` to a whole-experiment analysis (its Bayesian results).
///
/// Errors when the rule's thresholds are not probabilities / non-negative numbers.
pub fn decide(analysis: &ExperimentAnalysis, rule: &WinnerRule) -> Result<Decision> {
    for (name, value) in [("chance_to_win_threshold", rule.chance_to_win_threshold), ("srm_threshold", rule.srm_threshold)] {
        if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
            return Err(StatsError::OutOfRange { name, value, expected: "a probability in [0, 1]" });
        }
    }
    for (name, value) in [("win_risk_threshold", rule.win_risk_threshold)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(StatsError::OutOfRange { name, value, expected: "a non-negative number" });
        }
    }
    if analysis.arms.len() < 2 {
        return Err(StatsError::TooFewArms { required: 2, got: analysis.arms.len() });
    }
    if analysis.srm_p.is_nan() || analysis.srm_p < rule.srm_threshold {
        return Ok(Decision::Stop { reasons: vec![StopReason::SampleRatioMismatch { p_value: analysis.srm_p, threshold: rule.srm_threshold }] });
    }
    let short: Vec<ContinueReason> = analysis
        .arms
        .iter()
        .filter(|a| a.n < rule.min_units_per_arm)
        .map(|a| ContinueReason::InsufficientSample { arm: a.arm, n: a.n, required: rule.min_units_per_arm })
        .collect();
    if !short.is_empty() {
        return Ok(Decision::Continue { reasons: short });
    }

    let mut evidence = Vec::new();
    let mut usable = Vec::new();
    for arm in analysis.arms.iter().skip(1) {
        let Some(b) = arm.bayesian else {
            return Err(StatsError::LengthMismatch { what: "bayesian results", expected: analysis.arms.len() - 1, got: evidence.len() });
        };
        let e = Evidence { arm: arm.arm, n: arm.n, chance_to_win: b.chance_to_win, risk: b.risk, expected: b.expected, ci: b.ci };
        evidence.push(e);
        usable.push(b.degenerate.is_none());
    }

    let winner = evidence
        .iter()
        .zip(&usable)
        .filter(|(e, ok)| **ok && e.chance_to_win >= rule.chance_to_win_threshold && e.risk[1] <= rule.win_risk_threshold)
        .map(|(e, _)| e)
        .max_by(|a, b| a.chance_to_win.total_cmp(&b.chance_to_win).then(a.expected.total_cmp(&b.expected)));
    if let Some(w) = winner {
        return Ok(Decision::Winner { arm: w.arm, srm_p: analysis.srm_p, evidence });
    }
    let all_lose =
        evidence.iter().zip(&usable).all(|(e, ok)| *ok && e.chance_to_win <= 1.0 - rule.chance_to_win_threshold && e.risk[0] <= rule.win_risk_threshold);
    if all_lose {
        return Ok(Decision::Winner { arm: 0, srm_p: analysis.srm_p, evidence });
    }
    Ok(Decision::Continue { reasons: vec![ContinueReason::NoClearWinner] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{AnalysisConfig, analyze};
    use crate::stats::ArmStats;

    fn decide_on(arms: &[ArmStats], weights: &[f64]) -> Decision {
        let analysis = analyze(arms, weights, &AnalysisConfig::default()).expect("valid");
        decide(&analysis, &WinnerRule::default()).expect("valid rule")
    }

    #[test]
    fn clear_variant_wins_with_its_numbers() {
        let d = decide_on(&[ArmStats::binomial(1000, 100), ArmStats::binomial(1000, 180)], &[0.5, 0.5]);
        let Decision::Winner { arm, evidence, .. } = d else { panic!("expected a winner, got {d:?}") };
        assert_eq!(arm, 1);
        assert!(evidence[0].chance_to_win > 0.95 && evidence[0].risk[1] < 0.0025);
    }

    #[test]
    fn e1_wins_but_a_smaller_lift_continues() {
        // E1: chance to win 0.967 and risk 0.0021 pass both default thresholds.
        let d = decide_on(&[ArmStats::binomial(1000, 100), ArmStats::binomial(1000, 130)], &[0.5, 0.5]);
        assert!(matches!(d, Decision::Winner { arm: 1, .. }), "{d:?}");
        // A smaller lift is not enough.
        let d = decide_on(&[ArmStats::binomial(1000, 100), ArmStats::binomial(1000, 110)], &[0.5, 0.5]);
        assert_eq!(d, Decision::Continue { reasons: vec![ContinueReason::NoClearWinner] });
    }

    #[test]
    fn losing_variants_make_control_the_winner() {
        let d = decide_on(&[ArmStats::binomial(5000, 500), ArmStats::binomial(5000, 380), ArmStats::binomial(5000, 400)], &[1.0, 1.0, 1.0]);
        assert!(matches!(d, Decision::Winner { arm: 0, .. }), "{d:?}");
    }

    #[test]
    fn srm_stops_and_small_samples_continue() {
        let d = decide_on(&[ArmStats::binomial(10000, 500), ArmStats::binomial(9000, 900)], &[0.5, 0.5]);
        assert!(matches!(d, Decision::Stop { .. }), "{d:?}");
        let d = decide_on(&[ArmStats::binomial(99, 5), ArmStats::binomial(101, 40)], &[0.5, 0.5]);
        assert_eq!(d, Decision::Continue { reasons: vec![ContinueReason::InsufficientSample { arm: 0, n: 99, required: 100 }] });
    }

    #[test]
    fn degenerate_arms_cannot_win_and_bad_rules_are_errors() {
        let d = decide_on(&[ArmStats::binomial(500, 0), ArmStats::binomial(500, 50)], &[0.5, 0.5]);
        assert_eq!(d, Decision::Continue { reasons: vec![ContinueReason::NoClearWinner] });
        let analysis = analyze(&[ArmStats::binomial(500, 10), ArmStats::binomial(500, 50)], &[0.5, 0.5], &AnalysisConfig::default()).expect("valid");
        let rule = WinnerRule { chance_to_win_threshold: f64::NAN, ..Default::default() };
        assert!(decide(&analysis, &rule).is_err());
    }
}
