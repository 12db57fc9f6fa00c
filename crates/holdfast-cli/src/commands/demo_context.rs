//! The demo's context of the organisation: the issues that bear on Northwind's ISMS, its
//! interested parties and their requirements (each linked to the controls and processes that
//! address it), and a scope approved by the chief executive. One realistic defect of its own:
//! the issue about consolidating suppliers was due for review two and a half months ago.

use std::collections::HashMap;

use chrono::Duration;
use holdfast_core::clock::AsOf;
use holdfast_core::context::{
    ElementKind, EntryInput, IssueCategory, IssueFields, IssueKind, PartyFields, PartyKind,
    PlaceKind, RequirementFields, RequirementKind, ScopeDraft,
};
use holdfast_core::demo::DemoPerson;
use holdfast_core::ids::PersonId;
use holdfast_store::{Actor, Store};

const ACTOR: Actor = Actor::System("demo");

/// Kind, category, title, effect on the ISMS, owning department, days until review
/// (negative: overdue).
type IssueRow = (
    IssueKind,
    IssueCategory,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

const ISSUES: &[IssueRow] = &[
    (
        IssueKind::External,
        IssueCategory::Legal,
        "NIS2 brings Northwind's largest customers under incident-reporting duties",
        "Customers pass 24-hour notification duties down the contract; incident response must meet them.",
        "Management",
        200,
    ),
    (
        IssueKind::External,
        IssueCategory::Threat,
        "Ransomware groups target analytics providers for their customer data",
        "Backups must be immutable and restores tested; the risk assessment weighs extortion.",
        "IT",
        150,
    ),
    (
        IssueKind::External,
        IssueCategory::Market,
        "Enterprise customers ask for ISO/IEC 27001 certification before they sign",
        "Certification is a sales condition: the ISMS must be audit-ready by the next financial year.",
        "Sales",
        240,
    ),
    (
        IssueKind::External,
        IssueCategory::SupplyChain,
        "Consolidating hosting on a single cloud provider",
        "Concentration risk on one provider; exit planning and the provider's assurance reports matter more.",
        "IT",
        -75,
    ),
    (
        IssueKind::Internal,
        IssueCategory::People,
        "Engineering doubles in size within a year",
        "Onboarding, awareness training and access reviews must scale with hiring.",
        "HR",
        120,
    ),
    (
        IssueKind::Internal,
        IssueCategory::Technology,
        "Legacy reporting service still runs on an unsupported operating system",
        "Patching is impossible; the service is isolated until its replacement ships.",
        "Engineering",
        90,
    ),
    (
        IssueKind::Internal,
        IssueCategory::Organisational,
        "Most staff work from home three days a week",
        "Endpoint protection and secure remote access carry the office's controls into homes.",
        "IT",
        180,
    ),
    (
        IssueKind::Internal,
        IssueCategory::Strategic,
        "The board wants security reported as a business risk each quarter",
        "Management review and risk reporting feed the board pack.",
        "Management",
        300,
    ),
];

/// Name, kind, expectations, owning department, days until review, and its requirements:
/// kind, citation, what it asks, controls, and processes (by library key).
type PartyRow = (
    &'static str,
    PartyKind,
    &'static str,
    &'static str,
    i64,
    &'static [(
        RequirementKind,
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    )],
);

