//! `GET /api/openapi.json`: an OpenAPI 3.1 document generated from the route table and the
//! request and response types, so it lists exactly the routes the server has.

use axum::Json;
use axum::http::Method;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::routes::{Access, Kind, RouteInfo, Routes, route};

/// Adds the document's own route, then builds the document from every route.
pub fn register(r: Routes) -> Routes {
    let info = route_info();
    let mut infos = r.infos().to_vec();
    infos.push(info.clone());
    let doc = document(&infos);
    r.add(info, move || {
        let doc = doc.clone();
        async move { Json(doc) }
    })
}

fn route_info() -> RouteInfo {
    route(
        Method::GET,
        "/api/openapi.json",
        Access::Public,
        Kind::Api,
        "This OpenAPI 3.1 document",
    )
}

/// The OpenAPI document for these routes (API routes only; pages are for people).
#[must_use]
pub fn document(infos: &[RouteInfo]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "#/components/schemas/".into())
        .into_generator();
    let mut paths = Map::new();
    for info in infos.iter().filter(|i| i.kind == Kind::Api) {
        let mut op = Map::new();
        op.insert("summary".into(), json!(info.summary));
        op.insert("operationId".into(), json!(operation_id(info)));
        let params: Vec<Value> = path_params(info.path)
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(req) = info.request {
            let schema = req(&mut generator);
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": schema}}}),
            );
        }
        let ok = if info.method == Method::POST && info.response.is_some() {
            "201"
        } else {
            "200"
        };
        let mut responses = Map::new();
        let success = match info.response {
            Some(resp) => {
                json!({"description": "success", "content": {"application/json": {"schema": resp(&mut generator)}}})
            }
            None => json!({"description": "success"}),
        };
        responses.insert(
            if info.response.is_none() && info.method != Method::GET {
                "204".into()
            } else {
                ok.into()
            },
            success,
        );
        if let Access::Login(_) = info.access {
            responses.insert(
                "401".into(),
                problem_ref("not logged in, or the session or token expired"),
            );
            responses.insert(
                "403".into(),
                problem_ref("the caller's role does not allow this, or the CSRF token is missing"),
            );
            op.insert("security".into(), json!([{"session": []}, {"bearer": []}]));
        }
        responses.insert(
            "default".into(),
            problem_ref("an error, as RFC 9457 problem details"),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(info.path.to_owned())
            .or_insert_with(|| json!({}));
        if let Value::Object(methods) = entry {
            methods.insert(info.method.as_str().to_lowercase(), Value::Object(op));
        }
    }
    let mut schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    schemas.insert("Problem".into(), problem_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Holdfast API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of Holdfast, an ISMS for ISO/IEC 27001:2022. Errors are RFC 9457 problem details. Lists take limit (1-500), cursor and filters and answer {items, total, next_cursor}. Updates need If-Match with the record's ETag."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from /api/v1/tokens"},
                "session": {"type": "apiKey", "in": "cookie", "name": "holdfast_session", "description": "Send X-CSRF-Token on writes"}
            }
        }
    })
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn operation_id(info: &RouteInfo) -> String {
    let path: String = info
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!(
        "{}{}",
        info.method.as_str().to_lowercase(),
        path.trim_end_matches('_').replace("__", "_")
    )
}

fn problem_ref(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "What went wrong, for a person to act on"},
            "code": {"type": "string", "description": "Stable machine-readable error code"},
            "errors": {
                "type": "array",
                "items": {"type": "object", "required": ["field", "message"], "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}
            }
        }
    })
}
