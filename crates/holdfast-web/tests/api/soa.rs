//! The Statement of Applicability through the API: decisions refused without their
//! justification, drift from the published version, publishing a new frozen version, and
//! its XLSX read back with openpyxl and CSV as a spreadsheet would read it.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, field_of, spawn_app};

async fn bad_decisions_are_refused_by_field_and_nothing_is_stored(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let events = app.count("audit_event").await;
    let put = |control: &str, body: Value| {
        let path = format!("/api/v1/soa/controls/{control}");
        let s = &manager;
        async move {
            s.json_if(reqwest::Method::PUT, &path, Some(&body), Some("\"1\""))
                .await
        }
    };
    for (control, body, expected) in [
        (
            "7.4",
            json!({"applicable": false, "justification": " "}),
            "justification",
        ),
        (
            "8.24",
            json!({"applicable": true, "justification": "", "status": "implemented"}),
            "justification",
        ),
        (
            "7.4",
            json!({"applicable": false, "justification": "Remote", "status": "planned"}),
            "status",
        ),
        (
            "8.24",
            json!({"applicable": true, "justification": "Needed"}),
            "status",
        ),
        (
            "8.24",
            json!({"applicable": true, "justification": "Needed", "status": "done"}),
            "status",
        ),
        (
            "A.10.1",
            json!({"applicable": true, "justification": "Needed", "status": "planned"}),
            "control",
        ),
        (
            "8.24",
            json!({"applicable": true, "justification": "Needed", "status": "planned", "owner_id": "00000000-0000-0000-0000-000000000000"}),
            "owner_id",
        ),
    ] {
        assert_eq!(
            field_of(put(control, body).await, 422).await,
            expected,
            "{control}"
        );
    }
    assert_eq!(app.count("audit_event").await, events, "nothing recorded");
    // A first decision on a decided control, or a stale version, is refused.
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/soa/controls/8.24",
            Some(&json!({"applicable": true, "justification": "Needed", "status": "partial"})),
            None,
        )
        .await;
    assert_eq!(resp.status(), 412);
    assert_eq!(
        manager
            .json_if(
                reqwest::Method::PUT,
                "/api/v1/soa/controls/8.24",
                Some(&json!({"applicable": true, "justification": "Needed", "status": "partial"})),
                Some("\"9\""),
            )
            .await
            .status(),
        412
    );
    // No route changes or removes a published version.
    for m in [reqwest::Method::PUT, reqwest::Method::DELETE] {
        let resp = manager
            .send(
                m,
                "/api/v1/soa/versions/1",
                Some("{}".into()),
                "application/json",
            )
            .await;
        assert_eq!(resp.status(), 405);
    }
}

