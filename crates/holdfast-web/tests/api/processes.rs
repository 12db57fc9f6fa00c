//! The process API: definitions, runs with evidence, tasks, rules, readiness — and every
//! class of bad input answered with problem details and nothing stored.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};

async fn stored(app: &TestApp) -> i64 {
    app.count("audit_event").await
}

fn process_body(cadence: &str, owner: &str) -> Value {
    json!({"name": "Firewall review", "objective": "Keep only the rules we need", "owner_id": owner, "cadence": cadence,
           "evidence": ["rule export"], "clauses": ["8.1"], "controls": ["8.20"], "status": "active"})
}

async fn bad_process_definitions_say_what_is_wrong(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let admin = app.login(Role::Admin).await;
    let before = stored(&app).await;
    let p = problem(
        s.post_json(
            "/api/v1/processes",
            &process_body("FREQ=FORTNIGHTLY", &app.person_id),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cadence");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not valid"),
        "{p}"
    );
    assert_eq!(stored(&app).await, before, "nothing stored");
    // An owner who is not an active person.
    let etag = "\"1\"";
    assert_eq!(
        admin
            .patch_json(
                &format!("/api/v1/people/{}", app.member_person_id),
                &json!({"employment_status": "left", "end_date": "2026-11-01"}),
                Some(etag)
            )
            .await
            .status(),
        200
    );
    let before = stored(&app).await;
    let p = problem(
        s.post_json(
            "/api/v1/processes",
            &process_body("FREQ=MONTHLY;BYMONTHDAY=1", &app.member_person_id),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "owner_id");
    let mut unknown = process_body("FREQ=MONTHLY;BYMONTHDAY=1", &app.person_id);
    unknown["controls"] = json!(["9.99"]);
    problem(s.post_json("/api/v1/processes", &unknown).await, 422).await;
    assert_eq!(stored(&app).await, before, "nothing stored");
    let created = s
        .post_json(
            "/api/v1/processes",
            &process_body("FREQ=MONTHLY;BYMONTHDAY=1", &app.person_id),
        )
        .await;
    assert_eq!(created.status(), 201);
}

async fn looping_rules_and_non_positive_slas_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Manager).await;
    let before = stored(&app).await;
    let body = |event: &str, sla: i64| json!({"from_process": app.process_id, "event": event, "to_process": app.process_id, "task_title": "Again", "sla_hours": sla});
    let p = problem(
        s.post_json("/api/v1/interactions", &body("task_done", 24))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "to_process");
    let p = problem(
        s.post_json("/api/v1/interactions", &body("person_left", 0))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "sla_hours");
    problem(
        s.post_json("/api/v1/interactions", &body("sometimes", 24))
            .await,
        422,
    )
    .await;
    assert_eq!(stored(&app).await, before);
}

