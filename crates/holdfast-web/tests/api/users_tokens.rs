//! Login accounts and API tokens.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};

async fn admins_create_accounts_and_duplicates_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Admin).await;
    let body =
        json!({"email": "new@example.com", "role": "owner", "password": "a long enough password"});
    assert_eq!(s.post_json("/api/v1/users", &body).await.status(), 201);
    let before = app.count("user_account").await;
    problem(s.post_json("/api/v1/users", &body).await, 409).await;
    let p = problem(
        s.post_json(
            "/api/v1/users",
            &json!({"email": "x", "role": "owner", "password": "short"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"].as_array().map(Vec::len), Some(2));
    problem(s.post_json("/api/v1/users", &json!({"email": "y@example.com", "role": "root", "password": "a long enough password"})).await, 422).await;
    assert_eq!(app.count("user_account").await, before);
    let list: Value = s
        .get("/api/v1/users?q=new")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1, "{list}");
    let own = &app.accounts[&Role::Admin];
    problem(
        s.patch_json(
            &format!("/api/v1/users/{own}"),
            &json!({"disabled": true}),
            Some("\"1\""),
        )
        .await,
        422,
    )
    .await;
    crate::helpers::history_matches(&app).await;
}

async fn tokens_are_shown_once_stored_hashed_bounded_by_role_and_revocable(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let before = app.count("api_token").await;
    let p = problem(
        owner
            .post_json(
                "/api/v1/tokens",
                &json!({"name": "too much", "role": "admin"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "role");
    problem(
        owner
            .post_json(
                "/api/v1/tokens",
                &json!({"name": "x", "expires_in_days": 0}),
            )
            .await,
        422,
    )
    .await;
    problem(
        owner
            .post_json("/api/v1/tokens", &json!({"name": " "}))
            .await,
        422,
    )
    .await;
    assert_eq!(app.count("api_token").await, before);
    let created: Value = owner
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "ci", "role": "member", "expires_in_days": 30}),
        )
        .await
        .json()
        .await
        .expect("json");
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("hf_"));
    let hits: i64 = sqlx::query_scalar("select count(*) from api_token where token_hash = $1")
        .bind(&secret)
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(hits, 0, "the secret itself is never stored");
    let trail: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from audit_event where after_json like '%{}%'",
        &secret[3..20]
    )))
    .fetch_one(app.store.pool())
    .await
    .expect("count");
    assert_eq!(trail, 0, "nor written to the audit trail");
    let list: Value = owner
        .get("/api/v1/tokens")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        list["items"]
            .as_array()
            .expect("list")
            .iter()
            .all(|t| t.get("secret").is_none())
    );

    let mut machine = app.anonymous();
    machine.bearer = Some(secret);
    let me: Value = machine.get("/api/v1/me").await.json().await.expect("json");
    assert_eq!(me["effective_role"], "member");
    problem(machine.get("/api/v1/people").await, 403).await;
    let id = created["token"]["id"].as_str().expect("id");
    let member = app.login(Role::Member).await;
    problem(
        member
            .send(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{id}"),
                None,
                "application/json",
            )
            .await,
        404,
    )
    .await;
    assert_eq!(
        owner
            .send(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{id}"),
                None,
                "application/json"
            )
            .await
            .status(),
        200
    );
    problem(machine.get("/api/v1/me").await, 401).await;
    let mut forged = app.anonymous();
    forged.bearer = Some("hf_0000".into());
    problem(forged.get("/api/v1/me").await, 401).await;
    crate::helpers::history_matches(&app).await;
}

async fn the_audit_trail_is_browsable_and_verifies(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Auditor).await;
    let chain: Value = s
        .get("/api/v1/audit-events/verify")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(chain["intact"], true);
    assert_eq!(chain["checkpoints"], 1, "{chain}");
    assert_eq!(chain["problems"], json!([]), "{chain}");
    let html = s.get("/audit").await.text().await.expect("html");
    assert!(
        html.contains("1 signed checkpoints match the trail"),
        "the page says so too"
    );
    // A safeguard lifted shows on the page and in the API.
    for guard in holdfast_store::guards::guards(app.store.backend()) {
        sqlx::query(sqlx::AssertSqlSafe(holdfast_store::guards::lift_sql(
            app.store.backend(),
            guard,
        )))
        .execute(app.store.pool())
        .await
        .expect("lift");
    }
    let chain: Value = s
        .get("/api/v1/audit-events/verify")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        chain["problems"][0]
            .as_str()
            .is_some_and(|p| p.contains("append-only trigger")),
        "{chain}"
    );
    let html = s.get("/audit").await.text().await.expect("html");
    assert!(html.contains("Checkpoints or safeguards need attention"));
    let page: Value = s
        .get(&format!(
            "/api/v1/audit-events?entity_type=person&entity_id={}",
            app.person_id
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["action"], "create");
    assert_eq!(page["items"][0]["after"]["name"], "Ada Lovelace");
    let all: Value = s
        .get("/api/v1/audit-events?limit=2")
        .await
        .json()
        .await
        .expect("json");
    let cursor = all["next_cursor"].as_str().expect("more pages");
    let older: Value = s
        .get(&format!("/api/v1/audit-events?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .expect("json");
    assert!(older["items"][0]["seq"].as_i64() < all["items"][1]["seq"].as_i64());
    problem(s.get("/api/v1/audit-events?from=last-week").await, 422).await;
    let today = chrono::Utc::now().date_naive();
    let dated: Value = s
        .get(&format!("/api/v1/audit-events?from={today}&to={today}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(dated["total"], all["total"]);
}

crate::on_both_databases!(
    admins_create_accounts_and_duplicates_are_refused,
    tokens_are_shown_once_stored_hashed_bounded_by_role_and_revocable,
    the_audit_trail_is_browsable_and_verifies,
);
