//! Every pairwise fixture of gbstats 0.8.0 (Bayesian, Welch t, sequential) against ours.

mod common;

use common::{CLOSED_FORM, Report, T_TAIL, close, f, load};
use hikari_stats::{
    ArmStats, BayesianConfig, DifferenceType, FrequentistConfig, FrequentistResult, GaussianPrior, SequentialConfig, bayesian_test, sequential_test, t_test,
};
use serde_json::Value;

fn arm(v: &Value) -> ArmStats {
    serde_json::from_value(v.clone()).expect("arm stats")
}

fn message(d: Option<hikari_stats::Degenerate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.gbstats_message().to_string()))
}

fn check_freq(report: &Report, prefix: &str, name: &str, got: &FrequentistResult, want: &Value, ci_tol: f64) {
    assert_eq!(message(got.degenerate), want["error_message"], "{name}: {prefix} error message");
    close(report, &format!("{prefix}.expected"), name, got.expected, f(&want["expected"]), CLOSED_FORM);
    close(report, &format!("{prefix}.uplift_stddev"), name, got.uplift.stddev, f(&want["uplift_stddev"]), CLOSED_FORM);
    close(report, &format!("{prefix}.p_value"), name, got.p_value, f(&want["p_value"]), ci_tol);
    for i in 0..2 {
        close(report, &format!("{prefix}.ci"), name, got.ci[i], f(&want["ci"][i]), ci_tol);
    }
}

#[test]
fn pairwise_tests_match_gbstats() {
    let data = load("pairwise.json");
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40, "fixture has {} cases", cases.len());
    let report = Report::default();
    let mut oracle_exceptions = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let (a, b) = (arm(&case["control"]), arm(&case["variant"]));
        let cfg = &case["config"];
        let kind: DifferenceType = serde_json::from_value(cfg["difference_type"].clone()).expect("difference type");
        let alpha = f(&cfg["alpha"]);
        let prior = match &cfg["prior"] {
            Value::Null => GaussianPrior::default(),
            p => GaussianPrior { mean: f(&p["mean"]), variance: f(&p["variance"]), proper: p["proper"].as_bool().expect("bool") },
        };
        let inverse = cfg["inverse"].as_bool().expect("inverse");

        let bayes = bayesian_test(&a, &b, &BayesianConfig { difference_type: kind, alpha, inverse, prior });
        let want = &case["bayesian"];
        if want.get("exception").is_some() {
            // gbstats raised (e.g. ZeroDivisionError); we must not panic and must return
            // either an error or a finite result.
            oracle_exceptions += 1;
            if let Ok(r) = bayes {
                assert!(r.chance_to_win.is_finite(), "{name}: finite result where gbstats raised");
            }
        } else {
            let got = bayes.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(message(got.degenerate), want["error_message"], "{name}: bayesian error message");
            assert_eq!(serde_json::to_value(got.risk_type).expect("json"), want["risk_type"], "{name}");
            close(&report, "bayes.chance_to_win", name, got.chance_to_win, f(&want["chance_to_win"]), CLOSED_FORM);
            close(&report, "bayes.expected", name, got.expected, f(&want["expected"]), CLOSED_FORM);
            close(&report, "bayes.uplift_stddev", name, got.uplift.stddev, f(&want["uplift_stddev"]), CLOSED_FORM);
            for i in 0..2 {
                close(&report, "bayes.ci", name, got.ci[i], f(&want["ci"][i]), CLOSED_FORM);
                close(&report, "bayes.risk", name, got.risk[i], f(&want["risk"][i]), CLOSED_FORM);
            }
        }

        let freq = t_test(&a, &b, &FrequentistConfig { difference_type: kind, alpha }).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_freq(&report, "welch", name, &freq, &case["frequentist"], T_TAIL);

        let tuning = f(&cfg["sequential_tuning"]);
        let seq = sequential_test(&a, &b, &SequentialConfig { difference_type: kind, alpha, tuning }).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_freq(&report, "sequential", name, &seq, &case["sequential"], CLOSED_FORM);
    }
    report.print(&format!("pairwise.json, {} cases ({} where gbstats raised)", cases.len(), oracle_exceptions));
}
