//! The context registers and the scope through the API: bad input refused by field with
//! nothing stored, history since a date, requirements as the SoA's reasons, scope versions
//! approved only by top management and only as read.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, field_of, history_matches, problem, spawn_app};

async fn bad_context_input_is_refused_by_field_and_nothing_is_stored(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let events = app.count("audit_event").await;
    let issue = |patch: Value| {
        let mut body = json!({
            "kind": "external", "category": "legal", "title": "NIS2",
            "effect": "Incident reporting within 24 hours", "review_due": "2027-06-30",
        });
        if let (Some(b), Some(p)) = (body.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    };
    for (body, field) in [
        (issue(json!({"kind": "weather"})), "kind"),
        (issue(json!({"category": "nope"})), "category"),
        (issue(json!({"title": "  "})), "title"),
        (issue(json!({"effect": ""})), "effect"),
        (issue(json!({"owner_id": "not-an-id"})), "owner_id"),
        (
            issue(json!({"owner_id": "00000000-0000-0000-0000-000000000000"})),
            "owner_id",
        ),
    ] {
        assert_eq!(
            field_of(
                manager.post_json("/api/v1/context/issues", &body).await,
                422
            )
            .await,
            field,
            "{body}"
        );
    }
    let requirement = |controls: Value| json!({"kind": "legal", "citation": "GDPR Art. 32", "text": "Security of processing", "controls": controls});
    let path = format!("/api/v1/context/parties/{}/requirements", app.party_id);
    assert_eq!(
        field_of(
            manager
                .post_json(&path, &requirement(json!(["8.24", "14.1"])))
                .await,
            422
        )
        .await,
        "controls[1]"
    );
    let scope = json!({
        "statement": "Everything",
        "entries": [
            {"kind": "unit", "name": "Shop", "included": false},
        ],
    });
    assert_eq!(
        field_of(
            manager.post_json("/api/v1/scope/versions", &scope).await,
            422
        )
        .await,
        "entries[0].justification"
    );
    let cloud = json!({
        "statement": "Everything",
        "entries": [{"kind": "location", "name": "Production", "place": "cloud"}],
    });
    let p = problem(
        manager.post_json("/api/v1/scope/versions", &cloud).await,
        422,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["entries[0].provider", "entries[0].responsibility"]);
    assert_eq!(app.count("audit_event").await, events, "nothing recorded");
    assert_eq!(app.count("scope_version").await, 1);
    // A proposed or approved version has no route that edits it.
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/scope/versions/1",
            Some(&scope),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 405);
}

