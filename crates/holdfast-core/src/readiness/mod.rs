//! The readiness engine: evaluates live records the way a certification auditor would and
//! says what they would write up. Each check is a pure function of a [`Snapshot`] of records
//! and today's date; the web dashboard, the API, reports and `holdfast check` all call
//! [`check`], and nothing else decides whether the ISMS conforms.
//!
//! One module per clause; later capabilities add their checks here.

mod operation;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::activity::Activity;
use crate::interaction::InteractionRule;
use crate::person::Person;
use crate::process::Process;
use crate::task::Task;

/// How serious a finding is, on the auditors' ladder (see `clauses.md`): a gap in
/// documentation only is an observation; stale or incomplete records a minor
/// nonconformity; a requirement not operating at all a major nonconformity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth improving; not a nonconformity.
    Observation,
    /// A nonconformity that does not stop the requirement operating.
    Minor,
    /// The requirement is not operating.
    Major,
}

impl Severity {
    /// The name auditors use.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Observation => "observation",
            Self::Minor => "minor nonconformity",
            Self::Major => "major nonconformity",
        }
    }

    /// The short form for flags and JSON (`observation`, `minor`, `major`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Observation => "observation",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One thing an auditor would write up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Stable id: the check and the records, so the same defect keeps its id across runs.
    pub id: String,
    /// The clause it is raised against.
    pub clause: &'static str,
    /// How serious.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What the auditor saw, in their words.
    pub explanation: String,
    /// Ids of the records behind the verdict.
    pub records: Vec<String>,
    /// What to do about it.
    pub remediation: String,
}

/// The records the engine reads, as of one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every process.
    pub processes: Vec<Process>,
    /// Every run.
    pub activities: Vec<Activity>,
    /// Every interaction rule.
    pub rules: Vec<InteractionRule>,
    /// Every task.
    pub tasks: Vec<Task>,
    /// Every person (to judge owners).
    pub people: Vec<Person>,
}

/// All findings for `snapshot` on `today` (`now` for SLA deadlines), most serious first,
/// then by id.
#[must_use]
pub fn check(snapshot: &Snapshot, today: NaiveDate, now: DateTime<Utc>) -> Vec<Finding> {
    let mut findings = operation::check(snapshot, today, now);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    findings
}

/// Whether any finding is at or above `threshold`.
#[must_use]
pub fn fails(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}

#[cfg(test)]
mod tests;
