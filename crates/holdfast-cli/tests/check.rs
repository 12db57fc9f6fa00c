//! `holdfast check` on the demo organisation: it reports the demo's defects — and nothing
//! else — with the right severities, in every format, with the documented exit codes.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::process::{Command, Output};

fn holdfast(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", db])
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run holdfast")
}

fn demo_db(dir: &tempfile::TempDir) -> String {
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = holdfast(&url, &["demo", "--no-serve", "--seed", "11"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    url
}

#[test]
fn the_demo_defects_are_found_with_their_severities_and_nothing_else() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(&dir);
    let out = holdfast(&db, &["check", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no major nonconformity: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut kinds: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let id = f["id"].as_str().unwrap_or_default();
            let kind = id.split('/').take(2).collect::<Vec<_>>().join("/");
            (kind, f["severity"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    kinds.sort();
    let expected: Vec<(String, String)> = [
        ("4.1/context-review-overdue", "observation"),
        ("4.4/interaction-sla", "minor"),
        ("6.1.2/risk-owner-missing", "minor"),
        ("6.1.3/residual-not-accepted", "minor"),
        ("6.1.3/soa-excludes-treatment-control", "minor"),
        ("8.1/evidence-missing", "minor"),
        ("8.1/process-late", "minor"),
        ("8.1/runs-closed-late", "minor"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(kinds, expected);
    for f in doc["findings"].as_array().expect("findings") {
        assert!(
            !f["records"].as_array().expect("records").is_empty(),
            "each finding names its records"
        );
        assert!(f["remediation"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(
        holdfast(&db, &["check", "--fail-on", "minor"])
            .status
            .code(),
        Some(1)
    );
    let text = holdfast(&db, &["check"]);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("8 findings: 0 major, 7 minor, 1 observations")
    );
}

#[test]
fn junit_output_is_well_formed_xml_with_one_failure_per_finding() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(&dir);
    let out = holdfast(&db, &["check", "--format", "junit"]);
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, &out.stdout).expect("write");
    let parsed = Command::new("python3")
        .args(["-c", "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(len(d.getElementsByTagName('failure')))"])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&parsed.stdout).trim(), "8");
}

#[test]
fn check_judges_as_of_a_past_day() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(&dir);
    // Before the demo adopted its processes a year ago, there was no ISMS in operation.
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(400))
        .date_naive()
        .to_string();
    let out = holdfast(&db, &["check", "--format", "json", "--as-of", &long_ago]);
    assert_eq!(out.status.code(), Some(1), "a major then");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["as_of"], long_ago.as_str());
    let codes: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(codes, ["4.4/no-active-process"]);
    assert!(doc["not_checked"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn check_errors_exit_2() {
    let out = holdfast("sqlite:///nonexistent/holdfast.db", &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let out = holdfast("sqlite://x.db", &["check", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = holdfast("sqlite://x.db", &["check", "--as-of", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = holdfast("sqlite://x.db", &["check", "--period-months", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
