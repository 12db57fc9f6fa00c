//! The demo's risk register: the proposed 5×5 method, published; twenty-five risks owned by
//! the department heads, assessed over the last two months, every residual risk above
//! appetite accepted by its owner or, when high, by the chief executive (who owns the
//! management review). Two realistic defects of its own: a medium residual risk nobody
//! accepted in the 180 days the method allows, and a risk whose owner was never named.

use std::collections::HashMap;

use chrono::Duration;
use holdfast_core::clock::AsOf;
use holdfast_core::demo::DemoPerson;
use holdfast_core::ids::PersonId;
use holdfast_core::risk::{
    AssessmentInput, DecisionInput, DecisionKind, MethodDraft, Rating, RiskFields, Treatment,
};
use holdfast_store::{Actor, Store};

const ACTOR: Actor = Actor::System("demo");

/// Title, threat, vulnerability, owning department, treatment, controls, inherent and
/// current (likelihood, impact).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Treatment,
    &'static [&'static str],
    (u8, u8),
    (u8, u8),
);

const RISKS: &[Row] = &[
    (
        "Ransomware encrypts the file servers",
        "Malware",
        "Unpatched servers",
        "Engineering",
        Treatment::Modify,
        &["8.7", "8.8", "8.13"],
        (4, 5),
        (2, 3),
    ),
    (
        "Laptop stolen with customer data",
        "Theft",
        "Unencrypted disks",
        "IT",
        Treatment::Modify,
        &["8.1", "8.24"],
        (4, 4),
        (2, 2),
    ),
    (
        "Phishing captures a finance login",
        "Phishing",
        "Passwords without a second factor",
        "Finance",
        Treatment::Modify,
        &["5.17", "6.3", "8.5"],
        (5, 4),
        (2, 3),
    ),
    (
        "Cloud storage bucket made public",
        "Misconfiguration",
        "No configuration review",
        "Engineering",
        Treatment::Modify,
        &["8.9", "5.23"],
        (3, 5),
        (2, 5),
    ),
    (
        "Payroll supplier breach exposes salaries",
        "Supplier compromise",
        "No supplier security review",
        "Finance",
        Treatment::Share,
        &["5.19", "5.20", "5.21"],
        (3, 4),
        (2, 3),
    ),
    (
        "Leaver keeps access to the CRM",
        "Misuse of access",
        "Access not revoked on leaving",
        "HR",
        Treatment::Modify,
        &["5.18", "8.2"],
        (4, 3),
        (1, 3),
    ),
    (
        "Backups fail to restore after an outage",
        "Hardware failure",
        "Restores never tested",
        "IT",
        Treatment::Modify,
        &["8.13", "5.30"],
        (3, 5),
        (1, 4),
    ),
    (
        "Source code leaked through a public repository",
        "Accidental disclosure",
        "No secret scanning",
        "Engineering",
        Treatment::Modify,
        &["8.4", "8.12"],
        (3, 4),
        (2, 3),
    ),
    (
        "Office broken into out of hours",
        "Burglary",
        "Alarm not monitored",
        "Management",
        Treatment::Modify,
        &["7.1", "7.2", "7.4"],
        (2, 3),
        (1, 2),
    ),
    (
        "Data centre provider outage stops sales",
        "Service outage",
        "Single region",
        "IT",
        Treatment::Retain,
        &["5.30", "8.14"],
        (3, 4),
        (3, 3),
    ),
    (
        "Customer data processed beyond its purpose",
        "Non-compliance",
        "No records of processing",
        "Finance",
        Treatment::Modify,
        &["5.34", "5.31"],
        (3, 4),
        (1, 3),
    ),
    (
        "Denial of service on the web shop",
        "DDoS",
        "No traffic filtering",
        "Engineering",
        Treatment::Share,
        &["8.20", "8.6"],
        (4, 3),
        (2, 2),
    ),
    (
        "Privileged account misused by an administrator",
        "Insider",
        "Shared admin accounts",
        "IT",
        Treatment::Modify,
        &["8.2", "8.15", "8.16"],
        (2, 5),
        (1, 4),
    ),
    (
        "Card data captured at the payment page",
        "Skimming script",
        "Third-party scripts unmonitored",
        "Engineering",
        Treatment::Modify,
        &["8.23", "8.28"],
        (3, 5),
        (1, 5),
    ),
    (
        "Contract signed without security terms",
        "Supplier failure",
        "No security clauses",
        "Finance",
        Treatment::Modify,
        &["5.20"],
        (3, 3),
        (1, 2),
    ),
    (
        "Visitor overhears confidential calls",
        "Eavesdropping",
        "Open-plan meeting areas",
        "Management",
        Treatment::Retain,
        &["7.7"],
        (2, 2),
        (2, 2),
    ),
    (
        "Mobile phone lost with email access",
        "Loss",
        "No remote wipe",
        "IT",
        Treatment::Modify,
        &["8.1", "6.7"],
        (4, 3),
        (2, 2),
    ),
    (
        "Marketing list sent to the wrong recipients",
        "Human error",
        "No review before mass mailings",
        "Sales",
        Treatment::Modify,
        &["6.3", "5.10"],
        (3, 3),
        (2, 2),
    ),
    (
        "Security patches delayed on point-of-sale tills",
        "Malware",
        "Vendor-controlled updates",
        "Management",
        Treatment::Share,
        &["8.8", "5.22"],
        (3, 4),
        (2, 3),
    ),
    (
        "Key engineer leaves with undocumented knowledge",
        "Loss of key staff",
        "No handover documentation",
        "Engineering",
        Treatment::Modify,
        &["5.37", "6.5"],
        (3, 3),
        (2, 2),
    ),
    (
        "Fraudulent supplier bank details paid",
        "Social engineering",
        "No call-back check",
        "Finance",
        Treatment::Modify,
        &["5.14", "6.3"],
        (3, 4),
        (2, 2),
    ),
    (
        "Logs deleted before an incident is noticed",
        "Anti-forensics",
        "Logs kept locally for 7 days",
        "IT",
        Treatment::Modify,
        &["8.15", "8.17"],
        (2, 4),
        (1, 3),
    ),
    (
        "Test data copied from production",
        "Data leakage",
        "Production copies in test",
        "Engineering",
        Treatment::Avoid,
        &["8.33", "8.31"],
        (3, 3),
        (1, 2),
    ),
    // The demo's own defects, last: accepted by nobody, and owned by nobody.
    (
        "Legacy file transfer server exposed",
        "Exploitation",
        "Unsupported software",
        "IT",
        Treatment::Modify,
        &["8.8", "8.19"],
        (4, 4),
        (3, 2),
    ),
    (
        "Shadow IT spreadsheets hold customer data",
        "Data leakage",
        "No inventory of information",
        "",
        Treatment::Modify,
        &["5.9", "5.12"],
        (3, 3),
        (1, 2),
    ),
];

