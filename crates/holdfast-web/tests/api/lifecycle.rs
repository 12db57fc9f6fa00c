//! The process lifecycle, interaction rules as records, readiness with acceptances, work on
//! one's own records, and the worker's pulse: the API answers bad input with problem
//! details naming the field, and stores nothing then.

use holdfast_core::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, Session, TestApp, problem, spawn_app, spawn_app_with};

async fn stored(app: &TestApp) -> i64 {
    app.count("audit_event").await
}

fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| x["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn process_id(s: &Session, key: &str) -> String {
    let all: Value = s.get("/api/v1/processes").await.json().await.expect("json");
    all["items"]
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["key"] == key)
        .and_then(|p| p["id"].as_str())
        .expect("process")
        .to_owned()
}

async fn etag(s: &Session, path: &str) -> String {
    s.get(path)
        .await
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned()
}

async fn bad_rules_name_their_field_and_store_nothing(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let jml = process_id(&s, "joiner-mover-leaver").await;
    let access = process_id(&s, "access-review").await;
    let training = process_id(&s, "training-awareness").await;
    // The library already sends joiners to training; to access review is new.
    let rule = |from: &str, event: &str, sla: Value| {
        json!({"from_process": from, "event": event, "to_process": access, "task_title": "Set up {subject}",
               "sla_hours": sla})
    };
    let before = stored(&app).await;
    for (body, field) in [
        (
            rule(&jml, "person_joined", json!(9_223_372_036_854_775_807_i64)),
            "sla_hours",
        ),
        (rule(&jml, "person_joined", json!(0)), "sla_hours"),
        (rule(&training, "person_joined", json!(24)), "event"),
        (
            json!({"from_process": jml, "event": "person_joined", "to_process": training,
                   "task_title": "Train {subject} again", "sla_hours": 336}),
            "event",
        ),
        (
            {
                let mut b = rule(&jml, "person_left", json!(24));
                b["to_process"] = json!(training);
                b["condition"] = json!({"field": "salary", "equals": "high"});
                b
            },
            "condition",
        ),
        (
            {
                let mut b = rule(&jml, "person_left", json!(24));
                b["to_process"] = json!(training);
                b["task_title"] = json!("x".repeat(3000));
                b
            },
            "task_title",
        ),
    ] {
        let p = problem(s.post_json("/api/v1/interactions", &body).await, 422).await;
        assert_eq!(fields(&p), [field], "{p}");
    }
    assert_eq!(stored(&app).await, before, "nothing stored");
}

async fn rules_are_replaced_disabled_and_deleted_with_if_match(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let path = format!("/api/v1/interactions/{}", app.rule_id);
    let rule: Value = s.get(&path).await.json().await.expect("rule");
    let mut body = rule.clone();
    for k in ["id", "version"] {
        body.as_object_mut().expect("object").remove(k);
    }
    body["sla_hours"] = json!(48);
    body["active"] = json!(false);
    problem(s.json_if(Method::PUT, &path, Some(&body), None).await, 428).await;
    problem(
        s.json_if(Method::PUT, &path, Some(&body), Some("\"99\""))
            .await,
        412,
    )
    .await;
    let tag = etag(&s, &path).await;
    let resp = s.json_if(Method::PUT, &path, Some(&body), Some(&tag)).await;
    assert_eq!(resp.status(), 200);
    let changed: Value = resp.json().await.expect("json");
    assert_eq!(
        (changed["sla_hours"].clone(), changed["active"].clone()),
        (json!(48), json!(false))
    );
    problem(
        s.json_if(Method::DELETE, &path, None, Some(&tag)).await,
        412,
    )
    .await;
    let tag = etag(&s, &path).await;
    assert_eq!(
        s.json_if(Method::DELETE, &path, None, Some(&tag))
            .await
            .status(),
        204
    );
    problem(s.get(&path).await, 404).await;
    crate::helpers::history_matches(&app).await;
}

fn process_body(cadence: &str, owner: Option<&str>, status: &str) -> Value {
    json!({"name": "Firewall review", "objective": "Keep only the rules we need", "owner_id": owner,
           "cadence": cadence, "evidence": ["rule export"], "clauses": ["8.1"], "controls": ["8.20"], "status": status})
}