const PARTIES: &[PartyRow] = &[
    (
        "Enterprise customers",
        PartyKind::Customer,
        "Their analytics data stays confidential, available and processed only as instructed.",
        "Sales",
        200,
        &[
            (
                RequirementKind::Contractual,
                "Master services agreement §9 (security)",
                "Encrypt customer data at rest and in transit; report incidents within 24 hours.",
                &["8.24", "5.24", "5.26"],
                &["incident-management"],
            ),
            (
                RequirementKind::Contractual,
                "Data processing agreement",
                "Process personal data only on documented instructions; sub-processors approved.",
                &["5.34", "5.19", "5.20"],
                &[],
            ),
        ],
    ),
    (
        "Information Commissioner's Office",
        PartyKind::Regulator,
        "Personal data is protected and breaches are notified in time.",
        "Management",
        250,
        &[
            (
                RequirementKind::Legal,
                "UK GDPR Art. 32",
                "Security of processing appropriate to the risk.",
                &["5.34", "8.24", "8.13"],
                &["risk-assessment"],
            ),
            (
                RequirementKind::Legal,
                "UK GDPR Art. 33",
                "Notify a personal data breach within 72 hours.",
                &["5.24", "5.26"],
                &[],
            ),
        ],
    ),
    (
        "Cyber insurer",
        PartyKind::Partner,
        "Basic hygiene in place as the policy's conditions demand.",
        "Finance",
        180,
        &[(
            RequirementKind::Contractual,
            "Cyber policy conditions",
            "Multi-factor authentication for remote access and offline backups.",
            &["8.5", "8.13"],
            &[],
        )],
    ),
    (
        "Employees",
        PartyKind::Employee,
        "Their own personal data is protected; they know what is expected of them.",
        "HR",
        220,
        &[(
            RequirementKind::Other,
            "Staff handbook",
            "Clear rules on acceptable use and a way to report events.",
            &["5.10", "6.3", "6.8"],
            &[],
        )],
    ),
    (
        "Shareholders",
        PartyKind::Shareholder,
        "Security risks are managed and reported to the board.",
        "Management",
        300,
        &[(
            RequirementKind::Other,
            "Shareholders' agreement: quarterly risk report",
            "The board sees the top risks and their treatment each quarter.",
            &[],
            &["management-review"],
        )],
    ),
    (
        "Cloud hosting provider",
        PartyKind::Supplier,
        "Customers use the platform within the shared-responsibility model.",
        "IT",
        160,
        &[(
            RequirementKind::Contractual,
            "Customer agreement: acceptable use",
            "Keep account credentials secure and configure services securely.",
            &["5.23", "8.9"],
            &[],
        )],
    ),
];

/// What the context seeded.
pub struct Seeded {
    /// Issues recorded.
    pub issues: usize,
    /// Parties recorded.
    pub parties: usize,
    /// The scope version in force.
    pub scope: i64,
}

/// Records the issues, parties and requirements, and the scope approved by `chief`.
pub async fn seed(
    store: &Store,
    people: &[DemoPerson],
    ids: &[PersonId],
    clock: AsOf,
) -> anyhow::Result<Seeded> {
    let chief = *ids
        .first()
        .ok_or_else(|| anyhow::anyhow!("the demo has no people"))?;
    let mut heads: HashMap<&str, PersonId> = HashMap::new();
    for (p, id) in people.iter().zip(ids) {
        if p.manager == Some(0) {
            heads.entry(p.department).or_insert(*id);
        }
    }
    let head = |d: &str| heads.get(d).copied().unwrap_or(chief);
    for (kind, category, title, effect, dept, review) in ISSUES {
        store
            .create_issue(
                &ACTOR,
                IssueFields {
                    kind: *kind,
                    category: *category,
                    title: (*title).to_owned(),
                    effect: (*effect).to_owned(),
                    owner_id: Some(head(dept)),
                    review_due: clock.today + Duration::days(*review),
                    active: true,
                },
            )
            .await?;
    }
    let processes: HashMap<String, holdfast_core::ids::ProcessId> = store
        .list_processes()
        .await?
        .into_iter()
        .map(|p| (p.key, p.id))
        .collect();
    for (name, kind, expectations, dept, review, requirements) in PARTIES {
        let party = store
            .create_party(
                &ACTOR,
                PartyFields {
                    name: (*name).to_owned(),
                    kind: *kind,
                    expectations: (*expectations).to_owned(),
                    owner_id: Some(head(dept)),
                    review_due: clock.today + Duration::days(*review),
                    active: true,
                },
            )
            .await?;
        for (kind, citation, text, controls, keys) in *requirements {
            store
                .add_requirement(
                    &ACTOR,
                    party.id,
                    RequirementFields {
                        kind: *kind,
                        citation: (*citation).to_owned(),
                        text: (*text).to_owned(),
                        controls: controls.iter().map(|c| (*c).to_owned()).collect(),
                        process_ids: keys
                            .iter()
                            .filter_map(|k| processes.get(*k).copied())
                            .collect(),
                    },
                )
                .await?;
        }
    }
    let draft = scope(&processes);
    let v = store.propose_scope(&ACTOR, Some(head("IT")), draft).await?;
    store
        .approve_scope(&ACTOR, v.number, chief, &v.sha256)
        .await?;
    Ok(Seeded {
        issues: ISSUES.len(),
        parties: PARTIES.len(),
        scope: v.number,
    })
}

