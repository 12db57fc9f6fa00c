//! The risk method and register through the API: publishing versions, the register's
//! filters, assessments and decisions, and every bad input refused with nothing stored.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, Session, TestApp, field_of, spawn_app};

fn method() -> Value {
    let point = |v: u8, label: &str| json!({"value": v, "label": label});
    json!({
        "name": "Three by three",
        "likelihood": [point(1, "Rare"), point(2, "Possible"), point(3, "Likely")],
        "impact": [point(1, "Minor"), point(2, "Serious"), point(3, "Severe")],
        "levels": [
            {"key": "low", "label": "Low", "authority": "automatic", "review_days": 365},
            {"key": "high", "label": "High", "authority": "top_management", "review_days": 90, "treat_days": 60}
        ],
        "grid": [["low", "low", "high"], ["low", "high", "high"], ["high", "high", "high"]],
        "assessment_interval_days": 365
    })
}

async fn risk_body(s: &Session, id: &str) -> (Value, String) {
    let resp = s.get(&format!("/api/v1/risks/{id}")).await;
    assert_eq!(resp.status(), 200);
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    (resp.json().await.expect("json"), etag)
}

async fn a_method_is_published_as_a_new_version_and_never_edited(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let before = app.count("risk_method").await;
    let mut bad = method();
    bad["grid"][2][0] = json!("low");
    bad["grid"][1][1] = json!("extreme");
    let field = field_of(manager.post_json("/api/v1/risk-methods", &bad).await, 422).await;
    assert_eq!(field, "grid[1][1]");
    let mut bad = method();
    bad["levels"][1]["authority"] = json!("the board");
    assert_eq!(
        field_of(manager.post_json("/api/v1/risk-methods", &bad).await, 422).await,
        "levels[1].authority"
    );
    assert_eq!(app.count("risk_method").await, before, "nothing stored");
    let resp = manager.post_json("/api/v1/risk-methods", &method()).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["version"], 2, "the test app already has version 1");
    let list: Value = manager
        .get("/api/v1/risk-methods")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["version"], 2);
    assert_eq!(
        list[1]["method"]["levels"].as_array().map(Vec::len),
        Some(4)
    );
    // No route changes a published version.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ] {
        let resp = manager
            .send(
                method,
                "/api/v1/risk-methods/1",
                Some("{}".into()),
                "application/json",
            )
            .await;
        assert_eq!(resp.status(), 405);
    }
    assert_eq!(manager.get("/api/v1/risk-methods/9").await.status(), 404);
    crate::helpers::history_matches(&app).await;
}

