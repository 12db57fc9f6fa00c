//! Authentication: sessions, CSRF, logout, expiry, throttling, password change.

use std::time::Duration;

use holdfast_core::account::Role;
use holdfast_web::WebConfig;
use serde_json::json;

use crate::helpers::{Db, PASSWORD, email, problem, spawn_app, spawn_app_with};

async fn login_sets_a_hardened_cookie_and_logout_ends_the_session(db: Db) {
    let app = spawn_app(db).await;
    let s = app.anonymous();
    let resp = s
        .post_json(
            "/api/v1/session",
            &json!({"email": email(Role::Manager), "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("holdfast_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "Secure only when configured for HTTPS"
    );
    let secret = cookie
        .trim_start_matches("holdfast_session=")
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    let stored: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from session where token_hash = '{secret}'"
    )))
    .fetch_one(app.store.pool())
    .await
    .expect("count");
    assert_eq!(stored, 0, "the session secret is stored only as a hash");
    let body: serde_json::Value = resp.json().await.expect("json");
    let mut s = s;
    s.csrf = body["csrf_token"].as_str().map(str::to_owned);
    assert_eq!(s.get("/api/v1/me").await.status(), 200);
    assert_eq!(
        s.send(
            reqwest::Method::DELETE,
            "/api/v1/session",
            None,
            "application/json"
        )
        .await
        .status(),
        204
    );
    problem(s.get("/api/v1/me").await, 401).await;
    let actions: Vec<String> = sqlx::query_scalar("select action from audit_event where entity_type = 'user_account' and action in ('login_succeeded', 'logout') order by seq")
        .fetch_all(app.store.pool())
        .await
        .expect("events");
    assert_eq!(actions, ["login_succeeded", "logout"]);
}

async fn secure_cookies_are_marked_secure(db: Db) {
    let app = spawn_app_with(
        db,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await;
    let resp = app
        .anonymous()
        .post_json(
            "/api/v1/session",
            &json!({"email": email(Role::Admin), "password": PASSWORD}),
        )
        .await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

async fn cookie_writes_need_the_csrf_token(db: Db) {
    let app = spawn_app(db).await;
    let mut s = app.login(Role::Admin).await;
    let good = s.csrf.take();
    let people = app.count("person").await;
    let body = json!({"name": "Eve", "email": "eve@example.com", "department": "IT", "start_date": "2025-01-01"});
    let p = problem(s.post_json("/api/v1/people", &body).await, 403).await;
    assert_eq!(p["code"], "csrf_token_invalid");
    s.csrf = Some("0".repeat(64));
    problem(s.post_json("/api/v1/people", &body).await, 403).await;
    assert_eq!(app.count("person").await, people, "nothing stored");
    s.csrf = good;
    assert_eq!(s.post_json("/api/v1/people", &body).await.status(), 201);
}

async fn form_posts_need_the_csrf_field(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Admin).await;
    let people = app.count("person").await;
    let form = "name=Eve&email=eve%40example.com&department=IT&employment_status=active&start_date=2025-01-01";
    let resp = s
        .send(
            reqwest::Method::POST,
            "/people/new",
            Some(form.into()),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(app.count("person").await, people);
    let with = format!("{form}&_csrf={}", s.csrf.clone().expect("csrf"));
    let resp = s
        .send(
            reqwest::Method::POST,
            "/people/new",
            Some(with),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(app.count("person").await, people + 1);
}

async fn an_idle_session_expires(db: Db) {
    let config = WebConfig {
        session_idle: Duration::from_secs(1),
        ..WebConfig::default()
    };
    let app = spawn_app_with(db, config).await;
    let s = app.login(Role::Member).await;
    assert_eq!(s.get("/api/v1/me").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    problem(s.get("/api/v1/me").await, 401).await;
    assert_eq!(
        app.count("session").await,
        0,
        "the expired session is removed"
    );
}

async fn a_session_ends_at_its_absolute_expiry_however_used(db: Db) {
    let config = WebConfig {
        session_absolute: Duration::from_secs(2),
        ..WebConfig::default()
    };
    let app = spawn_app_with(db, config).await;
    let s = app.login(Role::Member).await;
    for _ in 0..4 {
        assert_eq!(s.get("/api/v1/me").await.status(), 200);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    problem(s.get("/api/v1/me").await, 401).await;
}

async fn repeated_failures_are_throttled_and_audited(db: Db) {
    let app = spawn_app(db).await;
    let s = app.anonymous();
    let wrong = json!({"email": email(Role::Owner), "password": "not the password at all"});
    for _ in 0..4 {
        let p = problem(s.post_json("/api/v1/session", &wrong).await, 401).await;
        assert_eq!(p["detail"], "wrong email or password");
    }
    // After the free attempts, even the right password waits.
    let right = json!({"email": email(Role::Owner), "password": PASSWORD});
    let resp = s.post_json("/api/v1/session", &right).await;
    assert!(resp.headers().get("retry-after").is_some());
    problem(resp, 429).await;
    let failures: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'login_failed'")
            .fetch_one(app.store.pool())
            .await
            .expect("count");
    assert_eq!(failures, 4);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        s.post_json("/api/v1/session", &right).await.status(),
        201,
        "the pause is over"
    );
}

async fn an_unknown_email_fails_like_a_wrong_password(db: Db) {
    let app = spawn_app(db).await;
    let p = problem(
        app.anonymous()
            .post_json(
                "/api/v1/session",
                &json!({"email": "nobody@example.com", "password": PASSWORD}),
            )
            .await,
        401,
    )
    .await;
    assert_eq!(p["detail"], "wrong email or password");
}

async fn a_disabled_account_cannot_log_in(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.login(Role::Admin).await;
    let member = app.login(Role::Member).await;
    let id = &app.accounts[&Role::Member];
    let resp = admin
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &json!({"disabled": true}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 200);
    problem(member.get("/api/v1/me").await, 401).await;
    problem(
        app.anonymous()
            .post_json(
                "/api/v1/session",
                &json!({"email": email(Role::Member), "password": PASSWORD}),
            )
            .await,
        401,
    )
    .await;
}

async fn changing_the_password_needs_the_current_one(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Auditor).await;
    let other = app.login(Role::Auditor).await;
    let p = problem(s.post_json("/api/v1/me/password", &json!({"current_password": "wrong password!!", "new_password": "a brand new passphrase"})).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "current_password");
    let p = problem(
        s.post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "password");
    assert_eq!(
        s.post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        200,
        "this session stays"
    );
    problem(other.get("/api/v1/me").await, 401).await;
    let relogin = app
        .anonymous()
        .post_json(
            "/api/v1/session",
            &json!({"email": email(Role::Auditor), "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(relogin.status(), 201);
}

crate::on_both_databases!(
    login_sets_a_hardened_cookie_and_logout_ends_the_session,
    secure_cookies_are_marked_secure,
    cookie_writes_need_the_csrf_token,
    form_posts_need_the_csrf_field,
    an_idle_session_expires,
    a_session_ends_at_its_absolute_expiry_however_used,
    repeated_failures_are_throttled_and_audited,
    an_unknown_email_fails_like_a_wrong_password,
    a_disabled_account_cannot_log_in,
    changing_the_password_needs_the_current_one,
);
