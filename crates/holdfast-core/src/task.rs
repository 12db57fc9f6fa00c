//! Tasks: one work item type for every source (an interaction rule, a person, later audit
//! findings, review decisions, nonconformities, risk treatments), each with an SLA outcome.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::ids::{PersonId, ProcessId, RuleId, TaskId};

/// A task's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
    /// Not needed after all.
    Cancelled,
}

impl TaskStatus {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether work is still expected.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(Self::Open),
            "in_progress" => Ok(Self::InProgress),
            "done" => Ok(Self::Done),
            "cancelled" => Ok(Self::Cancelled),
            other => Err(format!(
                "task status must be open, in_progress, done or cancelled, not {other:?}"
            )),
        }
    }
}

/// How a task stands against its SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaOutcome {
    /// Done in time.
    Met,
    /// Done late, or still open past the deadline.
    Breached,
    /// Open, deadline not reached.
    Open,
}

impl fmt::Display for SlaOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Met => "met",
            Self::Breached => "breached",
            Self::Open => "open",
        })
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Id.
    pub id: TaskId,
    /// What to do.
    pub title: String,
    /// Details.
    pub description: String,
    /// The process whose work this is.
    pub process_id: Option<ProcessId>,
    /// Who does it.
    pub owner_id: Option<PersonId>,
    /// When it is due; for rule-made tasks this is the SLA deadline.
    pub due_at: DateTime<Utc>,
    /// `low`, `normal`, `high`.
    pub priority: String,
    /// Progress.
    pub status: TaskStatus,
    /// Labels; `security` is standard.
    pub labels: Vec<String>,
    /// Where it came from (`interaction`, `manual`, later `finding` …).
    pub source_type: String,
    /// The source record's id.
    pub source_id: String,
    /// The interaction rule that made it.
    pub rule_id: Option<RuleId>,
    /// When it was finished.
    pub completed_at: Option<DateTime<Utc>>,
    /// Whether it may only be marked done with evidence attached, as its rule said when
    /// it was made.
    pub evidence_required: bool,
    /// What the person who finished it said was done.
    pub comment: Option<String>,
    /// Ticket in an external system (key, URL).
    pub external_ticket: Option<(String, String)>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

impl Task {
    /// Whether the task was done or cancelled by `now`.
    #[must_use]
    pub fn finished_by(&self, now: DateTime<Utc>) -> bool {
        match self.status {
            TaskStatus::Done => self.completed_at.is_some_and(|t| t <= now),
            TaskStatus::Cancelled => true,
            TaskStatus::Open | TaskStatus::InProgress => false,
        }
    }

    /// How the task stands against its deadline at `now`.
    #[must_use]
    /// A task completed after `now` was still open at `now`, so judging an earlier day
    /// gives the answer that day would have given.
    pub fn sla(&self, now: DateTime<Utc>) -> SlaOutcome {
        match (self.status, self.completed_at) {
            (TaskStatus::Done, Some(done)) if done <= now => {
                if done <= self.due_at {
                    SlaOutcome::Met
                } else {
                    SlaOutcome::Breached
                }
            }
            (TaskStatus::Cancelled, _) => SlaOutcome::Met,
            _ if now > self.due_at => SlaOutcome::Breached,
            _ => SlaOutcome::Open,
        }
    }
}

/// Checks that a task may be marked done: it is open, there is a comment saying what was
/// done, and, where its rule asks for evidence, some is attached (`evidence` pieces). A task
/// cannot be done without them, so none ever counts as meeting its SLA without them.
///
/// # Errors
/// One entry per problem.
pub fn check_complete(
    task: &Task,
    evidence: usize,
    comment: &str,
) -> Result<String, crate::ValidationErrors> {
    let mut errors = crate::ValidationErrors::default();
    if !task.status.is_open() {
        errors.push("status", "this task is already finished");
    }
    if task.evidence_required && evidence == 0 {
        errors.push(
            "evidence",
            "this task needs evidence: attach a file showing what was done first",
        );
    }
    let comment = comment.trim();
    if comment.is_empty() {
        errors.push("comment", "say in a comment what was done");
    } else {
        errors.check(crate::text::check(
            "comment",
            comment,
            MAX_COMMENT_CHARS,
            crate::text::Lines::Many,
        ));
    }
    errors.into_result(|| comment.to_owned())
}

/// The longest completion comment.
pub const MAX_COMMENT_CHARS: usize = crate::text::LONG_MAX;

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: TaskStatus, completed: Option<&str>) -> Task {
        Task {
            id: TaskId::from_uuid(uuid::Uuid::nil()),
            title: "Revoke access".into(),
            description: String::new(),
            process_id: None,
            owner_id: None,
            due_at: "2026-12-02T10:00:00Z".parse().expect("time"),
            priority: "high".into(),
            status,
            labels: vec!["security".into()],
            source_type: "interaction".into(),
            source_id: "x".into(),
            rule_id: None,
            completed_at: completed.map(|c| c.parse().expect("time")),
            evidence_required: false,
            comment: None,
            external_ticket: None,
            version: 1,
        }
    }

    #[test]
    fn sla_is_met_breached_or_open() {
        let before: DateTime<Utc> = "2026-12-02T09:00:00Z".parse().expect("t");
        let after: DateTime<Utc> = "2026-12-03T09:00:00Z".parse().expect("t");
        assert_eq!(task(TaskStatus::Open, None).sla(before), SlaOutcome::Open);
        assert_eq!(
            task(TaskStatus::Open, None).sla(after),
            SlaOutcome::Breached
        );
        assert_eq!(
            task(TaskStatus::Done, Some("2026-12-02T08:00:00Z")).sla(after),
            SlaOutcome::Met
        );
        assert_eq!(
            task(TaskStatus::Done, Some("2026-12-02T11:00:00Z")).sla(after),
            SlaOutcome::Breached
        );
    }

    #[test]
    fn a_task_done_later_was_open_on_an_earlier_day() {
        let done_late = task(TaskStatus::Done, Some("2026-12-05T10:00:00Z"));
        let before: DateTime<Utc> = "2026-12-02T09:00:00Z".parse().expect("t");
        let after_deadline: DateTime<Utc> = "2026-12-03T09:00:00Z".parse().expect("t");
        assert_eq!(done_late.sla(before), SlaOutcome::Open);
        assert_eq!(done_late.sla(after_deadline), SlaOutcome::Breached);
    }

    #[test]
    fn a_task_is_done_only_with_a_comment_and_the_evidence_its_rule_asks_for() {
        let mut t = task(TaskStatus::Open, None);
        let e = check_complete(&t, 0, "  ").expect_err("no comment");
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "comment");
        assert_eq!(check_complete(&t, 0, " Revoked ").expect("fine"), "Revoked");
        t.evidence_required = true;
        let e = check_complete(&t, 0, "Revoked").expect_err("no evidence");
        assert_eq!(e.errors[0].field, "evidence");
        assert!(check_complete(&t, 1, "Revoked").is_ok());
        let done = task(TaskStatus::Done, Some("2026-12-02T08:00:00Z"));
        assert_eq!(
            check_complete(&done, 1, "again").expect_err("done").errors[0].field,
            "status"
        );
    }
}
