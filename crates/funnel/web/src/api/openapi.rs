//! The OpenAPI 3.0 document for `/api/v1/`, written by hand next to the handlers it describes.

mod experiments;
mod parts;
mod webinars;

use crate::api::openapi::parts::{body, id_param, int, list, op, q, r};
use axum::Json;
use serde_json::{Value, json};

pub(super) fn spec() -> Value {
    let id = id_param();
    let ids = [id.clone()];
    let report_q = [id.clone(), q("window_hours", json!({ "type": "integer", "minimum": 1, "maximum": 8784 })), q("since", int()), q("until", int())];
    let csv = json!({ "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } });
    let mut report_csv = op("funnelReportCsv", "The funnel report as CSV", None, "200", None, &report_q);
    report_csv["responses"]["200"] = csv;
    json!({
        "openapi": "3.0.3",
        "info": { "title": "Hikari funnel API", "version": "1" },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": hikari_funnel_app::schema::components(),
        },
        "paths": {
            "/api/v1/funnels": {
                "get": op("listFunnels", "All funnels, newest first", None, "200", Some(list("Funnel")), &[]),
                "post": op("createFunnel", "Create a funnel", Some(body(r("NewFunnel"))), "201", Some(r("Funnel")), &[]),
            },
            "/api/v1/funnels/{id}": {
                "get": op("getFunnel", "One funnel", None, "200", Some(r("Funnel")), &ids),
                "patch": op("updateFunnel", "Rename, set locale", Some(body(r("FunnelPatch"))), "200", Some(r("Funnel")), &ids),
                "delete": op("deleteFunnel", "Delete with steps, edges, pages", None, "204", None, &ids),
            },
            "/api/v1/funnels/{id}/steps": {
                "get": op("listSteps", "Steps by position", None, "200", Some(list("Step")), &ids),
                "post": op("createStep", "Append a step", Some(body(r("NewStep"))), "201", Some(r("Step")), &ids),
            },
            "/api/v1/funnels/{id}/steps/order": {
                "put": op("reorderSteps", "Set the step order", Some(body(r("Order"))), "200", Some(list("Step")), &ids),
            },
            "/api/v1/funnels/{id}/edges": {
                "get": op("listEdges", "Edges", None, "200", Some(list("Edge")), &ids),
                "post": op("createEdge", "Add an edge", Some(body(r("NewEdge"))), "201", Some(r("Edge")), &ids),
            },
            "/api/v1/funnels/{id}/report": {
                "get": op("funnelReport", "Ordered funnel report", None, "200", Some(r("Report")), &report_q),
            },
            "/api/v1/funnels/{id}/report.csv": { "get": report_csv },
            "/api/v1/steps/{id}": {
                "get": op("getStep", "One step", None, "200", Some(r("Step")), &ids),
                "delete": op("deleteStep", "Delete a step", None, "204", None, &ids),
            },
            "/api/v1/steps/{id}/page": {
                "get": op("getPage", "The step's draft page", None, "200", Some(r("PageDoc")), &ids),
                "put": op("savePage", "Save the draft if still at `version` (else 409)", Some(body(r("PageSave"))), "200", Some(r("Version")), &ids),
            },
            "/api/v1/steps/{id}/publish": {
                "post": op("publishPage", "Publish the draft at `version`", Some(body(r("Version"))), "200", Some(r("Published")), &ids),
            },
            "/api/v1/edges/{id}": {
                "delete": op("deleteEdge", "Delete an edge", None, "204", None, &ids),
            },
            "/api/v1/contacts": {
                "get": op("listContacts", "Contacts, newest first", None, "200", Some(list("Contact")),
                    &[q("limit", json!({ "type": "integer", "minimum": 0, "maximum": 1000, "default": 100 })), q("offset", json!({ "type": "integer" }))]),
            },
            "/api/v1/contacts/{id}": {
                "get": op("getContact", "One contact", None, "200", Some(r("Contact")), &ids),
            },
            "/api/v1/events": {
                "get": op("listEvents", "Events, newest first", None, "200", Some(list("Event")), &[
                    q("funnel", int()), q("contact", int()), q("visitor", json!({ "type": "string" })),
                    q("name", json!({ "type": "string" })), q("limit", json!({ "type": "integer", "minimum": 0, "maximum": 1000, "default": 100 }))]),
            },
            "/api/v1/tokens": {
                "get": op("listTokens", "API tokens", None, "200", Some(list("Token")), &[]),
                "post": op("createToken", "Create an API token (secret shown once)", Some(body(r("NewToken"))), "201", Some(r("IssuedToken")), &[]),
            },
            "/api/v1/tokens/{id}": {
                "delete": op("deleteToken", "Revoke a token", None, "204", None, &ids),
            },
        }
    })
}

/// OpenAPI links from the create operations to those that take the new id, so stateful
/// clients (and schemathesis) can follow them.
fn add_links(spec: &mut Value) {
    let targets: [(&str, &str, &[&str]); 6] = [
        ("/api/v1/funnels", "post", &["getFunnel", "updateFunnel", "listSteps", "createStep", "listEdges", "reorderSteps", "funnelReport", "funnelReportCsv"]),
        ("/api/v1/funnels/{id}/steps", "post", &["getStep", "getPage", "savePage", "publishPage"]),
        ("/api/v1/funnels/{id}/edges", "post", &["deleteEdge"]),
        ("/api/v1/funnels/{id}/experiments", "post", &["getExperiment", "updateExperiment", "experimentResults", "evaluateExperiment", "deleteExperiment"]),
        ("/api/v1/webinars", "post", &["getWebinar", "updateWebinar", "listWebinarSessions", "addWebinarSession", "listRegistrants", "deleteWebinar"]),
        ("/api/v1/webinars/{id}/sessions", "post", &["deleteWebinarSession"]),
    ];
    for (path, method, ops) in targets {
        let links: serde_json::Map<String, Value> =
            ops.iter().map(|op| (op.to_string(), json!({ "operationId": op, "parameters": { "id": "$response.body#/id" } }))).collect();
        spec["paths"][path][method]["responses"]["201"]["links"] = Value::Object(links);
    }
}

pub(super) async fn document() -> Json<Value> {
    let mut spec = spec();
    let ids = [id_param()];
    for more in [experiments::paths(&ids), webinars::paths(&ids)] {
        if let (Some(paths), Value::Object(more)) = (spec["paths"].as_object_mut(), more) {
            paths.extend(more);
        }
    }
    add_links(&mut spec);
    Json(spec)
}
