//! Bayesian A/B test on the effect (gbstats' `EffectBayesianABTest`).
//!
//! The effect estimate Δ with variance V (see [`crate::DifferenceType`]) is treated as a
//! Gaussian likelihood. With the default improper prior the posterior is N(Δ, V); with a
//! proper prior N(m, v) it is the usual precision-weighted combination. From the posterior
//! N(μ, σ²):
//!
//! * chance to win = P(effect > 0) = Φ(μ/σ) (P(effect < 0) for inverse metrics);
//! * credible interval = μ + σ·Φ⁻¹(α/2), μ + σ·Φ⁻¹(1 − α/2);
//! * risk (expected loss) `[control, variant]`: the variant's risk is
//!   −P(effect < 0)·E[effect | effect < 0], the control's is P(effect > 0)·E[effect | effect > 0]
//!   (truncated-normal means); the two swap for inverse metrics.

use serde::{Deserialize, Serialize};

use crate::dist::{inverse_mills, norm_cdf, norm_ppf};
use crate::effect::{Degenerate, DifferenceType, Uplift, effect_variance, point_estimate};
use crate::error::{Result, StatsError};
use crate::stats::{ArmStats, check_alpha, check_pair, finite};

/// A Gaussian prior on the relative effect.
///
/// The default is gbstats' `GaussianPrior()`: mean 0, variance 1, improper (ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianPrior {
    /// Prior mean of the relative effect.
    pub mean: f64,
    /// Prior variance of the relative effect (GrowthBook's proper-prior default is 0.3²).
    pub variance: f64,
    /// Whether the prior is used at all; an improper prior leaves the data alone.
    pub proper: bool,
}

impl Default for GaussianPrior {
    fn default() -> Self {
        GaussianPrior { mean: 0.0, variance: 1.0, proper: false }
    }
}

/// Settings of the Bayesian test; the defaults are gbstats'.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BayesianConfig {
    /// Relative (default) or absolute effects.
    pub difference_type: DifferenceType,
    /// Credible-interval level is `1 − alpha` (default 0.05).
    pub alpha: f64,
    /// Whether lower is better for this metric (default false).
    pub inverse: bool,
    /// Prior on the relative effect; rescaled by the control mean for absolute effects,
    /// as gbstats does with `prior_type = "relative"`.
    pub prior: GaussianPrior,
}

impl Default for BayesianConfig {
    fn default() -> Self {
        BayesianConfig { difference_type: DifferenceType::Relative, alpha: 0.05, inverse: false, prior: GaussianPrior::default() }
    }
}

/// Result of the Bayesian test of one variant against control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BayesianResult {
    /// Posterior probability that the variant is better than control.
    pub chance_to_win: f64,
    /// Posterior mean of the effect.
    pub expected: f64,
    /// Equal-tailed credible interval of the effect.
    pub ci: [f64; 2],
    /// Posterior of the effect as a normal distribution.
    pub uplift: Uplift,
    /// Expected loss `[of choosing control, of choosing the variant]`, in effect units.
    pub risk: [f64; 2],
    /// Whether `risk` and `expected` are relative or absolute.
    pub risk_type: DifferenceType,
    /// Set when the data cannot support the test and the default result was returned.
    pub degenerate: Option<Degenerate>,
}

impl BayesianResult {
    fn default_output(kind: DifferenceType, reason: Degenerate) -> Self {
        BayesianResult {
            chance_to_win: 0.5,
            expected: 0.0,
            ci: [0.0, 0.0],
            uplift: Uplift { mean: 0.0, stddev: 0.0 },
            risk: [0.0, 0.0],
            risk_type: kind,
            degenerate: Some(reason),
        }
    }
}

