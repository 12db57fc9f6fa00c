//! The context of the organisation (clauses 4.1–4.3): the internal and external issues that
//! bear on the ISMS, the interested parties and their requirements, and the scope.
//!
//! Issues and parties are live registers whose every change the audit trail keeps, so
//! "what changed since the last management review" (9.3.2 b, c) is a query, not a memory.
//! A requirement names what addresses it (Annex A controls, processes), and those links are
//! also why the Statement of Applicability includes a control. The scope is versioned:
//! each version is frozen with its SHA-256 and is in force only once top management has
//! approved it; an exclusion without a justification cannot be written.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ValidationErrors;
use crate::ids::{ContextIssueId, InterestedPartyId, PersonId, ProcessId, RequirementId};
use crate::text::{self, Lines, NAME_MAX};

keyed! {
    /// Whether an issue arises inside the organisation or outside it (4.1).
    pub enum IssueKind in "kind" {
        /// Culture, structure, capabilities, systems.
        Internal = "internal",
        /// Law, market, technology, suppliers, threats.
        External = "external",
    }
}

keyed! {
    /// What an issue is about.
    pub enum IssueCategory in "category" {
        /// Strategy and direction.
        Strategic = "strategic",
        /// Structure, governance, culture.
        Organisational = "organisational",
        /// Staff, skills, capacity.
        People = "people",
        /// Systems and technology.
        Technology = "technology",
        /// Laws and regulation.
        Legal = "legal",
        /// Customers, competitors, the economy.
        Market = "market",
        /// Suppliers and outsourcing.
        SupplyChain = "supply_chain",
        /// The threat landscape.
        Threat = "threat",
        /// Anything else.
        Other = "other",
    }
}

keyed! {
    /// Who an interested party is (4.2 a).
    pub enum PartyKind in "kind" {
        /// Buys from the organisation.
        Customer = "customer",
        /// Supervises it.
        Regulator = "regulator",
        /// Supplies it.
        Supplier = "supplier",
        /// Works for it.
        Employee = "employee",
        /// Owns it.
        Shareholder = "shareholder",
        /// Works with it.
        Partner = "partner",
        /// The public and the press.
        Public = "public",
        /// Anyone else.
        Other = "other",
    }
}

keyed! {
    /// Where a requirement comes from (4.2 b); legal, regulatory and contractual ones are
    /// also reasons a control is in the Statement of Applicability.
    pub enum RequirementKind in "kind" {
        /// A law.
        Legal = "legal",
        /// A regulator's rule or licence condition.
        Regulatory = "regulatory",
        /// A contract.
        Contractual = "contractual",
        /// An expectation that binds by choice.
        Other = "other",
    }
}

/// An internal or external issue as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Id.
    pub id: ContextIssueId,
    /// Reference people cite: `I-004`.
    pub reference: String,
    /// Internal or external.
    pub kind: IssueKind,
    /// What it is about.
    pub category: IssueCategory,
    /// The issue, in a line.
    pub title: String,
    /// How it bears on the ISMS and its intended outcomes.
    pub effect: String,
    /// Who watches it.
    pub owner_id: Option<PersonId>,
    /// When it is next looked at.
    pub review_due: NaiveDate,
    /// Whether it still bears on the ISMS (a retired issue stays in the history).
    pub active: bool,
    /// Version (ETag).
    pub version: i64,
}

/// The fields of an issue a person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueFields {
    /// Internal or external.
    pub kind: IssueKind,
    /// Category.
    pub category: IssueCategory,
    /// Title.
    pub title: String,
    /// Effect on the ISMS.
    pub effect: String,
    /// Owner.
    pub owner_id: Option<PersonId>,
    /// Next review.
    pub review_due: NaiveDate,
    /// Still relevant.
    pub active: bool,
}