async fn bad_risks_and_assessments_are_refused_by_field_and_nothing_is_stored(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let good = json!({
        "title": "Ransomware on the file servers",
        "threat": "Malware",
        "vulnerability": "Unpatched servers",
        "owner_id": app.person_id,
        "treatment": "modify",
        "controls": ["8.7", "8.8"]
    });
    let risks = app.count("risk").await;
    let events = app.count("audit_event").await;
    for (field, value, expected) in [
        ("controls", json!(["8.8", "A.12.6.1"]), "controls[1]"),
        (
            "owner_id",
            json!("00000000-0000-0000-0000-000000000000"),
            "owner_id",
        ),
        ("owner_id", json!("someone"), "owner_id"),
        ("treatment", json!("ignore"), "treatment"),
        ("title", json!(" "), "title"),
        ("threat", json!("x".repeat(201)), "threat"),
        ("assets", json!(["not-an-id"]), "assets[0]"),
        (
            "assets",
            json!(["00000000-0000-0000-0000-000000000000"]),
            "assets[0]",
        ),
    ] {
        let mut body = good.clone();
        body[field] = value;
        assert_eq!(
            field_of(manager.post_json("/api/v1/risks", &body).await, 422).await,
            expected,
            "{field}"
        );
    }
    assert_eq!(app.count("risk").await, risks);
    assert_eq!(app.count("audit_event").await, events, "nothing recorded");
    let mut good = good;
    good["assets"] = json!([app.asset_id]);
    let resp = manager.post_json("/api/v1/risks", &good).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    assert_eq!(created["reference"], "R-002");
    assert_eq!(created["assets"], json!([app.asset_id]));
    let page = manager
        .get(&format!(
            "/risks/{}",
            created["id"].as_str().unwrap_or_default()
        ))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("A-0001 Customer database"),
        "the risk page names its assets"
    );
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/risks/{id}/assessments");
    let assessment = json!({
        "inherent": {"likelihood": 5, "impact": 5},
        "current": {"likelihood": 3, "impact": 3},
        "rationale": "Patching within 14 days on 90% of servers"
    });
    let mut off = assessment.clone();
    off["current"]["impact"] = json!(6);
    let assessments = app.count("risk_assessment").await;
    assert_eq!(
        field_of(manager.post_json_if(&path, &off, "\"1\"").await, 422).await,
        "current.impact"
    );
    let mut above = assessment.clone();
    above["inherent"] = json!({"likelihood": 1, "impact": 1});
    assert_eq!(
        field_of(manager.post_json_if(&path, &above, "\"1\"").await, 422).await,
        "current"
    );
    assert_eq!(
        manager
            .post_json_if(&path, &assessment, "\"7\"")
            .await
            .status(),
        412
    );
    assert_eq!(
        app.count("risk_assessment").await,
        assessments,
        "nothing stored"
    );
    let resp = manager.post_json_if(&path, &assessment, "\"1\"").await;
    assert_eq!(resp.status(), 201);
    let a: Value = resp.json().await.expect("json");
    assert_eq!(
        (a["inherent_level"].as_str(), a["current_level"].as_str()),
        (Some("very_high"), Some("medium"))
    );
    let (detail, etag) = risk_body(&manager, &id).await;
    assert_eq!(etag, "\"2\"");
    assert_eq!(detail["current_level"], "medium");
    assert_eq!(detail["assessments"].as_array().map(Vec::len), Some(1));
    crate::helpers::history_matches(&app).await;
}

async fn decisions_follow_the_level_and_show_when_they_go_stale(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let manager = app.login(Role::Manager).await;
    let id = app.risk_id.clone();
    let (detail, etag) = risk_body(&owner, &id).await;
    assert_eq!(detail["current_level"], "medium");
    let path = format!("/api/v1/risks/{id}/decisions");
    let accept = json!({
        "kind": "residual_acceptance",
        "rationale": "Encryption rollout completes in March",
        "expires_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(180)).to_string()
    });
    // A login without a person cannot decide; a bad expiry and kind are named.
    assert_eq!(
        field_of(manager.post_json_if(&path, &accept, &etag).await, 422).await,
        "decided_by"
    );
    let mut late = accept.clone();
    late["expires_on"] = json!("2099-01-01");
    assert_eq!(
        field_of(owner.post_json_if(&path, &late, &etag).await, 422).await,
        "expires_on"
    );
    let mut kind = accept.clone();
    kind["kind"] = json!("approval");
    assert_eq!(
        field_of(owner.post_json_if(&path, &kind, &etag).await, 422).await,
        "kind"
    );
    assert_eq!(app.count("risk_decision").await, 0);
    let resp = owner.post_json_if(&path, &accept, &etag).await;
    assert_eq!(resp.status(), 201);
    let d: Value = resp.json().await.expect("json");
    assert_eq!(d["standing"], "live");
    assert_eq!(
        d["authority"], "top_management",
        "Ada owns the management review"
    );
    // A new control is a material change: the acceptance no longer covers the risk.
    let (detail, etag) = risk_body(&owner, &id).await;
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            &format!("/api/v1/risks/{id}"),
            Some(&json!({
                "title": detail["title"], "threat": detail["threat"],
                "vulnerability": detail["vulnerability"], "owner_id": detail["owner_id"],
                "treatment": "modify", "controls": ["8.1", "8.24", "5.15"]
            })),
            Some(&etag),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let (detail, etag) = risk_body(&owner, &id).await;
    assert_eq!(detail["decisions"][0]["standing"], "stale");
    // A level nobody may accept is refused whoever asks.
    let a = json!({
        "inherent": {"likelihood": 5, "impact": 5},
        "current": {"likelihood": 5, "impact": 5},
        "rationale": "No encryption after all"
    });
    assert_eq!(
        owner
            .post_json_if(&format!("/api/v1/risks/{id}/assessments"), &a, &etag)
            .await
            .status(),
        201
    );
    let (_, etag) = risk_body(&owner, &id).await;
    assert_eq!(
        field_of(owner.post_json_if(&path, &accept, &etag).await, 422).await,
        "decided_by"
    );
    crate::helpers::history_matches(&app).await;
}

