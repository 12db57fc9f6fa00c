//! `holdfast check`: the readiness engine for pipelines. Exit 0 when nothing is at or above
//! `--fail-on`, 1 otherwise, 2 on error.

use holdfast_core::readiness::{Finding, Severity, check, fails};
use holdfast_store::OpenMode;

use crate::Outcome;
use crate::cli::{CheckArgs, CheckFormat, FailOn};

pub async fn run(db: &str, args: CheckArgs) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let snapshot = store.readiness_snapshot().await?;
    store.close().await;
    let now = chrono::Utc::now();
    let findings = check(&snapshot, now.date_naive(), now);
    let out = match args.format {
        CheckFormat::Text => text(&findings),
        CheckFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "checked_at": now.to_rfc3339(),
                "findings": findings,
            }))? + "\n"
        }
        CheckFormat::Junit => junit(&findings),
    };
    print!("{out}");
    let threshold = match args.fail_on {
        FailOn::Minor => Severity::Minor,
        FailOn::Major => Severity::Major,
    };
    Ok(if fails(&findings, threshold) {
        Outcome::CheckFailed
    } else {
        Outcome::Success
    })
}

fn text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No findings: nothing an auditor would write up in the checked clauses.\n".into();
    }
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{} [{}] {}\n    {}\n    Records: {}\n    Fix: {}\n    Id: {}\n",
            f.severity.label().to_uppercase(),
            f.clause,
            f.title,
            f.explanation,
            f.records.join(", "),
            f.remediation,
            f.id
        ));
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "{} findings: {} major, {} minor, {} observations\n",
        findings.len(),
        count(Severity::Major),
        count(Severity::Minor),
        count(Severity::Observation)
    ));
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML, so CI systems show each finding as a failed test case.
fn junit(findings: &[Finding]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"holdfast check\" tests=\"{}\" failures=\"{}\">\n<testsuite name=\"ISO/IEC 27001 readiness\" tests=\"{}\" failures=\"{}\">\n",
        findings.len().max(1),
        findings.len(),
        findings.len().max(1),
        findings.len()
    ));
    if findings.is_empty() {
        out.push_str("<testcase classname=\"readiness\" name=\"no findings\"/>\n");
    }
    for f in findings {
        out.push_str(&format!(
            "<testcase classname=\"clause {}\" name=\"{}\"><failure type=\"{}\" message=\"{}\">{}\nRecords: {}\nFix: {}</failure></testcase>\n",
            xml(f.clause),
            xml(&f.id),
            f.severity.as_str(),
            xml(&f.title),
            xml(&f.explanation),
            xml(&f.records.join(", ")),
            xml(&f.remediation)
        ));
    }
    out.push_str("</testsuite>\n</testsuites>\n");
    out
}