fn rating((likelihood, impact): (u8, u8)) -> Rating {
    Rating { likelihood, impact }
}

/// Publishes the method and fills the register, each risk owned by its department's head
/// (a direct report of the chief executive, `ids[0]`, who stands in where there is none).
/// Which assets of the inventory a risk concerns, by the words of its title, threat and
/// vulnerability; the analytics platform when nothing more specific is named.
const CONCERNS: &[(&str, &[&str])] = &[
    ("ransomware", &["Customer analytics data", "Backup vault"]),
    ("laptop", &["Staff laptops"]),
    ("disk", &["Staff laptops"]),
    (
        "bucket",
        &["Cloud hosting account", "Customer analytics data"],
    ),
    ("backup", &["Backup vault"]),
    ("secret", &["Source code", "Encryption keys"]),
    ("phishing", &["Email and documents", "Identity provider"]),
    (
        "privileged",
        &["Identity provider", "Cloud hosting account"],
    ),
    ("data centre", &["Analytics platform"]),
    ("supplier", &["CRM"]),
    ("log", &["Monitoring and logging"]),
    ("burglary", &["London office"]),
    ("visitor", &["London office"]),
    ("till", &["Payment processing"]),
];

fn concerns(
    text: &str,
    assets: &HashMap<String, holdfast_core::ids::AssetId>,
) -> Vec<holdfast_core::ids::AssetId> {
    let text = text.to_lowercase();
    let mut names: Vec<&str> = CONCERNS
        .iter()
        .filter(|(word, _)| text.contains(word))
        .flat_map(|(_, names)| names.iter().copied())
        .collect();
    if names.is_empty() {
        names.push("Analytics platform");
    }
    names
        .iter()
        .filter_map(|n| assets.get(*n).copied())
        .collect()
}