async fn the_register_filters_searches_and_pages(db: Db) {
    let app: TestApp = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    for n in 0..4 {
        let resp = manager
            .post_json(
                "/api/v1/risks",
                &json!({
                    "title": format!("Supplier outage {n}"),
                    "threat": "Supplier failure",
                    "vulnerability": "Single supplier",
                    "treatment": if n % 2 == 0 { "share" } else { "retain" },
                }),
            )
            .await;
        assert_eq!(resp.status(), 201);
    }
    let get = |q: &str| {
        let q = q.to_owned();
        let s = &manager;
        async move {
            let resp = s.get(&format!("/api/v1/risks?{q}")).await;
            assert_eq!(resp.status(), 200, "{q}");
            resp.json::<Value>().await.expect("json")
        }
    };
    let page = get("limit=2&sort=level").await;
    assert_eq!(page["total"], 5);
    assert_eq!(
        page["items"][0]["current_level"], "medium",
        "assessed first"
    );
    let cursor = page["next_cursor"].as_str().expect("more").to_owned();
    let next = get(&format!("limit=2&sort=level&cursor={cursor}")).await;
    assert_eq!(next["items"].as_array().map(Vec::len), Some(2));
    assert_ne!(next["items"][0]["id"], page["items"][1]["id"]);
    assert_eq!(get("treatment=share").await["total"], 2);
    assert_eq!(get("q=outage+3").await["items"][0]["reference"], "R-005");
    assert_eq!(
        get(&format!("owner_id={}", app.person_id)).await["total"],
        1
    );
    assert_eq!(get("level=medium").await["total"], 1);
    for (q, field) in [
        ("treatment=ignore", "treatment"),
        ("owner_id=nobody", "owner_id"),
        ("sort=-level", "sort"),
    ] {
        let resp = manager.get(&format!("/api/v1/risks?{q}")).await;
        assert_eq!(field_of(resp, 422).await, field, "{q}");
    }
}

async fn the_register_pages_show_heatmaps_the_risk_and_the_method(db: Db) {
    let app = spawn_app(db).await;
    let auditor = app.login(Role::Auditor).await;
    let page = auditor.get("/risks").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Laptop stolen with customer data"));
    assert!(html.contains("Ada Lovelace"), "the owner by name");
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "inherent and residual heatmaps"
    );
    assert!(
        html.contains("Residual risk — 1 risks"),
        "the one assessed risk"
    );
    // The residual cell (2×3) holds the risk; the inherent (4×4) too.
    assert!(html.contains("Unlikely likelihood, Moderate impact: Medium, 1 risk"));
    assert!(html.contains("Likely likelihood, Major impact: High, 1 risk"));
    let filtered = auditor
        .get("/risks?level=low")
        .await
        .text()
        .await
        .expect("html");
    assert!(filtered.contains("No risk matches."));
    let risk = auditor
        .get(&format!("/risks/{}", app.risk_id))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        risk.contains("Disk encryption on most laptops"),
        "the assessment's rationale"
    );
    assert!(risk.contains("No decision yet."));
    let method = auditor
        .get("/risks/method")
        .await
        .text()
        .await
        .expect("html");
    assert!(method.contains("5×5 likelihood and impact"));
    assert!(method.contains("Not acceptable"));
    assert_eq!(auditor.get("/risks/not-a-risk").await.status(), 404);
    assert_eq!(
        app.login(Role::Member).await.get("/risks").await.status(),
        403
    );
}

crate::on_both_databases!(
    the_register_pages_show_heatmaps_the_risk_and_the_method,
    a_method_is_published_as_a_new_version_and_never_edited,
    bad_risks_and_assessments_are_refused_by_field_and_nothing_is_stored,
    decisions_follow_the_level_and_show_when_they_go_stale,
    the_register_filters_searches_and_pages,
);
