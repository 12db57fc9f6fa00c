//! `/api/v1/people`: the API conventions, end to end, including every class of bad input.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};

fn eve() -> Value {
    json!({"name": "Eve Example", "email": "eve@example.com", "department": "IT", "start_date": "2025-03-01"})
}

async fn stored(app: &TestApp) -> (i64, i64) {
    (app.count("person").await, app.count("audit_event").await)
}

async fn create_read_update_with_etags(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let resp = s.post_json("/api/v1/people", &eve()).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(
        resp.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let created: Value = resp.json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    let path = format!("/api/v1/people/{id}");
    let resp = s.get(&path).await;
    assert_eq!(resp.status(), 200);
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    let resp = s
        .patch_json(
            &path,
            &json!({"employment_status": "left", "end_date": "2026-11-30"}),
            Some(&etag),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let updated: Value = resp.json().await.expect("json");
    assert_eq!(updated["employment_status"], "left");
    assert_eq!(updated["version"], 2);
    let action: String =
        sqlx::query_scalar("select action from audit_event order by seq desc limit 1")
            .fetch_one(app.store.pool())
            .await
            .expect("event");
    assert_eq!(action, "employment_status_changed");
    crate::helpers::history_matches(&app).await;
}

async fn a_stale_if_match_changes_nothing(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Admin).await;
    let path = format!("/api/v1/people/{}", app.person_id);
    assert_eq!(
        s.patch_json(&path, &json!({"department": "Finance"}), Some("\"1\""))
            .await
            .status(),
        200
    );
    let before = stored(&app).await;
    let p = problem(
        s.patch_json(&path, &json!({"department": "Sales"}), Some("\"1\""))
            .await,
        412,
    )
    .await;
    assert_eq!(p["code"], "stale");
    problem(
        s.patch_json(&path, &json!({"department": "Sales"}), None)
            .await,
        428,
    )
    .await;
    problem(
        s.patch_json(&path, &json!({"department": "Sales"}), Some("nonsense"))
            .await,
        400,
    )
    .await;
    assert_eq!(stored(&app).await, before);
    let now: Value = s.get(&path).await.json().await.expect("json");
    assert_eq!(now["department"], "Finance");
}

async fn bad_bodies_are_refused_and_store_nothing(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let token = app.token(Role::Manager).await;
    let before = stored(&app).await;
    let post = |body: String, ct: &'static str| {
        let s = &s;
        async move {
            s.send(reqwest::Method::POST, "/api/v1/people", Some(body), ct)
                .await
        }
    };
    problem(post("{\"name\": ".into(), "application/json").await, 400).await;
    let p = problem(post(json!({"name": 5, "email": "x@example.com", "department": "IT", "start_date": "2025-01-01"}).to_string(), "application/json").await, 422).await;
    assert_eq!(p["errors"][0]["field"], "name");
    let mut unknown = eve();
    unknown["salary"] = json!(100);
    let p = problem(post(unknown.to_string(), "application/json").await, 422).await;
    assert!(p["detail"].as_str().unwrap_or("").contains("salary"), "{p}");
    problem(post(eve().to_string(), "text/plain").await, 415).await;
    let huge = json!({"name": "x".repeat(2 * 1024 * 1024), "email": "big@example.com", "department": "IT", "start_date": "2025-01-01"});
    crate::helpers::assert_too_large(
        &app.post_oversized(
            "/api/v1/people",
            &token,
            "application/json",
            huge.to_string().into_bytes(),
        )
        .await,
    );
    let mut bad_email = eve();
    bad_email["email"] = json!("not-an-email");
    let p = problem(post(bad_email.to_string(), "application/json").await, 422).await;
    assert_eq!(p["errors"][0]["field"], "email");
    let mut bad_date = eve();
    bad_date["start_date"] = json!("yesterday");
    problem(post(bad_date.to_string(), "application/json").await, 422).await;
    let mut several = eve();
    several["name"] = json!(" ");
    several["department"] = json!("");
    let p = problem(post(several.to_string(), "application/json").await, 422).await;
    assert_eq!(
        p["errors"].as_array().map(Vec::len),
        Some(2),
        "one entry per bad field: {p}"
    );
    assert_eq!(stored(&app).await, before);
}

