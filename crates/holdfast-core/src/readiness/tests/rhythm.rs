//! Clauses with their own rhythm (6.1.2/8.2, 9.2, 9.3, 10.2): served by a process in
//! operation, and performed within 12 months whatever happened to the cadence.

use super::*;
use crate::activity::ActivityState::{Planned, Skipped};

fn without_runs_from(s: &mut Snapshot, p: u128, from: &str, state: ActivityState) {
    for a in runs_of(s, p).filter(|a| a.due_date >= d(from)) {
        let fresh = run(0, p, "2026-01-01", state);
        a.state = state;
        a.closed_at = fresh.closed_at.map(|_| a.due_at);
        a.comment = fresh.comment;
        a.evidence.clear();
        a.required_evidence.clear();
    }
}

#[test]
fn no_management_review_for_twelve_months_is_one_major_against_9_3() {
    let mut s = healthy();
    without_runs_from(&mut s, REVIEW, "2026-02-01", Planned);
    // Last held 1 January 2026: the limit is 1 January 2027 plus 14 days of grace.
    let before = found(&s, on("2027-01-15"));
    assert_eq!(
        before,
        [("8.1/process-late", "9.3", Severity::Major)],
        "cycles missed, limit not passed"
    );
    let after = report(&s, on("2027-01-16"));
    assert_eq!(
        after
            .findings
            .iter()
            .map(|f| (f.code, f.clause, f.severity))
            .collect::<Vec<_>>(),
        [("9.3/lapsed", "9.3", Severity::Major)],
        "one defect, one finding: the lapse replaces the late-process finding"
    );
    assert!(
        after.findings[0].title.contains("since 2026-01-01"),
        "{}",
        after.findings[0].title
    );
    assert!(
        after.findings[0].records.len() > 10,
        "it cites the process and its open runs"
    );
}

#[test]
fn skipped_reviews_do_not_stretch_the_twelve_months() {
    let mut s = healthy();
    without_runs_from(&mut s, REVIEW, "2026-02-01", Skipped);
    assert_eq!(
        found(&s, on("2026-12-01")),
        vec![],
        "documented skips are no missed cycles"
    );
    assert_eq!(
        report(&s, on("2026-12-01")).deviations.len(),
        11,
        "February to December"
    );
    assert_eq!(
        found(&s, on("2027-01-16")),
        [("9.3/lapsed", "9.3", Severity::Major)],
        "but the clause's own limit still holds"
    );
}

#[test]
fn a_risk_assessment_internal_audit_and_corrective_action_lapse_likewise() {
    for (p, code) in [
        (RISK, "8.2/lapsed"),
        (AUDIT, "9.2/lapsed"),
        (CORRECTIVE, "10.2/lapsed"),
    ] {
        let mut s = healthy();
        without_runs_from(&mut s, p, "2026-02-01", Skipped);
        let f = found(&s, on("2027-02-01"));
        assert_eq!(f.len(), 1, "{code}: {f:?}");
        assert_eq!(f[0].0, code);
        assert_eq!(f[0].2, Severity::Major);
    }
}

#[test]
fn a_new_isms_has_twelve_months_for_its_first_review() {
    let mut s = healthy();
    let review = s
        .processes
        .iter_mut()
        .find(|p| p.id == pid(REVIEW))
        .expect("review");
    review.cadence = Cadence::parse(
        "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=1",
        d("2026-01-01"),
        "UTC",
    )
    .expect("cadence");
    s.activities.retain(|a| a.process_id != pid(REVIEW));
    s.activities.push(run(9000, REVIEW, "2026-11-01", Planned));
    // Held for the first time on 1 November 2026, ten months in: no lapse, only a late run.
    assert_eq!(found(&s, on("2026-10-31")), vec![]);
    set_state(&mut s, REVIEW, "2026-11-01", ActivityState::Done);
    assert_eq!(found(&s, on("2027-01-15")), vec![]);
}

#[test]
fn each_clause_with_its_own_rhythm_must_be_served_by_a_process_in_operation() {
    let mut s = healthy();
    s.processes
        .iter_mut()
        .find(|p| p.id == pid(REVIEW))
        .expect("review")
        .status = ProcessStatus::Draft;
    let r = report(&s, on("2026-06-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("9.3/no-process", Severity::Major)]
    );
    assert_eq!(
        r.findings[0].records.len(),
        1,
        "it names the draft that would serve it"
    );
    let mut s = healthy();
    s.processes
        .iter_mut()
        .find(|p| p.id == pid(RISK))
        .expect("risk")
        .clauses = vec!["8.1".into()];
    assert_eq!(
        found(&s, on("2026-06-01")),
        [("6.1.2/no-process", "6.1.2", Severity::Major)]
    );
}

#[test]
fn an_isms_with_no_process_in_operation_is_one_major() {
    let mut s = healthy();
    for p in &mut s.processes {
        p.status = ProcessStatus::Draft;
    }
    let r = report(&s, on("2026-06-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("4.4/no-active-process", Severity::Major)],
        "said once, not once per clause"
    );
    assert_eq!(r.findings[0].records.len(), 5);
    assert_eq!(
        found(&Snapshot::default(), on("2026-06-01")),
        [("4.4/no-active-process", "4.4", Severity::Major)],
        "an empty ISMS does not pass"
    );
}
