//! Shared helpers of the fixture tests: loading JSON and comparing with tolerances.
#![allow(dead_code)]

use std::cell::RefCell;
use std::path::PathBuf;

use serde_json::Value;

/// Relative tolerance for closed-form quantities (normal, chi-square, sequential).
pub const CLOSED_FORM: f64 = 1e-9;
/// Relative tolerance for quantities that go through the Student t distribution.
pub const T_TAIL: f64 = 1e-7;
/// Absolute floor: a few ulps at unit scale, for values gbstats gets by cancellation
/// (p = 2·(1 − cdf), interval bounds near zero).
pub const ABS_FLOOR: f64 = 1e-15;

pub fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

pub fn f(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("number"),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// Tracks the largest relative error seen per label, to print a summary.
#[derive(Default)]
pub struct Report {
    pub rows: RefCell<Vec<(String, f64, usize)>>,
}

impl Report {
    pub fn record(&self, label: &str, err: f64) {
        let mut rows = self.rows.borrow_mut();
        if let Some(r) = rows.iter_mut().find(|r| r.0 == label) {
            r.1 = r.1.max(err);
            r.2 += 1;
        } else {
            rows.push((label.to_string(), err, 1));
        }
    }

    pub fn print(&self, title: &str) {
        println!("{title}: max relative error per quantity (values with |x| > 1e-12)");
        for (label, err, count) in self.rows.borrow().iter() {
            println!("  {label:<28} {err:.3e} over {count} values");
        }
    }
}

/// Asserts `got ≈ want` within `rel` (plus the absolute floor) and records the error.
pub fn close(report: &Report, label: &str, case: &str, got: f64, want: f64, rel: f64) {
    if got == want || (got.is_nan() && want.is_nan()) {
        report.record(label, 0.0);
        return;
    }
    let scale = got.abs().max(want.abs());
    let err = (got - want).abs();
    assert!(err <= rel * scale + ABS_FLOOR, "{case}: {label}: got {got:e}, gbstats {want:e} (rel err {:e})", err / scale);
    if scale > 1e-12 {
        report.record(label, err / scale);
    }
}
