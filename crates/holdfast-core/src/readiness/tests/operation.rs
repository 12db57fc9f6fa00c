//! Clause 8.1: cycles carried out as planned, on time, with their evidence.

use super::*;
use crate::activity::ActivityState::{Done, InProgress, Planned, Skipped};

#[test]
fn a_run_a_day_late_is_an_observation_and_one_due_today_is_nothing() {
    let mut s = healthy();
    set_state(&mut s, ACCESS, "2026-12-01", Planned);
    assert_eq!(found(&s, on("2026-12-01")), vec![], "due today");
    assert_eq!(
        found(&s, on("2026-12-02")),
        [("8.1/process-late", "8.1", Severity::Observation)]
    );
}

#[test]
fn a_missed_cycle_is_a_minor_and_two_are_a_major_in_one_finding() {
    let mut s = healthy();
    set_state(&mut s, ACCESS, "2026-11-01", Planned);
    let f = found(&s, on("2026-12-01"));
    assert_eq!(
        f,
        [("8.1/process-late", "8.1", Severity::Minor)],
        "the next run is due"
    );
    set_state(&mut s, ACCESS, "2026-10-01", InProgress);
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings.len(),
        1,
        "one defect, one finding: {:#?}",
        r.findings
    );
    assert_eq!(r.findings[0].severity, Severity::Major);
    let runs: Vec<_> = r.findings[0]
        .records
        .iter()
        .filter(|x| x.kind.as_str() == "run")
        .collect();
    assert_eq!(runs.len(), 2, "the finding cites both open runs");
    assert_eq!(
        r.findings[0].id,
        format!("8.1/process-late/{}", pid(ACCESS))
    );
}

#[test]
fn a_missed_management_review_is_written_up_against_9_3_and_an_internal_audit_against_9_2() {
    let mut s = healthy();
    set_state(&mut s, REVIEW, "2026-11-01", Planned);
    set_state(&mut s, AUDIT, "2026-11-01", Planned);
    let mut f = found(&s, on("2026-12-01"));
    f.sort();
    assert_eq!(
        f,
        [
            ("8.1/process-late", "9.2", Severity::Minor),
            ("8.1/process-late", "9.3", Severity::Minor)
        ]
    );
}

#[test]
fn a_documented_skip_is_a_deviation_not_a_missed_cycle() {
    let mut s = healthy();
    set_state(&mut s, ACCESS, "2026-11-01", Skipped);
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings, vec![]);
    assert_eq!(r.deviations.len(), 1);
    assert_eq!(r.deviations[0].reason, "done");
    assert_eq!(r.deviations[0].run.date, Some(d("2026-11-01")));
}

#[test]
fn a_process_activated_weeks_after_its_anchor_is_judged_only_from_activation() {
    let mut s = healthy();
    let late_start = &mut s.processes[0];
    late_start.active_since = Some(d("2026-11-20"));
    // The scheduler plans from activation on, so there are no runs before it.
    s.activities
        .retain(|a| a.process_id != pid(ACCESS) || a.due_date >= d("2026-12-01"));
    for due in ["2026-12-01", "2027-01-01"] {
        set_state(&mut s, ACCESS, due, Planned);
    }
    assert_eq!(found(&s, on("2026-11-25")), vec![], "nothing was due yet");
    assert_eq!(
        found(&s, on("2026-12-01")),
        vec![],
        "its first due date is not a defect"
    );
    assert_eq!(
        found(&s, on("2026-12-15")),
        vec![],
        "a new process's first run has 14 days of grace"
    );
    assert_eq!(
        found(&s, on("2026-12-16")),
        [("8.1/process-never-run", "8.1", Severity::Major)],
        "never run, 14 days after its first due date: the late run is part of that one finding"
    );
}

#[test]
fn a_yearly_process_activated_in_may_is_not_judged_before_its_first_due_date_and_grace() {
    let mut s = healthy();
    let p = &mut s.processes[0];
    p.cadence = Cadence::parse("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=2", d("2026-01-01"), "UTC")
        .expect("cadence");
    p.active_since = Some(d("2026-05-10"));
    s.activities.retain(|a| a.process_id != pid(ACCESS));
    s.activities.push(run(9000, ACCESS, "2027-03-02", Planned));
    for day in ["2026-05-10", "2026-12-01", "2027-03-02", "2027-03-16"] {
        assert_eq!(
            found(&s, on(day))
                .into_iter()
                .filter(|f| f.0.starts_with("8.1/"))
                .count(),
            0,
            "{day}"
        );
    }
    assert_eq!(
        found(&s, on("2027-03-17"))
            .into_iter()
            .filter(|f| f.0 == "8.1/process-never-run")
            .count(),
        1
    );
}

