//! Clauses 4.1–4.3 on the context and the scope: each check's clean case beside its defect.

use super::*;
use crate::context::{
    ContextState, Element, Entry, Inclusion, Issue, IssueCategory, IssueKind, Party, PartyKind,
    Requirement, RequirementKind, Scope, ScopeApproval, ScopeVersion,
};
use crate::ids::{ContextIssueId, InterestedPartyId, RequirementId};

fn issue(n: u128, review_due: &str) -> Issue {
    Issue {
        id: ContextIssueId::from_uuid(id(3000 + n)),
        reference: format!("I-{n:03}"),
        kind: IssueKind::External,
        category: IssueCategory::Legal,
        title: format!("Issue {n}"),
        effect: "Shapes the controls we need".into(),
        owner_id: Some(crate::ids::PersonId::from_uuid(id(1))),
        review_due: d(review_due),
        active: true,
        version: 1,
    }
}

fn party(n: u128, review_due: &str) -> Party {
    Party {
        id: InterestedPartyId::from_uuid(id(3100 + n)),
        name: format!("Party {n}"),
        kind: PartyKind::Customer,
        expectations: "Their data is kept confidential".into(),
        owner_id: None,
        review_due: d(review_due),
        active: true,
        version: 1,
    }
}

fn requirement(n: u128, party_n: u128, controls: &[&str], recorded_on: &str) -> Requirement {
    Requirement {
        id: RequirementId::from_uuid(id(3200 + n)),
        party_id: InterestedPartyId::from_uuid(id(3100 + party_n)),
        kind: RequirementKind::Contractual,
        citation: format!("MSA §{n}"),
        text: "Encrypt customer data at rest".into(),
        controls: controls.iter().map(|c| (*c).to_owned()).collect(),
        process_ids: vec![],
        recorded_on: d(recorded_on),
        version: 1,
    }
}

fn scope_version(number: i64, proposed: &str, approved: Option<&str>) -> ScopeVersion {
    let scope = Scope {
        statement: "The Northwind platform, its people and the offices that run it".into(),
        entries: vec![Entry {
            name: "Retail shop".into(),
            element: Element::Unit,
            inclusion: Inclusion::Excluded {
                justification: "Sells no digital service and holds no customer data".into(),
            },
        }],
    };
    ScopeVersion {
        number,
        sha256: scope.digest(),
        scope,
        proposed_by: None,
        proposed_at: t(&format!("{proposed}T09:00:00Z")),
        approval: approved.map(|a| ScopeApproval {
            approved_by: crate::ids::PersonId::from_uuid(id(1)),
            approved_at: t(&format!("{a}T09:00:00Z")),
        }),
    }
}

/// Issues and parties reviewed for years ahead, a requirement addressed, scope 1 approved.
pub(super) fn healthy_context() -> ContextState {
    ContextState {
        issues: vec![issue(1, "2099-12-31"), issue(2, "2099-12-31")],
        parties: vec![party(1, "2099-12-31")],
        requirements: vec![requirement(1, 1, &["8.24"], "2026-01-05")],
        scopes: vec![scope_version(1, "2026-01-05", Some("2026-01-10"))],
    }
}

#[test]
fn empty_registers_are_minor_after_the_foundation_grace_and_silent_on_an_empty_isms() {
    let mut s = healthy();
    s.context.issues.clear();
    s.context.parties.clear();
    s.context.requirements.clear();
    assert_eq!(found(&s, on("2026-04-01")), [], "within the first 90 days");
    assert_eq!(
        found(&s, on("2026-12-01")),
        [
            ("4.1/no-context-issues", "4.1", Severity::Minor),
            ("4.2/no-interested-parties", "4.2", Severity::Minor),
        ]
    );
    // Retired records do not make a register.
    let mut s = healthy();
    for i in &mut s.context.issues {
        i.active = false;
    }
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.1/no-context-issues", "4.1", Severity::Minor)]
    );
    s.processes.clear();
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.4/no-active-process", "4.4", Severity::Major)]
    );
}