async fn a_run_closes_only_with_its_evidence_and_reopens_only_with_a_reason(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let token = app.token(Role::Owner).await;
    let path = format!("/api/v1/activities/{}", app.activity_id);
    let before = stored(&app).await;
    let p = problem(
        owner
            .post_json_if(
                &format!("{path}/close"),
                &json!({"comment": "done"}),
                "\"1\"",
            )
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "evidence");
    assert_eq!(stored(&app).await, before);
    // Upload: empty, wrong type, too large.
    let upload = |name: &str, ct: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_owned())
                    .mime_str(ct)
                    .expect("mime"),
            )
            .text("description", "Rule export");
        owner
            .with_csrf(
                owner
                    .client
                    .post(format!("{}/api/v1/evidence", owner.base))
                    .multipart(form),
            )
            .send()
    };
    problem(
        upload("e.txt", "text/plain", vec![]).await.expect("send"),
        422,
    )
    .await;
    problem(
        upload("e.exe", "application/x-msdownload", b"MZ".to_vec())
            .await
            .expect("send"),
        422,
    )
    .await;
    let boundary = "holdfast-test-boundary";
    let mut big = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    big.extend(vec![b'a'; 11 * 1024 * 1024]);
    big.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    crate::helpers::assert_too_large(
        &app.post_oversized(
            "/api/v1/evidence",
            &token,
            &format!("multipart/form-data; boundary={boundary}"),
            big,
        )
        .await,
    );
    assert_eq!(stored(&app).await, before);
    let ev: Value = upload("rules.csv", "text/csv", b"rule,port\nallow,443\n".to_vec())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let ev_id = ev["id"].as_str().expect("id");
    let a: Value = owner
        .post_json(
            &format!("{path}/evidence"),
            &json!({"requirement": "change log", "evidence_id": ev_id}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(a["evidence"], json!(["change log"]));
    let version = format!("\"{}\"", a["version"]);
    let closed = owner
        .post_json_if(
            &format!("{path}/close"),
            &json!({"comment": "Reviewed 3 changes"}),
            &version,
        )
        .await;
    assert_eq!(closed.status(), 200);
    let closed: Value = closed.json().await.expect("json");
    assert_eq!(closed["status"], "done");
    let v = format!("\"{}\"", closed["version"]);
    problem(
        owner
            .post_json_if(&format!("{path}/reopen"), &json!({"reason": " "}), &v)
            .await,
        422,
    )
    .await;
    problem(
        owner
            .post_json_if(&format!("{path}/skip"), &json!({"reason": "busy"}), &v)
            .await,
        403,
    )
    .await;
    let reopened = owner
        .post_json_if(
            &format!("{path}/reopen"),
            &json!({"reason": "Wrong export attached"}),
            &v,
        )
        .await;
    assert_eq!(reopened.status(), 200);
    let actions: Vec<String> = sqlx::query_scalar("select action from audit_event where entity_type = 'activity' and entity_id = $1 order by seq")
        .bind(&app.activity_id)
        .fetch_all(app.store.pool())
        .await
        .expect("events");
    assert_eq!(
        actions,
        ["planned", "evidence_attached", "closed", "reopened"]
    );
    let download = owner.get(&format!("/api/v1/evidence/{ev_id}")).await;
    assert_eq!(
        download
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv")
    );
    assert_eq!(
        download.bytes().await.expect("bytes").as_ref(),
        b"rule,port\nallow,443\n"
    );
    crate::helpers::history_matches(&app).await;
}

async fn readiness_and_the_map_come_from_live_records(db: Db) {
    let app = spawn_app(db).await;
    let s = app.login(Role::Auditor).await;
    let r: Value = s.get("/api/v1/readiness").await.json().await.expect("json");
    assert!(r["findings"].is_array());
    let map: Value = s
        .get("/api/v1/processes/map")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(map["nodes"].as_array().map(Vec::len), Some(15));
    assert_eq!(map["edges"].as_array().map(Vec::len), Some(14));
    let svg = s.get("/processes/map.svg").await;
    assert_eq!(
        svg.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/svg+xml")
    );
    let text = svg.text().await.expect("svg");
    assert!(
        text.starts_with("<svg")
            && text.contains("Access review")
            && text.contains("Person left · 1 day")
            && !text.contains("person_left"),
        "{}",
        &text[..200.min(text.len())]
    );
}

async fn tasks_validate_and_complete_with_an_sla_outcome(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let manager = app.login(Role::Manager).await;
    let before = stored(&app).await;
    problem(
        owner
            .post_json(
                "/api/v1/tasks",
                &json!({"title": " ", "due_at": "2026-12-24T12:00:00Z"}),
            )
            .await,
        422,
    )
    .await;
    problem(
        owner
            .post_json("/api/v1/tasks", &json!({"title": "x", "due_at": "soon"}))
            .await,
        422,
    )
    .await;
    problem(
        owner
            .post_json(
                "/api/v1/tasks",
                &json!({"title": "x", "due_at": "2026-12-24T12:00:00Z", "priority": "urgent"}),
            )
            .await,
        422,
    )
    .await;
    let stranger = json!({"title": "x", "due_at": "2026-12-24T12:00:00Z", "owner_id": "0190f0c4-0000-7000-8000-000000000000"});
    problem(owner.post_json("/api/v1/tasks", &stranger).await, 403).await;
    problem(manager.post_json("/api/v1/tasks", &stranger).await, 422).await;
    assert_eq!(stored(&app).await, before);
    let path = format!("/api/v1/tasks/{}/complete", app.task_id);
    let said = json!({"comment": "Checked the firewall change"});
    problem(owner.post_json_if(&path, &said, "\"7\"").await, 412).await;
    // Done needs a comment saying what was done; a blank one stores nothing.
    problem(owner.post_json_if(&path, &json!({}), "\"1\"").await, 422).await;
    let blank = problem(
        owner
            .post_json_if(&path, &json!({"comment": "  "}), "\"1\"")
            .await,
        422,
    )
    .await;
    assert!(
        blank["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["field"] == "comment")),
        "{blank}"
    );
    // This task needs evidence: without it, it cannot be done, so it can never count as met.
    let unevidenced = problem(owner.post_json_if(&path, &said, "\"1\"").await, 422).await;
    assert_eq!(
        unevidenced["errors"][0]["field"], "evidence",
        "{unevidenced}"
    );
    assert_eq!(stored(&app).await, before);
    let attached = owner
        .post_json(
            &format!("/api/v1/tasks/{}/evidence", app.task_id),
            &json!({"shows": "firewall change log", "evidence_id": app.evidence_id}),
        )
        .await;
    assert!(attached.status().is_success(), "{}", attached.status());
    let done: Value = owner
        .post_json_if(&path, &said, "\"1\"")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(done["status"], "done");
    assert_eq!(done["sla"], "met");
    assert_eq!(done["comment"], "Checked the firewall change");
    crate::helpers::history_matches(&app).await;
}

async fn a_refused_close_keeps_the_typed_comment_and_stores_nothing(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let before = stored(&app).await;
    let csrf = owner.csrf.clone().expect("csrf");
    let resp = owner
        .send(
            reqwest::Method::POST,
            &format!("/my-work/activities/{}/close", app.activity_id),
            Some(format!(
                "_csrf={csrf}&version=1&comment=Reviewed+all+changes+%26+approvals"
            )),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(html.contains("role=\"alert\""), "the reason is shown");
    assert!(
        html.contains("value=\"Reviewed all changes &#38; approvals\""),
        "what was typed is kept for the next try: {}",
        &html[html
            .find(&format!("comment-{}", app.activity_id))
            .unwrap_or(0)..][..300]
    );
    assert_eq!(stored(&app).await, before, "nothing stored");
}

async fn tasks_take_evidence_and_a_refused_upload_stores_nothing(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let path = format!("/api/v1/tasks/{}/evidence", app.task_id);
    let before = stored(&app).await;
    let body = problem(
        owner
            .post_json(
                &path,
                &json!({"shows": " ", "evidence_id": app.evidence_id}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "shows");
    problem(
        owner
            .post_json(
                &path,
                &json!({"shows": "firewall export", "evidence_id": "nope"}),
            )
            .await,
        422,
    )
    .await;
    problem(
        owner
            .post_json(
                &format!("/api/v1/tasks/{}/evidence", uuid::Uuid::new_v4()),
                &json!({"shows": "firewall export", "evidence_id": app.evidence_id}),
            )
            .await,
        404,
    )
    .await;
    assert_eq!(stored(&app).await, before, "nothing stored");
    let attached: Value = owner
        .post_json(
            &path,
            &json!({"shows": "firewall export", "evidence_id": app.evidence_id}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(attached["items"][0]["shows"], "firewall export");
    assert_eq!(
        attached["items"][0]["evidence"]["id"],
        app.evidence_id.as_str()
    );
    let auditor = app.login(Role::Auditor).await;
    let listed: Value = auditor.get(&path).await.json().await.expect("json");
    assert_eq!(listed, attached, "an auditor sees the same proof");
    let page = auditor.get("/tasks").await.text().await.expect("html");
    let link = format!(
        "<a href=\"/evidence/{}\">firewall export</a>",
        app.evidence_id
    );
    assert!(page.contains(&link), "the task list links its evidence");
    assert!(
        page.contains("<td>Ada Lovelace</td>"),
        "the task list names each owner"
    );
    let file = auditor
        .get(&format!("/api/v1/evidence/{}", app.evidence_id))
        .await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), b"change log");
    let shown = auditor
        .get(&format!("/evidence/{}", app.evidence_id))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        shown.contains("SHA-256"),
        "the evidence page shows its hash"
    );
    assert!(
        shown.contains(&format!("href=\"/api/v1/evidence/{}\"", app.evidence_id)),
        "and offers the download"
    );

    // Through the page: a run's upload under a name the process does not ask for is refused
    // and leaves no file behind; a task's upload is attached.
    let files = app.count("evidence").await;
    let csrf = owner.csrf.clone().expect("csrf");
    let upload = |action: String, requirement: &str| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("requirement", requirement.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"user,revoked\nsam,yes\n".to_vec())
                    .file_name("revocations.csv")
                    .mime_str("text/csv")
                    .expect("mime"),
            );
        owner
            .client
            .post(format!("{}{action}", owner.base))
            .multipart(form)
            .send()
    };
    let resp = upload(
        format!("/my-work/activities/{}/evidence", app.activity_id),
        "something else",
    )
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .expect("html")
            .contains("this process asks for")
    );
    assert_eq!(
        app.count("evidence").await,
        files,
        "the refused file was not kept"
    );
    let resp = upload(
        format!("/my-work/tasks/{}/evidence", app.task_id),
        "revocation list",
    )
    .await
    .expect("send");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("Evidence &#34;revocation list&#34; attached."),
        "{html}"
    );
    assert_eq!(app.count("evidence").await, files + 1);
    crate::helpers::history_matches(&app).await;
}

