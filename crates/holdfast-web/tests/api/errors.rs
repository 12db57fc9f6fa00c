//! The error contract: each class of error answers the API with the same problem body (the
//! snapshots make a change to it show in review), and a browser with a page in the layout.

use holdfast_core::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};

async fn each_error_class_answers_one_problem_shape(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.login(Role::Admin).await;
    let member = app.login(Role::Member).await;
    let anon = app.anonymous();
    let person = format!("/api/v1/people/{}", app.person_id);
    let new_person = json!({"name": "Grace Hopper", "email": "grace@example.com", "department": "IT", "start_date": "2025-01-01"});
    assert_eq!(
        admin
            .post_json("/api/v1/people", &new_person)
            .await
            .status(),
        201
    );

    let mut bodies: Vec<(&str, Value)> = Vec::new();
    let bad_json = admin
        .send(
            Method::POST,
            "/api/v1/people",
            Some("{\"name\": ".into()),
            "application/json",
        )
        .await;
    bodies.push(("400-broken-json", problem(bad_json, 400).await));
    bodies.push((
        "401-not-logged-in",
        problem(anon.get("/api/v1/people").await, 401).await,
    ));
    bodies.push((
        "403-role",
        problem(member.get("/api/v1/users").await, 403).await,
    ));
    bodies.push((
        "404-record",
        problem(
            admin
                .get("/api/v1/people/0193a5c0-0000-7000-8000-000000000000")
                .await,
            404,
        )
        .await,
    ));
    bodies.push((
        "405-method",
        problem(
            admin
                .send(Method::PUT, "/api/v1/dashboard", None, "application/json")
                .await,
            405,
        )
        .await,
    ));
    bodies.push((
        "409-duplicate",
        problem(admin.post_json("/api/v1/people", &new_person).await, 409).await,
    ));
    bodies.push((
        "412-stale",
        problem(
            admin
                .patch_json(&person, &json!({"name": "X"}), Some("\"999\""))
                .await,
            412,
        )
        .await,
    ));
    bodies.push((
        "415-not-json",
        problem(
            admin
                .send(
                    Method::POST,
                    "/api/v1/people",
                    Some("name=x".into()),
                    "text/plain",
                )
                .await,
            415,
        )
        .await,
    ));
    bodies.push((
        "422-fields",
        problem(
            admin
                .post_json("/api/v1/people", &json!({"name": "", "email": "nope", "department": "IT", "start_date": "2025-01-01"}))
                .await,
            422,
        )
        .await,
    ));
    bodies.push((
        "422-list-parameter",
        problem(admin.get("/api/v1/people?limit=0").await, 422).await,
    ));
    bodies.push((
        "428-no-if-match",
        problem(
            admin.patch_json(&person, &json!({"name": "X"}), None).await,
            428,
        )
        .await,
    ));
    for (what, body) in bodies {
        insta::assert_json_snapshot!(what, body);
    }
}

async fn a_browser_gets_error_pages_and_the_api_keeps_problems(db: Db) {
    let app = spawn_app(db).await;
    let member = app.login(Role::Member).await;
    let html = |path: &'static str| {
        let rb = member
            .client
            .get(format!("{}{path}", member.base))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{}/my-work", member.base));
        async move { rb.send().await.expect("request") }
    };
    let missing = html("/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/html")),
        "a page for a browser"
    );
    let text = missing.text().await.expect("html");
    assert!(text.contains("<h1>Page not found"), "{text}");
    assert!(
        text.contains("href=\"/my-work\""),
        "a way back to where they came from"
    );
    assert!(text.contains("href=\"/\""), "and to the dashboard");
    assert!(text.contains("Log out"), "in the layout, logged in");

    let forbidden = html("/users").await;
    assert_eq!(forbidden.status(), 403);
    assert!(
        forbidden
            .text()
            .await
            .expect("html")
            .contains("Not allowed")
    );

    // Another person's record, refused per record: a page too, not JSON.
    let rb = member
        .client
        .post(format!(
            "{}/my-work/activities/{}/close",
            member.base, app.activity_id
        ))
        .header("accept", "text/html")
        .form(&[("_csrf", member.csrf.clone().unwrap_or_default())]);
    let refused = rb.send().await.expect("request");
    assert!(refused.status().is_client_error(), "{}", refused.status());
    assert!(
        refused.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/html")),
        "a refused record is a page for a browser"
    );

    // The API answers problems whatever the browser accepts.
    let api = member
        .client
        .get(format!("{}/api/v1/nothing-here", member.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request");
    problem(api, 404).await;
    let not_html = member.get("/no-such-page").await;
    problem(not_html, 404).await;
}

crate::on_both_databases!(
    each_error_class_answers_one_problem_shape,
    a_browser_gets_error_pages_and_the_api_keeps_problems
);
