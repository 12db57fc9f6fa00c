//! Clauses 6.1.2, 6.1.3 and 8.2 on the register: each check's clean case beside its defect.

use super::*;
use crate::ids::{RiskAssessmentId, RiskDecisionId, RiskId, RiskMethodId};
use crate::risk::{
    Assessment, Authority, Decision, DecisionKind, MethodDraft, MethodVersion, Rating, Register,
    Risk, RiskRecord, Subject, Treatment,
};

const LOW: u128 = 900;
const MEDIUM: u128 = 901;

fn method(version: i64, published: &str) -> MethodVersion {
    MethodVersion {
        id: RiskMethodId::from_uuid(id(800 + version as u128)),
        version,
        method: MethodDraft::five_by_five().validate().expect("valid"),
        published_by: None,
        published_at: t(&format!("{published}T09:00:00Z")),
    }
}

/// A risk owned by person 1, assessed on 1 April 2026 under version 1 at `current`.
fn record(n: u128, current: (u8, u8)) -> RiskRecord {
    let m = method(1, "2026-01-01");
    let rating = Rating {
        likelihood: current.0,
        impact: current.1,
    };
    let level = m.method.level(rating).expect("on the scale").clone();
    let risk = Risk {
        id: RiskId::from_uuid(id(n)),
        reference: format!("R-{:03}", n - 899),
        title: format!("Risk {n}"),
        threat: "Theft".into(),
        vulnerability: "Unencrypted disks".into(),
        owner_id: Some(PersonId::from_uuid(id(1))),
        process_id: Some(pid(RISK)),
        treatment: Treatment::Modify,
        controls: vec!["8.1".into()],
        assets: vec![],
        version: 2,
    };
    let latest = Assessment {
        id: RiskAssessmentId::from_uuid(id(n + 100)),
        risk_id: risk.id,
        method_id: m.id,
        method_version: 1,
        inherent: Rating {
            likelihood: 5,
            impact: 5,
        },
        current: rating,
        target: None,
        inherent_level: "very_high".into(),
        current_level: level.key.clone(),
        target_level: None,
        rationale: "Encryption on most laptops".into(),
        assessor_id: None,
        assessed_on: d("2026-04-01"),
        review_due: d("2026-04-01") + chrono::Duration::days(i64::from(level.review_days)),
        recorded_at: t("2026-04-01T10:00:00Z"),
    };
    RiskRecord {
        risk,
        latest: Some(latest),
        acceptance: None,
    }
}

fn accepted(mut r: RiskRecord, by: Authority, expires: &str) -> RiskRecord {
    let a = r.latest.as_ref().expect("assessed");
    let subject = Subject::of(&r.risk, a);
    r.acceptance = Some(Decision {
        id: RiskDecisionId::from_uuid(id(r.risk.id.as_uuid().as_u128() + 200)),
        risk_id: r.risk.id,
        kind: DecisionKind::ResidualAcceptance,
        decided_by: PersonId::from_uuid(id(1)),
        authority: by,
        decided_at: t("2026-04-01T11:00:00Z"),
        rationale: "Within appetite once encryption completes".into(),
        expires_on: d(expires),
        subject_sha256: subject.sha256(),
        subject,
    });
    r
}

/// A published method, a low risk and a medium risk its owner accepted until March 2027.
pub(super) fn healthy_register() -> Register {
    Register {
        methods: vec![method(1, "2026-01-01")],
        risks: vec![
            record(LOW, (1, 1)),
            accepted(record(MEDIUM, (2, 3)), Authority::RiskOwner, "2027-03-31"),
        ],
    }
}

fn codes(s: &Snapshot, day: &str) -> Vec<(&'static str, &'static str, Severity)> {
    found(s, on(day))
}

#[test]
fn a_new_isms_has_ninety_days_to_publish_its_risk_method() {
    // The healthy processes operate from 1 January 2026.
    let mut s = healthy();
    s.risks.methods.clear();
    assert_eq!(codes(&s, "2026-04-01"), []);
    let r = report(&s, on("2026-04-02"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].code, "6.1.2/no-risk-method");
    assert_eq!(r.findings[0].first_seen, d("2026-04-02"));
}

#[test]
fn without_a_published_method_the_register_is_a_major() {
    let mut s = healthy();
    s.risks.methods.clear();
    s.processes.clear();
    assert_eq!(
        codes(&s, "2026-12-01"),
        [("4.4/no-active-process", "4.4", Severity::Major)],
        "an empty ISMS is one defect"
    );
    let mut s = healthy();
    s.risks.methods.clear();
    assert_eq!(
        codes(&s, "2026-12-01"),
        [("6.1.2/no-risk-method", "6.1.2", Severity::Major)]
    );
    let mut s = healthy();
    s.risks.risks.clear();
    assert_eq!(
        codes(&s, "2026-12-01"),
        [],
        "a method with an empty register is not this defect"
    );
}

