//! Sequential test that stays valid under continuous peeking (gbstats'
//! `SequentialTwoSidedTTest`).
//!
//! It is the asymptotic confidence sequence of Waudby-Smith et al. (arXiv 2103.06476,
//! eqs. 9, 155 and 161): with N = n_A + n_B, s² = V·N and
//! ρ = √((−2 ln α + ln(−2 ln α + 1)) / N*), the interval half-width is
//! `√s² · √(2 (Nρ² + 1) ln(√(Nρ² + 1) / α) / (Nρ)²)` and the p-value is the inverse of the
//! e-value `exp(ρ² N Δ² / (2 V (Nρ² + 1))) / √(Nρ² + 1)`, capped at 1. The tuning
//! parameter N* (default 5000, GrowthBook's) is the sample size at which the sequence is
//! tightest.

use serde::{Deserialize, Serialize};

use crate::effect::{DifferenceType, Uplift};
use crate::error::{Result, StatsError};
use crate::frequentist::{FrequentistResult, estimate};
use crate::stats::ArmStats;

/// GrowthBook's default sequential tuning parameter N*.
pub const DEFAULT_SEQUENTIAL_TUNING: f64 = 5000.0;

/// Settings of the sequential test; the defaults are gbstats'.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequentialConfig {
    /// Relative (default) or absolute effects.
    pub difference_type: DifferenceType,
    /// Significance level (default 0.05).
    pub alpha: f64,
    /// Tuning parameter N* (default 5000).
    pub tuning: f64,
}

impl Default for SequentialConfig {
    fn default() -> Self {
        SequentialConfig { difference_type: DifferenceType::Relative, alpha: 0.05, tuning: DEFAULT_SEQUENTIAL_TUNING }
    }
}

/// Runs the sequential two-sided test of `variant` against `control`.
///
/// Degenerate data yields the same default result as [`crate::t_test`].
pub fn sequential_test(control: &ArmStats, variant: &ArmStats, config: &SequentialConfig) -> Result<FrequentistResult> {
    if !(config.tuning.is_finite() && config.tuning > 0.0) {
        return Err(StatsError::OutOfRange { name: "tuning", value: config.tuning, expected: "a positive, finite N*" });
    }
    let est = match estimate(control, variant, config.difference_type, config.alpha)? {
        Ok(e) => e,
        Err(reason) => return Ok(FrequentistResult::default_output(reason)),
    };
    let alpha = config.alpha;
    let n = control.n() as f64 + variant.n() as f64;
    let rho = ((-2.0 * alpha.ln() + (-2.0 * alpha.ln() + 1.0).ln()) / config.tuning).sqrt();
    let nr2p1 = n * rho.powf(2.0) + 1.0;
    let s2 = est.variance * n;
    let width = s2.sqrt() * ((2.0 * nr2p1) * (nr2p1.sqrt() / alpha).ln() / (n * rho).powf(2.0)).sqrt();
    let st2 = est.point.powf(2.0) * n / est.variance;
    let evalue = (rho.powf(2.0) * st2 / (2.0 * nr2p1)).exp() / nr2p1.sqrt();
    let p_value = (1.0 / evalue).min(1.0);
    Ok(FrequentistResult {
        expected: est.point,
        ci: [est.point - width, est.point + width],
        p_value,
        uplift: Uplift { mean: est.point, stddev: est.variance.sqrt() },
        degenerate: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Worked example E1 of the research notes (gbstats 0.8.0 outputs).
    #[test]
    fn e1_sequential_is_wider_than_fixed() {
        let a = ArmStats::binomial(1000, 100);
        let b = ArmStats::binomial(1000, 130);
        let r = sequential_test(&a, &b, &SequentialConfig::default()).expect("valid input");
        assert!((r.p_value - 0.562221).abs() < 1e-6);
        assert!((r.ci[0] + 0.208706).abs() < 1e-6);
        assert!((r.ci[1] - 0.808706).abs() < 1e-6);
    }

    #[test]
    fn zero_tuning_is_an_error() {
        let cfg = SequentialConfig { tuning: 0.0, ..Default::default() };
        assert!(sequential_test(&ArmStats::binomial(10, 2), &ArmStats::binomial(10, 3), &cfg).is_err());
    }
}
