//! Clause 6.1.3 d) on the Statement of Applicability: each check's clean case beside its
//! defect.

use super::*;
use crate::readiness::SoaState;
use crate::risk::Register;
use crate::soa::{self, Applicability, Decision, Links, Status, Version};

fn decision(control: &str, applicability: Applicability) -> Decision {
    Decision {
        control: control.to_owned(),
        applicability,
        justification: "Required by the risk assessment and the customer contracts".into(),
        owner_id: None,
        version: 1,
    }
}

fn links(register: &Register) -> Links {
    let mut links = Links::default();
    for r in &register.risks {
        for c in &r.risk.controls {
            links
                .risks
                .entry(c.clone())
                .or_default()
                .push(r.risk.reference.clone());
        }
    }
    links
}

fn implemented() -> Applicability {
    Applicability::Included {
        status: Status::Implemented,
        best_practice: false,
    }
}

/// Every control applicable and implemented, published on 15 January 2026 as it stands.
pub(super) fn healthy_soa(register: &Register) -> SoaState {
    let decisions: Vec<Decision> = crate::catalog::annex_a()
        .iter()
        .map(|c| decision(c.id, implemented()))
        .collect();
    let live = soa::rows(&decisions, &links(register));
    SoaState {
        published: Some(Version {
            number: 1,
            sha256: soa::digest(&live),
            rows: live.clone(),
            published_by: None,
            published_at: t("2026-01-15T10:00:00Z"),
        }),
        live,
    }
}

/// The healthy SoA with `control` decided as `a`, live and, when `publish`, published.
fn with(s: &mut Snapshot, control: &str, a: Applicability, publish: bool) {
    let mut decisions: Vec<Decision> = crate::catalog::annex_a()
        .iter()
        .map(|c| decision(c.id, implemented()))
        .collect();
    for d in &mut decisions {
        if d.control == control {
            d.applicability = a;
        }
    }
    s.soa.live = soa::rows(&decisions, &links(&s.risks));
    if publish {
        let p = s.soa.published.as_mut().expect("published");
        p.rows = s.soa.live.clone();
        p.sha256 = soa::digest(&p.rows);
    }
}

#[test]
fn without_a_published_soa_it_is_a_major_but_an_empty_isms_is_one_defect() {
    let mut s = healthy();
    s.soa.published = None;
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("6.1.3/no-soa", Severity::Major)]
    );
    assert!(r.findings[0].explanation.contains("0 of the 93"));
    s.processes.clear();
    assert_eq!(
        found(&s, on("2026-12-01")),
        [("4.4/no-active-process", "4.4", Severity::Major)]
    );
}

#[test]
fn a_new_isms_has_ninety_days_to_publish_its_first_soa() {
    let mut s = healthy();
    s.soa.published = None;
    assert_eq!(found(&s, on("2026-04-01")), []);
    assert_eq!(
        found(&s, on("2026-04-02")),
        [("6.1.3/no-soa", "6.1.3", Severity::Major)]
    );
}

#[test]
fn a_control_a_treatment_cites_must_not_be_excluded() {
    // 8.1 is cited by both healthy risks.
    let mut s = healthy();
    with(&mut s, "8.1", Applicability::Excluded, true);
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("6.1.3/soa-excludes-treatment-control", Severity::Minor)]
    );
    assert_eq!(r.findings[0].records.len(), 3, "the control and both risks");
    // Excluding a control nothing cites is a decision, not a defect.
    let mut s = healthy();
    with(&mut s, "7.4", Applicability::Excluded, true);
    assert_eq!(found(&s, on("2026-12-01")), []);
}

#[test]
fn a_published_soa_behind_the_live_one_is_an_observation_after_thirty_days() {
    let mut s = healthy();
    with(
        &mut s,
        "5.7",
        Applicability::Included {
            status: Status::Partial,
            best_practice: false,
        },
        false,
    );
    let r = report(&s, on("2026-12-01"));
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("6.1.3/soa-not-republished", Severity::Observation)]
    );
    assert!(r.findings[0].explanation.contains("5.7"));
    // Within 30 days of the last publication there is time to approve the change.
    let p = s.soa.published.as_mut().expect("published");
    p.published_at = t("2026-11-20T10:00:00Z");
    assert_eq!(found(&s, on("2026-12-01")), []);
    // A new owner of a line is not a change management approves.
    let mut s = healthy();
    s.soa.live[3].owner = Some("Person 1".into());
    assert_eq!(found(&s, on("2026-12-01")), []);
}