#[test]
fn a_risk_without_an_owner_or_whose_owner_left_a_month_ago_is_a_minor() {
    let mut s = healthy();
    s.risks.risks[0].risk.owner_id = None;
    assert_eq!(
        codes(&s, "2026-12-01"),
        [("6.1.2/risk-owner-missing", "6.1.2", Severity::Minor)]
    );
    let mut s = healthy();
    s.people.push(person(2, EmploymentStatus::Left)); // left on 1 October
    s.risks.risks[0].risk.owner_id = Some(PersonId::from_uuid(id(2)));
    assert_eq!(codes(&s, "2026-10-31"), [], "30 days to hand it over");
    let r = report(&s, on("2026-11-01"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].code, "6.1.2/risk-owner-missing");
    assert_eq!(r.findings[0].first_seen, d("2026-10-01"));
}

#[test]
fn a_reassessment_overdue_by_more_than_thirty_days_is_a_minor_against_8_2() {
    let mut s = healthy();
    // The medium risk's review is due a year after 1 April 2026.
    s.risks.risks.truncate(1);
    assert_eq!(codes(&s, "2027-05-01"), [], "within the grace");
    let r = report(&s, on("2027-05-02"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.clause, f.severity))
            .collect::<Vec<_>>(),
        [("8.2/risk-review-overdue", "8.2", Severity::Minor)]
    );
    assert_eq!(r.findings[0].records[0].date, Some(d("2027-04-01")));
}

#[test]
fn a_residual_risk_above_appetite_needs_a_live_acceptance_after_its_time_to_treat() {
    // Unaccepted medium: the level allows 180 days to treat from 1 April.
    let mut s = healthy();
    s.risks.risks[1].acceptance = None;
    assert_eq!(
        codes(&s, "2026-09-28"),
        [],
        "still within the time to treat"
    );
    assert_eq!(
        codes(&s, "2026-12-01"),
        [("6.1.3/residual-not-accepted", "6.1.3", Severity::Minor)]
    );
    // An expired acceptance does not cover it.
    let mut s = healthy();
    s.risks.risks[1] = accepted(record(MEDIUM, (2, 3)), Authority::RiskOwner, "2026-11-30");
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1);
    assert!(
        r.findings[0].explanation.contains("expired"),
        "{}",
        r.findings[0].explanation
    );
    // A material change since the acceptance makes it stale.
    let mut s = healthy();
    s.risks.risks[1].risk.controls.push("8.24".into());
    let r = report(&s, on("2026-12-01"));
    assert_eq!(r.findings.len(), 1);
    assert!(r.findings[0].explanation.contains("changed materially"));
    // A high risk accepted only by its owner lacks the authority its level demands.
    let mut s = healthy();
    s.risks.risks[1] = accepted(record(MEDIUM, (3, 4)), Authority::RiskOwner, "2027-03-31");
    assert_eq!(
        codes(&s, "2026-08-01"),
        [("6.1.3/residual-not-accepted", "6.1.3", Severity::Minor)]
    );
    let mut s = healthy();
    s.risks.risks[1] = accepted(
        record(MEDIUM, (3, 4)),
        Authority::TopManagement,
        "2027-03-31",
    );
    assert_eq!(codes(&s, "2026-08-01"), [], "top management accepted it");
}

#[test]
fn a_level_nobody_may_accept_is_a_minor_once_its_time_to_treat_has_passed() {
    let mut s = healthy();
    s.risks.risks[1] = accepted(
        record(MEDIUM, (5, 5)),
        Authority::TopManagement,
        "2027-03-31",
    );
    assert_eq!(codes(&s, "2026-05-01"), [], "30 days to treat from 1 April");
    let r = report(&s, on("2026-05-02"));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].code, "6.1.3/residual-not-accepted");
    assert!(r.findings[0].title.contains("does not accept"));
}

#[test]
fn risks_rated_under_a_superseded_method_are_one_observation_after_ninety_days() {
    let mut s = healthy();
    s.risks.methods.push(method(2, "2026-09-01"));
    assert_eq!(codes(&s, "2026-11-30"), [], "90 days to re-rate");
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("6.1.2/risk-method-superseded", Severity::Observation)],
        "one finding for the register, not one per risk"
    );
    assert_eq!(r.findings[0].records.len(), 3, "the method and both risks");
    // Re-rated: clean.
    for r in &mut s.risks.risks {
        if let Some(a) = &mut r.latest {
            a.method_version = 2;
        }
    }
    for r in &mut s.risks.risks {
        if let Some(a) = r.acceptance.as_mut() {
            let latest = r.latest.as_ref().expect("assessed");
            a.subject = Subject::of(&r.risk, latest);
            a.subject_sha256 = a.subject.sha256();
        }
    }
    assert_eq!(codes(&s, "2026-12-01"), []);
}
