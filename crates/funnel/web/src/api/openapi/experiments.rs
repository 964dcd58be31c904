//! The experiments part of the OpenAPI document.

use crate::api::openapi::parts::{body, list, op, r};
use serde_json::{Value, json};

pub(super) fn paths(ids: &[Value]) -> Value {
    json!({
        "/api/v1/funnels/{id}/experiments": {
            "get": op("listExperiments", "A funnel's experiments, newest first", None, "200", Some(list("Experiment")), ids),
            "post": op("createExperiment", "Start an experiment on a step (arms, weights, goal)", Some(body(r("NewExperiment"))), "201", Some(r("Experiment")), ids),
        },
        "/api/v1/experiments/{id}": {
            "get": op("getExperiment", "One experiment", None, "200", Some(r("Experiment")), ids),
            "patch": op("updateExperiment", "Change weights or the auto-winner switch; stop or pick a winner", Some(body(r("ExperimentPatch"))), "200", Some(r("Experiment")), ids),
            "delete": op("deleteExperiment", "Delete an experiment and its assignments", None, "204", None, ids),
        },
        "/api/v1/experiments/{id}/results": {
            "get": op("experimentResults", "Per-arm numbers, SRM, status and winner", None, "200", Some(r("Results")), ids),
        },
        "/api/v1/experiments/{id}/evaluate": {
            "post": op("evaluateExperiment", "Apply the bandit and the winner rule now", None, "200", Some(r("Experiment")), ids),
        },
        "/api/v1/stats/compare": {
            "post": op("compareStats", "Compare arms given as sufficient statistics", Some(body(r("CompareInput"))), "200", Some(r("Comparison")), &[]),
        },
    })
}