async fn run_and_task_lists_page_in_due_order_with_a_total(db: Db) {
    let app = spawn_app(db).await;
    let auditor = app.login(Role::Auditor).await;
    for list in ["/api/v1/activities", "/api/v1/tasks"] {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut url = format!("{list}?limit=7");
        let total = loop {
            let page: Value = auditor.get(&url).await.json().await.expect("json");
            let items = page["items"].as_array().expect("items");
            assert!(items.len() <= 7);
            for i in items {
                let due = i["due_date"]
                    .as_str()
                    .or(i["due_at"].as_str())
                    .expect("due")
                    .to_owned();
                seen.push((due, i["id"].as_str().expect("id").to_owned()));
            }
            match page["next_cursor"].as_str() {
                Some(c) => url = format!("{list}?limit=7&cursor={c}"),
                None => break page["total"].as_i64().expect("total"),
            }
        };
        assert_eq!(seen.len() as i64, total, "{list}: every item once");
        assert!(total > 0, "{list} has items");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "{list} in due order");
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "{list}: no item twice");
        let body = problem(auditor.get(&format!("{list}?cursor=zz")).await, 422).await;
        assert_eq!(body["errors"][0]["field"], "cursor");
        problem(auditor.get(&format!("{list}?limit=501")).await, 422).await;
        problem(auditor.get(&format!("{list}?colour=red")).await, 400).await;
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn managers_define_and_edit_processes_in_the_browser_and_bad_forms_keep_their_input(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let csrf = manager.csrf.clone().expect("csrf");
    let edit = format!("/processes/{}/edit", app.process_id);
    let page = manager.get(&edit).await.text().await.expect("html");
    assert!(
        page.contains("value=\"ada@example.com\""),
        "the owner's email is filled in"
    );
    let manager = &manager;
    let post = |path: String, body: String| async move {
        manager
            .send(
                reqwest::Method::POST,
                &path,
                Some(body),
                "application/x-www-form-urlencoded",
            )
            .await
    };
    let before = stored(&app).await;
    let base = |cadence: &'static str, owner: &'static str, version: &'static str| {
        vec![
            ("_csrf", csrf.as_str()),
            ("name", "Change management"),
            ("objective", "Changes are assessed and approved"),
            ("owner_email", owner),
            ("cadence", cadence),
            ("evidence", "change log\napproval record"),
            ("clauses", "8.1"),
            ("controls", "8.32"),
            ("status", "active"),
            ("version", version),
        ]
    };
    let resp = post(
        edit.clone(),
        form(&base("FREQ=FORTNIGHTLY", "ada@example.com", "1")),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("<a href=\"#cadence\">How often it runs: "),
        "the bad field is named in words, linked from the summary: {html}"
    );
    assert!(
        html.contains("value=\"FREQ=FORTNIGHTLY\""),
        "what was typed is kept"
    );
    let resp = post(edit.clone(), form(&base("FREQ=WEEKLY;BYDAY=TU", "", "1"))).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("<a href=\"#owner_email\">Owner: an active process needs an owner"),
        "activation without an owner is refused, named after the field typed: {html}"
    );
    assert!(html.contains("Reads as: Weekly, on Tuesday."), "{html}");
    let resp = post(
        edit.clone(),
        form(&base("FREQ=WEEKLY;BYDAY=TU", "nobody@example.com", "1")),
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .expect("html")
            .contains("nobody in the people list has the work email")
    );
    assert_eq!(stored(&app).await, before, "nothing stored");

    let resp = post(
        edit.clone(),
        form(&base("FREQ=WEEKLY;BYDAY=TU", "ada@example.com", "1")),
    )
    .await;
    assert_eq!(
        resp.status(),
        303,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let p: Value = manager
        .get(&format!("/api/v1/processes/{}", app.process_id))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(p["cadence"], "FREQ=WEEKLY;BYDAY=TU");
    assert_eq!(p["evidence"], json!(["change log", "approval record"]));
    let resp = post(
        edit.clone(),
        form(&base("FREQ=WEEKLY;BYDAY=WE", "ada@example.com", "1")),
    )
    .await;
    assert_eq!(
        resp.status(),
        422,
        "an edit of an old version changes nothing"
    );
    assert!(resp.text().await.expect("html").contains("reload the page"));

    let mut new = base("FREQ=MONTHLY;BYMONTHDAY=15", "max@example.com", "");
    new[1] = ("name", "Firewall review");
    let resp = post("/processes/new".into(), form(&new)).await;
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let detail = manager.get(&to).await.text().await.expect("html");
    assert!(detail.contains("Firewall review") && detail.contains("Max Member"));
    // The owner sees the pages but no way to edit.
    let owner = app.login(Role::Owner).await;
    assert_eq!(owner.get(&edit).await.status(), 403);
    let detail = owner
        .get(&format!("/processes/{}", app.process_id))
        .await
        .text()
        .await
        .expect("html");
    assert!(!detail.contains("Edit this process"));
    assert!(
        detail.contains("id=\"interactions\""),
        "interactions with their SLA health"
    );
    crate::helpers::history_matches(&app).await;
}