async fn a_duplicate_email_is_a_409_and_stores_nothing(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let mut dup = eve();
    dup["email"] = json!("ADA@example.com");
    let before = stored(&app).await;
    let p = problem(s.post_json("/api/v1/people", &dup).await, 409).await;
    assert_eq!(p["errors"][0]["field"], "email");
    assert_eq!(stored(&app).await, before);
}

async fn unknown_ids_are_404(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Admin).await;
    problem(
        s.get("/api/v1/people/0190f0c4-0000-7000-8000-000000000000")
            .await,
        404,
    )
    .await;
    problem(s.get("/api/v1/people/not-an-id").await, 404).await;
    problem(
        s.patch_json(
            "/api/v1/people/0190f0c4-0000-7000-8000-000000000000",
            &json!({}),
            Some("\"1\""),
        )
        .await,
        404,
    )
    .await;
}

async fn lists_paginate_sort_filter_and_refuse_bad_parameters(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Auditor).await;
    let admin = app.login(Role::Admin).await;
    for i in 0..7 {
        let body = json!({"name": format!("Zed {i}"), "email": format!("zed{i}@example.com"), "department": "Ops", "start_date": format!("2025-01-0{}", i + 1)});
        assert_eq!(admin.post_json("/api/v1/people", &body).await.status(), 201);
    }
    let mut names = Vec::new();
    let mut url = "/api/v1/people?limit=3&sort=-start_date".to_owned();
    loop {
        let page: Value = s.get(&url).await.json().await.expect("json");
        assert_eq!(page["total"], 9);
        names.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|p| p["start_date"].as_str().unwrap_or("").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/people?limit=3&sort=-start_date&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 9);
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    let ops: Value = s
        .get("/api/v1/people?department=Ops&q=zed%203")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(ops["total"], 1);
    problem(s.get("/api/v1/people?limit=0").await, 422).await;
    problem(s.get("/api/v1/people?limit=501").await, 422).await;
    problem(s.get("/api/v1/people?limit=ten").await, 422).await;
    problem(s.get("/api/v1/people?sort=salary").await, 422).await;
    problem(s.get("/api/v1/people?cursor=zz").await, 422).await;
    problem(s.get("/api/v1/people?status=retired").await, 400).await;
    problem(s.get("/api/v1/people?colour=blue").await, 400).await;
}

async fn a_member_sees_and_edits_only_their_own_profile(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Member).await;
    problem(s.get("/api/v1/people").await, 403).await;
    problem(
        s.get(&format!("/api/v1/people/{}", app.person_id)).await,
        403,
    )
    .await;
    let me: Value = s.get("/api/v1/me").await.json().await.expect("json");
    assert_eq!(me["person"]["id"], app.member_person_id.as_str());
    let resp = s
        .patch_json(
            "/api/v1/me",
            &json!({"name": "Max M. Member"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = s
        .patch_json("/api/v1/me", &json!({"department": "Board"}), Some("\"2\""))
        .await;
    problem(resp, 422).await;
    let me: Value = s.get("/api/v1/me").await.json().await.expect("json");
    assert_eq!(me["person"]["name"], "Max M. Member");
    assert_eq!(me["person"]["department"], "Sales");
    crate::helpers::history_matches(&app).await;
}

crate::on_both_databases!(
    create_read_update_with_etags,
    a_stale_if_match_changes_nothing,
    bad_bodies_are_refused_and_store_nothing,
    a_duplicate_email_is_a_409_and_stores_nothing,
    unknown_ids_are_404,
    lists_paginate_sort_filter_and_refuse_bad_parameters,
    a_member_sees_and_edits_only_their_own_profile,
);
