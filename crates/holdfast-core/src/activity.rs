//! Activities: the dated runs of a process, and the rules for closing, skipping and
//! reopening them. "Overdue" is not stored; it follows from the due date and today.

use crate::text::{self, Lines};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};

use crate::account::Role;
use crate::ids::{ActivityId, PersonId, ProcessId};
use crate::policy::{Action, allows};
use crate::validation::ValidationErrors;

/// What is stored about a run's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    /// Scheduled.
    Planned,
    /// Started.
    InProgress,
    /// Closed with its evidence.
    Done,
    /// Deliberately not run, with a manager's reason.
    Skipped,
}

/// What a person sees: the stored state, with `Overdue` for open runs past their due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Scheduled, not yet due.
    Planned,
    /// Started, not yet due.
    InProgress,
    /// Open past its due date.
    Overdue,
    /// Closed.
    Done,
    /// Skipped.
    Skipped,
}

impl ActivityState {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Skipped => "skipped",
        }
    }
}

impl fmt::Display for ActivityState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActivityState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "planned" => Ok(Self::Planned),
            "in_progress" => Ok(Self::InProgress),
            "done" => Ok(Self::Done),
            "skipped" => Ok(Self::Skipped),
            other => Err(format!("unknown activity state {other:?}")),
        }
    }
}

impl ActivityStatus {
    /// Whether a run in this status is still to be done (and so can be closed or skipped).
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress | Self::Overdue)
    }

    /// Whether the run was carried out (and so can only change by a reopening).
    #[must_use]
    pub const fn is_done(self) -> bool {
        matches!(self, Self::Done)
    }
}

impl fmt::Display for ActivityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Overdue => "overdue",
            Self::Done => "done",
            Self::Skipped => "skipped",
        })
    }
}

/// One run of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Id.
    pub id: ActivityId,
    /// The process it is a run of.
    pub process_id: ProcessId,
    /// Local due date.
    pub due_date: NaiveDate,
    /// Due instant.
    pub due_at: DateTime<Utc>,
    /// Who runs it (the process owner by default).
    pub assignee_id: Option<PersonId>,
    /// Stored state.
    pub state: ActivityState,
    /// When it was closed or skipped.
    pub closed_at: Option<DateTime<Utc>>,
    /// The closing comment, or the reason for skipping.
    pub comment: Option<String>,
    /// Names of the evidence items attached.
    pub evidence: Vec<String>,
    /// The evidence the process required when the run was closed, kept with the run: a
    /// later change to the process's requirements does not rewrite what this run had to
    /// show. Empty while the run is open.
    pub required_evidence: Vec<String>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// Days after its due date at which an open run emits `activity_overdue`: the day after, so
/// rules can react at once, and a week later, when the library escalates it to the owner's
/// manager. The number travels as the event's `days_overdue` fact.
pub const OVERDUE_MILESTONES: [i64; 2] = [1, 7];

/// The milestones an open run due at `due_at` has reached by `now`, each with the moment it
/// was reached. The moments are fixed by the due date, so every instance that looks computes
/// the same events.
#[must_use]
pub fn overdue_milestones(due_at: DateTime<Utc>, now: DateTime<Utc>) -> Vec<(i64, DateTime<Utc>)> {
    OVERDUE_MILESTONES
        .iter()
        .map(|&days| (days, due_at + chrono::Duration::days(days)))
        .filter(|(_, at)| *at <= now)
        .collect()
}

impl Activity {
    /// The status a person sees on `today`.
    #[must_use]
    pub fn status(&self, today: NaiveDate) -> ActivityStatus {
        match self.state {
            ActivityState::Done => ActivityStatus::Done,
            ActivityState::Skipped => ActivityStatus::Skipped,
            _ if self.due_date < today => ActivityStatus::Overdue,
            ActivityState::Planned => ActivityStatus::Planned,
            ActivityState::InProgress => ActivityStatus::InProgress,
        }
    }

    /// The overdue milestones this run has reached by `now` (see [`overdue_milestones`]);
    /// none once it is closed or skipped.
    #[must_use]
    pub fn overdue_milestones(&self, now: DateTime<Utc>) -> Vec<(i64, DateTime<Utc>)> {
        if self.is_open() {
            overdue_milestones(self.due_at, now)
        } else {
            Vec::new()
        }
    }

