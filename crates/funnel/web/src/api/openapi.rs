//! The OpenAPI 3.0 document for `/api/v1/`, written by hand next to the handlers it describes.

mod experiments;
mod parts;

use crate::api::openapi::parts::{body, id_param, int, list, nullable, op, q, r};
use axum::Json;
use serde_json::{Value, json};

fn schemas() -> Value {
    let slug = json!({ "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$" });
    let name = json!({ "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" });
    let locale = json!({ "type": "string", "enum": ["ja", "en"], "nullable": true });
    let kinds = json!({ "type": "string", "enum": ["optin", "thankyou", "sales", "checkout", "upsell", "downsell",
        "webinar_register", "webinar_room", "replay", "redirect"] });
    let utm = json!({ "type": "object", "properties": {
        "source": {"type": "string"}, "medium": {"type": "string"}, "campaign": {"type": "string"},
        "term": {"type": "string"}, "content": {"type": "string"}, "click_id": {"type": "string"} } });
    json!({
        "Error": { "type": "object", "required": ["error", "message"], "properties": {
            "error": { "type": "string" }, "message": { "type": "string" }, "current_version": int() } },
        "Funnel": { "type": "object", "required": ["id", "slug", "name", "locale", "created_at"], "properties": {
            "id": int(), "slug": slug, "name": { "type": "string" }, "locale": locale, "created_at": int() } },
        "NewFunnel": { "type": "object", "required": ["slug", "name"], "properties": {
            "slug": slug, "name": name, "locale": locale } },
        "FunnelPatch": { "type": "object", "required": ["name"], "properties": { "name": name, "locale": locale } },
        "Step": { "type": "object", "required": ["id", "funnel_id", "slug", "name", "kind", "position", "redirect_url"],
            "properties": { "id": int(), "funnel_id": int(), "slug": slug, "name": { "type": "string" }, "kind": kinds,
                "position": int(), "redirect_url": nullable("string") } },
        "NewStep": { "type": "object", "required": ["slug", "name", "kind"], "properties": {
            "slug": slug, "name": name, "kind": kinds,
            "redirect_url": { "type": "string", "nullable": true, "pattern": "^https?://[^\\s]+$" } } },
        "Order": { "type": "object", "required": ["order"], "properties": { "order": { "type": "array", "items": int() } } },
        "Condition": { "type": "object", "required": ["type"], "properties": {
            "type": { "type": "string", "enum": ["always", "form_submitted", "event_occurred", "property", "label"] },
            "form": nullable("string"), "name": { "type": "string" }, "field": { "type": "string" },
            "op": { "type": "string", "enum": ["equals", "not_equals", "contains", "in", "gt", "lt"] },
            "value": { "type": "string" }, "label": { "type": "string" } } },
        "Edge": { "type": "object", "required": ["id", "funnel_id", "from_step", "to_step", "condition", "priority"],
            "properties": { "id": int(), "funnel_id": int(), "from_step": int(), "to_step": int(),
                "condition": r("Condition"), "priority": int() } },
        "NewEdge": { "type": "object", "required": ["from_step", "to_step"], "properties": {
            "from_step": int(), "to_step": int(), "condition": r("Condition"), "priority": int() } },
        "Page": { "type": "object", "properties": { "sections": { "type": "array", "items": { "type": "object" } } },
            "description": "sections[] → columns[] → blocks[]; see docs/funnel.md for block types." },
        "PageDoc": { "type": "object", "required": ["version", "published_version", "page", "css"], "properties": {
            "version": int(), "published_version": { "type": "integer", "format": "int64", "nullable": true },
            "page": r("Page"), "css": { "type": "string" } } },
        "PageSave": { "type": "object", "required": ["version", "page"], "properties": {
            "version": int(), "page": r("Page"), "css": { "type": "string" } } },
        "Version": { "type": "object", "required": ["version"], "properties": { "version": int() } },
        "Published": { "type": "object", "required": ["published_version"], "properties": { "published_version": int() } },
        "Contact": { "type": "object", "required": ["id", "email", "labels", "consents", "opt_in", "created_at", "updated_at"],
            "properties": { "id": int(), "email": { "type": "string" }, "name": nullable("string"),
                "phone": nullable("string"), "labels": { "type": "array", "items": { "type": "string" } },
                "consents": { "type": "array", "items": { "type": "object", "properties": {
                    "text": { "type": "string" }, "at": int(), "source": { "type": "string" } } } },
                "opt_in": { "type": "string", "enum": ["none", "pending", "confirmed"] },
                "first_visitor": nullable("string"), "utm_first": utm, "utm_last": utm,
                "created_at": int(), "updated_at": int() } },
        "Event": { "type": "object", "required": ["id", "ts", "visitor", "session", "name", "props", "bot"],
            "properties": { "id": { "type": "string" }, "ts": int(), "visitor": { "type": "string" },
                "contact": { "type": "integer", "nullable": true }, "session": { "type": "string" },
                "funnel": { "type": "integer", "nullable": true }, "step": { "type": "integer", "nullable": true },
                "variant": nullable("string"), "name": { "type": "string" }, "props": {},
                "utm_first": utm, "utm_last": utm, "bot": { "type": "boolean" } } },
        "Report": { "type": "object", "required": ["window_ms", "steps", "median_time_to_convert_ms", "breakdown", "step_names"],
            "properties": { "window_ms": int(),
                "steps": { "type": "array", "items": { "type": "object",
                    "required": ["step", "visitors", "conversion_from_start", "conversion_from_previous", "drop_off"],
                    "properties": { "step": int(), "visitors": int(), "conversion_from_start": { "type": "number" },
                        "conversion_from_previous": { "type": "number" }, "drop_off": int() } } },
                "median_time_to_convert_ms": { "type": "integer", "nullable": true },
                "breakdown": { "type": "array", "items": { "type": "object", "required": ["dimension", "value", "visitors"],
                    "properties": { "dimension": { "type": "string", "enum": ["utm_source", "utm_campaign"] },
                        "value": { "type": "string" }, "visitors": { "type": "array", "items": int() } } } },
                "step_names": { "type": "array", "items": { "type": "string" } } } },
        "Token": { "type": "object", "required": ["id", "name", "created_at"], "properties": {
            "id": int(), "name": { "type": "string" }, "created_at": int() } },
        "NewToken": { "type": "object", "required": ["name"], "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S" } } },
        "IssuedToken": { "type": "object", "required": ["id", "name", "token"], "properties": {
            "id": int(), "name": { "type": "string" }, "token": { "type": "string" } } },
    })
}

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
            "schemas": schemas(),
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
                    &[q("limit", json!({ "type": "integer" })), q("offset", json!({ "type": "integer" }))]),
            },
            "/api/v1/contacts/{id}": {
                "get": op("getContact", "One contact", None, "200", Some(r("Contact")), &ids),
            },
            "/api/v1/events": {
                "get": op("listEvents", "Events, newest first", None, "200", Some(list("Event")), &[
                    q("funnel", int()), q("contact", int()), q("visitor", json!({ "type": "string" })),
                    q("name", json!({ "type": "string" })), q("limit", json!({ "type": "integer" }))]),
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
    let targets: [(&str, &str, &[&str]); 4] = [
        ("/api/v1/funnels", "post", &["getFunnel", "updateFunnel", "listSteps", "createStep", "listEdges", "reorderSteps", "funnelReport", "funnelReportCsv"]),
        ("/api/v1/funnels/{id}/steps", "post", &["getStep", "getPage", "savePage", "publishPage"]),
        ("/api/v1/funnels/{id}/edges", "post", &["deleteEdge"]),
        ("/api/v1/funnels/{id}/experiments", "post", &["getExperiment", "updateExperiment", "experimentResults", "evaluateExperiment", "deleteExperiment"]),
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
    if let (Some(paths), Value::Object(more)) = (spec["paths"].as_object_mut(), experiments::paths(&ids)) {
        paths.extend(more);
    }
    if let (Some(schemas), Value::Object(more)) = (spec["components"]["schemas"].as_object_mut(), experiments::schemas()) {
        schemas.extend(more);
    }
    add_links(&mut spec);
    Json(spec)
}
