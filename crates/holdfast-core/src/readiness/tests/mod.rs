//! Fixtures for the readiness checks: a well-run ISMS that must give no finding, and the
//! edits that turn it into each defect. Every check has its clean case beside its defect.

mod leadership;
mod operation;
mod property;
mod rhythm;
mod risk;
mod scope;
mod soa;
mod system;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Report, Settings, Severity, Snapshot, check};
use crate::activity::{Activity, ActivityState};
use crate::cadence::Cadence;
use crate::clock::AsOf;
use crate::ids::{ActivityId, OrganisationId, PersonId, ProcessId, RuleId, TaskId};
use crate::interaction::{Assignee, EventKind, InteractionRule};
use crate::person::{EmailAddress, EmploymentStatus, Person};
use crate::process::{Process, ProcessStatus, Raci};
use crate::task::{Task, TaskStatus};

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub(super) fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

pub(super) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub(super) fn pid(n: u128) -> ProcessId {
    ProcessId::from_uuid(id(n))
}

/// Noon UTC on `day`, in UTC.
pub(super) fn on(day: &str) -> AsOf {
    AsOf::at(t(&format!("{day}T12:00:00Z")), chrono_tz::Tz::UTC)
}

pub(super) fn person(n: u128, status: EmploymentStatus) -> Person {
    Person {
        id: PersonId::from_uuid(id(n)),
        organisation_id: OrganisationId::from_uuid(id(0)),
        name: format!("Person {n}"),
        email: EmailAddress::parse("email", &format!("p{n}@example.com")).expect("email"),
        department: "IT".into(),
        manager_id: None,
        employment_status: status,
        start_date: d("2020-01-01"),
        end_date: (status == EmploymentStatus::Left).then(|| d("2026-10-01")),
        version: 1,
    }
}

/// A process due on the 1st of every month, active since 1 January, owned by person 1.
pub(super) fn process(n: u128, name: &str, clauses: &[&str]) -> Process {
    Process {
        id: pid(n),
        key: format!("p{n}"),
        name: name.into(),
        objective: "Keep things safe".into(),
        owner_id: Some(PersonId::from_uuid(id(1))),
        deputy_id: None,
        raci: Raci::default(),
        inputs: vec![],
        outputs: vec![],
        cadence: Cadence::parse("FREQ=MONTHLY;BYMONTHDAY=1", d("2026-01-01"), "UTC")
            .expect("cadence"),
        evidence: vec!["record".into()],
        clauses: clauses.iter().map(|c| (*c).to_owned()).collect(),
        controls: vec![],
        emits: vec![],
        status: ProcessStatus::Active,
        active_since: Some(d("2026-01-01")),
        planned_through: Some(d("2027-12-31")),
        pause: None,
        version: 1,
    }
}

/// A run of process `p` due on `due`, closed that afternoon with its evidence when `done`.
pub(super) fn run(n: u128, p: u128, due: &str, state: ActivityState) -> Activity {
    let due = d(due);
    let closed = matches!(state, ActivityState::Done | ActivityState::Skipped);
    Activity {
        id: ActivityId::from_uuid(id(n)),
        process_id: pid(p),
        due_date: due,
        due_at: due.and_hms_opt(9, 0, 0).expect("t").and_utc(),
        assignee_id: Some(PersonId::from_uuid(id(1))),
        state,
        closed_at: closed.then(|| due.and_hms_opt(15, 0, 0).expect("t").and_utc()),
        comment: closed.then(|| "done".to_owned()),
        evidence: if state == ActivityState::Done {
            vec!["record".into()]
        } else {
            vec![]
        },
        required_evidence: if state == ActivityState::Done {
            vec!["record".into()]
        } else {
            vec![]
        },
        version: 1,
    }
}

pub(super) fn rule(n: u128, from: u128, to: u128) -> InteractionRule {
    InteractionRule {
        id: RuleId::from_uuid(id(n)),
        from_process: pid(from),
        event: EventKind::ActivityDone,
        condition: None,
        to_process: pid(to),
        task_title: "Follow up {subject}".into(),
        priority: "normal".into(),
        sla_hours: 24,
        assign_to: Assignee::ProcessOwner,
        evidence_required: false,
        active: true,
        version: 1,
    }
}

pub(super) fn task(n: u128, rule_n: u128, due: &str, completed: Option<&str>) -> Task {
    Task {
        id: TaskId::from_uuid(id(n)),
        title: format!("Task {n}"),
        description: String::new(),
        process_id: None,
        owner_id: None,
        due_at: t(due),
        priority: "normal".into(),
        status: if completed.is_some() {
            TaskStatus::Done
        } else {
            TaskStatus::Open
        },
        labels: vec![],
        source_type: "activity".into(),
        source_id: "x".into(),
        rule_id: Some(RuleId::from_uuid(id(rule_n))),
        completed_at: completed.map(t),
        evidence_required: false,
        comment: None,
        external_ticket: None,
        version: 1,
    }
}

