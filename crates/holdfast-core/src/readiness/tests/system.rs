//! Clause 4.4: processes that interact, through rules whose SLAs hold in the audit period.

use super::*;
use crate::map;
use crate::process::Pause;

/// Ten tasks of rule 500 in November, each done an hour before its deadline.
fn on_time(s: &mut Snapshot) {
    for n in 0..10 {
        let due = format!("2026-11-{:02}T10:00:00Z", n + 1);
        let done = format!("2026-11-{:02}T09:00:00Z", n + 1);
        s.tasks.push(task(100 + n, 500, &due, Some(&done)));
    }
}

#[test]
fn an_isolated_breach_is_an_observation_and_repeated_breaches_a_minor() {
    let mut s = healthy();
    on_time(&mut s);
    s.tasks.push(task(
        40,
        500,
        "2026-11-20T10:00:00Z",
        Some("2026-11-22T10:00:00Z"),
    ));
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.4/interaction-sla", "4.4", Severity::Observation)],
        "one breach in eleven tasks"
    );
    let mut few = healthy();
    few.tasks.push(task(
        40,
        500,
        "2026-11-20T10:00:00Z",
        Some("2026-11-22T10:00:00Z"),
    ));
    assert_eq!(
        found(&few, on("2026-12-01")),
        [("4.4/interaction-sla", "4.4", Severity::Minor)],
        "one breach in one task is more than one in ten"
    );
    s.tasks.push(task(41, 500, "2026-11-25T10:00:00Z", None));
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1, "one finding per interaction");
    assert_eq!(r.findings[0].severity, Severity::Minor);
    assert!(
        r.findings[0].explanation.contains("2 of 12 task(s)"),
        "{}",
        r.findings[0].explanation
    );
    assert!(r.findings[0].explanation.contains("1 still open"));
    assert_eq!(r.findings[0].first_seen, d("2026-11-20"));
    let tasks: Vec<_> = r.findings[0]
        .records
        .iter()
        .filter(|x| x.kind.as_str() == "task")
        .collect();
    assert_eq!(tasks.len(), 2);
}

#[test]
fn tasks_done_within_their_sla_or_still_within_it_are_no_finding() {
    let mut s = healthy();
    s.tasks.push(task(
        40,
        500,
        "2026-11-20T10:00:00Z",
        Some("2026-11-19T10:00:00Z"),
    ));
    s.tasks.push(task(41, 500, "2026-12-02T10:00:00Z", None));
    assert_eq!(found(&s, on("2026-12-01")), vec![]);
}

#[test]
fn a_breach_before_the_audit_period_has_expired_and_the_map_agrees() {
    let mut s = healthy();
    s.tasks.push(task(
        40,
        500,
        "2023-11-20T10:00:00Z",
        Some("2023-11-22T10:00:00Z"),
    ));
    let as_of = on("2026-12-01");
    assert_eq!(found(&s, as_of), vec![]);
    let period = super::super::Period::ending(as_of.today, 12);
    let m = map::build(&s.processes, &s.rules, &s.tasks, period, as_of);
    assert!(
        m.edges.iter().all(|e| e.breached == 0),
        "the map judges the same window"
    );
    // A task left open past its deadline stays a breach, however old.
    s.tasks.push(task(41, 500, "2023-11-20T10:00:00Z", None));
    assert_eq!(
        found(&s, as_of),
        [("4.4/interaction-sla", "4.4", Severity::Minor)],
        "the only task the period judges breached"
    );
    let m = map::build(&s.processes, &s.rules, &s.tasks, period, as_of);
    assert_eq!(m.edges.iter().map(|e| e.breached).sum::<usize>(), 1);
}