fn line(kind: ElementKind, name: &str) -> EntryInput {
    EntryInput {
        kind: Some(kind),
        name: name.to_owned(),
        included: true,
        ..EntryInput::default()
    }
}

fn scope(processes: &HashMap<String, holdfast_core::ids::ProcessId>) -> ScopeDraft {
    let mut entries: Vec<EntryInput> =
        ["Management", "Engineering", "IT", "HR", "Finance", "Sales"]
            .iter()
            .map(|u| line(ElementKind::Unit, u))
            .collect();
    entries.push(EntryInput {
        included: false,
        justification: "Northwind Events Ltd runs the annual user conference; it is a separate legal entity with its own systems and handles no customer analytics data.".into(),
        ..line(ElementKind::Unit, "Northwind Events Ltd")
    });
    entries.push(EntryInput {
        place: Some(PlaceKind::Office),
        ..line(ElementKind::Location, "London office, 12 Finsbury Square")
    });
    entries.push(EntryInput {
        place: Some(PlaceKind::HomeWorking),
        ..line(ElementKind::Location, "Staff homes in the UK")
    });
    entries.push(EntryInput {
        place: Some(PlaceKind::Cloud),
        provider: "AWS eu-west-2 (London)".into(),
        responsibility: "AWS operates the data centres, hardware and hypervisor (SOC 2 and ISO/IEC 27001 reports reviewed yearly); Northwind operates identities, network rules, encryption keys, workloads and data.".into(),
        ..line(ElementKind::Location, "Production platform")
    });
    entries.push(EntryInput {
        place: Some(PlaceKind::Cloud),
        provider: "Google Workspace".into(),
        responsibility: "Google runs the service; Northwind administers accounts, sharing settings and retention.".into(),
        ..line(ElementKind::Location, "Email and documents")
    });
    for (key, name) in [
        ("risk-assessment", "Information security risk assessment"),
        ("incident-management", "Incident management"),
        ("management-review", "Management review"),
    ] {
        entries.push(EntryInput {
            process_id: processes.get(key).copied(),
            ..line(ElementKind::Process, name)
        });
    }
    entries.push(line(
        ElementKind::Asset,
        "Customer analytics platform and its data",
    ));
    entries.push(line(ElementKind::Asset, "Staff laptops and phones"));
    entries.push(EntryInput {
        counterpart: "Stripe (card payments; no card data reaches Northwind)".into(),
        ..line(ElementKind::Interface, "Payments")
    });
    entries.push(EntryInput {
        counterpart: "PayCo Ltd, the outsourced payroll provider".into(),
        ..line(ElementKind::Interface, "Payroll")
    });
    ScopeDraft {
        statement: "The information security management system of Northwind Analytics Ltd covers the development, operation and support of the Northwind customer analytics platform, the data customers entrust to it, and the people, offices, home workplaces and cloud services that deliver it, in accordance with the Statement of Applicability in force.".into(),
        entries,
    }
}
