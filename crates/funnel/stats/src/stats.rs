//! Sufficient statistics per arm: what the tests consume instead of raw rows.

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};

/// A conversion metric for one arm: `n` units of which `conversions` converted.
///
/// Its variance is the Bernoulli variance `p (1 − p)` with `p = conversions / n`, as in
/// gbstats' `ProportionStatistic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinomialStats {
    /// Units (visitors) exposed to the arm.
    pub n: u64,
    /// Units that converted; at most `n`.
    pub conversions: u64,
}

/// A value metric for one arm (revenue per visitor, watch time, …) from its sufficient
/// statistics.
///
/// Its variance is the sample variance with `n − 1` in the denominator, as in gbstats'
/// `SampleMeanStatistic`; it is zero when `n ≤ 1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStats {
    /// Units exposed to the arm (units without a value count with value 0).
    pub n: u64,
    /// Sum of the per-unit values.
    pub sum: f64,
    /// Sum of the squared per-unit values.
    pub sum_squares: f64,
}

/// The sufficient statistics of one arm, of either metric kind.
///
/// In JSON it is written with a `type` tag, for example
/// `{"type": "binomial", "n": 1000, "conversions": 100}` or
/// `{"type": "mean", "n": 500, "sum": 1250.0, "sum_squares": 9800.0}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ArmStats {
    /// A conversion (binomial) metric.
    Binomial(BinomialStats),
    /// A value (mean) metric.
    Mean(MeanStats),
}

impl ArmStats {
    /// Builds binomial statistics from units and conversions.
    pub fn binomial(n: u64, conversions: u64) -> Self {
        ArmStats::Binomial(BinomialStats { n, conversions })
    }

    /// Builds mean-metric statistics from units, sum and sum of squares.
    pub fn mean_metric(n: u64, sum: f64, sum_squares: f64) -> Self {
        ArmStats::Mean(MeanStats { n, sum, sum_squares })
    }

    /// Builds mean-metric statistics from raw values (a convenience for tests and tools).
    pub fn from_values(values: &[f64]) -> Self {
        let sum = values.iter().sum();
        let sum_squares = values.iter().map(|v| v * v).sum();
        ArmStats::mean_metric(values.len() as u64, sum, sum_squares)
    }

    /// Number of units in the arm.
    pub fn n(&self) -> u64 {
        match self {
            ArmStats::Binomial(b) => b.n,
            ArmStats::Mean(m) => m.n,
        }
    }

    /// The metric total: conversions for a binomial arm, the sum for a mean arm.
    pub fn sum(&self) -> f64 {
        match self {
            ArmStats::Binomial(b) => b.conversions as f64,
            ArmStats::Mean(m) => m.sum,
        }
    }

    /// The sum of squares (equal to the conversions for a binomial arm).
    pub fn sum_squares(&self) -> f64 {
        match self {
            ArmStats::Binomial(b) => b.conversions as f64,
            ArmStats::Mean(m) => m.sum_squares,
        }
    }

    /// Whether the arm is a binomial metric.
    pub fn is_binomial(&self) -> bool {
        matches!(self, ArmStats::Binomial(_))
    }

    /// The per-unit mean (conversion rate for binomial arms); 0 when `n = 0`.
    pub fn mean(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return 0.0;
        }
        self.sum() / n as f64
    }

    /// The per-unit variance as gbstats defines it for this metric kind.
    pub fn variance(&self) -> f64 {
        match self {
            ArmStats::Binomial(_) => {
                let p = self.mean();
                p * (1.0 - p)
            }
            ArmStats::Mean(m) => sample_variance(m.n, m.sum, m.sum_squares),
        }
    }

    /// The per-unit standard deviation; 0 when the variance is not positive.
    pub fn stddev(&self) -> f64 {
        let v = self.variance();
        if v <= 0.0 { 0.0 } else { v.sqrt() }
    }

    /// Whether the variance is zero or negative (gbstats' `_has_zero_variance`).
    pub fn has_zero_variance(&self) -> bool {
        self.variance() <= 0.0
    }

    /// Checks that the statistics describe a possible sample.
    ///
    /// Rejects non-finite sums, more conversions than units, and a sum of squares that is
    /// negative or clearly below `sum² / n`. A sum of squares that falls short of
    /// `sum² / n` only by rounding is accepted and yields zero variance.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ArmStats::Binomial(b) => {
                if b.conversions > b.n {
                    return Err(StatsError::ConversionsExceedUnits { n: b.n, conversions: b.conversions });
                }
            }
            ArmStats::Mean(m) => {
                finite("sum", m.sum)?;
                finite("sum_squares", m.sum_squares)?;
                let floor = if m.n == 0 { 0.0 } else { m.sum * m.sum / m.n as f64 };
                let slack = 1e-9 * floor.abs().max(m.sum_squares.abs());
                if m.sum_squares < 0.0 || m.sum_squares < floor - slack || (m.n == 0 && m.sum != 0.0) {
                    return Err(StatsError::InconsistentMoments { n: m.n, sum: m.sum, sum_squares: m.sum_squares });
                }
            }
        }
        Ok(())
    }
}

/// Sample variance with Bessel's correction from sufficient statistics; 0 when `n ≤ 1`.
pub(crate) fn sample_variance(n: u64, sum: f64, sum_squares: f64) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let n = n as f64;
    (sum_squares - sum * sum / n) / (n - 1.0)
}

/// Returns an error when `value` is NaN or infinite.
pub(crate) fn finite(field: &'static str, value: f64) -> Result<()> {
    if value.is_finite() { Ok(()) } else { Err(StatsError::NonFinite { field, value }) }
}

/// Checks that `alpha` is a usable two-sided error rate.
pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(StatsError::OutOfRange { name: "alpha", value: alpha, expected: "0 < alpha < 1" })
    }
}

/// Validates both arms of a comparison and that they are of the same kind.
pub(crate) fn check_pair(control: &ArmStats, variant: &ArmStats) -> Result<()> {
    control.validate()?;
    variant.validate()?;
    if control.is_binomial() != variant.is_binomial() {
        return Err(StatsError::MixedMetricKinds);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_moments() {
        let a = ArmStats::binomial(1000, 100);
        assert_eq!(a.mean(), 0.1);
        assert!((a.variance() - 0.09).abs() < 1e-15);
        assert_eq!(ArmStats::binomial(0, 0).mean(), 0.0);
    }

    #[test]
    fn mean_moments_use_bessel_correction() {
        let a = ArmStats::from_values(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(a.mean(), 2.5);
        assert!((a.variance() - 5.0 / 3.0).abs() < 1e-15);
        assert_eq!(ArmStats::mean_metric(1, 5.0, 25.0).variance(), 0.0);
    }

    #[test]
    fn validation_rejects_impossible_samples() {
        assert!(matches!(ArmStats::binomial(5, 6).validate(), Err(StatsError::ConversionsExceedUnits { .. })));
        assert!(matches!(ArmStats::mean_metric(5, f64::NAN, 1.0).validate(), Err(StatsError::NonFinite { .. })));
        assert!(matches!(ArmStats::mean_metric(4, 10.0, 1.0).validate(), Err(StatsError::InconsistentMoments { .. })));
        assert!(ArmStats::mean_metric(10, 50.0, 250.0).validate().is_ok());
    }

    #[test]
    fn json_shape_is_tagged() {
        let json = r#"{"type":"binomial","n":10,"conversions":3}"#;
        let a: ArmStats = serde_json::from_str(json).expect("parses");
        assert_eq!(a, ArmStats::binomial(10, 3));
    }
}
