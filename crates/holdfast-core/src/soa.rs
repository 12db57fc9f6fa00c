//! The Statement of Applicability (6.1.3 d): for each of Annex A's 93 controls, whether it
//! applies and why, how far it is implemented, and what it is for.
//!
//! The reasons a control is included are derived from live links wherever they exist (a
//! risk whose treatment cites it) rather than typed by hand, so the SoA cannot claim a
//! reason the register does not support; "best practice" is the one reason a person states.
//! The SoA is published as a frozen version: its rows and their SHA-256, from which every
//! export is made, so the file an auditor receives is the version management approved.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ValidationErrors;
use crate::catalog;
use crate::ids::PersonId;
use crate::text::{self, LONG_MAX, Lines};

/// How far an applicable control is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing done yet.
    NotStarted,
    /// Planned, with a treatment task.
    Planned,
    /// Partly in place.
    Partial,
    /// In place and operating.
    Implemented,
}

impl Status {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::NotStarted,
        Self::Planned,
        Self::Partial,
        Self::Implemented,
    ];

    /// The word the API and files use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Planned => "planned",
            Self::Partial => "partial",
            Self::Implemented => "implemented",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| "status is one of not_started, planned, partial, implemented".to_owned())
    }
}

/// Whether a control applies, and what follows from that. An excluded control has no
/// implementation status: the type does not let one be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "applicable", rename_all = "snake_case")]
pub enum Applicability {
    /// It applies.
    Included {
        /// How far it is implemented.
        status: Status,
        /// Whether it is included as good practice besides any derived reason.
        best_practice: bool,
    },
    /// It does not apply.
    Excluded,
}

/// One control's decision as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The control (`5.15`).
    pub control: String,
    /// Applies or not.
    pub applicability: Applicability,
    /// Why, both ways: an auditor reads it line by line.
    pub justification: String,
    /// Who answers for the control.
    pub owner_id: Option<PersonId>,
    /// Version (ETag).
    pub version: i64,
}

/// A decision as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    /// Applies or not.
    pub applicable: bool,
    /// Why.
    pub justification: String,
    /// Status, when it applies.
    pub status: Option<Status>,
    /// Good practice.
    pub best_practice: bool,
    /// Owner.
    pub owner_id: Option<PersonId>,
}

impl DecisionInput {
    /// Checks the decision for `control`: a known control, a justification, a status exactly
    /// when it applies.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(
        self,
        control: &str,
    ) -> Result<(String, Applicability, String), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if catalog::control(control).is_none() {
            e.push(
                "control",
                format!(
                    "\"{control}\" is not an Annex A control of ISO/IEC 27001:2022 (5.1 to 8.34)"
                ),
            );
        }
        let blank = if self.applicable {
            "say why the control applies: the risks it treats, the obligations it meets"
        } else {
            "say why the control does not apply; an exclusion without a reason is a nonconformity"
        };
        let justification = e.check(text::long("justification", &self.justification, blank));
        let applicability = match (self.applicable, self.status) {
            (true, Some(status)) => Some(Applicability::Included {
                status,
                best_practice: self.best_practice,
            }),
            (true, None) => {
                e.push("status", "say how far the control is implemented");
                None
            }
            (false, Some(_)) => {
                e.push("status", "an excluded control has no implementation status");
                None
            }
            (false, None) if self.best_practice => {
                e.push(
                    "best_practice",
                    "an excluded control is not included as good practice",
                );
                None
            }
            (false, None) => Some(Applicability::Excluded),
        };
        match (applicability, justification) {
            (Some(a), Some(j)) if e.errors.is_empty() => Ok((control.to_owned(), a, j)),
            _ => Err(e),
        }
    }
}

/// One line of the SoA: the control, the decision if any, and the links behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Control id.
    pub control: String,
    /// Theme.
    pub theme: String,
    /// Title.
    pub title: String,
    /// `None` while undecided.
    pub applicable: Option<bool>,
    /// Justification.
    pub justification: String,
    /// Risks whose treatment cites the control (`R-007`), derived.
    pub risks: Vec<String>,
    /// Legal, regulatory, contractual and other requirements of interested parties it
    /// addresses ("Legal: GDPR Art. 32 (EU customers)"), derived. Absent from versions
    /// published before requirements were linked, so their digests stay what they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<String>,
    /// Included as good practice.
    pub best_practice: bool,
    /// Status, when applicable.
    pub status: Option<Status>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Processes that implement it (their names), derived.
    pub processes: Vec<String>,
}