/// Runs the Bayesian test of `variant` against `control`.
///
/// Degenerate data yields gbstats' default result with [`BayesianResult::degenerate`]
/// set; invalid input (NaN, impossible counts, mixed metric kinds, a bad alpha or prior)
/// is an error.
pub fn bayesian_test(control: &ArmStats, variant: &ArmStats, config: &BayesianConfig) -> Result<BayesianResult> {
    check_pair(control, variant)?;
    check_alpha(config.alpha)?;
    finite("prior.mean", config.prior.mean)?;
    finite("prior.variance", config.prior.variance)?;
    let kind = config.difference_type;
    let relative = kind.is_relative();
    if relative && control.mean() == 0.0 {
        return Ok(BayesianResult::default_output(kind, Degenerate::BaselineZero));
    }
    if control.n() == 0 || variant.n() == 0 {
        return Ok(BayesianResult::default_output(kind, Degenerate::NoUnits));
    }
    if control.has_zero_variance() || variant.has_zero_variance() {
        return Ok(BayesianResult::default_output(kind, Degenerate::ZeroVariance));
    }

    let data_variance = effect_variance(control, variant, kind);
    let data_mean = point_estimate(control, variant, kind);
    let (mean, stddev) = if config.prior.proper {
        // The prior is stated on the relative scale; move it to the absolute scale.
        let ma = control.mean();
        let (pm, pv) = if relative { (config.prior.mean, config.prior.variance) } else { (config.prior.mean * ma.abs(), config.prior.variance * ma.powf(2.0)) };
        if pv <= 0.0 || !pv.is_finite() {
            return Err(StatsError::UndefinedPosterior("a proper prior needs a positive, finite variance on the effect scale"));
        }
        let precision = 1.0 / data_variance + 1.0 / pv;
        ((data_mean / data_variance + pm / pv) / precision, (1.0 / precision).sqrt())
    } else {
        (data_mean, (1.0 / (1.0 / data_variance)).sqrt())
    };

    let beats = norm_cdf(mean / stddev);
    let chance_to_win = if config.inverse { 1.0 - beats } else { beats };
    let ci = [mean + stddev * norm_ppf(config.alpha / 2.0), mean + stddev * norm_ppf(1.0 - config.alpha / 2.0)];
    let [risk_control, risk_variant] = risk(mean, stddev);
    let risk = if config.inverse { [risk_variant, risk_control] } else { [risk_control, risk_variant] };
    Ok(BayesianResult { chance_to_win, expected: mean, ci, uplift: Uplift { mean, stddev }, risk, risk_type: kind, degenerate: None })
}

/// Expected loss `[control, variant]` of a N(mu, sigma²) effect, as gbstats' `get_risk`.
pub(crate) fn risk(mu: f64, sigma: f64) -> [f64; 2] {
    let beta = -mu / sigma;
    let p_control_better = norm_cdf(beta);
    // E[effect | effect > 0] = mu + sigma·φ(β)/Φ(−β); E[effect | effect < 0] = mu − sigma·φ(β)/Φ(β).
    let mean_positive = mu + sigma * inverse_mills(-beta);
    let risk_control = (1.0 - p_control_better) * mean_positive;
    let risk_variant = if p_control_better == 0.0 {
        0.0
    } else {
        let mean_negative = mu - sigma * inverse_mills(beta);
        -(p_control_better * mean_negative)
    };
    [risk_control, risk_variant]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Worked example E1 of the research notes (gbstats 0.8.0 outputs).
    #[test]
    fn e1_relative() {
        let r = bayesian_test(&ArmStats::binomial(1000, 100), &ArmStats::binomial(1000, 130), &BayesianConfig::default()).expect("valid input");
        assert!((r.chance_to_win - 0.967276).abs() < 1e-6);
        assert!((r.ci[0] + 0.019179).abs() < 1e-6);
        assert!((r.risk[1] - 0.002089).abs() < 1e-6);
        assert!(r.degenerate.is_none());
    }

    #[test]
    fn zero_conversions_in_control_is_degenerate() {
        let r = bayesian_test(&ArmStats::binomial(500, 0), &ArmStats::binomial(500, 10), &BayesianConfig::default()).expect("valid input");
        assert_eq!(r.degenerate, Some(Degenerate::BaselineZero));
        assert_eq!(r.chance_to_win, 0.5);
    }

    #[test]
    fn nan_input_is_an_error() {
        let bad = ArmStats::mean_metric(10, f64::NAN, 3.0);
        assert!(bayesian_test(&bad, &ArmStats::mean_metric(10, 3.0, 3.0), &BayesianConfig::default()).is_err());
    }

    #[test]
    fn risk_is_finite_far_in_the_tails() {
        let [c, v] = risk(1.0, 0.01);
        assert!((c - 1.0).abs() < 1e-12);
        assert_eq!(v, 0.0);
        let [c, v] = risk(-1.0, 0.01);
        assert!((0.0..1e-300).contains(&c));
        assert!((v - 1.0).abs() < 1e-12);
    }
}
