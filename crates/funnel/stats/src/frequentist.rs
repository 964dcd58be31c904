//! Fixed-horizon frequentist test: Welch's two-sided t-test (gbstats' `TwoSidedTTest`).
//!
//! The statistic is `Δ / √V` with Welch–Satterthwaite degrees of freedom ν; the p-value is
//! `2 (1 − F_ν(|t|))` and the interval `Δ ± F_ν⁻¹(1 − α/2) √V`. Valid only when the sample
//! size is fixed in advance: use [`crate::sequential_test`] when results are watched.

use serde::{Deserialize, Serialize};

use crate::dist::{t_cdf, t_ppf};
use crate::effect::{Degenerate, DifferenceType, Uplift, effect_variance, point_estimate, welch_dof};
use crate::error::Result;
use crate::stats::{ArmStats, check_alpha, check_pair};

/// Settings of the t-test; the defaults are gbstats'.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrequentistConfig {
    /// Relative (default) or absolute effects.
    pub difference_type: DifferenceType,
    /// Significance level; the interval has coverage `1 − alpha` (default 0.05).
    pub alpha: f64,
}

impl Default for FrequentistConfig {
    fn default() -> Self {
        FrequentistConfig { difference_type: DifferenceType::Relative, alpha: 0.05 }
    }
}

/// Result of a frequentist (fixed or sequential) test of one variant against control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrequentistResult {
    /// Point estimate of the effect.
    pub expected: f64,
    /// Confidence interval of the effect.
    pub ci: [f64; 2],
    /// Two-sided p-value of "no effect".
    pub p_value: f64,
    /// The effect's sampling distribution as a normal (mean, standard error).
    pub uplift: Uplift,
    /// Set when the data cannot support the test and the default result was returned.
    pub degenerate: Option<Degenerate>,
}

impl FrequentistResult {
    pub(crate) fn default_output(reason: Degenerate) -> Self {
        FrequentistResult { expected: 0.0, ci: [0.0, 0.0], p_value: 1.0, uplift: Uplift { mean: 0.0, stddev: 0.0 }, degenerate: Some(reason) }
    }
}

/// The effect estimate once the degenerate cases are ruled out.
pub(crate) struct Estimate {
    pub point: f64,
    pub variance: f64,
}

/// Validates a pair and returns its effect estimate, or the reason gbstats' t-tests
/// fall back to their default result.
pub(crate) fn estimate(control: &ArmStats, variant: &ArmStats, kind: DifferenceType, alpha: f64) -> Result<std::result::Result<Estimate, Degenerate>> {
    check_pair(control, variant)?;
    check_alpha(alpha)?;
    if control.mean() == 0.0 {
        return Ok(Err(Degenerate::BaselineZero));
    }
    if control.has_zero_variance() || variant.has_zero_variance() {
        return Ok(Err(Degenerate::ZeroVariance));
    }
    Ok(Ok(Estimate { point: point_estimate(control, variant, kind), variance: effect_variance(control, variant, kind) }))
}

/// Runs Welch's two-sided t-test of `variant` against `control`.
///
/// A zero control mean (for relative and absolute effects alike, as in gbstats) or zero
/// variance in either arm yields the default result (p = 1, interval `[0, 0]`) with
/// [`FrequentistResult::degenerate`] set.
pub fn t_test(control: &ArmStats, variant: &ArmStats, config: &FrequentistConfig) -> Result<FrequentistResult> {
    let est = match estimate(control, variant, config.difference_type, config.alpha)? {
        Ok(e) => e,
        Err(reason) => return Ok(FrequentistResult::default_output(reason)),
    };
    let se = est.variance.sqrt();
    let dof = welch_dof(control, variant);
    let t = est.point / se;
    // gbstats computes 2 (1 − cdf), so p-values below ~1e-16 become exactly 0 there too.
    let p_value = 2.0 * (1.0 - t_cdf(t.abs(), dof));
    let width = t_ppf(1.0 - config.alpha / 2.0, dof) * se;
    Ok(FrequentistResult {
        expected: est.point,
        ci: [est.point - width, est.point + width],
        p_value,
        uplift: Uplift { mean: est.point, stddev: se },
        degenerate: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Worked example E1 of the research notes (gbstats 0.8.0 outputs).
    #[test]
    fn e1_welch() {
        let a = ArmStats::binomial(1000, 100);
        let b = ArmStats::binomial(1000, 130);
        let r = t_test(&a, &b, &FrequentistConfig::default()).expect("valid input");
        assert!((r.p_value - 0.065597).abs() < 1e-6);
        assert!((r.ci[0] + 0.019375).abs() < 1e-6);
        let abs = FrequentistConfig { difference_type: DifferenceType::Absolute, ..Default::default() };
        let r = t_test(&a, &b, &abs).expect("valid input");
        assert!((r.p_value - 0.035411).abs() < 1e-6);
    }

    #[test]
    fn single_unit_arms_are_degenerate() {
        let r = t_test(&ArmStats::mean_metric(1, 5.0, 25.0), &ArmStats::from_values(&[4.0, 6.0]), &FrequentistConfig::default()).expect("valid input");
        assert_eq!(r.degenerate, Some(Degenerate::ZeroVariance));
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn bad_alpha_is_an_error() {
        let cfg = FrequentistConfig { alpha: 1.5, ..Default::default() };
        assert!(t_test(&ArmStats::binomial(10, 2), &ArmStats::binomial(10, 3), &cfg).is_err());
    }
}