#[test]
fn a_retired_process_and_a_paused_one_are_not_held_to_the_slas_of_their_time_away() {
    let mut s = healthy();
    s.tasks.push(task(40, 500, "2026-11-20T10:00:00Z", None));
    s.tasks.push(task(41, 500, "2026-11-21T10:00:00Z", None));
    let to = s
        .processes
        .iter_mut()
        .find(|p| p.id == pid(RISK))
        .expect("risk");
    to.status = ProcessStatus::Paused;
    to.pause = Some(Pause {
        since: d("2026-11-15"),
        until: d("2026-12-31"),
        reason: "audit".into(),
    });
    for a in s
        .activities
        .iter_mut()
        .filter(|a| a.process_id == pid(RISK) && a.due_date >= d("2026-12-01"))
    {
        a.state = ActivityState::Skipped;
    }
    let codes: Vec<_> = found(&s, on("2026-12-01"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(!codes.contains(&"4.4/interaction-sla"), "{codes:?}");
    s.processes
        .iter_mut()
        .find(|p| p.id == pid(RISK))
        .expect("risk")
        .status = ProcessStatus::Retired;
    let codes: Vec<_> = found(&s, on("2026-12-01"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(!codes.contains(&"4.4/interaction-sla"), "{codes:?}");
}

#[test]
fn a_process_without_interactions_is_an_observation() {
    let mut s = healthy();
    s.rules
        .retain(|r| r.from_process != pid(ACCESS) && r.to_process != pid(ACCESS));
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.4/process-silo", "4.4", Severity::Observation)]
    );
}

#[test]
fn an_escalation_within_a_process_is_no_interaction_with_another() {
    let mut s = healthy();
    s.rules
        .retain(|r| r.from_process != pid(ACCESS) && r.to_process != pid(ACCESS));
    let mut escalation = rule(600, ACCESS, ACCESS);
    escalation.event = EventKind::ActivityOverdue;
    escalation.assign_to = Assignee::OwnersManager;
    s.rules.push(escalation);
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.4/process-silo", "4.4", Severity::Observation)]
    );
}

#[test]
fn an_accepted_observation_moves_aside_until_its_acceptance_expires() {
    let mut s = healthy();
    s.rules
        .retain(|r| r.from_process != pid(ACCESS) && r.to_process != pid(ACCESS));
    let finding = format!("4.4/process-silo/{}", pid(ACCESS));
    s.acceptances.push(super::super::Acceptance {
        id: "a1".into(),
        finding_id: finding.clone(),
        reason: "Access review stands alone until the HR system is connected".into(),
        expires_on: d("2026-12-31"),
        accepted_by: "Person 1".into(),
        accepted_at: t("2026-11-30T10:00:00Z"),
    });
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings, vec![]);
    assert_eq!(r.accepted.len(), 1);
    assert_eq!(r.accepted[0].finding.id, finding);
    let r = report(&s, on("2027-01-01"));
    assert_eq!(r.findings.len(), 1, "expired");
    assert!(r.accepted.is_empty());
}

#[test]
fn an_acceptance_does_not_hide_a_nonconformity() {
    let mut s = healthy();
    s.tasks.push(task(40, 500, "2026-11-20T10:00:00Z", None));
    s.tasks.push(task(41, 500, "2026-11-21T10:00:00Z", None));
    s.acceptances.push(super::super::Acceptance {
        id: "a1".into(),
        finding_id: format!("4.4/interaction-sla/{}", RuleId::from_uuid(id(500))),
        reason: "busy".into(),
        expires_on: d("2026-12-31"),
        accepted_by: "Person 1".into(),
        accepted_at: t("2026-11-30T10:00:00Z"),
    });
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].severity, Severity::Minor);
    assert!(r.accepted.is_empty());
}

#[test]
fn today_is_the_organisations_day() {
    let mut s = healthy();
    set_state(&mut s, ACCESS, "2026-12-01", ActivityState::Planned);
    let late_evening = t("2026-12-01T23:30:00Z");
    let utc = AsOf::at(late_evening, chrono_tz::Tz::UTC);
    assert_eq!(found(&s, utc), vec![], "still 1 December in UTC");
    let tokyo = AsOf::at(late_evening, chrono_tz::Asia::Tokyo);
    assert_eq!(
        found(&s, tokyo),
        [("8.1/process-late", "8.1", Severity::Observation)],
        "already 2 December in Tokyo"
    );
}