impl IssueFields {
    /// Trims and checks the text and the date.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let title = e.check(text::required("title", &self.title, NAME_MAX, Lines::One));
        let effect = e.check(text::long(
            "effect",
            &self.effect,
            "say how the issue affects the ISMS's ability to achieve its outcomes",
        ));
        e.check(text::check_date("review_due", self.review_due));
        e.into_result(|| Self {
            title: title.unwrap_or_default(),
            effect: effect.unwrap_or_default(),
            ..self
        })
    }
}

/// An interested party as the register keeps it, with its requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Id.
    pub id: InterestedPartyId,
    /// Name ("Customers in the EU", "The data protection authority").
    pub name: String,
    /// Who they are.
    pub kind: PartyKind,
    /// Their needs and expectations relevant to information security.
    pub expectations: String,
    /// Who keeps the relationship.
    pub owner_id: Option<PersonId>,
    /// When it is next looked at.
    pub review_due: NaiveDate,
    /// Still relevant.
    pub active: bool,
    /// Version (ETag).
    pub version: i64,
}

/// The fields of a party a person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyFields {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PartyKind,
    /// Needs and expectations.
    pub expectations: String,
    /// Owner.
    pub owner_id: Option<PersonId>,
    /// Next review.
    pub review_due: NaiveDate,
    /// Still relevant.
    pub active: bool,
}

impl PartyFields {
    /// Trims and checks the text and the date.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.check(text::required("name", &self.name, NAME_MAX, Lines::One));
        let expectations = e.check(text::long(
            "expectations",
            &self.expectations,
            "say what this party needs or expects of the organisation's information security",
        ));
        e.check(text::check_date("review_due", self.review_due));
        e.into_result(|| Self {
            name: name.unwrap_or_default(),
            expectations: expectations.unwrap_or_default(),
            ..self
        })
    }
}

/// One requirement of an interested party, and what addresses it (4.2 c).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Id.
    pub id: RequirementId,
    /// Whose requirement.
    pub party_id: InterestedPartyId,
    /// Where it comes from.
    pub kind: RequirementKind,
    /// Its citation: "GDPR Art. 32", "MSA §9.2".
    pub citation: String,
    /// What it asks.
    pub text: String,
    /// Annex A controls that address it, in Annex A order.
    pub controls: Vec<String>,
    /// Processes that address it.
    pub process_ids: Vec<ProcessId>,
    /// The day it was first recorded: a new requirement has a grace to be addressed.
    pub recorded_on: NaiveDate,
    /// Version (ETag).
    pub version: i64,
}

impl Requirement {
    /// Whether nothing in the ISMS is said to address it.
    #[must_use]
    pub fn unaddressed(&self) -> bool {
        self.controls.is_empty() && self.process_ids.is_empty()
    }

    /// Why it puts a control in the SoA, as a reason line: "Legal: GDPR Art. 32 (EU customers)".
    #[must_use]
    pub fn reason(&self, party: &str) -> String {
        self.kind.reason(&self.citation, party)
    }
}

impl RequirementKind {
    /// The SoA's reason line for a requirement of this kind citing `citation`, of `party`.
    #[must_use]
    pub fn reason(self, citation: &str, party: &str) -> String {
        let kind = match self {
            Self::Legal => "Legal",
            Self::Regulatory => "Regulatory",
            Self::Contractual => "Contractual",
            Self::Other => "Interested party",
        };
        format!("{kind}: {citation} ({party})")
    }
}

/// The fields of a requirement a person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementFields {
    /// Kind.
    pub kind: RequirementKind,
    /// Citation.
    pub citation: String,
    /// What it asks.
    pub text: String,
    /// Annex A control ids.
    pub controls: Vec<String>,
    /// Processes.
    pub process_ids: Vec<ProcessId>,
}

