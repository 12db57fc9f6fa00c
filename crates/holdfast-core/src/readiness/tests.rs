//! One fixture that triggers each check and one that must not.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Severity, Snapshot, check, fails};
use crate::activity::{Activity, ActivityState};
use crate::cadence::Cadence;
use crate::ids::{ActivityId, OrganisationId, PersonId, ProcessId, RuleId, TaskId};
use crate::interaction::{Assignee, EventKind, InteractionRule};
use crate::person::{EmailAddress, EmploymentStatus, Person};
use crate::process::{Process, ProcessStatus, Raci};
use crate::task::{Task, TaskStatus};

fn today() -> NaiveDate {
    "2026-12-01".parse().expect("date")
}

fn now() -> DateTime<Utc> {
    "2026-12-01T12:00:00Z".parse().expect("time")
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn person(n: u128, status: EmploymentStatus) -> Person {
    Person {
        id: PersonId::from_uuid(id(n)),
        organisation_id: OrganisationId::from_uuid(id(0)),
        name: format!("Person {n}"),
        email: EmailAddress::parse("email", &format!("p{n}@example.com")).expect("email"),
        department: "IT".into(),
        manager_id: None,
        employment_status: status,
        start_date: "2020-01-01".parse().expect("date"),
        end_date: (status == EmploymentStatus::Left).then(|| "2026-10-01".parse().expect("date")),
        version: 1,
    }
}

/// Monthly on the 1st since January, owned by person 1, one evidence item.
fn process(n: u128) -> Process {
    Process {
        id: ProcessId::from_uuid(id(n)),
        key: format!("p{n}"),
        name: format!("Process {n}"),
        objective: "Keep things safe".into(),
        owner_id: Some(PersonId::from_uuid(id(1))),
        deputy_id: None,
        raci: Raci::default(),
        inputs: vec![],
        outputs: vec![],
        cadence: Cadence::parse(
            "FREQ=MONTHLY;BYMONTHDAY=1",
            "2026-01-01".parse().expect("date"),
            "UTC",
        )
        .expect("cadence"),
        evidence: vec!["record".into()],
        clauses: vec!["8.1".into()],
        controls: vec![],
        status: ProcessStatus::Active,
        version: 1,
    }
}

fn run(n: u128, process: u128, due: &str, state: ActivityState, evidence: &[&str]) -> Activity {
    let due: NaiveDate = due.parse().expect("date");
    Activity {
        id: ActivityId::from_uuid(id(n)),
        process_id: ProcessId::from_uuid(id(process)),
        due_date: due,
        due_at: due.and_hms_opt(9, 0, 0).expect("t").and_utc(),
        assignee_id: None,
        state,
        closed_at: (state == ActivityState::Done)
            .then(|| due.and_hms_opt(15, 0, 0).expect("t").and_utc()),
        comment: None,
        evidence: evidence.iter().map(|s| (*s).to_owned()).collect(),
        version: 1,
    }
}

fn rule(n: u128, from: u128, to: u128) -> InteractionRule {
    InteractionRule {
        id: RuleId::from_uuid(id(n)),
        from_process: ProcessId::from_uuid(id(from)),
        event: EventKind::PersonLeft,
        condition: None,
        to_process: ProcessId::from_uuid(id(to)),
        task_title: "Revoke access of {subject}".into(),
        priority: "high".into(),
        sla_hours: 24,
        assign_to: Assignee::ProcessOwner,
        active: true,
    }
}

/// Two healthy processes linked by a rule, each run on 1 December with evidence.
fn healthy() -> Snapshot {
    Snapshot {
        processes: vec![process(10), process(11)],
        activities: vec![
            run(20, 10, "2026-12-01", ActivityState::Done, &["record"]),
            run(21, 11, "2026-12-01", ActivityState::Done, &["record"]),
        ],
        rules: vec![rule(30, 10, 11)],
        tasks: vec![],
        people: vec![person(1, EmploymentStatus::Active)],
    }
}

fn ids(s: &Snapshot) -> Vec<String> {
    check(s, today(), now())
        .into_iter()
        .map(|f| f.id.split('/').nth(1).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_healthy_isms_has_no_findings() {
    assert_eq!(check(&healthy(), today(), now()), vec![]);
}

#[test]
fn an_active_process_without_owner_is_major_and_an_owned_one_is_not() {
    let mut s = healthy();
    s.processes[0].owner_id = None;
    let f = check(&s, today(), now());
    assert_eq!(f[0].id, format!("4.4/process-without-owner/{}", id(10)));
    assert_eq!(f[0].severity, Severity::Major);
    assert_eq!(f[0].records, [id(10).to_string()]);
    // An owner who left counts as none.
    let mut s = healthy();
    s.processes[0].owner_id = Some(PersonId::from_uuid(id(2)));
    s.people.push(person(2, EmploymentStatus::Left));
    assert_eq!(ids(&s), ["process-without-owner"]);
    // A draft process is not in operation yet.
    let mut s = healthy();
    s.processes[0].owner_id = None;
    s.processes[0].status = ProcessStatus::Draft;
    s.rules.clear();
    s.processes.truncate(1);
    assert_eq!(ids(&s), Vec::<String>::new());
}

#[test]
fn a_process_never_run_is_major_and_a_late_one_minor() {
    let mut s = healthy();
    s.activities
        .retain(|a| a.process_id != ProcessId::from_uuid(id(10)));
    let f = check(&s, today(), now());
    assert_eq!(f[0].id, format!("8.1/process-never-run/{}", id(10)));
    assert_eq!(f[0].severity, Severity::Major);

    let mut s = healthy();
    s.activities[0] = run(20, 10, "2026-09-01", ActivityState::Done, &["record"]);
    let f = check(&s, today(), now());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, format!("8.1/process-late/{}", id(10)));
    assert_eq!(f[0].severity, Severity::Minor);

    // A run in the last window (from 1 November) is on time.
    let mut s = healthy();
    s.activities[0] = run(20, 10, "2026-11-01", ActivityState::Done, &["record"]);
    assert_eq!(ids(&s), Vec::<String>::new());
}

#[test]
fn a_closed_run_without_its_evidence_is_minor() {
    let mut s = healthy();
    s.activities[0].evidence.clear();
    let f = check(&s, today(), now());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, format!("8.1/evidence-missing/{}", id(20)));
    assert_eq!(f[0].severity, Severity::Minor);
    assert!(f[0].explanation.contains("record"));
}

#[test]
fn an_overdue_run_is_minor_and_one_due_today_is_not() {
    let mut s = healthy();
    s.activities
        .push(run(22, 10, "2026-11-20", ActivityState::Planned, &[]));
    let f = check(&s, today(), now());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, format!("8.1/activity-overdue/{}", id(22)));
    let mut s = healthy();
    s.activities
        .push(run(22, 10, "2026-12-01", ActivityState::InProgress, &[]));
    assert_eq!(ids(&s), Vec::<String>::new());
}

