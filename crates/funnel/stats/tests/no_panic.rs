//! Hostile inputs never panic: every public entry point returns an error or a result.

use hikari_stats::*;

fn hostile_arms() -> Vec<ArmStats> {
    vec![
        ArmStats::binomial(0, 0),
        ArmStats::binomial(1, 1),
        ArmStats::binomial(u64::MAX, u64::MAX / 2),
        ArmStats::binomial(3, 7),
        ArmStats::mean_metric(0, 0.0, 0.0),
        ArmStats::mean_metric(2, 1e300, 1e300),
        ArmStats::mean_metric(5, f64::NAN, 1.0),
        ArmStats::mean_metric(5, 1.0, f64::INFINITY),
        ArmStats::mean_metric(u64::MAX, -1e-300, 1e-300),
        ArmStats::mean_metric(4, -8.0, 16.0),
        ArmStats::binomial(1000, 100),
        ArmStats::from_values(&[1.0, 2.0, 3.0]),
    ]
}

#[test]
fn every_pair_of_hostile_arms_is_handled() {
    let arms = hostile_arms();
    let kinds = [DifferenceType::Relative, DifferenceType::Absolute];
    for a in &arms {
        for b in &arms {
            for kind in kinds {
                for prior in [GaussianPrior::default(), GaussianPrior { mean: 0.0, variance: 0.09, proper: true }] {
                    for inverse in [false, true] {
                        let _ = bayesian_test(a, b, &BayesianConfig { difference_type: kind, inverse, prior, ..Default::default() });
                    }
                }
                let _ = t_test(a, b, &FrequentistConfig { difference_type: kind, ..Default::default() });
                let _ = sequential_test(a, b, &SequentialConfig { difference_type: kind, ..Default::default() });
            }
            if let Ok(analysis) = analyze(&[*a, *b], &[0.5, 0.5], &AnalysisConfig::default()) {
                let _ = decide(&analysis, &WinnerRule::default());
            }
            let _ = bandit_weights(&[*a, *b], &BanditConfig { draws: 50, ..Default::default() }, 1);
            let _ = bandit_weights_exact(&[*a, *b], &BanditConfig::default());
        }
    }
}

#[test]
fn hostile_srm_and_assignment_inputs() {
    assert!(srm_p_value(&[u64::MAX, u64::MAX], &[0.5, 0.5]).is_ok());
    assert!(srm_p_value(&[], &[]).is_err());
    assert!(srm_p_value(&[1, 2], &[f64::INFINITY, 1.0]).is_err());
    for w in [&[][..], &[f64::NAN][..], &[-1.0, 2.0][..], &[0.0][..], &[1e308, 1e308][..]] {
        let _ = assign("seed", "id", w);
    }
    let bad_alpha = BayesianConfig { alpha: f64::NAN, ..Default::default() };
    assert!(bayesian_test(&ArmStats::binomial(10, 2), &ArmStats::binomial(10, 3), &bad_alpha).is_err());
    assert!(matches!(
        t_test(&ArmStats::binomial(10, 2), &ArmStats::mean_metric(10, 3.0, 3.0), &FrequentistConfig::default()),
        Err(StatsError::MixedMetricKinds)
    ));
}