impl RequirementFields {
    /// Trims and checks the text; every control must be one of Annex A's 93.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let citation = e.check(text::required(
            "citation",
            &self.citation,
            NAME_MAX,
            Lines::One,
        ));
        let requirement = e.check(text::long(
            "text",
            &self.text,
            "say what the requirement asks of the organisation",
        ));
        let controls = e.check(crate::catalog::checked_controls(&self.controls));
        let mut process_ids = self.process_ids.clone();
        process_ids.sort();
        process_ids.dedup();
        e.into_result(|| Self {
            citation: citation.unwrap_or_default(),
            text: requirement.unwrap_or_default(),
            controls: controls.unwrap_or_default(),
            process_ids,
            ..self
        })
    }
}

keyed! {
    /// What a line of the scope names (4.3).
    pub enum ElementKind in "kind" {
        /// A department or legal entity.
        Unit = "unit",
        /// A site, home working or a cloud.
        Location = "location",
        /// A business or ISMS process.
        Process = "process",
        /// An asset or group of assets.
        Asset = "asset",
        /// Where the scope meets what is outside it (4.3 c).
        Interface = "interface",
    }
}

keyed! {
    /// The three kinds of place information is handled in.
    pub enum PlaceKind in "place" {
        /// An office or site the organisation runs.
        Office = "office",
        /// People's homes.
        HomeWorking = "home_working",
        /// A cloud service: the provider runs part of the controls.
        Cloud = "cloud",
    }
}

/// Where a location is; a cloud names its provider and who does what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// An office.
    Office,
    /// Home working.
    HomeWorking,
    /// A cloud service.
    Cloud {
        /// The provider ("AWS eu-central-1").
        provider: String,
        /// The shared-responsibility split: what the provider does, what the organisation does.
        responsibility: String,
    },
}

/// What one line of the scope names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Element {
    /// A unit.
    Unit,
    /// A location and its place.
    Location {
        /// Where.
        #[serde(flatten)]
        place: Place,
    },
    /// A process, linked to Holdfast's when it is one of them.
    Process {
        /// The process in Holdfast, if any.
        process_id: Option<ProcessId>,
    },
    /// An asset.
    Asset,
    /// An interface or dependency.
    Interface {
        /// Who or what is on the other side.
        counterpart: String,
    },
}

/// In or out, and why when out. An exclusion cannot exist without its justification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "inclusion", rename_all = "snake_case")]
pub enum Inclusion {
    /// In scope.
    Included,
    /// Out of scope.
    Excluded {
        /// Why: the auditor reads it.
        justification: String,
    },
}

/// One line of the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its name.
    pub name: String,
    /// What it is.
    pub element: Element,
    /// In or out.
    pub inclusion: Inclusion,
}

/// One line as sent: flat, checked by [`ScopeDraft::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryInput {
    /// What it is.
    pub kind: Option<ElementKind>,
    /// Its name.
    pub name: String,
    /// For a location.
    pub place: Option<PlaceKind>,
    /// For a cloud.
    pub provider: String,
    /// For a cloud.
    pub responsibility: String,
    /// For a process.
    pub process_id: Option<ProcessId>,
    /// For an interface.
    pub counterpart: String,
    /// In or out.
    pub included: bool,
    /// Why, required when out.
    pub justification: String,
}

/// A scope as proposed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeDraft {
    /// The scope statement itself.
    pub statement: String,
    /// Its lines.
    pub entries: Vec<EntryInput>,
}

/// A checked scope: what a version freezes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The statement.
    pub statement: String,
    /// The lines, as proposed.
    pub entries: Vec<Entry>,
}

impl Scope {
    /// SHA-256 of the canonical JSON, lower-case hex: what approval covers.
    #[must_use]
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(serde_json::to_vec(self).unwrap_or_default()))
    }

    /// The excluded lines.
    pub fn exclusions(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| matches!(e.inclusion, Inclusion::Excluded { .. }))
    }
}

