//! SRM p-values against gbstats 0.8.0's `check_srm`.

mod common;

use common::{CLOSED_FORM, Report, close, f, load};
use hikari_stats::srm_p_value;

#[test]
fn srm_matches_gbstats() {
    let data = load("srm.json");
    let report = Report::default();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let users: Vec<u64> = serde_json::from_value(case["users"].clone()).expect("users");
        let weights: Vec<f64> = case["weights"].as_array().expect("weights").iter().map(f).collect();
        let got = srm_p_value(&users, &weights).expect("valid fixture");
        close(&report, "srm_p", &format!("{users:?}"), got, f(&case["p_value"]), CLOSED_FORM);
    }
    report.print("srm.json");
}