/// The processes of a well-run ISMS, each serving one clause with its own rhythm and linked
/// in a ring, with every monthly run of 2026 and 2027 closed on its due date at 15:00 UTC:
/// judged on any day of those years (runs closed later were open then), it is clean.
pub(super) const ACCESS: u128 = 10;
pub(super) const RISK: u128 = 11;
pub(super) const AUDIT: u128 = 12;
pub(super) const REVIEW: u128 = 13;
pub(super) const CORRECTIVE: u128 = 14;

pub(super) fn healthy() -> Snapshot {
    let processes = vec![
        process(ACCESS, "Access review", &["8.1"]),
        process(RISK, "Risk assessment", &["6.1.2", "8.2"]),
        process(AUDIT, "Internal audit", &["9.2"]),
        process(REVIEW, "Management review", &["9.3", "5.1"]),
        process(CORRECTIVE, "Corrective action", &["10.1", "10.2"]),
    ];
    let mut activities = Vec::new();
    let mut n = 1000;
    for p in [ACCESS, RISK, AUDIT, REVIEW, CORRECTIVE] {
        for y in [2026, 2027] {
            for m in 1..=12 {
                activities.push(run(n, p, &format!("{y}-{m:02}-01"), ActivityState::Done));
                n += 1;
            }
        }
    }
    let ring = [ACCESS, RISK, AUDIT, REVIEW, CORRECTIVE];
    let rules = (0..ring.len())
        .map(|i| rule(500 + i as u128, ring[i], ring[(i + 1) % ring.len()]))
        .collect();
    Snapshot {
        processes,
        activities,
        rules,
        tasks: vec![],
        people: vec![person(1, EmploymentStatus::Active)],
        acceptances: vec![],
        soa: soa::healthy_soa(&risk::healthy_register()),
        risks: risk::healthy_register(),
        context: scope::healthy_context(),
    }
}

pub(super) fn report(s: &Snapshot, as_of: AsOf) -> Report {
    check(s, as_of, Settings::default())
}

/// The findings as `(code, clause, severity)`.
pub(super) fn found(s: &Snapshot, as_of: AsOf) -> Vec<(&'static str, &'static str, Severity)> {
    report(s, as_of)
        .findings
        .iter()
        .map(|f| (f.code, f.clause, f.severity))
        .collect()
}

pub(super) fn runs_of(s: &mut Snapshot, p: u128) -> impl Iterator<Item = &mut Activity> {
    s.activities
        .iter_mut()
        .filter(move |a| a.process_id == pid(p))
}

pub(super) fn set_state(s: &mut Snapshot, p: u128, due: &str, state: ActivityState) {
    let fresh = run(0, p, due, state);
    for a in runs_of(s, p).filter(|a| a.due_date == d(due)) {
        a.state = state;
        a.closed_at = fresh.closed_at;
        a.comment = fresh.comment.clone();
        a.evidence = fresh.evidence.clone();
        a.required_evidence = fresh.required_evidence.clone();
    }
}

#[test]
fn a_well_run_isms_has_no_findings() {
    let r = report(&healthy(), on("2026-12-01"));
    assert_eq!(r.findings, vec![]);
    assert!(r.accepted.is_empty() && r.deviations.is_empty());
}

#[test]
fn the_report_says_which_clauses_were_checked_and_which_not_yet() {
    let r = report(&healthy(), on("2026-12-01"));
    let checked: Vec<_> = r.checked.iter().map(|c| c.id).collect();
    assert!(checked.contains(&"9.3") && checked.contains(&"4.4"));
    assert!(
        r.not_checked
            .iter()
            .any(|c| c.id == "7.5" && c.title == "Documented information")
    );
    assert_eq!(r.period.from, d("2025-12-01"));
    assert_eq!(r.as_of, d("2026-12-01"));
}

#[test]
fn findings_come_most_serious_first_with_clause_titles_records_and_dates() {
    let mut s = healthy();
    s.rules.clear();
    set_state(&mut s, REVIEW, "2026-10-01", ActivityState::Planned);
    set_state(&mut s, REVIEW, "2026-11-01", ActivityState::Planned);
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings[0].severity, Severity::Major);
    assert_eq!(
        r.findings.last().map(|f| f.severity),
        Some(Severity::Observation)
    );
    let late = &r.findings[0];
    assert_eq!(late.code, "8.1/process-late");
    assert_eq!(late.clause, "9.3");
    assert_eq!(late.clause_title, "Management review");
    assert_eq!(late.first_seen, d("2026-10-02"));
    assert_eq!(late.period.to, d("2026-12-01"));
    let kinds: Vec<_> = late.records.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["process", "run", "run"]);
    assert_eq!(late.records[1].date, Some(d("2026-10-01")));
    assert_eq!(
        late.records[1].label,
        "Management review run due 2026-10-01"
    );
    assert!(r.findings.iter().any(|f| f.code == "4.4/process-silo"));
}
