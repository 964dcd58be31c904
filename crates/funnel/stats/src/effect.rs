//! The effect estimate shared by every test: point estimate, its variance (delta method
//! for relative lifts) and the Welch–Satterthwaite degrees of freedom.

use serde::{Deserialize, Serialize};

use crate::stats::ArmStats;

/// Whether effects are reported relative to the control mean or as raw differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceType {
    /// `(μ_B − μ_A) / μ_A`, GrowthBook's default.
    #[default]
    Relative,
    /// `μ_B − μ_A`.
    Absolute,
}

impl DifferenceType {
    /// Whether this is [`DifferenceType::Relative`].
    pub fn is_relative(self) -> bool {
        self == DifferenceType::Relative
    }
}

/// A normal approximation of the effect: its mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uplift {
    /// Mean of the effect distribution (equals the reported `expected`).
    pub mean: f64,
    /// Standard deviation of the effect distribution.
    pub stddev: f64,
}

/// Why a test fell back to gbstats' uninformative default result.
///
/// The default is: chance to win 0.5, expected 0, interval `[0, 0]`, risk `[0, 0]`,
/// p-value 1. The variant names follow gbstats' error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Degenerate {
    /// The control mean is zero (for example zero conversions), so a relative lift is
    /// undefined (`ZERO_NEGATIVE_BASELINE_VARIATION`).
    #[serde(rename = "ZERO_NEGATIVE_BASELINE_VARIATION")]
    BaselineZero,
    /// An arm has no units (`NO_UNITS_IN_VARIATION`).
    #[serde(rename = "NO_UNITS_IN_VARIATION")]
    NoUnits,
    /// An arm has zero variance: `n ≤ 1`, all values equal, or 0 % / 100 % conversion
    /// (`ZERO_NEGATIVE_VARIANCE`).
    #[serde(rename = "ZERO_NEGATIVE_VARIANCE")]
    ZeroVariance,
}

impl Degenerate {
    /// The message gbstats puts in `error_message` for this case.
    pub fn gbstats_message(self) -> &'static str {
        match self {
            Degenerate::BaselineZero => "ZERO_NEGATIVE_BASELINE_VARIATION",
            Degenerate::NoUnits => "NO_UNITS_IN_VARIATION",
            Degenerate::ZeroVariance => "ZERO_NEGATIVE_VARIANCE",
        }
    }
}

/// Point estimate of the effect of `b` over `a` (gbstats' `frequentist_diff`).
pub(crate) fn point_estimate(a: &ArmStats, b: &ArmStats, kind: DifferenceType) -> f64 {
    let (ma, mb) = (a.mean(), b.mean());
    match kind {
        DifferenceType::Relative => (mb - ma) / ma,
        DifferenceType::Absolute => mb - ma,
    }
}

/// Variance of the effect estimate (gbstats' `frequentist_variance`): the delta method
/// for relative lifts, the sum of the mean variances for absolute differences.
pub(crate) fn effect_variance(a: &ArmStats, b: &ArmStats, kind: DifferenceType) -> f64 {
    let (va, ma, na) = (a.variance(), a.mean(), a.n() as f64);
    let (vb, mb, nb) = (b.variance(), b.mean(), b.n() as f64);
    match kind {
        DifferenceType::Relative => vb / (ma.powf(2.0) * nb) + va * mb.powf(2.0) / (ma.powf(4.0) * na),
        DifferenceType::Absolute => vb / nb + va / na,
    }
}

/// Welch–Satterthwaite degrees of freedom of the difference of two means.
pub(crate) fn welch_dof(a: &ArmStats, b: &ArmStats) -> f64 {
    let (va, na) = (a.variance(), a.n() as f64);
    let (vb, nb) = (b.variance(), b.n() as f64);
    (vb / nb + va / na).powf(2.0) / (vb.powf(2.0) / (nb.powf(2.0) * (nb - 1.0)) + va.powf(2.0) / (na.powf(2.0) * (na - 1.0)))
}
