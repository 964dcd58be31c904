//! Whole-experiment analyses against gbstats 0.8.0's `process_experiment_results`.

mod common;

use common::{CLOSED_FORM, Report, T_TAIL, close, f, load};
use hikari_stats::{AnalysisConfig, ArmStats, DifferenceType, Engine, analyze};
use serde_json::Value;

#[test]
fn experiments_match_gbstats_pipeline() {
    let data = load("experiments.json");
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 5);
    let report = Report::default();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let arms: Vec<ArmStats> = serde_json::from_value(case["arms"].clone()).expect("arms");
        let weights: Vec<f64> = case["weights"].as_array().expect("weights").iter().map(f).collect();
        let c = &case["config"];
        let engine = if c["engine"] == "bayesian" { Engine::Bayesian } else { Engine::Frequentist };
        let difference_type: DifferenceType = serde_json::from_value(c["difference_type"].clone()).expect("kind");
        let sequential = c["sequential"].as_bool().expect("bool");
        let config = AnalysisConfig { engine, difference_type, sequential, inverse: c["inverse"].as_bool().expect("bool"), ..Default::default() };
        let got = analyze(&arms, &weights, &config).unwrap_or_else(|e| panic!("{name}: {e}"));
        close(&report, "srm_p", name, got.srm_p, f(&case["srm_p"]), CLOSED_FORM);
        for (i, want) in case["variations"].as_array().expect("variations").iter().enumerate() {
            let arm = &got.arms[i];
            assert_eq!(arm.n as f64, f(&want["users"]), "{name}: users");
            close(&report, "cr", name, arm.mean, f(&want["cr"]), CLOSED_FORM);
            if i == 0 {
                continue;
            }
            close(&report, "expected", name, arm.expected.expect("expected"), f(&want["expected"]), CLOSED_FORM);
            let message = |d: Option<hikari_stats::Degenerate>| d.map_or(Value::Null, |d| Value::String(d.gbstats_message().into()));
            match engine {
                Engine::Bayesian => {
                    let b = arm.bayesian.expect("bayesian");
                    assert_eq!(message(b.degenerate), want["error_message"], "{name}: arm {i}");
                    close(&report, "chance_to_win", name, b.chance_to_win, f(&want["chance_to_win"]), CLOSED_FORM);
                    for k in 0..2 {
                        close(&report, "risk", name, b.risk[k], f(&want["risk"][k]), CLOSED_FORM);
                        close(&report, "bayes ci", name, b.ci[k], f(&want["ci"][k]), CLOSED_FORM);
                    }
                }
                Engine::Frequentist => {
                    let q = arm.frequentist.expect("frequentist");
                    assert_eq!(message(q.degenerate), want["error_message"], "{name}: arm {i}");
                    let tol = if sequential { CLOSED_FORM } else { T_TAIL };
                    close(&report, "p_value", name, q.p_value, f(&want["p_value"]), tol);
                    for k in 0..2 {
                        close(&report, "freq ci", name, q.ci[k], f(&want["ci"][k]), tol);
                    }
                }
            }
        }
    }
    report.print(&format!("experiments.json, {} experiments", cases.len()));
}
