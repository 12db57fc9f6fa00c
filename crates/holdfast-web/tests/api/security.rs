//! Hardening found by probing as an attacker would: each test reproduces one way in and
//! shows it closed.

use holdfast_core::account::Role;
use holdfast_web::WebConfig;
use serde_json::{Value, json};

use crate::helpers::{Db, PASSWORD, TestApp, email, problem, spawn_app, spawn_app_with};

/// Posts the login form (with its double-submit token) for `email` and `next`.
async fn form_login(app: &TestApp, email: &str, next: &str) -> reqwest::Response {
    let s = app.anonymous();
    let page = s.get("/login").await.text().await.expect("html");
    let token = page
        .split("name=\"_login_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("login csrf")
        .to_owned();
    let body = format!(
        "email={}&password={}&next={next}&_login_csrf={token}",
        email.replace('@', "%40"),
        PASSWORD.replace(' ', "+"),
    );
    s.send(
        reqwest::Method::POST,
        "/login",
        Some(body),
        "application/x-www-form-urlencoded",
    )
    .await
}

/// Logs in through the form with `next` and returns where the answer sends the browser.
async fn form_login_location(app: &TestApp, next: &str) -> Option<String> {
    let resp = form_login(app, &email(Role::Manager), next).await;
    assert_eq!(resp.status(), 303, "next={next}");
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn login_never_leads_off_site(db: Db) {
    let app = spawn_app(db).await;
    for next in [
        "%2F%09%2Fevil.example%2Fx",
        "/%0A/x",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ] {
        assert_eq!(
            form_login_location(&app, next).await.as_deref(),
            Some("/"),
            "next={next}"
        );
    }
    assert_eq!(
        form_login_location(&app, "%2Fprocesses%3Fq%3Dx")
            .await
            .as_deref(),
        Some("/processes?q=x")
    );
}

async fn make_feed(s: &crate::helpers::Session, body: &Value) -> (String, String) {
    let resp = s.post_json("/api/v1/calendar-feeds", body).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    let url = created["url"].as_str().expect("url").to_owned();
    let path = url[url.find("/calendar/").expect("path")..].to_owned();
    (url, path)
}

async fn change_account(app: &TestApp, role: Role, patch: &Value) {
    let admin = app.login(Role::Admin).await;
    let id = &app.accounts[&role];
    let current: Value = admin
        .get(&format!("/api/v1/users/{id}"))
        .await
        .json()
        .await
        .expect("json");
    let version = current["version"].as_i64().expect("version");
    let resp = admin
        .patch_json(
            &format!("/api/v1/users/{id}"),
            patch,
            Some(&format!("\"{version}\"")),
        )
        .await;
    assert_eq!(resp.status(), 200, "{patch}");
}

async fn a_feed_ends_with_its_makers_access(db: Db) {
    let config = WebConfig {
        public_url: "https://isms.example.com".into(),
        ..WebConfig::default()
    };
    let app = spawn_app_with(db, config).await;
    let owner = app.login(Role::Owner).await;
    let resp = owner
        .with_csrf(
            owner
                .client
                .post(format!("{}/api/v1/calendar-feeds", owner.base))
                .header("host", "evil.example")
                .json(&json!({"process_id": app.process_id})),
        )
        .send()
        .await
        .expect("send");
    let created: Value = resp.json().await.expect("json");
    let url = created["url"].as_str().expect("url");
    assert!(
        url.starts_with("https://isms.example.com/calendar/hfcal_"),
        "built from the configured address, not the Host header: {url}"
    );
    let process_feed = url[url.find("/calendar/").expect("path")..].to_owned();
    let (_, own_feed) = make_feed(&owner, &json!({})).await;
    let anonymous = app.anonymous();
    assert_eq!(anonymous.get(&process_feed).await.status(), 200);
    assert_eq!(anonymous.get(&own_feed).await.status(), 200);

    // Demoted to a member, who may not read processes: the process feed dies, their own
    // work stays theirs.
    change_account(&app, Role::Owner, &json!({"role": "member"})).await;
    problem(anonymous.get(&process_feed).await, 404).await;
    assert_eq!(anonymous.get(&own_feed).await.status(), 200);

    // Disabled: nothing of theirs answers.
    change_account(&app, Role::Owner, &json!({"disabled": true})).await;
    problem(anonymous.get(&own_feed).await, 404).await;
}

async fn the_trail_shows_a_reader_only_what_their_role_may_read(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    problem(manager.get("/api/v1/users").await, 403).await;
    for kind in ["user_account", "api_token", "login"] {
        let page: Value = manager
            .get(&format!("/api/v1/audit-events?entity_type={kind}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(page["total"], 0, "{kind}: {page}");
    }
    let all: Value = manager
        .get("/api/v1/audit-events?limit=500")
        .await
        .json()
        .await
        .expect("json");
    let items = all["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|e| !["user_account", "api_token", "login"]
            .contains(&e["entity_type"].as_str().unwrap_or(""))),
        "no account record in the manager's trail"
    );
    assert!(!all.to_string().contains("@example.com\",\"role\""));
    let auditor = app.login(Role::Auditor).await;
    let page: Value = auditor
        .get("/api/v1/audit-events?entity_type=user_account")
        .await
        .json()
        .await
        .expect("json");
    assert!(page["total"].as_i64().expect("total") > 0, "{page}");
    // The page is filtered the same way.
    let html = manager
        .get("/audit?entity_type=user_account")
        .await
        .text()
        .await
        .expect("html");
    assert!(!html.contains("login_succeeded") && !html.contains("Login succeeded"));
}

async fn nul_and_control_characters_are_refused_before_anything_is_stored(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let events = app.count("audit_event").await;
    let people = app.count("person").await;
    let nul_name = json!({"name": "Eve\u{0}", "email": "eve@example.com", "department": "Ops",
        "start_date": "2025-01-01"});
    let p = problem(manager.post_json("/api/v1/people", &nul_name).await, 400).await;
    assert!(p["detail"].as_str().unwrap_or("").contains("NUL"), "{p}");
    let p = problem(
        app.anonymous()
            .post_json(
                "/api/v1/session",
                &json!({"email": "a\u{0}@example.com", "password": "x"}),
            )
            .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap_or("").contains("NUL"), "{p}");
    problem(manager.get("/api/v1/people?q=%00").await, 400).await;
    let escape = json!({"name": "Eve\u{1b}[31m", "email": "eve@example.com", "department": "Ops",
        "start_date": "2025-01-01"});
    let p = problem(manager.post_json("/api/v1/people", &escape).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "name", "{p}");
    let process = json!({"name": "Access\u{7}review", "objective": "x", "cadence": "FREQ=MONTHLY"});
    let p = problem(manager.post_json("/api/v1/processes", &process).await, 422).await;
    assert!(
        p["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "name"),
        "{p}"
    );
    assert_eq!(app.count("person").await, people);
    assert_eq!(app.count("audit_event").await, events, "nothing stored");
}

async fn text_has_limits_even_for_strangers(db: Db) {
    let app = spawn_app(db).await;
    let events = app.count("audit_event").await;
    let huge = format!("{}@example.com", "a".repeat(1_000_000));
    for _ in 0..3 {
        let p = problem(
            app.anonymous()
                .post_json(
                    "/api/v1/session",
                    &json!({"email": huge, "password": "wrong"}),
                )
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "email");
    }
    let resp = form_login(&app, &format!("{}@example.com", "a".repeat(300)), "/").await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(html.contains("at most 254 characters"), "the form says why");
    assert!(
        !html.contains(&"a".repeat(300)),
        "and does not echo the text back"
    );
    assert_eq!(
        app.count("audit_event").await,
        events,
        "an oversized login stores nothing"
    );
    let manager = app.login(Role::Manager).await;
    let events = app.count("audit_event").await;
    let long = "x".repeat(10_001);
    let p = problem(
        manager
            .post_json(
                "/api/v1/tasks",
                &json!({"title": "Check", "description": long,
                    "due_at": "2027-01-01T00:00:00Z"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "description", "{p}");
    let p = problem(
        manager
            .post_json(
                "/api/v1/tasks",
                &json!({"title": "t".repeat(201), "due_at": "2027-01-01T00:00:00Z"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "title", "{p}");
    assert_eq!(app.count("audit_event").await, events);
}

async fn headers_guard_every_kind_of_answer(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let anonymous = app.anonymous();
    let answers = [
        ("login page", anonymous.get("/login").await),
        ("redirect", anonymous.get("/processes").await),
        ("page", manager.get("/processes").await),
        ("api", manager.get("/api/v1/me").await),
        ("problem", anonymous.get("/api/v1/me").await),
        ("not found", manager.get("/nowhere").await),
        ("static", anonymous.get("/static/app.css").await),
        ("openapi", anonymous.get("/api/openapi.json").await),
        ("health", anonymous.get("/healthz").await),
    ];
    for (kind, resp) in &answers {
        let h = resp.headers();
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
        let csp = get("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{kind}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{kind}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{kind}: {csp}");
        assert_eq!(get("x-frame-options"), "DENY", "{kind}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{kind}");
        assert_eq!(get("referrer-policy"), "same-origin", "{kind}");
        assert_eq!(get("strict-transport-security"), "", "{kind}: HTTP only");
    }
    let html = manager.get("/processes").await.text().await.expect("html");
    assert!(
        !html.contains("<script>") && !html.contains("style=\""),
        "no inline script or style for the policy to block"
    );
    let https = spawn_app_with(
        db,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await;
    let resp = https.anonymous().get("/login").await;
    assert_eq!(
        resp.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
}

async fn guesses_are_counted_before_they_are_checked(db: Db) {
    let app = spawn_app(db).await;
    let failed = |app: &TestApp| {
        let pool = app.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from audit_event where action = 'login_failed'",
            )
            .fetch_one(&pool)
            .await
            .expect("count")
        }
    };
    // Forty wrong passwords at once for one account: only the attempts the back-off allows
    // are ever evaluated (the free ones and the one that sets the lock).
    let mut calls = Vec::new();
    let started = std::time::Instant::now();
    for _ in 0..40 {
        let s = app.anonymous();
        calls.push(tokio::spawn(async move {
            s.post_json(
                "/api/v1/session",
                &json!({"email": email(Role::Owner), "password": "a wrong guess here"}),
            )
            .await
            .status()
            .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for c in calls {
        statuses.push(c.await.expect("join"));
    }
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    // The lock lasts 1 s, then 2, 4…: on a slow machine a burst that outlasts a lock may
    // rightly have one more attempt evaluated per lock that ran out, and no more.
    let elapsed = started.elapsed().as_secs_f64();
    let expired_locks = (elapsed + 1.0).log2().floor() as usize;
    assert!(
        evaluated <= 4 + expired_locks,
        "{evaluated} evaluated in {elapsed:.1} s: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        40 - evaluated
    );
    assert_eq!(failed(&app).await, i64::try_from(evaluated).expect("n"));
}

async fn a_success_of_ones_own_does_not_buy_guesses_at_others(db: Db) {
    let app = spawn_app(db).await;
    let s = app.anonymous();
    let mut guesses = 0;
    'spray: for target in [Role::Owner, Role::Auditor, Role::Member] {
        for _ in 0..4 {
            let resp = s
                .post_json(
                    "/api/v1/session",
                    &json!({"email": email(target), "password": "a wrong guess here"}),
                )
                .await;
            if resp.status() == 429 {
                break 'spray;
            }
            guesses += 1;
            // The attacker logs into their own account between guesses.
            let own = s
                .post_json(
                    "/api/v1/session",
                    &json!({"email": email(Role::Manager), "password": PASSWORD}),
                )
                .await;
            if own.status() == 429 {
                break 'spray;
            }
        }
    }
    assert!(guesses <= 4, "{guesses} guesses from one address");
}

async fn password_change_is_throttled_and_ends_tokens(db: Db) {
    let app = spawn_app(db).await;
    let mut s = app.login(Role::Owner).await;
    let token = s
        .post_json("/api/v1/tokens", &json!({"name": "ci"}))
        .await
        .json::<Value>()
        .await
        .expect("json");
    let expires = chrono::DateTime::parse_from_rfc3339(
        token["token"]["expires_at"]
            .as_str()
            .expect("expiry by default"),
    )
    .expect("time");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((89..=90).contains(&days), "{days} days");
    let secret = token["secret"].as_str().expect("secret").to_owned();
    let bearer = crate::helpers::Session {
        bearer: Some(secret),
        csrf: None,
        ..app.anonymous()
    };
    assert_eq!(bearer.get("/api/v1/me").await.status(), 200);
    let listed: Value = s.get("/api/v1/tokens").await.json().await.expect("json");
    assert!(
        listed["items"][0]["last_used_at"].is_string(),
        "last use shown: {listed}"
    );
    problem(
        s.post_json(
            "/api/v1/tokens",
            &json!({"name": "forever", "expires_in_days": 3650}),
        )
        .await,
        422,
    )
    .await;

    for _ in 0..4 {
        let p = problem(
            s.post_json(
                "/api/v1/me/password",
                &json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "current_password");
    }
    problem(
        s.post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await,
        429,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        s.post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await
        .status(),
        204
    );
    problem(bearer.get("/api/v1/me").await, 401).await;
    s.csrf = s.csrf.take();
    assert_eq!(
        s.get("/api/v1/me").await.status(),
        200,
        "this session stays"
    );
}

async fn small_holes_are_closed(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    // A weak ETag cannot guard a change.
    let p = problem(
        manager
            .patch_json(
                &format!("/api/v1/people/{}", app.person_id),
                &json!({"department": "Platform"}),
                Some("W/\"1\""),
            )
            .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap_or("").contains("strong"), "{p}");
    // A label is matched as written, wildcards included.
    let page: Value = manager
        .get("/api/v1/tasks?label=%25")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 0, "{page}");
    let page: Value = manager
        .get("/api/v1/tasks?q=%25")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 0, "{page}");
    // Dates outside 1900–2200.
    for day in ["0000-01-01", "-0001-01-01", "+10000-01-01", "1899-12-31"] {
        let resp = manager
            .post_json(
                "/api/v1/people",
                &json!({"name": "Old", "email": "old@example.com", "department": "Ops",
                    "start_date": day}),
            )
            .await;
        assert!(
            resp.status() == 422 || resp.status() == 400,
            "{day}: {}",
            resp.status()
        );
    }
    assert_eq!(
        manager
            .post_json(
                "/api/v1/people",
                &json!({"name": "New", "email": "new@example.com", "department": "Ops",
                    "start_date": "2200-12-31"}),
            )
            .await
            .status(),
        201
    );
}

async fn evidence_names_are_safe_and_uploads_keep_the_token_out_of_the_address(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let form = |with_field: bool| {
        let f = reqwest::multipart::Form::new();
        let f = if with_field {
            f.text("_csrf", owner.csrf.clone().expect("csrf"))
        } else {
            f
        };
        f.text("requirement", "firewall change log").part(
            "file",
            reqwest::multipart::Part::bytes(b"rule,port\nallow,443\n".to_vec())
                .file_name("rules\u{202E}vsc.exe")
                .mime_str("text/csv")
                .expect("mime"),
        )
    };
    // The token in the address is not accepted for a form post.
    let csrf = owner.csrf.clone().expect("csrf");
    let page = format!("/my-work/tasks/{}/evidence", app.task_id);
    let resp = owner
        .client
        .post(format!("{}{page}?_csrf={csrf}", owner.base))
        .multipart(form(false))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 403);
    let files = app.count("evidence").await;
    let resp = owner
        .client
        .post(format!("{}{page}", owner.base))
        .multipart(form(true))
        .send()
        .await
        .expect("send");
    assert!(
        resp.status().is_redirection() || resp.status() == 200,
        "{}",
        resp.status()
    );
    assert_eq!(app.count("evidence").await, files + 1);
    let (id, name): (String, String) =
        sqlx::query_as("select id, filename from evidence order by created_at desc limit 1")
            .fetch_one(app.store.pool())
            .await
            .expect("stored");
    assert_eq!(name, "rulesvsc.exe", "stored without the direction mark");
    let download = owner.get(&format!("/api/v1/evidence/{id}")).await;
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''rulesvsc.exe"),
        "{disposition}"
    );
    let csp = download
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(csp.contains("sandbox"), "{csp}");
}

crate::on_both_databases!(
    evidence_names_are_safe_and_uploads_keep_the_token_out_of_the_address,
    login_never_leads_off_site,
    a_feed_ends_with_its_makers_access,
    the_trail_shows_a_reader_only_what_their_role_may_read,
    nul_and_control_characters_are_refused_before_anything_is_stored,
    text_has_limits_even_for_strangers,
    headers_guard_every_kind_of_answer,
    guesses_are_counted_before_they_are_checked,
    a_success_of_ones_own_does_not_buy_guesses_at_others,
    password_change_is_throttled_and_ends_tokens,
    small_holes_are_closed,
);