async fn my_work_shows_what_is_due_within_a_month_not_the_whole_horizon(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let work: Value = owner
        .get("/api/v1/my-work")
        .await
        .json()
        .await
        .expect("json");
    let runs = work["activities"].as_array().expect("runs");
    let limit = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    assert!(!runs.is_empty());
    assert!(
        runs.iter().all(|r| r["due_date"]
            .as_str()
            .is_some_and(|d| *d <= *limit.as_str())),
        "{runs:?}"
    );
    let all: Value = owner
        .get(&format!(
            "/api/v1/activities?assignee_id={}&open=true",
            app.person_id
        ))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        all["total"].as_i64().expect("total") > runs.len() as i64,
        "runs planned beyond the month exist but wait"
    );
}

async fn the_task_list_searches_titles_and_pages_with_its_filters(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let due = chrono::Utc::now() + chrono::Duration::days(5);
    for n in 0..55 {
        let resp = owner
            .post_json(
                "/api/v1/tasks",
                &json!({"title": format!("Patch server {n:02}"), "due_at": due + chrono::Duration::minutes(n),
                        "process_id": app.process_id, "owner_id": app.person_id}),
            )
            .await;
        assert_eq!(resp.status(), 201);
    }
    let first = owner
        .get("/tasks?q=PATCH")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        first.contains("55 tasks"),
        "a search finds every match, in any case"
    );
    assert_eq!(first.matches("Patch server").count(), 50, "a page holds 50");
    assert!(!first.contains("Check the firewall rules"));
    let start = first.find("href=\"/tasks?").expect("a next page link") + 6;
    let next = first[start..start + first[start..].find('"').expect("end")].replace("&#38;", "&");
    let second = owner.get(&next).await.text().await.expect("html");
    assert_eq!(second.matches("Patch server").count(), 5, "{next}");
    assert!(
        second.contains("value=\"PATCH\""),
        "the search box keeps the query"
    );
    assert!(!second.contains("rel=\"next\""));
    let page: Value = owner
        .get("/api/v1/tasks?q=server%2005")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 1);
    let none: Value = owner
        .get("/api/v1/tasks?q=%25")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        none["total"], 0,
        "a % in the search is a character, not a wildcard"
    );
}