/// A published, frozen version of the SoA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1, 2, …
    pub number: i64,
    /// The rows as published.
    pub rows: Vec<Row>,
    /// [`digest`] of the rows.
    pub sha256: String,
    /// Who approved and published it.
    pub published_by: Option<PersonId>,
    /// When.
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// The links the SoA derives its reasons and implementation from.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Control → references of the risks whose treatment cites it.
    pub risks: HashMap<String, Vec<String>>,
    /// Control → the requirements of interested parties it addresses, as reason lines.
    pub obligations: HashMap<String, Vec<String>>,
    /// Control → names of the processes in operation that implement it.
    pub processes: HashMap<String, Vec<String>>,
    /// Person → name.
    pub names: HashMap<PersonId, String>,
}

/// The live SoA: one row per Annex A control in catalogue order.
#[must_use]
pub fn rows(decisions: &[Decision], links: &Links) -> Vec<Row> {
    let by_control: HashMap<&str, &Decision> =
        decisions.iter().map(|d| (d.control.as_str(), d)).collect();
    catalog::annex_a()
        .iter()
        .map(|c| {
            let d = by_control.get(c.id);
            let (applicable, status, best_practice) = match d.map(|d| d.applicability) {
                Some(Applicability::Included {
                    status,
                    best_practice,
                }) => (Some(true), Some(status), best_practice),
                Some(Applicability::Excluded) => (Some(false), None, false),
                None => (None, None, false),
            };
            Row {
                control: c.id.to_owned(),
                theme: format!("{:?}", c.theme),
                title: c.title.to_owned(),
                applicable,
                justification: d.map(|d| d.justification.clone()).unwrap_or_default(),
                risks: links.risks.get(c.id).cloned().unwrap_or_default(),
                obligations: links.obligations.get(c.id).cloned().unwrap_or_default(),
                best_practice,
                status,
                owner: d
                    .and_then(|d| d.owner_id)
                    .and_then(|p| links.names.get(&p).cloned()),
                processes: links.processes.get(c.id).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// SHA-256 of the rows' canonical JSON, lower-case hex: what a published version is.
#[must_use]
pub fn digest(rows: &[Row]) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(rows).unwrap_or_default()))
}

/// The controls with no decision yet.
#[must_use]
pub fn undecided(rows: &[Row]) -> Vec<&Row> {
    rows.iter().filter(|r| r.applicable.is_none()).collect()
}

/// What is wrong with a control a risk treatment relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The SoA excludes it.
    Excluded,
    /// It applies but is not implemented yet.
    NotImplemented,
}

/// A gap: a control that treatments cite but that does not yet do its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The control.
    pub control: String,
    /// What is wrong.
    pub kind: GapKind,
    /// The risks that rely on it.
    pub risks: Vec<String>,
    /// The requirements of interested parties that ask for it.
    pub obligations: Vec<String>,
}

/// The gap analysis: every control a risk treatment or an interested party's requirement
/// needs that is excluded or not fully implemented (an undecided one is reported by
/// [`undecided`]).
#[must_use]
pub fn gaps(rows: &[Row]) -> Vec<Gap> {
    rows.iter()
        .filter(|r| !r.risks.is_empty() || !r.obligations.is_empty())
        .filter_map(|r| {
            let kind = match (r.applicable, r.status) {
                (Some(false), _) => GapKind::Excluded,
                (Some(true), Some(Status::Implemented)) | (None, _) => return None,
                (Some(true), _) => GapKind::NotImplemented,
            };
            Some(Gap {
                control: r.control.clone(),
                kind,
                risks: r.risks.clone(),
                obligations: r.obligations.clone(),
            })
        })
        .collect()
}

/// How a control's line differs between the published version and the live SoA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The control.
    pub control: String,
    /// What changed, in words: `applicability`, `status`, `justification`, `risks`, …
    pub changed: Vec<&'static str>,
}

/// The lines whose decision or links changed since `published`.
#[must_use]
pub fn drift(published: &[Row], live: &[Row]) -> Vec<Drift> {
    let old: HashMap<&str, &Row> = published.iter().map(|r| (r.control.as_str(), r)).collect();
    live.iter()
        .filter_map(|r| {
            let Some(o) = old.get(r.control.as_str()) else {
                return Some(Drift {
                    control: r.control.clone(),
                    changed: vec!["new"],
                });
            };
            let mut changed = Vec::new();
            if o.applicable != r.applicable {
                changed.push("applicability");
            }
            if o.status != r.status {
                changed.push("status");
            }
            if o.justification != r.justification {
                changed.push("justification");
            }
            if o.risks != r.risks {
                changed.push("risks");
            }
            if o.obligations != r.obligations {
                changed.push("obligations");
            }
            if o.best_practice != r.best_practice {
                changed.push("best practice");
            }
            if o.owner != r.owner {
                changed.push("owner");
            }
            if o.processes != r.processes {
                changed.push("processes");
            }
            (!changed.is_empty()).then(|| Drift {
                control: r.control.clone(),
                changed,
            })
        })
        .collect()
}

