//! Deterministic variant assignment by hashing, modelled on GrowthBook's v2 hash.
//!
//! The visitor's bucket is `fnv1a32(decimal(fnv1a32(seed ++ id))) mod 10000 / 10000`, a
//! number in [0, 1) with four decimals, where FNV-1a-32 runs over UTF-16 code units (the
//! same as bytes for ASCII), as GrowthBook's SDKs do. Arm `i` owns the half-open range
//! `[w₀ + … + wᵢ₋₁, w₀ + … + wᵢ)`. The same (seed, id, weights) always gives the same
//! arm, on every machine and in every release; stickiness across weight changes is the
//! caller's job (store the first assignment).

use crate::error::{Result, StatsError};

/// FNV-1a 32-bit hash over the UTF-16 code units of `s`.
pub fn fnv1a32(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for unit in s.encode_utf16() {
        h ^= u32::from(unit);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// GrowthBook's v2 hash of a visitor id under an experiment seed: a bucket in [0, 1).
pub fn hash_v2(experiment_seed: &str, visitor_id: &str) -> f64 {
    let inner = fnv1a32(&format!("{experiment_seed}{visitor_id}"));
    let outer = fnv1a32(&inner.to_string());
    f64::from(outer % 10_000) / 10_000.0
}

/// The arm for `visitor_id`, or an error when `weights` is empty, has a negative or
/// non-finite entry, or sums to zero.
///
/// Weights summing to 1 ± 0.01 are used as given (as GrowthBook's SDKs do); any other
/// positive total is normalised to 1 first. Arms of weight 0 are never chosen.
pub fn try_assign(experiment_seed: &str, visitor_id: &str, weights: &[f64]) -> Result<usize> {
    if weights.is_empty() {
        return Err(StatsError::TooFewArms { required: 1, got: 0 });
    }
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return Err(StatsError::InvalidWeights);
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(StatsError::InvalidWeights);
    }
    let scale = if (0.99..=1.01).contains(&total) { 1.0 } else { 1.0 / total };
    let bucket = hash_v2(experiment_seed, visitor_id);
    let mut start = 0.0;
    for (i, w) in weights.iter().enumerate() {
        let end = start + w * scale;
        if start <= bucket && bucket < end {
            return Ok(i);
        }
        start = end;
    }
    // Only reachable when rounding leaves the top of [0, 1) uncovered: use the last arm
    // that has any weight.
    Ok(weights.iter().rposition(|w| *w > 0.0).unwrap_or(0))
}

/// The arm for `visitor_id` under `weights`; never panics.
///
/// Invalid weights (see [`try_assign`]) fall back to equal weights, as GrowthBook's SDKs
/// do; an empty weight list yields arm 0.
pub fn assign(experiment_seed: &str, visitor_id: &str, weights: &[f64]) -> usize {
    match try_assign(experiment_seed, visitor_id, weights) {
        Ok(arm) => arm,
        Err(_) if weights.is_empty() => 0,
        Err(_) => {
            let equal = vec![1.0 / weights.len() as f64; weights.len()];
            try_assign(experiment_seed, visitor_id, &equal).unwrap_or(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srm::srm_p_value;

    #[test]
    fn fnv_known_values() {
        // Published FNV-1a 32 test vectors.
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn assignment_is_stable() {
        // Fixed outputs: these must never change, or assigned visitors would move.
        assert_eq!(hash_v2("exp1", "user1"), 0.0255);
        assert_eq!(assign("exp1", "user1", &[0.5, 0.5]), 0);
        let arms: Vec<usize> = (0..12).map(|i| assign("registration-page", &format!("v{i}"), &[0.2, 0.3, 0.5])).collect();
        assert_eq!(arms, STABLE_ARMS);
    }

    // The same values as the growthbook SDK gives for these ids (see tests/fixtures/assign.json).
    const STABLE_ARMS: [usize; 12] = [2, 2, 2, 0, 1, 2, 2, 0, 0, 1, 0, 0];

    #[test]
    fn hundred_thousand_ids_pass_srm() {
        let weights = [0.2, 0.3, 0.5];
        let mut counts = [0u64; 3];
        for i in 0..100_000 {
            counts[assign("hikari-srm-check", &format!("visitor-{i}"), &weights)] += 1;
        }
        let p = srm_p_value(&counts, &weights).expect("valid");
        assert!(p > 0.001, "counts {counts:?} give SRM p = {p}");
        // And the split is close to the weights.
        assert!((counts[0] as f64 / 1e5 - 0.2).abs() < 0.01, "{counts:?}");
    }

    #[test]
    fn zero_weight_arms_are_never_chosen_and_bad_weights_do_not_panic() {
        for i in 0..1000 {
            assert_ne!(assign("e", &format!("{i}"), &[0.5, 0.0, 0.5]), 1);
        }
        assert!(try_assign("e", "x", &[f64::NAN, 1.0]).is_err());
        assert!(assign("e", "x", &[f64::NAN, 1.0]) < 2);
        assert_eq!(assign("e", "x", &[]), 0);
        assert!(assign("e", "x", &[0.0, 0.0, 0.0]) < 3);
        // Unnormalised weights behave like their normalised form.
        assert_eq!(assign("e", "x", &[2.0, 3.0, 5.0]), assign("e", "x", &[0.2, 0.3, 0.5]));
    }
}