#[test]
fn overdue_reviews_are_one_observation_per_register_after_thirty_days() {
    let mut s = healthy();
    s.context.issues[0].review_due = d("2026-10-01");
    s.context.issues[1].review_due = d("2026-09-01");
    s.context.parties[0].review_due = d("2026-10-01");
    assert_eq!(
        found(&s, on("2026-10-01")),
        [],
        "within 30 days of the earliest"
    );
    let r = report(&s, on("2026-12-01"));
    let got: Vec<_> = r.findings.iter().map(|f| (f.code, f.severity)).collect();
    assert_eq!(
        got,
        [
            ("4.1/context-review-overdue", Severity::Observation),
            (
                "4.2/interested-parties-review-overdue",
                Severity::Observation
            ),
        ]
    );
    let issues = &r.findings[0];
    assert_eq!(issues.records.len(), 2);
    assert_eq!(
        issues.records[0].label, "I-002 Issue 2",
        "the longest overdue first"
    );
    assert_eq!(issues.first_seen, d("2026-10-02"));
    // A retired issue is not reviewed any more.
    s.context.issues[1].active = false;
    s.context.issues[0].review_due = d("2027-01-01");
    s.context.parties[0].review_due = d("2027-01-01");
    assert_eq!(found(&s, on("2026-12-01")), []);
}

#[test]
fn a_requirement_nothing_addresses_is_an_observation_after_its_grace() {
    let mut s = healthy();
    s.context
        .requirements
        .push(requirement(2, 1, &[], "2026-11-01"));
    assert_eq!(found(&s, on("2026-12-01")), [], "30 days to link it");
    let r = report(&s, on("2026-12-02"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("4.2/requirement-unaddressed", Severity::Observation)]
    );
    assert!(r.findings[0].title.contains("MSA §2 of Party 1"));
    assert_eq!(
        r.findings[0].records.len(),
        2,
        "the requirement and its party"
    );
    // A process addresses it as well as a control does.
    s.context.requirements[1].process_ids = vec![pid(ACCESS)];
    assert_eq!(found(&s, on("2026-12-02")), []);
}

#[test]
fn a_control_a_requirement_asks_for_must_not_be_excluded() {
    let mut s = healthy();
    let mut decisions: Vec<crate::soa::Decision> = crate::catalog::annex_a()
        .iter()
        .map(|c| crate::soa::Decision {
            control: c.id.to_owned(),
            applicability: if c.id == "5.34" {
                crate::soa::Applicability::Excluded
            } else {
                crate::soa::Applicability::Included {
                    status: crate::soa::Status::Implemented,
                    best_practice: false,
                }
            },
            justification: "Decided".into(),
            owner_id: None,
            version: 1,
        })
        .collect();
    decisions.sort_by(|a, b| a.control.cmp(&b.control));
    let mut links = crate::soa::Links::default();
    links
        .obligations
        .insert("5.34".into(), vec!["Legal: GDPR (EU customers)".into()]);
    s.soa.live = crate::soa::rows(&decisions, &links);
    let p = s.soa.published.as_mut().expect("published");
    p.rows = s.soa.live.clone();
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("6.1.3/soa-excludes-treatment-control", Severity::Minor)]
    );
    assert!(
        r.findings[0]
            .title
            .contains("an interested party's requirement asks for it")
    );
    assert!(
        r.findings[0]
            .explanation
            .contains("Legal: GDPR (EU customers) ask(s) for it")
    );
}

#[test]
fn no_scope_is_major_and_an_unapproved_one_minor() {
    let mut s = healthy();
    s.context.scopes.clear();
    assert_eq!(found(&s, on("2026-04-01")), []);
    assert_eq!(
        found(&s, on("2026-04-02")),
        [("4.3/no-scope", "4.3", Severity::Major)]
    );
    s.context.scopes = vec![scope_version(1, "2026-11-01", None)];
    assert_eq!(
        found(&s, on("2026-12-01")),
        [],
        "30 days for top management"
    );
    let r = report(&s, on("2026-12-02"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("4.3/scope-not-approved", Severity::Minor)]
    );
    assert_eq!(
        r.findings[0].records[0].kind,
        crate::readiness::RecordKind::ScopeVersion
    );
    // Once a version is approved, a newer proposal awaiting approval is not a defect.
    s.context.scopes = vec![
        scope_version(1, "2026-01-05", Some("2026-01-10")),
        scope_version(2, "2026-06-01", None),
    ];
    assert_eq!(found(&s, on("2026-12-02")), []);
    assert_eq!(
        s.context.scope_in_force().map(|v| v.number),
        Some(1),
        "the newest approved version is in force"
    );
}
