//! The authorisation matrix: every route of the router, for no login and every role, gets
//! the answer the policy says. Routes come from the same table the router is built from, so
//! a new route is covered the moment it exists.

use holdfast_core::account::Role;
use holdfast_core::policy::allows;
use holdfast_web::routes::{Access, Kind};
use holdfast_web::{AppState, WebConfig};
use reqwest::Method;

use crate::helpers::{Db, Session, TestApp, spawn_app};

fn concrete(path: &str, app: &TestApp, token_id: &str, feed_path: &str) -> String {
    if path == "/calendar/{secret}" {
        return feed_path.to_owned();
    }
    path.replace("/people/{id}", &format!("/people/{}", app.person_id))
        .replace(
            "/users/{id}",
            &format!("/users/{}", app.accounts[&Role::Member]),
        )
        .replace("/tokens/{id}", &format!("/tokens/{token_id}"))
        .replace("/processes/{id}", &format!("/processes/{}", app.process_id))
        .replace(
            "/activities/{id}",
            &format!("/activities/{}", app.activity_id),
        )
        .replace("/tasks/{id}", &format!("/tasks/{}", app.task_id))
        .replace("/evidence/{id}", &format!("/evidence/{}", app.evidence_id))
}

async fn call(s: &Session, method: &Method, path: &str, kind: Kind) -> reqwest::Response {
    match (method, kind) {
        (&Method::GET, _) => s.get(path).await,
        (_, Kind::Api) => {
            s.send(method.clone(), path, Some("{}".into()), "application/json")
                .await
        }
        (_, Kind::Page) => {
            let body = format!("_csrf={}", s.csrf.clone().unwrap_or_default());
            s.send(
                method.clone(),
                path,
                Some(body),
                "application/x-www-form-urlencoded",
            )
            .await
        }
    }
}

/// Routes that end the caller's own session get a fresh one, so later checks still run.
fn ends_session(path: &str, method: &Method) -> bool {
    (path == "/api/v1/session" && method == Method::DELETE) || path == "/logout"
}

async fn every_route_answers_every_role_as_the_policy_says(db: Db) {
    let app = spawn_app(db).await;
    let state = AppState {
        store: app.store.clone(),
        config: std::sync::Arc::new(WebConfig::default()),
    };
    let routes = holdfast_web::routes::build(state).infos().to_vec();
    assert!(routes.len() > 30, "the table lists every route");
    // A token owned by the admin: revoking it is allowed for the admin, "not found" for others.
    let admin = app.login(Role::Admin).await;
    let created: serde_json::Value = admin
        .post_json("/api/v1/tokens", &serde_json::json!({"name": "matrix"}))
        .await
        .json()
        .await
        .expect("token");
    let token_id = created["token"]["id"].as_str().expect("id").to_owned();
    // A live calendar feed, so its public URL has something to answer with.
    let feed: serde_json::Value = admin
        .post_json(
            "/api/v1/calendar-feeds",
            &serde_json::json!({"process_id": app.process_id}),
        )
        .await
        .json()
        .await
        .expect("feed");
    let feed_url = feed["url"].as_str().expect("feed url");
    let feed_path = &feed_url[feed_url.find("/calendar/").expect("feed path")..];

    let mut checked = 0;
    for info in &routes {
        let method = Method::from_bytes(info.method.as_str().as_bytes()).expect("method");
        let path = concrete(info.path, &app, &token_id, feed_path);
        // No login.
        let resp = call(&app.anonymous(), &method, &path, info.kind).await;
        let status = resp.status().as_u16();
        match (info.access, info.kind) {
            (Access::Public, _) => assert!(
                ![401, 403].contains(&status),
                "{method} {path} is public, got {status}"
            ),
            (Access::Login(_), Kind::Api) => {
                assert_eq!(status, 401, "{method} {path} without login")
            }
            (Access::Login(_), Kind::Page) => {
                assert_eq!(status, 303, "{method} {path} without login");
                let to = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                assert!(
                    to.starts_with("/login"),
                    "{method} {path} redirects to login, not {to}"
                );
            }
        }
        checked += 1;
        for role in Role::ALL {
            let session = app.login(role).await;
            let resp = call(&session, &method, &path, info.kind).await;
            let status = resp.status().as_u16();
            let allowed = match info.access {
                Access::Public => true,
                Access::Login(action) => allows(role, action),
            };
            if allowed {
                assert!(
                    ![401, 403].contains(&status) && status < 500,
                    "{role} may {method} {path}, got {status}"
                );
                if method == Method::GET && info.path != "/login" {
                    assert!(
                        (200..300).contains(&status),
                        "{role} GET {path} should succeed, got {status}"
                    );
                }
            } else {
                assert_eq!(status, 403, "{role} must not {method} {path}");
            }
            if ends_session(info.path, &method) {
                continue;
            }
            checked += 1;
        }
    }
    assert!(checked >= routes.len() * 5);
}

async fn an_unknown_route_is_a_404_problem(db: Db) {
    let app = spawn_app(db).await;
    let resp = app
        .login(Role::Admin)
        .await
        .get("/api/v1/nothing-here")
        .await;
    crate::helpers::problem(resp, 404).await;
}

async fn a_bearer_token_is_judged_by_its_own_role(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.login(Role::Admin).await;
    let body: serde_json::Value = admin
        .post_json(
            "/api/v1/tokens",
            &serde_json::json!({"name": "read-only", "role": "auditor"}),
        )
        .await
        .json()
        .await
        .expect("json");
    let mut machine = app.anonymous();
    machine.bearer = body["secret"].as_str().map(str::to_owned);
    assert_eq!(machine.get("/api/v1/audit-events").await.status(), 200);
    assert_eq!(machine.get("/api/v1/users").await.status(), 200);
    let resp = machine
        .post_json("/api/v1/people", &serde_json::json!({}))
        .await;
    assert_eq!(
        resp.status(),
        403,
        "an auditor token cannot write, though its owner can"
    );
}

crate::on_both_databases!(
    every_route_answers_every_role_as_the_policy_says,
    an_unknown_route_is_a_404_problem,
    a_bearer_token_is_judged_by_its_own_role
);
