//! Who hears about open work, and when: reminders before and on the due day, a reminder once
//! overdue, escalation of a run a week overdue to the assignee's manager, and of a breached
//! task SLA to the manager and the ISMS managers. The worker only sends what this decides.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::clock::AsOf;

/// Days before its due time that open work is first reminded of.
pub const REMIND_AHEAD_DAYS: i64 = 3;

/// Days overdue after which a run is escalated to the assignee's manager.
pub const ESCALATE_RUN_AFTER_DAYS: i64 = 7;

/// A kind of open work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkKind {
    /// A run of a process.
    Run,
    /// A task.
    Task,
}

impl WorkKind {
    /// The stored record type.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Run => "activity",
            Self::Task => "task",
        }
    }
}

/// Open work that is due soon or overdue, with who does it and their manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueWork {
    /// Run or task.
    pub kind: WorkKind,
    /// Its id.
    pub id: String,
    /// What it is.
    pub title: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Who does it.
    pub assignee_email: Option<String>,
    /// Their manager.
    pub manager_email: Option<String>,
}

/// Why someone is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeKind {
    /// Due within the next days.
    Before,
    /// Due today.
    Due,
    /// Past due.
    Overdue,
    /// Someone reporting to you is late.
    Escalation,
    /// An interaction's SLA was breached.
    SlaBreached,
}

impl NoticeKind {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Due => "due",
            Self::Overdue => "overdue",
            Self::Escalation => "escalation",
            Self::SlaBreached => "sla_breached",
        }
    }
}

impl fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message to send, once: the dedupe key makes a second instance's copy a no-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Unique per record, kind and recipient.
    pub dedupe_key: String,
    /// Why.
    pub kind: NoticeKind,
    /// To whom.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// The notices `work` calls for as of the clock, one per recipient: the assignee is
/// reminded; a run a week overdue goes to their manager too; a task past its deadline (a
/// breached SLA) to their manager and to the ISMS managers.
#[must_use]
pub fn notices(work: &DueWork, as_of: &AsOf, isms_managers: &[String]) -> Vec<Notice> {
    let overdue = work.due_at <= as_of.now;
    let (kind, subject) = if overdue {
        (NoticeKind::Overdue, format!("Overdue: {}", work.title))
    } else if as_of.local_date(work.due_at) == as_of.today {
        (NoticeKind::Due, format!("Due today: {}", work.title))
    } else {
        (NoticeKind::Before, format!("Coming up: {}", work.title))
    };
    let mut to: Vec<(String, NoticeKind)> = work
        .assignee_email
        .iter()
        .map(|e| (e.clone(), kind))
        .collect();
    if overdue {
        let escalate = work.kind == WorkKind::Task
            || as_of.now - work.due_at >= Duration::days(ESCALATE_RUN_AFTER_DAYS);
        if escalate {
            to.extend(
                work.manager_email
                    .iter()
                    .map(|m| (m.clone(), NoticeKind::Escalation)),
            );
        }
        if work.kind == WorkKind::Task {
            to.extend(
                isms_managers
                    .iter()
                    .map(|m| (m.clone(), NoticeKind::SlaBreached)),
            );
        }
    }
    // One message per person, the most direct reason first.
    to.sort();
    to.dedup_by(|a, b| a.0 == b.0);
    let due = work
        .due_at
        .with_timezone(&as_of.tz)
        .format("%Y-%m-%d %H:%M %Z");
    to.into_iter()
        .map(|(recipient, kind)| Notice {
            dedupe_key: format!("{}:{}:{kind}:{recipient}", work.kind.as_str(), work.id),
            kind,
            subject: subject.clone(),
            body: format!(
                "{}\n\nDue: {due}\n\nOpen Holdfast to see it: it is in the {} list of {}.\n",
                work.title,
                match work.kind {
                    WorkKind::Task => "tasks",
                    WorkKind::Run => "runs",
                },
                match kind {
                    NoticeKind::Escalation | NoticeKind::SlaBreached =>
                        "the person you are told about",
                    _ => "your work",
                }
            ),
            recipient,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(kind: WorkKind, due: &str) -> DueWork {
        DueWork {
            kind,
            id: "r1".into(),
            title: "Access review run due 2026-12-01".into(),
            due_at: due.parse().expect("time"),
            assignee_email: Some("owner@example.com".into()),
            manager_email: Some("boss@example.com".into()),
        }
    }

    fn at(now: &str, tz: chrono_tz::Tz) -> AsOf {
        AsOf::at(now.parse().expect("time"), tz)
    }

    fn kinds(n: &[Notice]) -> Vec<(&str, NoticeKind)> {
        n.iter().map(|n| (n.recipient.as_str(), n.kind)).collect()
    }

    #[test]
    fn the_assignee_is_reminded_before_and_on_the_due_day_in_the_organisations_time_zone() {
        let w = work(WorkKind::Run, "2026-12-02T08:00:00Z");
        let before = notices(&w, &at("2026-11-30T10:00:00Z", chrono_tz::Tz::UTC), &[]);
        assert_eq!(kinds(&before), [("owner@example.com", NoticeKind::Before)]);
        assert!(before[0].subject.starts_with("Coming up"));
        // 23:30 UTC on 1 December is already 2 December in Tokyo: due today there.
        let tokyo = notices(&w, &at("2026-12-01T23:30:00Z", chrono_tz::Asia::Tokyo), &[]);
        assert_eq!(kinds(&tokyo), [("owner@example.com", NoticeKind::Due)]);
        assert!(
            tokyo[0].body.contains("2026-12-02 17:00 JST"),
            "{}",
            tokyo[0].body
        );
        let utc = notices(&w, &at("2026-12-01T23:30:00Z", chrono_tz::Tz::UTC), &[]);
        assert_eq!(kinds(&utc), [("owner@example.com", NoticeKind::Before)]);
    }

    #[test]
    fn a_run_is_escalated_to_the_manager_a_week_overdue() {
        let w = work(WorkKind::Run, "2026-12-01T09:00:00Z");
        let day_late = notices(
            &w,
            &at("2026-12-02T10:00:00Z", chrono_tz::Tz::UTC),
            &["isms@example.com".into()],
        );
        assert_eq!(
            kinds(&day_late),
            [("owner@example.com", NoticeKind::Overdue)]
        );
        let week_late = notices(
            &w,
            &at("2026-12-08T09:00:00Z", chrono_tz::Tz::UTC),
            &["isms@example.com".into()],
        );
        assert_eq!(
            kinds(&week_late),
            [
                ("boss@example.com", NoticeKind::Escalation),
                ("owner@example.com", NoticeKind::Overdue)
            ]
        );
    }

    #[test]
    fn a_breached_task_goes_to_the_manager_and_the_isms_managers_once_each() {
        let mut w = work(WorkKind::Task, "2026-12-01T09:00:00Z");
        w.manager_email = Some("isms@example.com".into());
        let n = notices(
            &w,
            &at("2026-12-01T10:00:00Z", chrono_tz::Tz::UTC),
            &["isms@example.com".into()],
        );
        assert_eq!(
            kinds(&n),
            [
                ("isms@example.com", NoticeKind::Escalation),
                ("owner@example.com", NoticeKind::Overdue)
            ]
        );
        assert_eq!(n[0].dedupe_key, "task:r1:escalation:isms@example.com");
    }
}