#[test]
fn cycles_the_scheduler_never_planned_count_as_not_run() {
    let mut s = healthy();
    s.processes[0].planned_through = Some(d("2026-09-30"));
    s.activities
        .retain(|a| a.process_id != pid(ACCESS) || a.due_date < d("2026-10-01"));
    assert_eq!(found(&s, on("2026-09-30")), vec![]);
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].severity, Severity::Major, "two cycles missed");
    assert!(
        r.findings[0]
            .records
            .iter()
            .any(|x| x.kind.as_str() == "occurrence")
    );
}

#[test]
fn a_triennial_cadence_is_checked_across_its_three_years() {
    let mut s = healthy();
    let p = &mut s.processes[0];
    p.cadence = Cadence::parse(
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=6;BYMONTHDAY=1",
        d("2023-06-01"),
        "UTC",
    )
    .expect("cadence");
    p.active_since = Some(d("2023-06-01"));
    s.activities.retain(|a| a.process_id != pid(ACCESS));
    s.activities.push(run(9000, ACCESS, "2023-06-01", Done));
    s.activities.push(run(9001, ACCESS, "2026-06-01", Planned));
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("8.1/process-late", "8.1", Severity::Minor)],
        "six months overdue is a missed cycle"
    );
    set_state(&mut s, ACCESS, "2026-06-01", Done);
    assert_eq!(found(&s, on("2026-12-01")), vec![]);
}

#[test]
fn a_run_closed_more_than_a_week_late_is_a_minor_and_one_closed_within_it_is_not() {
    let mut s = healthy();
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-11-01")) {
        a.closed_at = Some(t("2026-11-08T15:00:00Z"));
    }
    assert_eq!(
        found(&s, on("2026-12-01")),
        vec![],
        "seven days is within tolerance"
    );
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-10-01")) {
        a.closed_at = Some(t("2026-10-20T15:00:00Z"));
    }
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-11-01")) {
        a.closed_at = Some(t("2026-11-09T15:00:00Z"));
    }
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_eq!(r.findings[0].code, "8.1/runs-closed-late");
    assert_eq!(r.findings[0].severity, Severity::Minor);
    assert_eq!(r.findings[0].first_seen, d("2026-10-20"));
}

#[test]
fn a_closed_run_without_its_evidence_is_a_minor_once_per_process() {
    let mut s = healthy();
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date >= d("2026-10-01")) {
        a.evidence.clear();
    }
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].code, "8.1/evidence-missing");
    assert!(r.findings[0].explanation.contains("record"));
    assert_eq!(
        r.findings[0].records.len(),
        3,
        "the process and its two runs"
    );
}

#[test]
fn runs_are_judged_against_the_evidence_required_when_they_closed() {
    let mut s = healthy();
    // The requirement is renamed after the runs were closed.
    s.processes[0].evidence = vec!["signed review record".into()];
    assert_eq!(found(&s, on("2026-12-01")), vec![]);
}

#[test]
fn missing_evidence_older_than_the_audit_period_is_not_a_finding() {
    let mut s = healthy();
    let mut old = run(9000, ACCESS, "2025-06-01", Done);
    old.evidence.clear();
    s.activities.push(old);
    assert_eq!(found(&s, on("2026-12-01")), vec![]);
    assert_eq!(
        found(&s, on("2026-05-01"))
            .into_iter()
            .filter(|f| f.0 == "8.1/evidence-missing")
            .count(),
        1,
        "it was in the period a year earlier"
    );
}

#[test]
fn judged_on_an_earlier_day_a_run_closed_later_was_still_open() {
    let mut s = healthy();
    for a in runs_of(&mut s, ACCESS).filter(|a| a.due_date == d("2026-11-01")) {
        a.closed_at = Some(t("2026-11-05T10:00:00Z"));
    }
    assert_eq!(
        found(&s, on("2026-11-03")),
        [("8.1/process-late", "8.1", Severity::Observation)]
    );
    assert_eq!(found(&s, on("2026-12-01")), vec![]);
}

#[test]
fn a_paused_process_is_not_late_for_the_runs_its_pause_skipped() {
    let mut s = healthy();
    set_state(&mut s, ACCESS, "2026-11-01", Skipped);
    set_state(&mut s, ACCESS, "2026-12-01", Skipped);
    s.processes[0].status = ProcessStatus::Paused;
    s.processes[0].pause = Some(crate::process::Pause {
        since: d("2026-10-20"),
        until: d("2026-12-31"),
        reason: "office move".into(),
    });
    assert_eq!(found(&s, on("2026-12-15")), vec![]);
}
