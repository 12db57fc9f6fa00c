//! The readiness engine: evaluates live records the way a certification auditor would and
//! says what they would write up. [`check`] is a pure function of a [`Snapshot`] of records
//! and one clock ([`AsOf`]); the web dashboard, the API, reports and `holdfast check` all
//! call it, and nothing else decides whether the ISMS conforms.
//!
//! Checks form a registry, like lints ([`registry::CHECKS`]): each declares a stable code,
//! the clauses it judges, its severity policy and its grace, and lives in the module of its
//! clause family. One defect is one finding: a late process with three open runs is one
//! finding citing the three.

mod context;
mod leadership;
mod operation;
pub mod registry;
mod rhythm;
mod risk;
mod scope;
mod soa;
mod system;

use std::fmt;

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::activity::Activity;
use crate::clock::AsOf;
use crate::interaction::InteractionRule;
use crate::person::Person;
use crate::process::Process;
use crate::task::Task;

pub use registry::{CHECKS, Check};

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

/// The kind of record a finding points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A process.
    Process,
    /// A run of a process.
    Run,
    /// A cycle the cadence called for that has no run yet (the scheduler did not plan it).
    Occurrence,
    /// A task.
    Task,
    /// An interaction rule.
    Rule,
    /// A person.
    Person,
    /// A risk of the register.
    Risk,
    /// A published version of the risk method.
    RiskMethod,
    /// A line (control) of the Statement of Applicability.
    SoaControl,
    /// A published version of the Statement of Applicability.
    SoaVersion,
    /// An internal or external issue (4.1).
    ContextIssue,
    /// An interested party (4.2).
    InterestedParty,
    /// A requirement of an interested party (4.2 b).
    Requirement,
    /// A version of the scope (4.3).
    ScopeVersion,
}

impl RecordKind {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Run => "run",
            Self::Occurrence => "occurrence",
            Self::Task => "task",
            Self::Rule => "rule",
            Self::Person => "person",
            Self::Risk => "risk",
            Self::RiskMethod => "risk_method",
            Self::SoaControl => "soa_control",
            Self::SoaVersion => "soa_version",
            Self::ContextIssue => "context_issue",
            Self::InterestedParty => "interested_party",
            Self::Requirement => "requirement",
            Self::ScopeVersion => "scope_version",
        }
    }
}

/// A record behind a verdict: what it is, which one, a readable label and its date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordRef {
    /// What kind of record.
    pub kind: RecordKind,
    /// Its id.
    pub id: String,
    /// Something a person recognises ("Access review run due 2026-10-05").
    pub label: String,
    /// The date that matters for the verdict (a due date, a deadline), if any.
    pub date: Option<NaiveDate>,
}

/// The audit period: the look-back of every check (SLA breaches, late closes, missing
/// evidence), by default the last 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (today).
    pub to: NaiveDate,
}

impl Period {
    /// The `months` before `today`, up to it.
    #[must_use]
    pub fn ending(today: NaiveDate, months: u32) -> Self {
        Self {
            from: today
                .checked_sub_months(Months::new(months))
                .unwrap_or(NaiveDate::MIN),
            to: today,
        }
    }

    /// Whether `day` falls in the period.
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// The tolerances an auditor allows. The defaults are what certification auditors commonly
/// accept; an organisation may set its own audit period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// Months of the audit period.
    pub period_months: u32,
    /// Days after a process's first due date before it counts as never run.
    pub first_run_grace_days: i64,
    /// Days after its due date within which closing a run still counts as on time.
    pub late_close_tolerance_days: i64,
    /// Days overdue after which an open run counts as a missed cycle, even if its next run
    /// is not due yet (a yearly process a month late has missed its cycle).
    pub missed_after_days: i64,
    /// Days a deputy who stays covers for an owner who left.
    pub owner_cover_days: i64,
    /// Months within which a clause with its own rhythm (management review, internal audit,
    /// risk assessment, corrective action) must have been performed.
    pub clause_limit_months: u32,
    /// Days of grace on that limit, for a yearly cadence whose date moves a few days.
    pub clause_limit_grace_days: i64,
    /// Days after a risk's review date before its overdue reassessment counts.
    pub risk_review_grace_days: i64,
    /// Days after a new method version is published within which the register is re-rated.
    pub rerate_grace_days: i64,
    /// Days a published SoA may lag behind the live one before it counts.
    pub soa_republish_grace_days: i64,
    /// Days after the ISMS first operates within which its risk method and Statement of
    /// Applicability are first published: the foundations a new ISMS lays first.
    pub foundation_grace_days: i64,
    /// Days after an issue's or interested party's review date before the overdue review
    /// counts, and within which a new requirement is linked to what addresses it.
    pub context_review_grace_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            period_months: 12,
            first_run_grace_days: 14,
            late_close_tolerance_days: 7,
            missed_after_days: 30,
            owner_cover_days: 30,
            clause_limit_months: 12,
            clause_limit_grace_days: 14,
            risk_review_grace_days: 30,
            rerate_grace_days: 90,
            soa_republish_grace_days: 30,
            foundation_grace_days: 90,
            context_review_grace_days: 30,
        }
    }
}

