//! `/healthz` tells a load balancer whether this instance can reach its database, and every
//! answer carries a request id that the logs carry too.

use crate::helpers::{Db, spawn_app};

async fn health_follows_the_database_and_answers_carry_a_request_id(db: Db) {
    let app = spawn_app(db).await;
    let client = app.anonymous();
    let resp = client.get("/healthz").await;
    assert_eq!(resp.status(), 200);
    let id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a request id")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(resp.text().await.expect("body"), "ok");
    // A request id sent by a proxy is kept, so one request can be followed across hops.
    let resp = client
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "lb-1234")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.headers()["x-request-id"], "lb-1234");

    // The database goes away: the instance says so rather than pretending.
    app.store.close().await;
    let resp = client.get("/healthz").await;
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.text().await.expect("body"), "database unreachable");
}

crate::on_both_databases!(health_follows_the_database_and_answers_carry_a_request_id);
