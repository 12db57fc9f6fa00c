//! Pages that speak the user's language: dashboard figures that open the lists behind them and
//! agree with them, a personal strip, navigation by role, area pages that list what exists, and
//! login accounts linked to people.

use holdfast_core::account::Role;
use serde_json::Value;

use crate::helpers::{Db, spawn_app};

/// The number a tile links to: the total of the list behind it.
async fn total(s: &crate::helpers::Session, path: &str) -> i64 {
    let v: Value = s.get(path).await.json().await.expect("json");
    v["total"].as_i64().unwrap_or_else(|| panic!("{path}: {v}"))
}

async fn every_tile_opens_the_list_behind_it_and_they_agree(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let html = manager.get("/").await.text().await.expect("html");
    for link in [
        "href=\"/people?status=active\"",
        "href=\"/runs?overdue=true\"",
        "href=\"/runs?due_this_week=true\"",
        "href=\"/tasks?breached=true\"",
        "href=\"/audit\"",
    ] {
        assert!(html.contains(link), "the dashboard links {link}");
    }
    let d: Value = manager
        .get("/api/v1/dashboard")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        d["people_active"],
        total(&manager, "/api/v1/people?status=active").await
    );
    assert_eq!(
        d["runs_overdue"],
        total(&manager, "/api/v1/activities?overdue=true").await
    );
    assert_eq!(
        d["runs_due_this_week"],
        total(&manager, "/api/v1/activities?due_this_week=true").await
    );
    assert_eq!(
        d["tasks_open"],
        total(&manager, "/api/v1/tasks?open=true").await
    );
    assert_eq!(
        d["tasks_breached"],
        total(&manager, "/api/v1/tasks?breached=true").await
    );
    assert_eq!(
        d["audit_events"],
        total(&manager, "/api/v1/audit-events").await
    );
    for page in [
        "/runs?overdue=true",
        "/runs?due_this_week=true",
        "/tasks?breached=true",
    ] {
        assert_eq!(manager.get(page).await.status(), 200, "{page}");
    }
}

async fn the_dashboard_shows_my_own_work_and_members_see_only_theirs(db: Db) {
    let app = spawn_app(db).await;
    let member = app.login(Role::Member).await;
    let html = member.get("/").await.text().await.expect("html");
    assert!(html.contains("id=\"mine\""));
    assert!(
        html.contains("open runs given to you"),
        "the member has a run: {html}"
    );
    assert!(html.contains("href=\"/my-work\""));
    assert!(
        !html.contains("href=\"/planning\""),
        "no management areas for a member"
    );
    assert!(!html.contains("href=\"/interactions\""));
    let admin = app.login(Role::Admin).await;
    let html = admin.get("/").await.text().await.expect("html");
    assert!(
        html.contains("not linked to a person"),
        "an unlinked login is told why"
    );
    let auditor = app.login(Role::Auditor).await;
    let html = auditor.get("/readiness").await.text().await.expect("html");
    assert!(
        !html.contains("href=\"/my-work\""),
        "an auditor has no My work"
    );
}

async fn area_pages_list_what_exists(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let context = manager.get("/context").await.text().await.expect("html");
    assert!(context.contains("href=\"/processes\""));
    assert!(context.contains("href=\"/processes/map\""));
    assert!(!context.contains("not built yet"));
    let operation = manager.get("/operation").await.text().await.expect("html");
    assert!(operation.contains("href=\"/my-work\"") && operation.contains("href=\"/tasks\""));
    let improvement = manager
        .get("/improvement")
        .await
        .text()
        .await
        .expect("html");
    assert!(improvement.contains("Nothing of this area is in Holdfast yet"));
}

