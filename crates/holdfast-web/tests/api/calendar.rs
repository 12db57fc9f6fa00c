//! Calendar feeds: made by their owner, read by a real iCalendar parser at a secret URL,
//! refused when asked for what the caller may not see, and dead once revoked.

use std::io::Write;
use std::process::{Command, Stdio};

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};

/// Parses an iCalendar document with Python's `icalendar` package and returns each event's
/// UID, summary and start, so the feed is judged by a parser calendar programs rely on.
fn parse_with_icalendar(text: &str) -> Vec<Value> {
    let script = r#"
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
print(json.dumps({
    "name": str(cal.get("X-WR-CALNAME")),
    "events": [{"uid": str(e.get("UID")), "summary": str(e.get("SUMMARY")),
                "start": e.decoded("DTSTART").isoformat()} for e in cal.walk("VEVENT")],
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with icalendar (pip install icalendar)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write feed");
    let out = child.wait_with_output().expect("parser");
    assert!(
        out.status.success(),
        "icalendar could not parse the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("parser output");
    assert!(
        parsed["name"]
            .as_str()
            .unwrap_or("")
            .starts_with("Holdfast"),
        "{parsed}"
    );
    parsed["events"].as_array().expect("events").clone()
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").expect("absolute URL").1;
    rest[rest.find('/').expect("path")..].to_owned()
}

/// Ada's open runs (the whole planning horizon, as a calendar shows) and open tasks.
async fn open_work_of_ada(app: &TestApp) -> usize {
    let s = app.login(Role::Owner).await;
    let mut n = 0;
    for list in ["activities?assignee_id", "tasks?owner_id"] {
        let page: Value = s
            .get(&format!("/api/v1/{list}={}&open=true", app.person_id))
            .await
            .json()
            .await
            .expect("json");
        n += usize::try_from(page["total"].as_i64().expect("total")).expect("count");
    }
    n
}

async fn an_owner_follows_their_work_in_a_calendar_until_they_revoke_it(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let resp = owner.post_json("/api/v1/calendar-feeds", &json!({})).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    let url = created["url"].as_str().expect("url");
    assert!(url.starts_with("http://") && url.ends_with(".ics"), "{url}");
    assert_eq!(created["feed"]["kind"], "person");

    let anonymous = app.anonymous();
    let resp = anonymous.get(&path_of(url)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/calendar; charset=utf-8")
    );
    let events = parse_with_icalendar(&resp.text().await.expect("text"));
    assert_eq!(events.len(), open_work_of_ada(&app).await);
    assert!(
        events
            .iter()
            .any(|e| e["summary"] == "Task: Check the firewall rules"),
        "the open task is in the feed: {events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["uid"].as_str().is_some_and(|u| u.ends_with("@holdfast")))
    );

    // The list never shows the secret again.
    let listed: Value = owner
        .get("/api/v1/calendar-feeds")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["total"], 1);
    assert!(!listed.to_string().contains("hfcal_"));

    // Someone else cannot revoke it; its owner can, and the URL dies at once.
    let id = created["feed"]["id"].as_str().expect("id");
    let manager = app.login(Role::Manager).await;
    let resp = manager
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/calendar-feeds/{id}"),
            None,
            "application/json",
        )
        .await;
    problem(resp, 404).await;
    let resp = owner
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/calendar-feeds/{id}"),
            None,
            "application/json",
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(anonymous.get(&path_of(url)).await.status(), 404);
    assert_eq!(
        anonymous
            .get("/calendar/hfcal_not-a-real-secret.ics")
            .await
            .status(),
        404
    );
    crate::helpers::history_matches(&app).await;
}

async fn a_process_feed_lists_the_process_runs_and_needs_read_access(db: Db) {
    let app = spawn_app(db).await;
    let auditor = app.login(Role::Auditor).await;
    let created: Value = auditor
        .post_json(
            "/api/v1/calendar-feeds",
            &json!({"process_id": app.process_id}),
        )
        .await
        .json()
        .await
        .expect("json");
    let text = app
        .anonymous()
        .get(&path_of(created["url"].as_str().expect("url")))
        .await
        .text()
        .await
        .expect("text");
    let events = parse_with_icalendar(&text);
    assert!(
        events
            .iter()
            .any(|e| e["summary"] == "Run: Change management"),
        "{events:?}"
    );

    let before = app.count("calendar_feed").await;
    let member = app.login(Role::Member).await;
    let resp = member
        .post_json(
            "/api/v1/calendar-feeds",
            &json!({"process_id": app.process_id}),
        )
        .await;
    problem(resp, 403).await;
    let admin = app.login(Role::Admin).await;
    let body = problem(
        admin
            .post_json("/api/v1/calendar-feeds", &json!({"process_id": "nope"}))
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "process_id");
    let body = problem(
        admin
            .post_json(
                "/api/v1/calendar-feeds",
                &json!({"process_id": uuid::Uuid::new_v4().to_string()}),
            )
            .await,
        422,
    )
    .await;
    assert!(body.to_string().contains("no process"), "{body}");
    // An administrator's login has no person, so no work of its own to follow.
    let body = problem(
        admin.post_json("/api/v1/calendar-feeds", &json!({})).await,
        422,
    )
    .await;
    assert!(
        body.to_string().contains("not linked to a person"),
        "{body}"
    );
    problem(
        admin
            .post_json("/api/v1/calendar-feeds", &json!({"person": "me"}))
            .await,
        422,
    )
    .await;
    assert_eq!(app.count("calendar_feed").await, before, "nothing stored");
}

async fn the_profile_page_makes_shows_once_and_revokes_a_feed(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let csrf = owner.csrf.clone().expect("csrf");
    let resp = owner
        .send(
            reqwest::Method::POST,
            "/me/calendar-feeds",
            Some(format!("_csrf={csrf}&process_id=")),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(resp.status(), 201);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("id=\"new-feed-url\""),
        "the URL is shown once"
    );
    assert!(html.contains("My work"));
    assert_eq!(
        html.matches("id=\"calendar\"").count(),
        1,
        "the feeds section appears once, in the page body"
    );
    let title = &html[html.find("<title>").expect("title")..html.find("</title>").expect("title")];
    assert!(!title.contains("Calendar"), "{title}");
    let again = owner.get("/me").await.text().await.expect("html");
    assert!(!again.contains("new-feed-url") && !again.contains("hfcal_"));
    let id: String = sqlx::query_scalar("select id from calendar_feed")
        .fetch_one(app.store.pool())
        .await
        .expect("feed id");
    let resp = owner
        .send(
            reqwest::Method::POST,
            &format!("/me/calendar-feeds/{id}/revoke"),
            Some(format!("_csrf={csrf}")),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("revoked"));
    let revoked: Option<String> = sqlx::query_scalar("select revoked_at from calendar_feed")
        .fetch_one(app.store.pool())
        .await
        .expect("revoked_at");
    assert!(revoked.is_some());
}

crate::on_both_databases!(
    an_owner_follows_their_work_in_a_calendar_until_they_revoke_it,
    a_process_feed_lists_the_process_runs_and_needs_read_access,
    the_profile_page_makes_shows_once_and_revokes_a_feed,
);
