//! `holdfast demo`, the README's run command: it starts, prints a working login per role,
//! serves the sample organisation, and stops cleanly on SIGTERM.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_working_logins_and_shuts_down_gracefully() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["demo", "--listen", "127.0.0.1:0", "--seed", "7"])
        .env_remove("HOLDFAST_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start demo");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .take(11)
            .collect()
    })
    .await
    .expect("read");
    let text = lines.join("\n");
    assert!(text.contains("with 120 people"), "{text}");
    assert!(text.contains("ISMS: 15 processes running"), "{text}");
    assert!(
        text.contains("Context: 8 issues, 6 interested parties with their requirements; scope version 1 approved by the chief executive; 40 assets in the inventory"),
        "{text}"
    );
    assert!(
        text.contains(
            "Risk register: 25 risks under the published 5×5 method; Statement of Applicability version 1 with all 93 controls"
        ),
        "{text}"
    );
    let url = lines
        .iter()
        .find_map(|l| {
            l.strip_prefix("Open ")
                .and_then(|r| r.split_whitespace().next())
        })
        .expect("a URL")
        .trim_end_matches('/')
        .to_owned();
    let logins: Vec<(String, String, String)> = lines
        .iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[1].contains('@'))
                .then(|| (f[0].to_owned(), f[1].to_owned(), f[2].to_owned()))
        })
        .collect();
    let roles: Vec<&str> = logins.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        roles,
        ["admin", "manager", "owner", "auditor", "member"],
        "{text}"
    );

    let client = reqwest::Client::builder()
        .cookie_store(false)
        .build()
        .expect("client");
    for (role, email, password) in &logins {
        let resp = client
            .post(format!("{url}/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login");
        assert_eq!(
            resp.status(),
            201,
            "{role} logs in with the printed password"
        );
    }
    // Without a mail server the worker records reminders, and the owner sees them in the app.
    let (_, owner_email, owner_password) = &logins[2];
    let owner = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = owner
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"email": owner_email, "password": owner_password}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 201);
    let started = std::time::Instant::now();
    let notifications = loop {
        let list: serde_json::Value = owner
            .get(format!("{url}/api/v1/notifications"))
            .send()
            .await
            .expect("notifications")
            .json()
            .await
            .expect("json");
        if list["items"].as_array().is_some_and(|l| !l.is_empty()) {
            break list["items"].clone();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the worker recorded no reminder for the IT owner"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    let me: serde_json::Value = owner
        .get(format!("{url}/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let person_email = me["person"]["email"]
        .as_str()
        .expect("the owner is a person");
    assert!(
        notifications
            .as_array()
            .expect("list")
            .iter()
            .all(|n| n["status"] == "recorded" && n["recipient"] == person_email),
        "only the owner's own, recorded: {notifications} for {me}"
    );
    let page = owner
        .get(format!("{url}/my-work"))
        .send()
        .await
        .expect("my work")
        .text()
        .await
        .expect("html");
    assert!(page.contains("shown here (no mail server)"), "{page}");

    let (_, email, password) = &logins[0];
    let resp = client
        .post(format!("{url}/api/v1/session"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    let session = cookie.split(';').next().expect("pair").to_owned();
    let dashboard: serde_json::Value = client
        .get(format!("{url}/api/v1/dashboard"))
        .header("cookie", session)
        .send()
        .await
        .expect("dashboard")
        .json()
        .await
        .expect("json");
    assert_eq!(dashboard["organisation"], "Northwind Analytics Ltd");
    assert_eq!(dashboard["locations"], 3);
    let people = dashboard["people_active"].as_i64().unwrap_or(0)
        + dashboard["people_leaving"].as_i64().unwrap_or(0)
        + dashboard["people_left"].as_i64().unwrap_or(0);
    assert_eq!(people, 120);
    assert_eq!(dashboard["departments"], 6);
    // The demo's operating rhythm: every library process running, the two runs that fell
    // behind, and the leaver's access revocation past its 24-hour SLA.
    assert_eq!(dashboard["processes_active"], 15);
    assert_eq!(dashboard["runs_overdue"], 1);
    assert_eq!(dashboard["tasks_breached"], 1);

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn demo_refuses_a_database_that_already_has_an_organisation() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let init = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args([
            "--database-url",
            &url,
            "init",
            "--admin-email",
            "a@example.com",
            "--admin-password",
            "a long enough password",
        ])
        .output()
        .expect("init");
    assert!(init.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", &url, "demo", "--no-serve"])
        .output()
        .expect("demo");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs an empty database"));
}