impl ScopeDraft {
    /// Checks the statement and every line: a kind and a name each, a place for a location,
    /// provider and split for a cloud, a counterpart for an interface, a justification for
    /// every exclusion. Fields of lines are named `entries[n].field`.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self) -> Result<Scope, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let statement = e.check(text::long(
            "statement",
            &self.statement,
            "state the boundaries and applicability of the ISMS: what it covers, where, and for whom",
        ));
        if self.entries.len() > 1_000 {
            e.push(
                "entries",
                "a scope has at most 1,000 lines; group similar ones",
            );
        }
        let mut entries = Vec::with_capacity(self.entries.len());
        for (n, x) in self.entries.into_iter().enumerate() {
            let f = |name: &str| format!("entries[{n}].{name}");
            let name = e.check(text::required(&f("name"), &x.name, NAME_MAX, Lines::One));
            let one = |field: &str, raw: &str, e: &mut ValidationErrors, blank: &str| {
                if raw.trim().is_empty() {
                    e.push(&f(field), blank);
                    return None;
                }
                e.check(text::required(&f(field), raw, NAME_MAX, Lines::One))
            };
            let element = match x.kind {
                None => {
                    e.push(
                        &f("kind"),
                        "kind is one of unit, location, process, asset, interface",
                    );
                    None
                }
                Some(ElementKind::Unit) => Some(Element::Unit),
                Some(ElementKind::Asset) => Some(Element::Asset),
                Some(ElementKind::Process) => Some(Element::Process {
                    process_id: x.process_id,
                }),
                Some(ElementKind::Interface) => one(
                    "counterpart",
                    &x.counterpart,
                    &mut e,
                    "say who or what is on the other side of the interface",
                )
                .map(|counterpart| Element::Interface { counterpart }),
                Some(ElementKind::Location) => match x.place {
                    None => {
                        e.push(&f("place"), "place is one of office, home_working, cloud");
                        None
                    }
                    Some(PlaceKind::Office) => Some(Element::Location {
                        place: Place::Office,
                    }),
                    Some(PlaceKind::HomeWorking) => Some(Element::Location {
                        place: Place::HomeWorking,
                    }),
                    Some(PlaceKind::Cloud) => {
                        let provider = one(
                            "provider",
                            &x.provider,
                            &mut e,
                            "name the cloud provider and region",
                        );
                        let responsibility = e.check(text::long(
                            &f("responsibility"),
                            &x.responsibility,
                            "say which controls the provider operates and which remain yours",
                        ));
                        provider
                            .zip(responsibility)
                            .map(|(provider, responsibility)| Element::Location {
                                place: Place::Cloud {
                                    provider,
                                    responsibility,
                                },
                            })
                    }
                },
            };
            let inclusion = if x.included {
                Some(Inclusion::Included)
            } else {
                e.check(text::long(
                    &f("justification"),
                    &x.justification,
                    "say why this is outside the scope; an exclusion without a reason is a nonconformity",
                ))
                .map(|justification| Inclusion::Excluded { justification })
            };
            if let (Some(name), Some(element), Some(inclusion)) = (name, element, inclusion) {
                entries.push(Entry {
                    name,
                    element,
                    inclusion,
                });
            }
        }
        e.into_result(|| Scope {
            statement: statement.unwrap_or_default(),
            entries,
        })
    }
}

/// Top management's approval of a scope version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeApproval {
    /// Who approved.
    pub approved_by: PersonId,
    /// When.
    pub approved_at: DateTime<Utc>,
}

/// One version of the scope: frozen once proposed; in force once approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeVersion {
    /// 1, 2, …
    pub number: i64,
    /// The scope.
    pub scope: Scope,
    /// [`Scope::digest`].
    pub sha256: String,
    /// Who proposed it.
    pub proposed_by: Option<PersonId>,
    /// When.
    pub proposed_at: DateTime<Utc>,
    /// Top management's approval, once given.
    pub approval: Option<ScopeApproval>,
}

/// The context registers and the scope as the readiness engine reads them.
#[derive(Debug, Clone, Default)]
pub struct ContextState {
    /// Every issue, retired ones included.
    pub issues: Vec<Issue>,
    /// Every party, retired ones included.
    pub parties: Vec<Party>,
    /// Every requirement.
    pub requirements: Vec<Requirement>,
    /// Every scope version, oldest first.
    pub scopes: Vec<ScopeVersion>,
}