async fn issues_and_parties_change_with_if_match_and_their_history_is_a_query(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let auditor = app.login(Role::Auditor).await;
    let path = format!("/api/v1/context/issues/{}", app.issue_id);
    let resp = auditor.get(&path).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let mut body: Value = resp.json().await.expect("json");
    assert_eq!(body["reference"], "I-001");
    let today = chrono::Utc::now().date_naive();
    let reviewed = json!({
        "kind": "external", "category": "threat", "title": body["title"],
        "effect": "Restore tests every quarter", "owner_id": app.person_id,
        "review_due": (today + chrono::Duration::days(365)).to_string(),
    });
    let stale = manager
        .json_if(reqwest::Method::PUT, &path, Some(&reviewed), Some("\"7\""))
        .await;
    assert_eq!(stale.status(), 412);
    let ok = manager
        .json_if(reqwest::Method::PUT, &path, Some(&reviewed), Some("\"1\""))
        .await;
    assert_eq!(ok.status(), 200);
    body = ok.json().await.expect("json");
    assert_eq!(body["version"], 2);
    assert_eq!(
        auditor
            .post_json("/api/v1/context/issues", &reviewed)
            .await
            .status(),
        403,
        "auditors read"
    );
    let changes: Value = auditor
        .get(&format!("/api/v1/context/changes?since={today}"))
        .await
        .json()
        .await
        .expect("json");
    let got: Vec<(&str, &str)> = changes
        .as_array()
        .expect("list")
        .iter()
        .map(|c| {
            (
                c["record"].as_str().unwrap_or(""),
                c["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("context_issue", "create"),
            ("interested_party", "create"),
            ("requirement", "create"),
            ("context_issue", "update"),
        ]
    );
    assert_eq!(
        changes[3]["before"]["effect"],
        "Backups and recovery must be proven"
    );
    assert_eq!(changes[3]["after"]["effect"], "Restore tests every quarter");
    let tomorrow = today + chrono::Duration::days(1);
    let none: Value = auditor
        .get(&format!("/api/v1/context/changes?since={tomorrow}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(none, json!([]));
    // The party lists its requirement; the requirement is a reason in the SoA.
    let parties: Value = auditor
        .get("/api/v1/context/parties")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(parties[0]["requirements"][0]["citation"], "MSA §9");
    let soa: Value = auditor.get("/api/v1/soa").await.json().await.expect("json");
    let row = soa["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["control"] == "8.24")
        .cloned()
        .expect("8.24");
    assert_eq!(
        row["obligations"],
        json!(["Contractual: MSA §9 (Customers)"])
    );
    history_matches(&app).await;
}

async fn only_top_management_approves_a_scope_and_only_what_they_read(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let owner = app.login(Role::Owner).await;
    let proposed = manager
        .post_json(
            "/api/v1/scope/versions",
            &json!({
                "statement": "The Example platform, its people and offices",
                "entries": [
                    {"kind": "unit", "name": "Engineering"},
                    {"kind": "location", "name": "Production", "place": "cloud",
                     "provider": "AWS eu-west-2", "responsibility": "AWS: facilities; us: accounts, data"},
                    {"kind": "process", "name": "Change management", "process_id": app.process_id},
                    {"kind": "interface", "name": "Payments", "counterpart": "Stripe"},
                    {"kind": "unit", "name": "Shop", "included": false, "justification": "No digital service"},
                ],
            }),
        )
        .await;
    assert_eq!(proposed.status(), 201);
    let v: Value = proposed.json().await.expect("json");
    assert_eq!(v["number"], 2);
    assert_eq!(v["entries"][1]["provider"], "AWS eu-west-2");
    assert_eq!(v["entries"][4]["justification"], "No digital service");
    let sha = v["sha256"].as_str().expect("sha").to_owned();
    // The manager's login is no person; a wrong hash is refused; Ada is top management.
    assert_eq!(
        field_of(
            manager
                .post_json("/api/v1/scope/versions/2/approval", &json!({"sha256": sha}))
                .await,
            422
        )
        .await,
        "approved_by"
    );
    assert_eq!(
        field_of(
            owner
                .post_json(
                    "/api/v1/scope/versions/2/approval",
                    &json!({"sha256": "00"})
                )
                .await,
            422
        )
        .await,
        "sha256"
    );
    let ok = owner
        .post_json("/api/v1/scope/versions/2/approval", &json!({"sha256": sha}))
        .await;
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.expect("json");
    assert_eq!(v["approved_by"], app.person_id.as_str());
    let page = owner.get("/scope").await.text().await.expect("html");
    assert!(page.contains("In force: version 2"), "{page}");
    assert!(page.contains("No digital service"));
    let register = owner
        .get("/context/register?q=ransomware&since=2020-01-01")
        .await;
    assert_eq!(register.status(), 200);
    let html = register.text().await.expect("html");
    assert!(html.contains("Ransomware aimed at small SaaS firms"));
    assert!(html.contains("No interested party is recorded that matches"));
    assert!(
        html.contains("Issue recorded by"),
        "the changes since the date"
    );
    history_matches(&app).await;
}

crate::on_both_databases!(
    bad_context_input_is_refused_by_field_and_nothing_is_stored,
    issues_and_parties_change_with_if_match_and_their_history_is_a_query,
    only_top_management_approves_a_scope_and_only_what_they_read,
);
