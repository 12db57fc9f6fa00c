//! `holdfast check`: the readiness engine for pipelines and auditors. Exit 0 when nothing is
//! at or above `--fail-on`, 1 otherwise, 2 on error.

use holdfast_core::clock::AsOf;
use holdfast_core::readiness::{Report, Settings, Severity, fails};
use holdfast_store::OpenMode;

use crate::Outcome;
use crate::cli::{CheckArgs, CheckFormat, FailOn};

pub async fn run(db: &str, args: CheckArgs) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let now = store.as_of().await?;
    let as_of = args.as_of.map_or(now, |d| AsOf::end_of(d, now.tz));
    let settings = Settings {
        period_months: args.period_months,
        ..Settings::default()
    };
    let report = store.readiness(as_of, settings).await?;
    store.close().await;
    let out = match args.format {
        CheckFormat::Text => text(&report),
        CheckFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "checked_at": as_of.now.to_rfc3339(),
                "as_of": report.as_of,
                "period": report.period,
                "findings": report.findings,
                "accepted": report.accepted,
                "deviations": report.deviations,
                "checked": report.checked,
                "not_checked": report.not_checked,
            }))? + "\n"
        }
        CheckFormat::Junit => junit(&report),
    };
    print!("{out}");
    let threshold = match args.fail_on {
        FailOn::Minor => Severity::Minor,
        FailOn::Major => Severity::Major,
    };
    Ok(if fails(&report.findings, threshold) {
        Outcome::CheckFailed
    } else {
        Outcome::Success
    })
}

fn clause_list(clauses: &[holdfast_core::readiness::ClauseRef]) -> String {
    clauses.iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
}

fn text(r: &Report) -> String {
    let mut out = format!(
        "Readiness as of {}, audit period {} to {}.\n",
        r.as_of, r.period.from, r.period.to
    );
    if r.findings.is_empty() {
        out.push_str("No findings: nothing an auditor would write up in the checked clauses.\n");
    }
    for f in &r.findings {
        out.push_str(&format!(
            "{} [{} {}] {}\n    {}\n    Records: {}\n    First seen: {}\n    Fix: {}\n    Id: {}\n",
            f.severity.label().to_uppercase(),
            f.clause,
            f.clause_title,
            f.title,
            f.explanation,
            f.records
                .iter()
                .map(|x| x.label.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            f.first_seen,
            f.remediation,
            f.id
        ));
    }
    for a in &r.accepted {
        out.push_str(&format!(
            "ACCEPTED until {} by {}: {} ({})\n",
            a.acceptance.expires_on, a.acceptance.accepted_by, a.finding.title, a.acceptance.reason
        ));
    }
    if !r.deviations.is_empty() {
        out.push_str(&format!(
            "{} documented deviation(s): runs skipped with a reason.\n",
            r.deviations.len()
        ));
    }
    let count = |s| r.findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "{} findings: {} major, {} minor, {} observations\n",
        r.findings.len(),
        count(Severity::Major),
        count(Severity::Minor),
        count(Severity::Observation)
    ));
    out.push_str(&format!(
        "Checked: clauses {}.\nNot checked yet (no records in Holdfast for them): {}.\n",
        clause_list(&r.checked),
        clause_list(&r.not_checked)
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
fn junit(r: &Report) -> String {
    let findings = &r.findings;
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
            xml(&f
                .records
                .iter()
                .map(|x| x.label.as_str())
                .collect::<Vec<_>>()
                .join("; ")),
            xml(&f.remediation)
        ));
    }
    out.push_str("</testsuite>\n</testsuites>\n");
    out
}
