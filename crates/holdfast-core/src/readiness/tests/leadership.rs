//! Clause 5.3: owners who are employed, deputies who cover, open work not left with leavers.

use super::*;
use crate::activity::ActivityState::Planned;

fn owned_by(s: &mut Snapshot, p: u128, owner: u128, deputy: Option<u128>) {
    let process = s
        .processes
        .iter_mut()
        .find(|x| x.id == pid(p))
        .expect("process");
    process.owner_id = Some(PersonId::from_uuid(id(owner)));
    process.deputy_id = deputy.map(|d| PersonId::from_uuid(id(d)));
}

#[test]
fn an_owner_who_left_is_a_minor_and_a_major_for_a_mandatory_process_without_deputy() {
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left));
    owned_by(&mut s, ACCESS, 2, None);
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("5.3/owner-missing", "5.3", Severity::Minor)]
    );
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left));
    owned_by(&mut s, REVIEW, 2, None);
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("5.3/owner-missing", "5.3", Severity::Major)]
    );
}

#[test]
fn a_deputy_who_stays_covers_for_thirty_days_then_it_is_a_minor() {
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left)); // left on 1 October
    s.people.push(person(3, EmploymentStatus::Active));
    owned_by(&mut s, REVIEW, 2, Some(3));
    assert_eq!(found(&s, on("2026-10-31")), vec![], "covered");
    let r = report(&s, on("2026-11-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("5.3/owner-missing", Severity::Minor)],
        "a deputy keeps it from being a major"
    );
    assert_eq!(r.findings[0].first_seen, d("2026-11-01"));
}

#[test]
fn a_process_with_no_owner_at_all_is_judged_the_same_way() {
    let mut s = healthy();
    s.processes[0].owner_id = None;
    let f = report(&s, on("2026-12-01"));
    assert_eq!(f.findings.len(), 1);
    assert_eq!(
        f.findings[0].title,
        "Process \"Access review\" has no owner"
    );
    // A draft is not in operation yet and needs no owner.
    s.processes[0].status = ProcessStatus::Draft;
    s.processes[0].clauses = vec!["8.1".into()];
    let codes: Vec<_> = found(&s, on("2026-12-01"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(!codes.contains(&"5.3/owner-missing"), "{codes:?}");
}

#[test]
fn an_owner_on_notice_is_an_observation() {
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Leaving));
    owned_by(&mut s, ACCESS, 2, None);
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("5.3/owner-leaving", "5.3", Severity::Observation)]
    );
}

#[test]
fn an_open_run_given_to_someone_who_left_is_an_observation() {
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left));
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-12-01")) {
        a.assignee_id = Some(PersonId::from_uuid(id(2)));
        a.state = Planned;
        a.closed_at = None;
    }
    assert_eq!(
        found(&s, on("2026-11-20")),
        [("5.3/run-assignee-left", "5.3", Severity::Observation)]
    );
    // Closed runs given to a leaver are history, not a risk.
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left));
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-06-01")) {
        a.assignee_id = Some(PersonId::from_uuid(id(2)));
    }
    assert_eq!(found(&s, on("2026-11-20")), vec![]);
}