    /// Whether the run is open past its due date on `today`.
    #[must_use]
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_date < today
    }

    /// Whether the run is still open.
    #[must_use]
    pub fn is_open(&self) -> bool {
        matches!(
            self.state,
            ActivityState::Planned | ActivityState::InProgress
        )
    }

    /// The required evidence not yet attached.
    #[must_use]
    pub fn missing_evidence<'a>(&self, required: &'a [String]) -> Vec<&'a str> {
        required
            .iter()
            .filter(|r| !self.evidence.contains(r))
            .map(String::as_str)
            .collect()
    }
}

/// Checks that a run may be closed: it is open, every required evidence item is attached,
/// and there is a comment saying what was done.
///
/// # Errors
/// One entry per problem.
pub fn check_close(
    activity: &Activity,
    required: &[String],
    comment: &str,
) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !activity.is_open() {
        errors.push(
            "state",
            "this run is already closed; reopen it with a reason to correct it",
        );
    }
    let missing = activity.missing_evidence(required);
    if !missing.is_empty() {
        errors.push(
            "evidence",
            format!("attach the required evidence first: {}", missing.join(", ")),
        );
    }
    let comment = comment.trim();
    if comment.is_empty() {
        errors.push("comment", "say in a comment what was done in this run");
    } else {
        errors.check(text::check("comment", comment, text::LONG_MAX, Lines::Many));
    }
    errors.into_result(|| comment.to_owned())
}