async fn an_admin_links_a_login_to_a_person_and_changes_its_role(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.login(Role::Admin).await;
    let account = &app.accounts[&Role::Auditor];
    let page = format!("/users/{account}");
    let html = admin.get(&page).await.text().await.expect("html");
    assert!(html.contains("Not linked to a person"));
    let events = app.count("audit_event").await;
    let post = |fields: Vec<(&'static str, String)>| {
        let rb = admin
            .client
            .post(format!("{}{page}", admin.base))
            .form(&fields);
        async move { rb.send().await.expect("request") }
    };
    let csrf = admin.csrf.clone().unwrap_or_default();
    let refused = post(vec![
        ("_csrf", csrf.clone()),
        ("version", "1".into()),
        ("role", "owner".into()),
        ("person_email", "nobody@example.com".into()),
    ])
    .await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.expect("html");
    assert!(
        text.contains("<a href=\"#person_email\">Person: nobody in the people list"),
        "{text}"
    );
    assert!(
        text.contains("value=\"nobody@example.com\""),
        "what was typed is kept"
    );
    assert_eq!(app.count("audit_event").await, events, "nothing stored");
    let done = post(vec![
        ("_csrf", csrf),
        ("version", "1".into()),
        ("role", "owner".into()),
        ("person_email", "max@example.com".into()),
    ])
    .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        app.count("audit_event").await,
        events + 1,
        "one audited change"
    );
    let a: Value = admin
        .get(&format!("/api/v1/users/{account}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(a["role"], "owner");
    assert_eq!(a["person_id"], app.member_person_id.as_str());
    let list = admin.get("/users").await.text().await.expect("html");
    assert!(list.contains("Max Member"), "the list names the person");
    assert!(list.contains("Process owner"), "and the role in words");
}

async fn a_task_page_says_why_it_exists_and_done_asks_for_a_comment(db: Db) {
    let app = spawn_app(db).await;
    let member = app.login(Role::Member).await;
    let page = format!("/tasks/{}", app.member_task_id);
    let html = member.get(&page).await.text().await.expect("html");
    assert!(html.contains("Read the acceptable use policy"));
    assert!(html.contains("Created by hand"), "the source in words");
    assert!(
        html.contains("href=\"/my-work\"") && !html.contains("href=\"/processes/"),
        "a member is led back to their work, never to pages they may not open"
    );
    assert!(html.contains("Max Member"), "who does it, by name");
    assert!(
        html.contains("name=\"comment\""),
        "their own task can be done here"
    );
    let csrf = member.csrf.clone().unwrap_or_default();
    let events = app.count("audit_event").await;
    let post = |comment: &'static str| {
        let rb = member
            .client
            .post(format!(
                "{}/my-work/tasks/{}/complete",
                member.base, app.member_task_id
            ))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", "1"),
                ("back", "task"),
                ("comment", comment),
            ]);
        async move { rb.send().await.expect("request") }
    };
    let refused = post("   ").await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.expect("html");
    assert!(
        text.contains("<a href=\"#comment\">What was done: say in a comment what was done"),
        "{text}"
    );
    assert_eq!(app.count("audit_event").await, events, "nothing stored");
    let done = post("Read and signed it").await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(page.as_str())
    );
    let html = member.get(&page).await.text().await.expect("html");
    assert!(
        html.contains("Read and signed it"),
        "the comment is on the page"
    );
    assert!(
        html.contains("id=\"task-completed\""),
        "and when it was completed"
    );
    assert!(
        html.contains(&crate::helpers::email(Role::Member)),
        "and by whom"
    );
    assert!(
        !html.contains("name=\"comment\""),
        "a done task has no Done form"
    );
    let auditor = app.login(Role::Auditor).await;
    let seen = auditor
        .get(&format!("/tasks/{}", app.task_id))
        .await
        .text()
        .await
        .expect("html");
    assert!(seen.contains("Check the firewall rules"));
    assert!(
        seen.contains("its rule asks for evidence"),
        "the evidence it needs"
    );
    assert!(
        !seen.contains("name=\"comment\""),
        "an auditor reads, never completes"
    );
}

async fn a_new_person_gets_a_manager_picked_by_email_and_a_wrong_one_is_named(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let csrf = manager.csrf.clone().unwrap_or_default();
    let events = app.count("audit_event").await;
    let post = |boss: &'static str| {
        let rb = manager
            .client
            .post(format!("{}/people/new", manager.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("name", "Grace Hopper"),
                ("email", "grace@example.com"),
                ("department", "Engineering"),
                ("manager_email", boss),
                ("employment_status", "active"),
                ("start_date", "2026-11-02"),
                ("end_date", ""),
            ]);
        async move { rb.send().await.expect("request") }
    };
    let refused = post("nobody@example.com").await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("<a href=\"#manager_email\">Manager: nobody in the people list"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Grace Hopper\""),
        "what was typed is kept"
    );
    assert!(!html.contains("manager_id"), "no internal key on the page");
    assert_eq!(app.count("audit_event").await, events, "nothing stored");
    let added = post("ada@example.com").await;
    assert_eq!(added.status(), 303);
    let to = added
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let page = manager.get(&to).await.text().await.expect("html");
    assert!(
        page.contains(&format!(
            "<a href=\"/people/{}\">Ada Lovelace</a>",
            app.person_id
        )),
        "the manager by name"
    );
    assert!(
        page.contains("value=\"ada@example.com\""),
        "and in the picker"
    );
}

crate::on_both_databases!(
    a_new_person_gets_a_manager_picked_by_email_and_a_wrong_one_is_named,
    a_task_page_says_why_it_exists_and_done_asks_for_a_comment,
    every_tile_opens_the_list_behind_it_and_they_agree,
    the_dashboard_shows_my_own_work_and_members_see_only_theirs,
    area_pages_list_what_exists,
    an_admin_links_a_login_to_a_person_and_changes_its_role
);
