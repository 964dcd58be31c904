//! Sample-ratio mismatch: does the observed split of units match the configured weights?
//!
//! gbstats' `check_srm`: a chi-square goodness-of-fit test with `arms − 1` degrees of
//! freedom. Arms with weight 0 contribute no term but still count towards the degrees of
//! freedom; no units at all gives p = 1.

use crate::dist::chi2_sf;
use crate::error::{Result, StatsError};

/// GrowthBook's default SRM threshold: warn (and never auto-decide) when p < 0.001.
pub const DEFAULT_SRM_THRESHOLD: f64 = 0.001;

/// The SRM p-value of `users` observed per arm under the expected `weights`.
///
/// Weights need not sum to one. Errors: fewer than two arms, lists of different lengths,
/// or weights that are negative, non-finite or all zero.
pub fn srm_p_value(users: &[u64], weights: &[f64]) -> Result<f64> {
    if users.len() < 2 {
        return Err(StatsError::TooFewArms { required: 2, got: users.len() });
    }
    if weights.len() != users.len() {
        return Err(StatsError::LengthMismatch { what: "weights", expected: users.len(), got: weights.len() });
    }
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().all(|w| *w == 0.0) {
        return Err(StatsError::InvalidWeights);
    }
    // Summed in u128 so that no count can overflow.
    let total: u128 = users.iter().map(|&u| u128::from(u)).sum();
    if total == 0 {
        return Ok(1.0);
    }
    let total = total as f64;
    let total_weight: f64 = weights.iter().sum();
    let mut x = 0.0;
    for (&o, &w) in users.iter().zip(weights) {
        if w <= 0.0 {
            continue;
        }
        let e = w / total_weight * total;
        x += (o as f64 - e).powf(2.0) / e;
    }
    Ok(chi2_sf(x, (users.len() - 1) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn research_examples() {
        assert_eq!(srm_p_value(&[5000, 5000], &[0.5, 0.5]).expect("valid"), 1.0);
        assert!((srm_p_value(&[5000, 4800], &[0.5, 0.5]).expect("valid") - 0.043352).abs() < 1e-6);
        let third = 1.0 / 3.0;
        assert!((srm_p_value(&[1000, 1000, 880], &[third; 3]).expect("valid") - 0.006738).abs() < 1e-6);
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(srm_p_value(&[10], &[1.0]).is_err());
        assert!(srm_p_value(&[10, 10], &[1.0]).is_err());
        assert!(srm_p_value(&[10, 10], &[0.0, 0.0]).is_err());
        assert!(srm_p_value(&[10, 10], &[f64::NAN, 1.0]).is_err());
    }
}