/// Checks that a run may be skipped: open, by a role allowed to manage the ISMS, with a reason.
///
/// # Errors
/// A message for `role` or `reason`.
pub fn check_skip(
    activity: &Activity,
    role: Role,
    reason: &str,
) -> Result<String, ValidationErrors> {
    if !allows(role, Action::ManageProcesses) {
        return Err(ValidationErrors::one(
            "role",
            "only an ISMS manager may skip a run",
        ));
    }
    if !activity.is_open() {
        return Err(ValidationErrors::one(
            "state",
            "only an open run can be skipped",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ValidationErrors::one(
            "reason",
            "say why this run is skipped",
        ));
    }
    text::check("reason", reason, text::LONG_MAX, Lines::Many)?;
    Ok(reason.to_owned())
}

/// Checks that a closed run may be reopened for a correction: it is closed and there is a
/// reason, which the audit trail keeps beside the original closing.
///
/// # Errors
/// A message for `state` or `reason`.
pub fn check_reopen(activity: &Activity, reason: &str) -> Result<String, ValidationErrors> {
    if activity.is_open() {
        return Err(ValidationErrors::one(
            "state",
            "this run is open; there is nothing to reopen",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ValidationErrors::one(
            "reason",
            "say why this closed run is reopened",
        ));
    }
    text::check("reason", reason, text::LONG_MAX, Lines::Many)?;
    Ok(reason.to_owned())
}

/// Checks that a run can go to `assignee`: it is still open, and they are employed and
/// staying, since a run given to someone on their way out would not be done.
///
/// # Errors
/// A message for `state` or `assignee_id`.
pub fn check_assign(
    activity: &Activity,
    assignee: &crate::person::Person,
) -> Result<(), ValidationErrors> {
    if !activity.is_open() {
        return Err(ValidationErrors::one(
            "state",
            "only an open run can be given to someone else",
        ));
    }
    crate::process::check_process_person("assignee_id", assignee)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: ActivityState, evidence: &[&str]) -> Activity {
        let due: NaiveDate = "2026-11-02".parse().expect("date");
        Activity {
            id: ActivityId::from_uuid(uuid::Uuid::nil()),
            process_id: ProcessId::from_uuid(uuid::Uuid::nil()),
            due_date: due,
            due_at: due.and_hms_opt(9, 0, 0).expect("time").and_utc(),
            assignee_id: None,
            state,
            closed_at: None,
            comment: None,
            evidence: evidence.iter().map(|s| (*s).to_owned()).collect(),
            required_evidence: Vec::new(),
            version: 1,
        }
    }

    fn someone(status: crate::person::EmploymentStatus) -> crate::person::Person {
        crate::person::Person {
            id: PersonId::from_uuid(uuid::Uuid::from_u128(9)),
            organisation_id: crate::ids::OrganisationId::from_uuid(uuid::Uuid::nil()),
            name: "Grace Hopper".into(),
            email: crate::person::EmailAddress::parse("email", "grace@example.com").expect("email"),
            department: "IT".into(),
            manager_id: None,
            employment_status: status,
            start_date: "2020-01-01".parse().expect("date"),
            end_date: None,
            version: 1,
        }
    }

    #[test]
    fn a_run_goes_only_to_someone_who_stays_and_only_while_open() {
        use crate::person::EmploymentStatus;
        let open = run(ActivityState::Planned, &[]);
        assert!(check_assign(&open, &someone(EmploymentStatus::Active)).is_ok());
        let leaving =
            check_assign(&open, &someone(EmploymentStatus::Leaving)).expect_err("leaving");
        assert_eq!(leaving.errors[0].field, "assignee_id");
        let done = run(ActivityState::Done, &[]);
        let closed = check_assign(&done, &someone(EmploymentStatus::Active)).expect_err("closed");
        assert_eq!(closed.errors[0].field, "state");
    }

    #[test]
    fn an_open_run_reaches_its_overdue_milestones_a_day_and_a_week_after_it_is_due() {
        let r = run(ActivityState::Planned, &[]);
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        assert!(r.overdue_milestones(at("2026-11-03T08:59:59Z")).is_empty());
        assert_eq!(
            r.overdue_milestones(at("2026-11-03T09:00:00Z")),
            [(1, at("2026-11-03T09:00:00Z"))]
        );
        assert_eq!(
            r.overdue_milestones(at("2026-12-01T00:00:00Z")),
            [
                (1, at("2026-11-03T09:00:00Z")),
                (7, at("2026-11-09T09:00:00Z"))
            ]
        );
        let done = run(ActivityState::Done, &[]);
        assert!(
            done.overdue_milestones(at("2026-12-01T00:00:00Z"))
                .is_empty()
        );
    }

    #[test]
    fn an_open_run_past_its_due_date_is_overdue() {
        let r = run(ActivityState::Planned, &[]);
        assert_eq!(
            r.status("2026-11-02".parse().expect("d")),
            ActivityStatus::Planned
        );
        assert_eq!(
            r.status("2026-11-03".parse().expect("d")),
            ActivityStatus::Overdue
        );
        assert_eq!(
            run(ActivityState::Done, &[]).status("2027-01-01".parse().expect("d")),
            ActivityStatus::Done
        );
    }

    #[test]
    fn closing_needs_every_evidence_item_and_a_comment() {
        let required = vec!["review record".to_owned(), "sign-off".to_owned()];
        let err = check_close(
            &run(ActivityState::Planned, &["review record"]),
            &required,
            " ",
        )
        .expect_err("incomplete");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["evidence", "comment"]);
        assert!(err.errors[0].message.contains("sign-off"));
        assert!(
            check_close(
                &run(ActivityState::Planned, &["review record", "sign-off"]),
                &required,
                "Reviewed 42 accounts"
            )
            .is_ok()
        );
        assert!(
            check_close(
                &run(ActivityState::Done, &["review record", "sign-off"]),
                &required,
                "again"
            )
            .is_err()
        );
    }

    #[test]
    fn skipping_needs_a_manager_and_a_reason() {
        let r = run(ActivityState::Planned, &[]);
        assert_eq!(
            check_skip(&r, Role::Owner, "busy")
                .expect_err("owner")
                .errors[0]
                .field,
            "role"
        );
        assert_eq!(
            check_skip(&r, Role::Manager, "")
                .expect_err("reason")
                .errors[0]
                .field,
            "reason"
        );
        assert!(check_skip(&r, Role::Manager, "Office closed for the move").is_ok());
    }

    #[test]
    fn reopening_needs_a_closed_run_and_a_reason() {
        assert!(check_reopen(&run(ActivityState::Planned, &[]), "x").is_err());
        assert_eq!(
            check_reopen(&run(ActivityState::Done, &[]), " ")
                .expect_err("reason")
                .errors[0]
                .field,
            "reason"
        );
        assert!(check_reopen(&run(ActivityState::Done, &[]), "wrong file attached").is_ok());
    }
}
