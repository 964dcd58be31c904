//! The experiments part of the OpenAPI document.

use crate::api::openapi::parts::{body, int, list, op, r};
use serde_json::{Value, json};

fn num() -> Value {
    json!({ "type": "number", "nullable": true })
}

fn pair() -> Value {
    json!({ "type": "array", "items": num(), "nullable": true })
}

pub(super) fn schemas() -> Value {
    let arm = json!({ "type": "object", "required": ["name", "weight"], "properties": {
        "name": { "type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S" },
        "weight": { "type": "number", "minimum": 0 },
        "page": { "type": "integer", "format": "int64", "nullable": true },
        "next": { "type": "integer", "format": "int64", "nullable": true } } });
    let goal = json!({ "type": "object", "required": ["type", "event", "window_hours"], "properties": {
        "type": { "type": "string", "enum": ["conversion", "value"] },
        "event": { "type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$" },
        "window_hours": { "type": "integer", "minimum": 1, "maximum": 8760 } } });
    let arm_result = json!({ "type": "object", "required": ["arm", "visitors", "mean", "chance_to_win", "risk", "uplift", "p_value", "ci"],
        "properties": { "arm": { "type": "string" }, "index": int(), "visitors": int(), "conversions": int(),
            "sum": num(), "sum_squares": num(), "mean": num(), "chance_to_win": num(), "risk": num(),
            "uplift": { "type": "object", "nullable": true, "properties": { "mean": num(), "ci": pair() } },
            "p_value": num(), "ci": pair() } });
    json!({
        "Arm": arm,
        "Goal": goal,
        "NewExperiment": { "type": "object", "required": ["name", "step", "arms", "goal"], "additionalProperties": false,
            "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" }, "step": int(),
                "arms": { "type": "array", "minItems": 2, "maxItems": 10, "items": r("Arm") }, "goal": r("Goal"),
                "mode": { "type": "string", "enum": ["split", "bandit"] }, "auto_winner": { "type": "boolean" },
                "min_units_per_arm": { "type": "integer", "minimum": 1, "maximum": 1_000_000 } } },
        "Experiment": { "type": "object", "required": ["id", "funnel", "step", "name", "arms", "goal", "mode", "auto_winner",
            "min_units_per_arm", "status", "winner", "created_at"],
            "properties": { "id": int(), "funnel": int(), "step": int(), "name": { "type": "string" },
                "arms": list("Arm"), "goal": r("Goal"), "mode": { "type": "string", "enum": ["split", "bandit"] },
                "auto_winner": { "type": "boolean" }, "min_units_per_arm": int(),
                "status": { "type": "string", "enum": ["running", "stopped", "decided"] },
                "winner": { "type": "integer", "nullable": true }, "decision": { "nullable": true },
                "created_at": int(), "ended_at": { "type": "integer", "nullable": true } } },
        "ExperimentPatch": { "type": "object", "additionalProperties": false, "properties": {
            "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } }, "auto_winner": { "type": "boolean" },
            "status": { "type": "string", "enum": ["stopped", "decided"] }, "winner": { "type": "integer", "minimum": 0 } } },
        "ArmResult": arm_result,
        "Results": { "type": "object", "required": ["arms", "overall"], "properties": {
            "id": int(), "name": { "type": "string" }, "metric": { "type": "string", "enum": ["binomial", "mean"] },
            "weights": { "type": "array", "items": { "type": "number" } }, "arms": list("ArmResult"),
            "overall": { "type": "object", "required": ["srm_p", "status", "winner"], "properties": {
                "srm_p": num(), "srm_warning": { "type": "boolean" },
                "status": { "type": "string", "enum": ["running", "stopped", "decided"] },
                "winner": { "type": "string", "nullable": true } } },
            "decision": { "nullable": true },
            "daily": { "type": "array", "items": { "type": "object" } } } },
        "ArmInput": { "type": "object", "required": ["n"], "additionalProperties": false, "properties": {
            "name": { "type": "string" }, "n": { "type": "integer", "minimum": 0 }, "conversions": { "type": "integer", "minimum": 0 },
            "sum": { "type": "number" }, "sum_squares": { "type": "number", "minimum": 0 } } },
        "CompareInput": { "type": "object", "required": ["arms"], "additionalProperties": false, "properties": {
            "arms": { "type": "array", "minItems": 2, "maxItems": 10, "items": r("ArmInput") },
            "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } } } },
        "Comparison": { "type": "object", "required": ["arms", "srm_p"], "properties": {
            "arms": list("ArmResult"), "srm_p": num() } },
    })
}

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