/// One thing an auditor would write up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Stable id: the check's code and the record it is about, so the same defect keeps its
    /// id across runs (and an acceptance can name it).
    pub id: String,
    /// The check that found it (`8.1/process-late`).
    pub code: &'static str,
    /// The clause it is raised against.
    pub clause: &'static str,
    /// That clause's title, from the catalog.
    pub clause_title: &'static str,
    /// How serious.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What the auditor saw, in their words.
    pub explanation: String,
    /// The records behind the verdict.
    pub records: Vec<RecordRef>,
    /// The period the check looked at.
    pub period: Period,
    /// The day the defect could first be seen.
    pub first_seen: NaiveDate,
    /// What to do about it.
    pub remediation: String,
}

/// A manager's acceptance of an observation, with a reason, until an expiry date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acceptance {
    /// Id.
    pub id: String,
    /// The finding accepted.
    pub finding_id: String,
    /// Why it is accepted.
    pub reason: String,
    /// The last day it holds.
    pub expires_on: NaiveDate,
    /// Who accepted it.
    pub accepted_by: String,
    /// When.
    pub accepted_at: DateTime<Utc>,
}

/// A finding held back by an acceptance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AcceptedFinding {
    /// The finding.
    pub finding: Finding,
    /// The acceptance.
    pub acceptance: Acceptance,
}

/// A documented deviation: a run a manager skipped with a reason. It is not a missed cycle,
/// and an auditor reads the reasons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Deviation {
    /// The process.
    pub process: RecordRef,
    /// The skipped run.
    pub run: RecordRef,
    /// The reason given.
    pub reason: String,
}

/// A clause, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClauseRef {
    /// Number.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
}

/// The records the engine reads, as of one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every process.
    pub processes: Vec<Process>,
    /// The runs of the audit period, every open run, and each process's latest closed run.
    pub activities: Vec<Activity>,
    /// Every interaction rule (not deleted).
    pub rules: Vec<InteractionRule>,
    /// The tasks of the audit period and every open task.
    pub tasks: Vec<Task>,
    /// The people the checks judge: owners, deputies, assignees.
    pub people: Vec<Person>,
    /// Acceptances of observations.
    pub acceptances: Vec<Acceptance>,
    /// The risk method's versions and the risk register.
    pub risks: crate::risk::Register,
    /// The Statement of Applicability: live and as last published.
    pub soa: SoaState,
    /// The context registers and the scope (4.1–4.3).
    pub context: crate::context::ContextState,
}

/// The Statement of Applicability as the engine reads it.
#[derive(Debug, Clone, Default)]
pub struct SoaState {
    /// The live rows, one per control.
    pub live: Vec<crate::soa::Row>,
    /// The newest published version.
    pub published: Option<crate::soa::Version>,
}

/// What the engine found, and what it looked at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The day judged.
    pub as_of: NaiveDate,
    /// The audit period.
    pub period: Period,
    /// Findings, most serious first.
    pub findings: Vec<Finding>,
    /// Observations accepted until their expiry.
    pub accepted: Vec<AcceptedFinding>,
    /// Runs skipped with a reason in the period.
    pub deviations: Vec<Deviation>,
    /// The clauses the engine evaluated.
    pub checked: Vec<ClauseRef>,
    /// The clauses not evaluated yet, because their records are not kept in Holdfast yet.
    pub not_checked: Vec<ClauseRef>,
}

/// Evaluates `snapshot` as of `as_of` under `settings`.
#[must_use]
pub fn check(snapshot: &Snapshot, as_of: AsOf, settings: Settings) -> Report {
    let period = Period::ending(as_of.today, settings.period_months);
    let ctx = context::Ctx::new(snapshot, as_of, settings, period);
    let mut all = Vec::new();
    for c in CHECKS {
        (c.run)(&ctx, c, &mut all);
    }
    all.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    let (mut findings, mut accepted) = (Vec::new(), Vec::new());
    for f in all {
        let acceptance = snapshot.acceptances.iter().find(|a| {
            a.finding_id == f.id
                && f.severity == Severity::Observation
                && a.expires_on >= as_of.today
                && a.accepted_at <= as_of.now
        });
        match acceptance {
            Some(a) => accepted.push(AcceptedFinding {
                finding: f,
                acceptance: a.clone(),
            }),
            None => findings.push(f),
        }
    }
    let (checked, not_checked) = registry::coverage();
    Report {
        as_of: as_of.today,
        period,
        findings,
        accepted,
        deviations: ctx.deviations(),
        checked,
        not_checked,
    }
}

/// Whether any finding is at or above `threshold`.
#[must_use]
pub fn fails(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}

#[cfg(test)]
mod tests;