fn task(n: u128, due: &str, status: TaskStatus, completed: Option<&str>) -> Task {
    Task {
        id: TaskId::from_uuid(id(n)),
        title: "Revoke".into(),
        description: String::new(),
        process_id: Some(ProcessId::from_uuid(id(11))),
        owner_id: None,
        due_at: due.parse().expect("time"),
        priority: "high".into(),
        status,
        labels: vec!["security".into()],
        source_type: "interaction".into(),
        source_id: "p".into(),
        rule_id: Some(RuleId::from_uuid(id(30))),
        completed_at: completed.map(|c| c.parse().expect("time")),
        external_ticket: None,
        version: 1,
    }
}

#[test]
fn an_interaction_with_a_breached_sla_is_minor_and_one_met_is_not() {
    let mut s = healthy();
    s.tasks.push(task(
        40,
        "2026-11-20T10:00:00Z",
        TaskStatus::Done,
        Some("2026-11-22T10:00:00Z"),
    ));
    let f = check(&s, today(), now());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, format!("4.4/interaction-sla/{}", id(30)));
    assert!(f[0].records.contains(&id(40).to_string()));
    let mut open = healthy();
    open.tasks
        .push(task(40, "2026-11-30T10:00:00Z", TaskStatus::Open, None));
    assert_eq!(ids(&open), ["interaction-sla"], "left open past its SLA");
    let mut s = healthy();
    s.tasks.push(task(
        40,
        "2026-11-20T10:00:00Z",
        TaskStatus::Done,
        Some("2026-11-19T10:00:00Z"),
    ));
    s.tasks
        .push(task(41, "2026-12-02T10:00:00Z", TaskStatus::Open, None));
    assert_eq!(ids(&s), Vec::<String>::new());
}

#[test]
fn a_process_without_interactions_is_an_observation() {
    let mut s = healthy();
    s.rules.clear();
    let f = check(&s, today(), now());
    assert_eq!(f.len(), 2);
    assert!(
        f.iter()
            .all(|f| f.severity == Severity::Observation && f.id.starts_with("4.4/process-silo/"))
    );
    assert!(!fails(&f, Severity::Minor));
    assert!(fails(&f, Severity::Observation));
}

#[test]
fn an_escalation_within_a_process_is_no_interaction_with_another() {
    let mut s = healthy();
    s.rules.clear();
    let mut escalation = rule(60, 1, 1);
    escalation.event = EventKind::ActivityOverdue;
    escalation.assign_to = Assignee::OwnersManager;
    s.rules.push(escalation);
    let f = check(&s, today(), now());
    assert_eq!(
        f.iter()
            .filter(|f| f.id.starts_with("4.4/process-silo/"))
            .count(),
        2,
        "both processes are still silos: {f:?}"
    );
}

#[test]
fn findings_come_most_serious_first() {
    let mut s = healthy();
    s.rules.clear();
    s.processes[1].owner_id = None;
    let f = check(&s, today(), now());
    assert_eq!(f[0].severity, Severity::Major);
    assert_eq!(f.last().map(|f| f.severity), Some(Severity::Observation));
}