async fn post(s: &crate::helpers::Session, path: String, fields: String) -> reqwest::Response {
    let body = format!("_csrf={}&{fields}", s.csrf.clone().expect("csrf"));
    s.send(
        reqwest::Method::POST,
        &path,
        Some(body),
        "application/x-www-form-urlencoded",
    )
    .await
}

async fn runs_are_skipped_and_reopened_from_the_process_page_only_with_a_reason(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let owner = app.login(Role::Owner).await;
    let runs: Value = manager
        .get(&format!(
            "/api/v1/activities?process_id={}&open=true&limit=2",
            app.process_id
        ))
        .await
        .json()
        .await
        .expect("json");
    let (first, second) = (&runs["items"][0], &runs["items"][1]);
    let skip = format!("/activities/{}/skip", second["id"].as_str().expect("id"));
    let before = stored(&app).await;
    let resp = post(&owner, skip.clone(), "version=1&reason=busy".into()).await;
    assert_eq!(resp.status(), 403, "only an ISMS manager skips runs");
    let resp = post(&manager, skip.clone(), "version=1&reason=+".into()).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(html.contains("There is a problem"), "{html}");
    assert!(
        !html.contains("<li>reason: "),
        "errors speak in words, not keys"
    );
    assert_eq!(stored(&app).await, before, "nothing stored");
    let resp = post(
        &manager,
        skip.clone(),
        "version=1&reason=Office+move+week".into(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("was skipped"));

    // Close the first run through the API, then correct it from the page.
    let id = first["id"].as_str().expect("id");
    let attached: Value = owner
        .post_json(
            &format!("/api/v1/activities/{id}/evidence"),
            &json!({"requirement": "change log", "evidence_id": app.evidence_id}),
        )
        .await
        .json()
        .await
        .expect("json");
    let closed: Value = owner
        .post_json_if(
            &format!("/api/v1/activities/{id}/close"),
            &json!({"comment": "Reviewed"}),
            &format!("\"{}\"", attached["version"]),
        )
        .await
        .json()
        .await
        .expect("json");
    let version = closed["version"].as_i64().expect("version");
    let reopen = format!("/activities/{id}/reopen");
    let resp = post(&owner, reopen.clone(), format!("version={version}&reason=")).await;
    assert_eq!(resp.status(), 422);
    let resp = post(
        &owner,
        reopen,
        format!("version={version}&reason=Wrong+log+attached"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.expect("html").contains("was reopened"));
    let run: Value = owner
        .get(&format!("/api/v1/activities/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(run["status"], "in_progress");
    crate::helpers::history_matches(&app).await;
}

async fn a_run_is_given_to_a_colleague_in_the_api_and_on_the_process_page(db: Db) {
    let app = spawn_app(db).await;
    let owner = app.login(Role::Owner).await;
    let path = format!("/api/v1/activities/{}/assign", app.activity_id);
    let before = stored(&app).await;
    let p = problem(
        owner
            .post_json_if(&path, &json!({"assignee_id": "someone"}), "\"1\"")
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "assignee_id");
    problem(
        owner
            .post_json_if(
                &path,
                &json!({"assignee_id": app.member_person_id}),
                "\"7\"",
            )
            .await,
        412,
    )
    .await;
    problem(
        owner
            .post_json(&path, &json!({"assignee_id": app.member_person_id}))
            .await,
        428,
    )
    .await;
    assert_eq!(stored(&app).await, before, "nothing stored");
    let given: Value = owner
        .post_json_if(
            &path,
            &json!({"assignee_id": app.member_person_id}),
            "\"1\"",
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(given["assignee_id"], app.member_person_id.as_str());

    // And back, from the process page, by work email.
    let version = given["version"].as_i64().expect("version");
    let resp = post(
        &owner,
        format!("/activities/{}/assign", app.activity_id),
        format!("version={version}&reason=nobody%40example.com"),
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .expect("html")
            .contains("nobody in the people list has the work email")
    );
    let resp = post(
        &owner,
        format!("/activities/{}/assign", app.activity_id),
        format!("version={version}&reason=ada%40example.com"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("was given to ada@example.com"), "{html}");
    assert!(
        html.contains("Ada Lovelace"),
        "the page says who does each run"
    );
    crate::helpers::history_matches(&app).await;
}

async fn an_auditor_opens_the_evidence_behind_a_past_run(db: Db) {
    let app = spawn_app(db).await;
    let process: holdfast_core::ids::ProcessId = app.process_id.parse().expect("id");
    let due = chrono::Utc::now() - chrono::Duration::days(14);
    app.store
        .record_past_run(
            &holdfast_store::Actor::Cli("test"),
            &holdfast_store::PastRun {
                run: holdfast_store::PlannedRun {
                    process_id: process,
                    due_date: due.date_naive(),
                    due_at: due,
                    assignee_id: app.person_id.parse().ok(),
                },
                closed_at: due + chrono::Duration::hours(2),
                comment: "Reviewed CHG-99".into(),
                evidence: vec![("change log".into(), app.evidence_id.clone())],
            },
        )
        .await
        .expect("past run");
    let auditor = app.login(Role::Auditor).await;
    let page = auditor
        .get(&format!("/processes/{}", app.process_id))
        .await
        .text()
        .await
        .expect("html");
    let link = format!("<a href=\"/evidence/{}\">change log</a>", app.evidence_id);
    assert!(page.contains(&link), "the past run links its evidence");
    assert!(page.contains("Reviewed CHG-99"));
    assert!(
        !page.contains("/reopen"),
        "an auditor reads but corrects nothing"
    );
}

crate::on_both_databases!(
    bad_process_definitions_say_what_is_wrong,
    looping_rules_and_non_positive_slas_are_refused,
    a_run_closes_only_with_its_evidence_and_reopens_only_with_a_reason,
    readiness_and_the_map_come_from_live_records,
    tasks_validate_and_complete_with_an_sla_outcome,
    a_refused_close_keeps_the_typed_comment_and_stores_nothing,
    tasks_take_evidence_and_a_refused_upload_stores_nothing,
    run_and_task_lists_page_in_due_order_with_a_total,
    managers_define_and_edit_processes_in_the_browser_and_bad_forms_keep_their_input,
    my_work_shows_what_is_due_within_a_month_not_the_whole_horizon,
    the_task_list_searches_titles_and_pages_with_its_filters,
    runs_are_skipped_and_reopened_from_the_process_page_only_with_a_reason,
    a_run_is_given_to_a_colleague_in_the_api_and_on_the_process_page,
    an_auditor_opens_the_evidence_behind_a_past_run,
);