async fn a_change_drifts_from_the_published_version_until_the_next_is_published(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let soa: Value = manager.get("/api/v1/soa").await.json().await.expect("json");
    assert_eq!(soa["rows"].as_array().map(Vec::len), Some(93));
    assert_eq!(soa["undecided"], 0);
    assert_eq!(soa["drift"], json!([]));
    assert_eq!(soa["published"]["number"], 1);
    // The test app's risk cites 8.1 and 8.24: its reasons are derived.
    let row = |soa: &Value, c: &str| -> Value {
        soa["rows"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["control"] == c).cloned())
            .expect("row")
    };
    assert_eq!(row(&soa, "8.24")["risks"], json!(["R-001"]));
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/soa/controls/8.24",
            Some(&json!({"applicable": true, "justification": "Encryption of laptops and backups", "status": "partial"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    let soa: Value = manager.get("/api/v1/soa").await.json().await.expect("json");
    assert_eq!(
        soa["drift"],
        json!([{"control": "8.24", "changed": ["status", "justification"]}])
    );
    assert_eq!(
        soa["gaps"],
        json!([{"control": "8.24", "kind": "not_implemented", "risks": ["R-001"],
                "obligations": ["Contractual: MSA §9 (Customers)"]}])
    );
    let resp = manager.post_json("/api/v1/soa/versions", &json!({})).await;
    assert_eq!(resp.status(), 201);
    let v2: Value = resp.json().await.expect("json");
    assert_eq!(v2["number"], 2);
    let soa: Value = manager.get("/api/v1/soa").await.json().await.expect("json");
    assert_eq!(soa["drift"], json!([]));
    // Version 1 is frozen as it was approved.
    let v1: Value = manager
        .get("/api/v1/soa/versions/1")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(row(&v1, "8.24")["status"], "implemented");
    assert_ne!(v1["sha256"], v2["sha256"]);
    let list: Value = manager
        .get("/api/v1/soa/versions")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["number"], 2);
    assert_eq!(manager.get("/api/v1/soa/versions/7").await.status(), 404);
    crate::helpers::history_matches(&app).await;
}

async fn the_xlsx_opens_in_openpyxl_with_every_control_and_the_csv_is_defused(db: Db) {
    let app = spawn_app(db).await;
    let auditor = app.login(Role::Auditor).await;
    let v: Value = auditor
        .get("/api/v1/soa/versions/1")
        .await
        .json()
        .await
        .expect("json");
    let sha = v["sha256"].as_str().expect("sha").to_owned();
    let resp = auditor.get("/api/v1/soa/versions/1/xlsx").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = resp
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.contains(&format!(
            "statement-of-applicability-v1-{}.xlsx",
            &sha[..12]
        )),
        "{disposition}"
    );
    let bytes = resp.bytes().await.expect("bytes");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("soa.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Statement of Applicability"]
rows = list(ws.iter_rows(values_only=True))
assert rows[0][0] == "Control" and rows[0][4] == "Justification", rows[0]
controls = [r[0] for r in rows[1:]]
assert len(controls) == 93 and len(set(controls)) == 93, len(controls)
assert ws.freeze_panes == "A2", ws.freeze_panes
assert ws.auto_filter.ref == "A1:K94", ws.auto_filter.ref
assert rows[0][6] == "Obligations", rows[0]
obliged = dict((r[0], r[6]) for r in rows[1:] if r[6])
assert obliged == {"8.24": "Contractual: MSA §9 (Customers)"}, obliged
excluded = [r for r in rows[1:] if r[3] == "No"]
assert [r[0] for r in excluded] == ["7.4"], excluded
assert excluded[0][4] == "Offices are staffed in working hours", excluded[0][4]
about = dict((r[0], r[1]) for r in wb["About"].iter_rows(values_only=True))
print(about["Statement of Applicability"], about["SHA-256 of the version"], about["Approved by"])
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 with openpyxl (bash scripts/test installs it)");
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("version 1 {sha} Ada Lovelace")
    );
    // CSV: one line per control with the version and hash; a formula typed as a
    // justification is text.
    let manager = app.login(Role::Manager).await;
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/soa/controls/5.1",
            Some(&json!({"applicable": true, "justification": "=HYPERLINK(\"http://evil.example\")", "status": "implemented"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        manager
            .post_json("/api/v1/soa/versions", &json!({}))
            .await
            .status(),
        201
    );
    let csv = auditor
        .get("/api/v1/soa/versions/2/csv")
        .await
        .text()
        .await
        .expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 94);
    assert!(lines[0].starts_with("Control,Theme,Title,Applicable,Justification"));
    assert!(
        lines[1]
            .starts_with("5.1,Organizational,Policies for information security,Yes,\"'=HYPERLINK("),
        "{}",
        lines[1]
    );
}

async fn the_soa_pages_show_every_control_the_gaps_and_the_drift(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let html = manager.get("/soa").await.text().await.expect("html");
    assert_eq!(html.matches("<tr id=\"control-").count(), 93);
    assert!(html.contains("The live decisions match the published version."));
    assert!(html.contains("href=\"/api/v1/soa/versions/1/xlsx\""));
    let resp = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/soa/controls/8.1",
            Some(&json!({"applicable": false, "justification": "No endpoints"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let html = manager.get("/soa").await.text().await.expect("html");
    assert!(html.contains("Changed since version 1"));
    assert!(
        html.contains("8.1</a> is excluded; relied on by R-001"),
        "the gap"
    );
    let v1 = manager
        .get("/soa/versions/1")
        .await
        .text()
        .await
        .expect("html");
    assert!(v1.contains("Statement of Applicability, version 1"));
    assert_eq!(manager.get("/soa/versions/x").await.status(), 404);
    assert_eq!(
        app.login(Role::Member).await.get("/soa").await.status(),
        403
    );
}

crate::on_both_databases!(
    the_soa_pages_show_every_control_the_gaps_and_the_drift,
    bad_decisions_are_refused_by_field_and_nothing_is_stored,
    a_change_drifts_from_the_published_version_until_the_next_is_published,
    the_xlsx_opens_in_openpyxl_with_every_control_and_the_csv_is_defused,
);
