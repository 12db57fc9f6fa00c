//! The demo's Statement of Applicability: all 93 controls decided and published by the chief
//! executive, most implemented, two excluded with their reasons — and one realistic defect:
//! physical security monitoring (7.4) excluded although the office break-in risk relies on it.

use holdfast_core::ids::PersonId;
use holdfast_core::soa::{DecisionInput, Status};
use holdfast_store::{Actor, Store};

const ACTOR: Actor = Actor::System("demo");

/// Controls the demo excludes, with why.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "8.30",
        "Northwind develops all its software in-house; no development is outsourced.",
    ),
    (
        "7.12",
        "Northwind owns no network cabling: the offices' cabling is the landlord's and carries only encrypted traffic.",
    ),
    (
        "7.4",
        "The offices are staffed during working hours and an alarm is fitted.",
    ),
];

/// Controls still being implemented.
const IN_PROGRESS: &[(&str, Status)] = &[
    ("5.23", Status::Planned),
    ("8.9", Status::Partial),
    ("8.8", Status::Partial),
    ("8.12", Status::Planned),
];

/// Decides every control and publishes the SoA as approved by `chief`.
pub async fn seed(store: &Store, chief: PersonId) -> anyhow::Result<i64> {
    let mut decisions = Vec::new();
    for c in holdfast_core::catalog::annex_a() {
        let excluded = EXCLUDED.iter().find(|(id, _)| *id == c.id);
        let input = match excluded {
            Some((_, why)) => DecisionInput {
                applicable: false,
                justification: (*why).to_owned(),
                status: None,
                best_practice: false,
                owner_id: None,
            },
            None => DecisionInput {
                applicable: true,
                justification: format!(
                    "Needed to protect the customer data Northwind analyses: {} is part of the treatment of the risks in the register and of the commitments in customer contracts.",
                    c.title.to_lowercase()
                ),
                status: Some(
                    IN_PROGRESS
                        .iter()
                        .find(|(id, _)| *id == c.id)
                        .map_or(Status::Implemented, |(_, s)| *s),
                ),
                best_practice: c.id.starts_with("5.") && c.id.len() == 3,
                owner_id: Some(chief),
            },
        };
        decisions.push((c.id.to_owned(), None, input));
    }
    store.decide_controls(&ACTOR, decisions).await?;
    Ok(store.publish_soa(&ACTOR, Some(chief)).await?.number)
}