impl ContextState {
    /// The scope in force: the newest approved version.
    #[must_use]
    pub fn scope_in_force(&self) -> Option<&ScopeVersion> {
        self.scopes.iter().rev().find(|v| v.approval.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: ElementKind, name: &str) -> EntryInput {
        EntryInput {
            kind: Some(kind),
            name: name.to_owned(),
            included: true,
            ..EntryInput::default()
        }
    }

    #[test]
    fn an_exclusion_without_a_justification_is_refused_and_named() {
        let draft = ScopeDraft {
            statement: "The SaaS platform".into(),
            entries: vec![
                line(ElementKind::Unit, "Engineering"),
                EntryInput {
                    included: false,
                    justification: "  ".into(),
                    ..line(ElementKind::Unit, "Retail shop")
                },
            ],
        };
        let e = draft.validate().expect_err("refused");
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "entries[1].justification");
        assert!(e.errors[0].message.contains("why"));
    }

    #[test]
    fn a_cloud_names_its_provider_and_the_split_and_the_digest_follows_the_content() {
        let cloud = EntryInput {
            place: Some(PlaceKind::Cloud),
            ..line(ElementKind::Location, "Production")
        };
        let e = ScopeDraft {
            statement: "All".into(),
            entries: vec![cloud.clone()],
        }
        .validate()
        .expect_err("refused");
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            ["entries[0].provider", "entries[0].responsibility"],
            "{e:?}"
        );
        let ok = |responsibility: &str| {
            ScopeDraft {
                statement: "All".into(),
                entries: vec![EntryInput {
                    provider: "AWS eu-central-1".into(),
                    responsibility: responsibility.into(),
                    ..cloud.clone()
                }],
            }
            .validate()
            .expect("valid")
        };
        let a = ok("AWS runs the data centres; we run IAM and the workloads");
        assert_eq!(
            a.entries[0].element,
            Element::Location {
                place: Place::Cloud {
                    provider: "AWS eu-central-1".into(),
                    responsibility: "AWS runs the data centres; we run IAM and the workloads"
                        .into()
                }
            }
        );
        assert_eq!(a.digest(), a.clone().digest());
        assert_ne!(a.digest(), ok("AWS does everything").digest());
    }

    #[test]
    fn requirements_check_their_controls_and_give_a_reason() {
        let bad = RequirementFields {
            kind: RequirementKind::Legal,
            citation: "GDPR Art. 32".into(),
            text: "Security of processing".into(),
            controls: vec!["8.24".into(), "9.1".into(), "5.34".into(), "8.24".into()],
            process_ids: vec![],
        };
        let e = bad.clone().validate().expect_err("9.1 is not Annex A");
        assert_eq!(e.errors[0].field, "controls[1]");
        let ok = RequirementFields {
            controls: vec!["8.24".into(), "5.34".into(), "8.24".into()],
            ..bad
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.controls, ["5.34", "8.24"]);
        let r = Requirement {
            id: RequirementId::from_uuid(uuid::Uuid::nil()),
            party_id: InterestedPartyId::from_uuid(uuid::Uuid::nil()),
            kind: ok.kind,
            citation: ok.citation,
            text: ok.text,
            controls: ok.controls,
            process_ids: vec![],
            recorded_on: NaiveDate::MIN,
            version: 1,
        };
        assert!(!r.unaddressed());
        assert_eq!(
            r.reason("EU customers"),
            "Legal: GDPR Art. 32 (EU customers)"
        );
    }

    #[test]
    fn keys_parse_and_a_wrong_one_lists_the_right_ones() {
        assert_eq!("supply_chain".parse(), Ok(IssueCategory::SupplyChain));
        let e = "weather".parse::<IssueKind>().expect_err("unknown");
        assert_eq!(e, "kind is one of internal, external");
    }
}