pub async fn seed(
    store: &Store,
    people: &[DemoPerson],
    ids: &[PersonId],
    assets: &HashMap<String, holdfast_core::ids::AssetId>,
    clock: AsOf,
) -> anyhow::Result<usize> {
    let chief = *ids
        .first()
        .ok_or_else(|| anyhow::anyhow!("the demo has no people"))?;
    let mut heads: HashMap<&str, PersonId> = HashMap::new();
    for (p, id) in people.iter().zip(ids) {
        if p.manager == Some(0) {
            heads.entry(p.department).or_insert(*id);
        }
    }
    let method = MethodDraft::five_by_five().validate()?;
    let published = store
        .publish_risk_method(&ACTOR, Some(chief), method)
        .await?;
    let n = RISKS.len();
    for (i, (title, threat, vulnerability, dept, treatment, controls, inherent, current)) in
        RISKS.iter().enumerate()
    {
        let owner = match *dept {
            "" => None,
            d => Some(heads.get(d).copied().unwrap_or(chief)),
        };
        let risk = store
            .create_risk(
                &ACTOR,
                RiskFields {
                    title: (*title).to_owned(),
                    threat: (*threat).to_owned(),
                    vulnerability: (*vulnerability).to_owned(),
                    owner_id: owner,
                    process_id: None,
                    treatment: *treatment,
                    controls: controls.iter().map(|c| (*c).to_owned()).collect(),
                    assets: concerns(&format!("{title} {threat} {vulnerability}"), assets),
                },
            )
            .await?;
        // The forgotten risk was assessed 200 days ago; the rest over the last two months.
        let days_ago = if i == n - 2 {
            200
        } else {
            2 + (i as i64 * 7) % 58
        };
        let assessed_on = clock.today - Duration::days(days_ago);
        let a = store
            .assess_risk(
                &ACTOR,
                risk.id,
                risk.version,
                owner,
                AssessmentInput {
                    inherent: rating(*inherent),
                    current: rating(*current),
                    target: None,
                    rationale: format!(
                        "Rated in the {} risk workshop against the controls in place ({})",
                        published.method.draft().name,
                        controls.join(", ")
                    ),
                    assessed_on,
                },
                clock.today,
            )
            .await?;
        let needs = published
            .method
            .level_by_key(&a.current_level)
            .map(|l| l.authority);
        let decider = match needs {
            _ if i == n - 2 => None,
            Some(holdfast_core::risk::Authority::RiskOwner) => owner,
            Some(holdfast_core::risk::Authority::TopManagement) => Some(chief),
            _ => None,
        };
        if let Some(person) = decider {
            store
                .decide_on_risk(
                    &ACTOR,
                    risk.id,
                    risk.version + 1,
                    person,
                    DecisionInput {
                        kind: DecisionKind::ResidualAcceptance,
                        rationale:
                            "Within what the business can bear while the treatment plan completes"
                                .into(),
                        expires_on: clock.today + Duration::days(180),
                    },
                    clock,
                )
                .await?;
        }
    }
    Ok(n)
}