/// Checks a justification's length on its own (for imports and forms that re-show it).
///
/// # Errors
/// When it is too long or holds a control character.
pub fn check_justification(raw: &str) -> Result<(), ValidationErrors> {
    text::check("justification", raw, LONG_MAX, Lines::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(control: &str, applicable: bool, status: Option<Status>) -> Decision {
        let (control, applicability, justification) = DecisionInput {
            applicable,
            justification: "Because the register says so".into(),
            status,
            best_practice: false,
            owner_id: None,
        }
        .validate(control)
        .expect("valid");
        Decision {
            control,
            applicability,
            justification,
            owner_id: None,
            version: 1,
        }
    }

    fn links() -> Links {
        Links {
            risks: [
                ("8.24".to_owned(), vec!["R-001".to_owned()]),
                ("7.4".to_owned(), vec!["R-002".to_owned()]),
                ("8.8".to_owned(), vec!["R-003".to_owned()]),
            ]
            .into(),
            ..Links::default()
        }
    }

    #[test]
    fn the_soa_has_one_row_per_control_and_derives_its_risk_reasons() {
        let rows = rows(&[decide("8.24", true, Some(Status::Implemented))], &links());
        assert_eq!(rows.len(), 93);
        let crypto = rows.iter().find(|r| r.control == "8.24").expect("8.24");
        assert_eq!(crypto.risks, ["R-001"]);
        assert_eq!(crypto.applicable, Some(true));
        assert_eq!(undecided(&rows).len(), 92);
    }

    #[test]
    fn a_decision_needs_a_justification_both_ways_and_a_status_only_when_it_applies() {
        let input = |applicable, justification: &str, status| DecisionInput {
            applicable,
            justification: justification.into(),
            status,
            best_practice: false,
            owner_id: None,
        };
        let e = input(false, " ", None).validate("7.4").expect_err("blank");
        assert_eq!(e.errors[0].field, "justification");
        assert!(e.errors[0].message.contains("exclusion"));
        let e = input(true, "", Some(Status::Planned))
            .validate("7.4")
            .expect_err("blank");
        assert_eq!(e.errors[0].field, "justification");
        let e = input(false, "Remote only", Some(Status::Planned))
            .validate("7.4")
            .expect_err("status");
        assert_eq!(e.errors[0].field, "status");
        let e = input(true, "Needed", None)
            .validate("7.4")
            .expect_err("no status");
        assert_eq!(e.errors[0].field, "status");
        let e = input(true, "Needed", Some(Status::Planned))
            .validate("A.9.1")
            .expect_err("unknown");
        assert_eq!(e.errors[0].field, "control");
    }

    #[test]
    fn gaps_are_cited_controls_that_are_excluded_or_not_implemented() {
        let rows = rows(
            &[
                decide("8.24", true, Some(Status::Implemented)),
                decide("7.4", false, None),
                decide("8.8", true, Some(Status::Partial)),
                decide("5.1", true, Some(Status::NotStarted)),
            ],
            &links(),
        );
        let g = gaps(&rows);
        assert_eq!(
            g.iter()
                .map(|g| (g.control.as_str(), g.kind))
                .collect::<Vec<_>>(),
            [("7.4", GapKind::Excluded), ("8.8", GapKind::NotImplemented)],
            "5.1 is not cited by a risk; 8.24 is implemented"
        );
    }

    #[test]
    fn drift_names_what_changed_since_the_published_version_and_the_digest_moves() {
        let published = rows(&[decide("8.24", true, Some(Status::Partial))], &links());
        let mut more = links();
        more.risks.insert("5.15".into(), vec!["R-009".into()]);
        let live = rows(&[decide("8.24", true, Some(Status::Implemented))], &more);
        let d = drift(&published, &live);
        assert_eq!(
            d,
            [
                Drift {
                    control: "5.15".into(),
                    changed: vec!["risks"]
                },
                Drift {
                    control: "8.24".into(),
                    changed: vec!["status"]
                },
            ]
        );
        assert_ne!(digest(&published), digest(&live));
        assert_eq!(digest(&published), digest(&published.clone()));
        assert!(drift(&live, &live).is_empty());
    }
}
