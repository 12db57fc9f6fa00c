//! The authorisation matrix: every route of the router, for no login and every role, gets
//! the answer the policy says. Routes come from the same table the router is built from, so
//! a new route is covered the moment it exists.

use holdfast_core::account::Role;
use holdfast_core::ids::PersonId;
use holdfast_core::policy::{WorkRecord, allows, may_read_work, may_work_on};
use holdfast_web::routes::{Access, Kind};
use holdfast_web::{AppState, WebConfig};
use reqwest::Method;

use crate::helpers::{Db, Session, TestApp, spawn_app};

/// Whose records a route's path names: the owner's (Ada's) or the member's own.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Records {
    Owners,
    Members,
}

fn concrete(
    path: &str,
    app: &TestApp,
    token_id: &str,
    feed_path: &str,
    records: Records,
) -> String {
    if path == "/calendar/{secret}" {
        return feed_path.to_owned();
    }
    let (activity, task) = match records {
        Records::Owners => (&app.activity_id, &app.task_id),
        Records::Members => (&app.member_activity_id, &app.member_task_id),
    };
    path.replace("/people/{id}", &format!("/people/{}", app.person_id))
        .replace(
            "/users/{id}",
            &format!("/users/{}", app.accounts[&Role::Member]),
        )
        .replace("/tokens/{id}", &format!("/tokens/{token_id}"))
        .replace("/processes/{id}", &format!("/processes/{}", app.process_id))
        .replace("/activities/{id}", &format!("/activities/{activity}"))
        .replace("/runs/{id}", &format!("/runs/{activity}"))
        .replace("/tasks/{id}", &format!("/tasks/{task}"))
        .replace(
            "/interactions/{id}",
            &format!("/interactions/{}", app.rule_id),
        )
        .replace(
            "/events/{id}",
            "/events/00000000-0000-0000-0000-000000000000",
        )
        .replace("/evidence/{id}", &format!("/evidence/{}", app.evidence_id))
        .replace("/risks/{id}", &format!("/risks/{}", app.risk_id))
        .replace("/risk-methods/{version}", "/risk-methods/1")
        .replace("/soa/controls/{control}", "/soa/controls/5.1")
        .replace("/soa/versions/{number}", "/soa/versions/1")
        .replace("/scope/versions/{number}", "/scope/versions/1")
        .replace("/assets/{id}", &format!("/assets/{}", app.asset_id))
        .replace(
            "/context/issues/{id}",
            &format!("/context/issues/{}", app.issue_id),
        )
        .replace(
            "/context/parties/{id}",
            &format!("/context/parties/{}", app.party_id),
        )
        .replace(
            "/context/requirements/{id}",
            &format!("/context/requirements/{}", app.requirement_id),
        )
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

    // The people the roles' logins stand for, and the people of each set of records.
    let person = |role: Role| -> Option<PersonId> {
        let id = match role {
            Role::Owner => &app.person_id,
            Role::Member => &app.member_person_id,
            _ => return None,
        };
        id.parse().ok()
    };
    let scope = |records: Records, path: &str| -> WorkRecord {
        let who = match records {
            Records::Owners => app.person_id.parse().ok(),
            Records::Members => app.member_person_id.parse().ok(),
        };
        if path.contains("/tasks/") {
            WorkRecord::Task { owner: who }
        } else {
            // Ada owns every process; the member's run is only given to them.
            WorkRecord::Run {
                assignee: who,
                owner: app.person_id.parse().ok(),
                deputy: None,
            }
        }
    };
    let mut checked = 0;
    let mut record_checks = 0;
    for info in &routes {
        let method = Method::from_bytes(info.method.as_str().as_bytes()).expect("method");
        // Routes on one run or task are tried on someone else's record and on one's own.
        let sets: &[Records] = if info.on_record || info.reads_record {
            &[Records::Owners, Records::Members]
        } else {
            &[Records::Owners]
        };
        for &records in sets {
            let path = concrete(info.path, &app, &token_id, feed_path, records);
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
                    Access::Login(action) => {
                        allows(role, action)
                            && (!info.on_record
                                || may_work_on(role, person(role), &scope(records, info.path)))
                            && (!info.reads_record
                                || may_read_work(role, person(role), &scope(records, info.path)))
                    }
                };
                if info.on_record || info.reads_record {
                    record_checks += 1;
                }
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
    }
    assert!(checked >= routes.len() * 5);
    assert!(
        record_checks >= 12 * 2 * 5,
        "every route on a run or task is tried on both records by every role: {record_checks}"
    );
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
