//! Whole-experiment analysis: every arm against control, plus the SRM check, as gbstats'
//! `process_experiment_results` reports it for one metric and one dimension.

use serde::{Deserialize, Serialize};

use crate::bayesian::{BayesianConfig, BayesianResult, GaussianPrior, bayesian_test};
use crate::effect::DifferenceType;
use crate::error::{Result, StatsError};
use crate::frequentist::{FrequentistConfig, FrequentistResult, t_test};
use crate::sequential::{DEFAULT_SEQUENTIAL_TUNING, SequentialConfig, sequential_test};
use crate::srm::srm_p_value;
use crate::stats::ArmStats;

/// Which engine's numbers are primary (GrowthBook's default is Bayesian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// Chance to win and risk lead; `expected` comes from the Bayesian test.
    #[default]
    Bayesian,
    /// p-values lead; `expected` comes from the (fixed or sequential) t-test.
    Frequentist,
}

/// Settings of a whole-experiment analysis; the defaults are GrowthBook's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisConfig {
    /// The primary engine (default Bayesian).
    pub engine: Engine,
    /// Relative (default) or absolute effects.
    pub difference_type: DifferenceType,
    /// Error rate of intervals and tests (default 0.05).
    pub alpha: f64,
    /// Whether lower is better for this metric.
    pub inverse: bool,
    /// Prior of the Bayesian test (default improper).
    pub prior: GaussianPrior,
    /// Use the sequential test instead of the fixed-horizon t-test (default false).
    pub sequential: bool,
    /// Sequential tuning parameter N* (default 5000).
    pub sequential_tuning: f64,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            engine: Engine::Bayesian,
            difference_type: DifferenceType::Relative,
            alpha: 0.05,
            inverse: false,
            prior: GaussianPrior::default(),
            sequential: false,
            sequential_tuning: DEFAULT_SEQUENTIAL_TUNING,
        }
    }
}

/// One arm's numbers; comparisons are against arm 0 (control) and absent for control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmAnalysis {
    /// Index of the arm (0 is control).
    pub arm: usize,
    /// Units in the arm.
    pub n: u64,
    /// Conversions (binomial) or sum of values (mean metrics).
    pub sum: f64,
    /// Conversion rate or mean value per unit.
    pub mean: f64,
    /// Standard deviation per unit.
    pub stddev: f64,
    /// The effect shown for this arm, as gbstats' pipeline reports it: 0 when the control
    /// mean is not positive, the raw relative difference when the primary test fell back
    /// to its default, and the primary test's estimate otherwise.
    pub expected: Option<f64>,
    /// The Bayesian test against control.
    pub bayesian: Option<BayesianResult>,
    /// The fixed-horizon or sequential t-test against control.
    pub frequentist: Option<FrequentistResult>,
}

/// The analysis of all arms of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentAnalysis {
    /// SRM p-value of the observed units against the configured weights.
    pub srm_p: f64,
    /// Per-arm numbers, control first.
    pub arms: Vec<ArmAnalysis>,
}

/// Analyses every arm against arm 0 (control) and checks the split against `weights`.
///
/// Errors: fewer than two arms, `weights` of another length or invalid, arms of mixed
/// metric kinds, or any invalid arm statistics.
pub fn analyze(arms: &[ArmStats], weights: &[f64], config: &AnalysisConfig) -> Result<ExperimentAnalysis> {
    if arms.len() < 2 {
        return Err(StatsError::TooFewArms { required: 2, got: arms.len() });
    }
    let users: Vec<u64> = arms.iter().map(ArmStats::n).collect();
    let srm_p = srm_p_value(&users, weights)?;
    let control = &arms[0];
    let bayes_cfg = BayesianConfig { difference_type: config.difference_type, alpha: config.alpha, inverse: config.inverse, prior: config.prior };
    let mut out = Vec::with_capacity(arms.len());
    for (i, arm) in arms.iter().enumerate() {
        arm.validate()?;
        let mut row =
            ArmAnalysis { arm: i, n: arm.n(), sum: arm.sum(), mean: arm.mean(), stddev: arm.stddev(), expected: None, bayesian: None, frequentist: None };
        if i > 0 {
            let bayes = bayesian_test(control, arm, &bayes_cfg)?;
            let freq = if config.sequential {
                let cfg = SequentialConfig { difference_type: config.difference_type, alpha: config.alpha, tuning: config.sequential_tuning };
                sequential_test(control, arm, &cfg)?
            } else {
                t_test(control, arm, &FrequentistConfig { difference_type: config.difference_type, alpha: config.alpha })?
            };
            let primary = match config.engine {
                Engine::Bayesian => bayes.expected,
                Engine::Frequentist => freq.expected,
            };
            row.expected = Some(pipeline_expected(control, arm, primary));
            row.bayesian = Some(bayes);
            row.frequentist = Some(freq);
        }
        out.push(row);
    }
    Ok(ExperimentAnalysis { srm_p, arms: out })
}

/// gbstats' `analyze_metric_df` rule for the reported effect. Note that the fallback is
/// the relative difference even for absolute analyses, as in gbstats.
fn pipeline_expected(control: &ArmStats, variant: &ArmStats, test_expected: f64) -> f64 {
    let ma = control.mean();
    if ma <= 0.0 {
        0.0
    } else if test_expected == 0.0 {
        (variant.mean() - ma) / ma
    } else {
        test_expected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_arms_each_against_control() {
        let arms = [ArmStats::binomial(3000, 150), ArmStats::binomial(3050, 190), ArmStats::binomial(2950, 140)];
        let third = 1.0 / 3.0;
        let r = analyze(&arms, &[third; 3], &AnalysisConfig::default()).expect("valid");
        assert!((r.srm_p - 0.434598).abs() < 1e-6);
        assert!(r.arms[0].bayesian.is_none());
        let b = r.arms[1].bayesian.expect("variant result");
        assert!((b.chance_to_win - 0.968505).abs() < 1e-6);
        assert!(analyze(&arms[..1], &[1.0], &AnalysisConfig::default()).is_err());
        assert!(analyze(&[ArmStats::binomial(10, 1), ArmStats::mean_metric(10, 1.0, 1.0)], &[0.5, 0.5], &AnalysisConfig::default()).is_err());
    }
}
