//! The OpenAPI document covers every API route and is valid OpenAPI 3.1.

use holdfast_web::routes::Kind;
use holdfast_web::{AppState, WebConfig};
use serde_json::Value;

use crate::helpers::{Db, spawn_app};

#[tokio::test]
async fn the_document_lists_every_api_route_and_validates() {
    let app = spawn_app(Db::Sqlite).await;
    let doc: Value = app
        .anonymous()
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let state = AppState {
        store: app.store.clone(),
        config: std::sync::Arc::new(WebConfig::default()),
    };
    let routes = holdfast_web::routes::build(state).infos().to_vec();
    let mut api = 0;
    for r in routes.iter().filter(|r| r.kind == Kind::Api) {
        let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is missing from the OpenAPI document",
            r.method,
            r.path
        );
        api += 1;
    }
    let documented: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|m| m.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(
        documented, api,
        "the document lists no route the server lacks"
    );

    // A real validator, not our own reading of the specification.
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), doc.to_string()).expect("write");
    let out = std::process::Command::new("python3")
        .args(["-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')"])
        .arg(file.path())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected the document, or is not installed (pip install openapi-spec-validator):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
