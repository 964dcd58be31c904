//! Building blocks of the OpenAPI document, shared by its parts (a leaf module).

pub(crate) use hikari_funnel_app::schema::{int, list, reference as r};
use serde_json::{Value, json};

pub(crate) fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

/// An operation: summary, optional body, success status and schema (None = no content).
pub(crate) fn op(id: &str, summary: &str, req: Option<Value>, ok: &str, schema: Option<Value>, params: &[Value]) -> Value {
    let err = json!({ "description": "Error", "content": { "application/json": { "schema": r("Error") } } });
    let mut responses = serde_json::Map::new();
    responses.insert(
        ok.into(),
        match schema {
            Some(s) => {
                json!({ "description": "OK", "content": { "application/json": { "schema": s } } })
            }
            None => json!({ "description": "No content" }),
        },
    );
    for code in ["400", "401", "403", "404", "409", "413", "422", "429"] {
        responses.insert(code.into(), err.clone());
    }
    let mut o = json!({ "operationId": id, "summary": summary, "responses": responses, "parameters": params });
    if let Some(b) = req {
        o["requestBody"] = b;
    }
    o
}

pub(crate) fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

pub(crate) fn q(name: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema })
}