async fn cadences_that_never_happen_run_hourly_or_every_zeroth_time_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let before = stored(&app).await;
    for cadence in [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=HOURLY",
        "FREQ=WEEKLY;INTERVAL=0",
    ] {
        let p = problem(
            s.post_json(
                "/api/v1/processes",
                &process_body(cadence, Some(&app.person_id), "active"),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(fields(&p), ["cadence"], "{cadence}: {p}");
    }
    assert_eq!(stored(&app).await, before);
}

async fn activation_needs_an_owner_and_a_replacement_every_field(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let before = stored(&app).await;
    let p = problem(
        s.post_json(
            "/api/v1/processes",
            &process_body("FREQ=MONTHLY;BYMONTHDAY=1", None, "active"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["owner_id"]);
    assert_eq!(stored(&app).await, before);
    let created: Value = s
        .post_json(
            "/api/v1/processes",
            &process_body("FREQ=MONTHLY;BYMONTHDAY=1", Some(&app.person_id), "active"),
        )
        .await
        .json()
        .await
        .expect("created");
    let path = format!("/api/v1/processes/{}", created["id"].as_str().expect("id"));
    assert!(created["active_since"].is_string());
    assert_eq!(created["cadence_description"], "Monthly, on the 1st");
    let tag = etag(&s, &path).await;
    let before = stored(&app).await;
    for missing in ["status", "cadence_start"] {
        let mut body = json!({"name": "Firewall review", "objective": "x", "owner_id": app.person_id, "deputy_id": null,
            "inputs": [], "outputs": [], "cadence": "FREQ=MONTHLY;BYMONTHDAY=1", "cadence_start": "2026-01-01",
            "evidence": [], "clauses": [], "controls": [], "status": "active"});
        body.as_object_mut().expect("object").remove(missing);
        let p = problem(
            s.json_if(Method::PUT, &path, Some(&body), Some(&tag)).await,
            422,
        )
        .await;
        assert_eq!(fields(&p), [missing], "{p}");
    }
    assert_eq!(
        stored(&app).await,
        before,
        "an incomplete replacement changes nothing"
    );
    // A partial edit keeps what it leaves out.
    let resp = s
        .json_if(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Firewall rule review"})),
            Some(&tag),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let after: Value = resp.json().await.expect("json");
    assert_eq!(after["status"], "active");
    assert_eq!(after["cadence_start"], created["cadence_start"]);
    assert_eq!(after["active_since"], created["active_since"]);
    assert_eq!(after["name"], "Firewall rule review");
    crate::helpers::history_matches(&app).await;
}

async fn pausing_needs_a_reason_and_an_end_and_retiring_a_reason(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let path = format!("/api/v1/processes/{}", app.process_id);
    let tag = etag(&s, &path).await;
    let before = stored(&app).await;
    let p = problem(
        s.json_if(
            Method::POST,
            &format!("{path}/pause"),
            Some(&json!({})),
            Some(&tag),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["reason", "until"]);
    assert_eq!(stored(&app).await, before);
    let until = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
    let paused: Value = s
        .json_if(
            Method::POST,
            &format!("{path}/pause"),
            Some(&json!({"reason": "Change board on holiday", "until": until})),
            Some(&tag),
        )
        .await
        .json()
        .await
        .expect("paused");
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["pause"]["reason"], "Change board on holiday");
    let tag = etag(&s, &path).await;
    let resumed: Value = s
        .json_if(Method::POST, &format!("{path}/resume"), None, Some(&tag))
        .await
        .json()
        .await
        .expect("resumed");
    assert_eq!(resumed["status"], "active");
    let tag = etag(&s, &path).await;
    let p = problem(
        s.json_if(
            Method::POST,
            &format!("{path}/retire"),
            Some(&json!({"reason": " "})),
            Some(&tag),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["reason"]);
    let retired = s
        .json_if(
            Method::POST,
            &format!("{path}/retire"),
            Some(&json!({"reason": "Changes now go through the release process"})),
            Some(&tag),
        )
        .await;
    assert_eq!(retired.status(), 200);
    let tag = etag(&s, &path).await;
    let p = problem(
        s.json_if(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Again"})),
            Some(&tag),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["status"], "a retired process stays as it was");
    crate::helpers::history_matches(&app).await;
}

async fn readiness_says_what_it_checked_and_observations_are_accepted_with_a_reason(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let report: Value = s
        .get("/api/v1/readiness")
        .await
        .json()
        .await
        .expect("report");
    assert!(
        report["checked"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["id"] == "9.3"))
    );
    assert!(
        report["not_checked"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["id"] == "7.5"))
    );
    problem(s.get("/api/v1/readiness?as_of=yesterday").await, 400).await;
    problem(s.get("/api/v1/readiness?period_months=99").await, 422).await;
    let earlier: Value = s
        .get("/api/v1/readiness?as_of=2026-01-01&period_months=6")
        .await
        .json()
        .await
        .expect("earlier");
    assert_eq!(earlier["as_of"], "2026-01-01");
    assert_eq!(earlier["period"]["from"], "2025-07-01");
    // A process on its own is an observation: in a silo.
    let lone: Value = s
        .post_json(
            "/api/v1/processes",
            &process_body("FREQ=MONTHLY;BYMONTHDAY=1", Some(&app.person_id), "active"),
        )
        .await
        .json()
        .await
        .expect("process");
    let finding = format!("4.4/process-silo/{}", lone["id"].as_str().expect("id"));
    let before = stored(&app).await;
    let p = problem(
        s.post_json(
            "/api/v1/readiness/acceptances",
            &json!({"finding_id": finding}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["reason", "expires_on"]);
    let p = problem(
        s.post_json(
            "/api/v1/readiness/acceptances",
            &json!({"finding_id": "4.4/nothing", "reason": "x", "expires_on": "2027-01-31"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["finding_id"]);
    assert_eq!(stored(&app).await, before);
    let expires = (chrono::Utc::now() + chrono::Duration::days(60)).date_naive();
    let resp = s
        .post_json(
            "/api/v1/readiness/acceptances",
            &json!({"finding_id": finding, "reason": "Stands alone until the firewall is managed as code", "expires_on": expires}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let report: Value = s
        .get("/api/v1/readiness")
        .await
        .json()
        .await
        .expect("report");
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == finding.as_str())
    );
    assert!(
        report["accepted"]
            .as_array()
            .expect("accepted")
            .iter()
            .any(|a| a["finding"]["id"] == finding.as_str())
    );
    let trail: Value = app
        .login(Role::Auditor)
        .await
        .get("/api/v1/audit-events?entity_type=readiness_acceptance")
        .await
        .json()
        .await
        .expect("trail");
    assert_eq!(trail["total"], 1, "the acceptance is in the audit trail");
    crate::helpers::history_matches(&app).await;
}

async fn a_member_works_on_the_run_given_to_them_and_on_nobody_elses(db: Db) {
    let app = spawn_app(db).await;
    let member = app.login(Role::Member).await;
    let theirs: Value = member
        .get("/api/v1/my-work")
        .await
        .json()
        .await
        .expect("work");
    assert!(
        theirs["activities"]
            .as_array()
            .expect("runs")
            .iter()
            .any(|a| a["id"] == app.member_activity_id.as_str()),
        "the run given to them is on their work list: {theirs}"
    );
    let close = |id: &str| format!("/api/v1/activities/{id}/close");
    let p = problem(
        member
            .post_json_if(
                &close(&app.member_activity_id),
                &json!({"comment": "done"}),
                "\"2\"",
            )
            .await,
        422,
    )
    .await;
    assert_eq!(
        fields(&p),
        ["evidence"],
        "their own run: refused only for its missing evidence"
    );
    problem(
        member
            .post_json_if(
                &close(&app.activity_id),
                &json!({"comment": "done"}),
                "\"1\"",
            )
            .await,
        403,
    )
    .await;
    let owner = app.login(Role::Owner).await;
    problem(
        owner
            .post_json_if(
                &format!("/api/v1/tasks/{}/complete", app.member_task_id),
                &json!({"comment": "Done"}),
                "\"1\"",
            )
            .await,
        403,
    )
    .await;
    let resp = member
        .post_json_if(
            &format!("/api/v1/tasks/{}/complete", app.member_task_id),
            &json!({"comment": "Read and signed the policy"}),
            "\"1\"",
        )
        .await;
    assert_eq!(resp.status(), 200, "their own task");
    crate::helpers::history_matches(&app).await;
}

async fn healthz_turns_503_when_the_worker_stops_ticking(db: Db) {
    let stalled = std::sync::Arc::new(holdfast_web::Heartbeat::new(
        std::time::Duration::from_secs(60),
        chrono::Utc::now() - chrono::Duration::minutes(6),
    ));
    let app = spawn_app_with(
        db,
        holdfast_web::WebConfig {
            heartbeat: Some(stalled.clone()),
            ..holdfast_web::WebConfig::default()
        },
    )
    .await;
    let resp = app.anonymous().get("/healthz").await;
    assert_eq!(resp.status(), 503);
    assert!(resp.text().await.expect("text").contains("worker stalled"));
    stalled.beat(chrono::Utc::now());
    assert_eq!(app.anonymous().get("/healthz").await.status(), 200);
}

crate::on_both_databases!(
    bad_rules_name_their_field_and_store_nothing,
    rules_are_replaced_disabled_and_deleted_with_if_match,
    cadences_that_never_happen_run_hourly_or_every_zeroth_time_are_refused,
    activation_needs_an_owner_and_a_replacement_every_field,
    pausing_needs_a_reason_and_an_end_and_retiring_a_reason,
    readiness_says_what_it_checked_and_observations_are_accepted_with_a_reason,
    a_member_works_on_the_run_given_to_them_and_on_nobody_elses,
    healthz_turns_503_when_the_worker_stops_ticking,
);
