//! Risks of clause 6.1.2 and their treatment (6.1.3): the register's records and the rules
//! over them.
//!
//! A risk's ratings are never edited: each assessment is a new dated row naming the method
//! version it used, and the register shows the latest. Decisions (approving a treatment plan,
//! accepting the residual risk) freeze what they decided on as a [`Subject`] and its
//! SHA-256, so a decision taken on one risk can never silently cover a different one: when
//! the risk changes materially the decision is stale, and it expires on its own date.

pub mod method;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ValidationErrors;
pub use crate::catalog::control_order;
use crate::ids::{
    AssetId, PersonId, ProcessId, RiskAssessmentId, RiskDecisionId, RiskId, RiskMethodId,
};
use crate::text::{self, LONG_MAX, Lines, NAME_MAX};
pub use method::{Authority, Level, Method, MethodDraft, Rating, ReRating};

/// The longest a decision may stand before it is taken again.
pub const MAX_DECISION_DAYS: i64 = 366;

/// One published version of the method, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodVersion {
    /// Id.
    pub id: RiskMethodId,
    /// 1, 2, …: each publication is the next.
    pub version: i64,
    /// The checked method.
    pub method: Method,
    /// Who published it.
    pub published_by: Option<PersonId>,
    /// When.
    pub published_at: DateTime<Utc>,
}

/// The four options of ISO/IEC 27005 for a risk above appetite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Reduce it with controls.
    Modify,
    /// Keep it, by an informed decision.
    Retain,
    /// Stop the activity that causes it.
    Avoid,
    /// Transfer part of it (insurance, a supplier).
    Share,
}

impl Treatment {
    /// Every option.
    pub const ALL: [Self; 4] = [Self::Modify, Self::Retain, Self::Avoid, Self::Share];

    /// The word the API and forms use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Modify => "modify",
            Self::Retain => "retain",
            Self::Avoid => "avoid",
            Self::Share => "share",
        }
    }
}

impl std::str::FromStr for Treatment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| "treatment is one of modify, retain, avoid, share".to_owned())
    }
}

/// A risk as the register keeps it, without its ratings (those are [`Assessment`]s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// Id.
    pub id: RiskId,
    /// Short reference people cite: `R-007`.
    pub reference: String,
    /// What could happen, in a line.
    pub title: String,
    /// The threat.
    pub threat: String,
    /// The vulnerability it exploits.
    pub vulnerability: String,
    /// Who answers for it.
    pub owner_id: Option<PersonId>,
    /// The ISMS process it belongs to.
    pub process_id: Option<ProcessId>,
    /// The chosen option.
    pub treatment: Treatment,
    /// Annex A controls that treat it (`5.15`), sorted.
    pub controls: Vec<String>,
    /// The assets it concerns, sorted.
    #[serde(default)]
    pub assets: Vec<AssetId>,
    /// Version (ETag).
    pub version: i64,
}

/// The fields of a risk a person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskFields {
    /// What could happen.
    pub title: String,
    /// The threat.
    pub threat: String,
    /// The vulnerability.
    pub vulnerability: String,
    /// The owner.
    pub owner_id: Option<PersonId>,
    /// The process.
    pub process_id: Option<ProcessId>,
    /// The option.
    pub treatment: Treatment,
    /// Annex A control ids.
    pub controls: Vec<String>,
    /// The assets it concerns.
    pub assets: Vec<AssetId>,
}

impl RiskFields {
    /// Trims and checks the text, and checks that every control is one of Annex A's 93.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let title = e.check(text::required("title", &self.title, NAME_MAX, Lines::One));
        let threat = e.check(text::required("threat", &self.threat, NAME_MAX, Lines::One));
        let vulnerability = e.check(text::required(
            "vulnerability",
            &self.vulnerability,
            NAME_MAX,
            Lines::One,
        ));
        let controls = e
            .check(crate::catalog::checked_controls(&self.controls))
            .unwrap_or_default();
        let mut assets = self.assets.clone();
        assets.sort();
        assets.dedup();
        e.into_result(|| Self {
            title: title.unwrap_or_default(),
            threat: threat.unwrap_or_default(),
            vulnerability: vulnerability.unwrap_or_default(),
            controls,
            assets,
            ..self
        })
    }
}

/// One dated assessment of a risk. Never changed once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Id.
    pub id: RiskAssessmentId,
    /// The risk.
    pub risk_id: RiskId,
    /// The method version it used.
    pub method_id: RiskMethodId,
    /// That version's number.
    pub method_version: i64,
    /// Before any control.
    pub inherent: Rating,
    /// With the controls in place today (the residual risk).
    pub current: Rating,
    /// Where the treatment plan aims.
    pub target: Option<Rating>,
    /// Level keys of the three ratings under that method.
    pub inherent_level: String,
    /// The current (residual) level.
    pub current_level: String,
    /// The target level.
    pub target_level: Option<String>,
    /// Why these ratings.
    pub rationale: String,
    /// Who assessed.
    pub assessor_id: Option<PersonId>,
    /// The day of the assessment.
    pub assessed_on: NaiveDate,
    /// When it is reassessed at the latest: the current level's review interval.
    pub review_due: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// An assessment as sent, before it is checked against a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentInput {
    /// Inherent rating.
    pub inherent: Rating,
    /// Current rating.
    pub current: Rating,
    /// Target rating.
    pub target: Option<Rating>,
    /// Rationale.
    pub rationale: String,
    /// The day.
    pub assessed_on: NaiveDate,
}

/// An assessment checked against a method: its levels and review date, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated {
    /// The input, trimmed.
    pub input: AssessmentInput,
    /// Inherent level key.
    pub inherent_level: String,
    /// Current level key.
    pub current_level: String,
    /// Target level key.
    pub target_level: Option<String>,
    /// Review due.
    pub review_due: NaiveDate,
}

impl AssessmentInput {
    /// Rates the input under `method` on `today`: every rating on the scales, the current
    /// rating no worse than the inherent one, a rationale, a date that is not in the future.
    ///
    /// # Errors
    /// Each bad field.
    pub fn rate(self, method: &Method, today: NaiveDate) -> Result<Rated, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.check(method.check("inherent", self.inherent));
        e.check(method.check("current", self.current));
        if let Some(t) = self.target {
            e.check(method.check("target", t));
        }
        let rationale = e.check(text::long(
            "rationale",
            &self.rationale,
            "say why the risk is rated so: the controls in place, the history, the sources",
        ));
        e.check(text::check_date("assessed_on", self.assessed_on));
        if self.assessed_on > today {
            e.push("assessed_on", "an assessment is dated today or earlier");
        }
        if !e.errors.is_empty() {
            return Err(e);
        }
        let key = |r: Rating| method.level(r).map(|l| l.key.clone());
        let (Some(inherent_level), Some(current_level)) = (key(self.inherent), key(self.current))
        else {
            return Err(ValidationErrors::one(
                "current",
                "the rating is off the scales",
            ));
        };
        if method.rank(&current_level) > method.rank(&inherent_level) {
            e.push(
                "current",
                "the current risk cannot be higher than the inherent risk, which is before any control",
            );
        }
        let review_days = method
            .level_by_key(&current_level)
            .map_or(365, |l| l.review_days);
        e.into_result(|| Rated {
            target_level: self.target.and_then(key),
            review_due: self.assessed_on + Duration::days(i64::from(review_days)),
            inherent_level,
            current_level,
            input: Self {
                rationale: rationale.unwrap_or_default(),
                ..self
            },
        })
    }
}

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The treatment plan is approved.
    TreatmentApproval,
    /// The residual (current) risk is accepted.
    ResidualAcceptance,
}

impl DecisionKind {
    /// The word the API and forms use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TreatmentApproval => "treatment_approval",
            Self::ResidualAcceptance => "residual_acceptance",
        }
    }
}

impl std::str::FromStr for DecisionKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::TreatmentApproval, Self::ResidualAcceptance]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| "kind is treatment_approval or residual_acceptance".to_owned())
    }
}

/// What a decision froze: the facts of the risk that, changed, would change the decision.
/// Its SHA-256 is stored with the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The risk.
    pub risk_id: RiskId,
    /// Its title.
    pub title: String,
    /// Threat.
    pub threat: String,
    /// Vulnerability.
    pub vulnerability: String,
    /// Option.
    pub treatment: Treatment,
    /// Controls.
    pub controls: Vec<String>,
    /// The assessment decided on.
    pub assessment_id: RiskAssessmentId,
    /// Its method version.
    pub method_version: i64,
    /// Its current rating.
    pub current: Rating,
    /// Its current level.
    pub current_level: String,
    /// Its target rating.
    pub target: Option<Rating>,
}

impl Subject {
    /// The subject of a decision on `risk` as assessed by `a`.
    #[must_use]
    pub fn of(risk: &Risk, a: &Assessment) -> Self {
        Self {
            risk_id: risk.id,
            title: risk.title.clone(),
            threat: risk.threat.clone(),
            vulnerability: risk.vulnerability.clone(),
            treatment: risk.treatment,
            controls: risk.controls.clone(),
            assessment_id: a.id,
            method_version: a.method_version,
            current: a.current,
            current_level: a.current_level.clone(),
            target: a.target,
        }
    }

    /// SHA-256 of its canonical JSON (fields in declaration order), lower-case hex.
    #[must_use]
    pub fn sha256(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

/// One decision on a risk. Never changed once written; a later decision supersedes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Id.
    pub id: RiskDecisionId,
    /// The risk.
    pub risk_id: RiskId,
    /// Approval or acceptance.
    pub kind: DecisionKind,
    /// Who decided.
    pub decided_by: PersonId,
    /// With what authority.
    pub authority: Authority,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Why.
    pub rationale: String,
    /// Until when it stands.
    pub expires_on: NaiveDate,
    /// What was decided on.
    pub subject: Subject,
    /// [`Subject::sha256`] at the time.
    pub subject_sha256: String,
}

/// Whether a decision still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// It covers the risk as it is today.
    Live,
    /// Its expiry date has passed.
    Expired,
    /// The risk changed materially since (its subject's hash differs).
    Stale,
}

impl Decision {
    /// How the decision stands against the risk as it is now.
    #[must_use]
    pub fn standing(&self, now: &Subject, today: NaiveDate) -> Standing {
        if today > self.expires_on {
            Standing::Expired
        } else if now.sha256() != self.subject_sha256 {
            Standing::Stale
        } else {
            Standing::Live
        }
    }
}

/// Who the decider is, for the authority a level demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decider {
    /// The person.
    pub person: PersonId,
    /// Whether they are top management (they own or deputise an active process serving
    /// clause 5.1 or 9.3, the leadership and management-review processes).
    pub top_management: bool,
}

/// The authority with which `who` decides on a risk owned by `owner` whose level demands
/// `needed`.
///
/// # Errors
/// A message saying who may decide instead.
pub fn authority_of(
    who: Decider,
    owner: Option<PersonId>,
    needed: Authority,
) -> Result<Authority, String> {
    let own = owner == Some(who.person);
    match needed {
        Authority::NotAcceptable => Err(
            "the method does not allow this level to be accepted; treat the risk until its level falls"
                .to_owned(),
        ),
        _ if who.top_management => Ok(Authority::TopManagement),
        Authority::Automatic | Authority::RiskOwner if own => Ok(Authority::RiskOwner),
        Authority::Automatic | Authority::RiskOwner => Err(
            "only the risk's owner or top management may decide on this risk".to_owned(),
        ),
        Authority::TopManagement => Err(
            "this level is decided by top management (the owner of the management-review or leadership process); the request goes to them"
                .to_owned(),
        ),
    }
}

/// A decision as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    /// Approval or acceptance.
    pub kind: DecisionKind,
    /// Why.
    pub rationale: String,
    /// Until when.
    pub expires_on: NaiveDate,
}

impl DecisionInput {
    /// Checks the rationale and that the expiry is after today and within a year, so every
    /// decision is taken again at least yearly.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let rationale = e.check(text::long(
            "rationale",
            &self.rationale,
            "say why the risk may stand or the plan is right",
        ));
        if self.expires_on <= today {
            e.push("expires_on", "a decision expires after today");
        } else if self.expires_on > today + Duration::days(MAX_DECISION_DAYS) {
            e.push(
                "expires_on",
                format!(
                    "a decision stands for at most {MAX_DECISION_DAYS} days; take it again then"
                ),
            );
        }
        e.into_result(|| Self {
            rationale: rationale.unwrap_or_default(),
            ..self
        })
    }
}

/// A risk as the readiness engine reads it: the risk, its latest assessment and its latest
/// acceptance of the residual risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskRecord {
    /// The risk.
    pub risk: Risk,
    /// Its latest assessment, if any.
    pub latest: Option<Assessment>,
    /// Its latest residual-risk acceptance, if any.
    pub acceptance: Option<Decision>,
}

/// The register as the readiness engine reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Register {
    /// Every published method version, newest first.
    pub methods: Vec<MethodVersion>,
    /// Every risk.
    pub risks: Vec<RiskRecord>,
}

impl Register {
    /// The version in force.
    #[must_use]
    pub fn current(&self) -> Option<&MethodVersion> {
        self.methods.iter().max_by_key(|m| m.version)
    }

    /// A version by number.
    #[must_use]
    pub fn version(&self, n: i64) -> Option<&MethodVersion> {
        self.methods.iter().find(|m| m.version == n)
    }
}

/// Checks an optional long text field shared by risk forms.
///
/// # Errors
/// When it is too long or holds a control character.
pub fn description(raw: &str) -> Result<Option<String>, ValidationErrors> {
    text::optional("description", raw, LONG_MAX, Lines::Many)
}

#[cfg(test)]
mod tests {
    use super::method::tests::draft3;
    use super::*;
    use uuid::Uuid;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn risk() -> Risk {
        Risk {
            id: RiskId::from_uuid(Uuid::from_u128(1)),
            reference: "R-001".into(),
            title: "Laptop stolen with customer data".into(),
            threat: "Theft".into(),
            vulnerability: "Unencrypted disk".into(),
            owner_id: Some(PersonId::from_uuid(Uuid::from_u128(7))),
            process_id: None,
            treatment: Treatment::Modify,
            controls: vec!["8.1".into()],
            assets: vec![],
            version: 1,
        }
    }

    fn assessment(current: Rating) -> Assessment {
        let m = draft3().validate().expect("valid");
        let rated = AssessmentInput {
            inherent: Rating {
                likelihood: 3,
                impact: 3,
            },
            current,
            target: None,
            rationale: "Disk encryption on 80% of laptops".into(),
            assessed_on: day("2026-11-01"),
        }
        .rate(&m, day("2026-12-01"))
        .expect("rated");
        Assessment {
            id: RiskAssessmentId::from_uuid(Uuid::from_u128(2)),
            risk_id: risk().id,
            method_id: RiskMethodId::from_uuid(Uuid::from_u128(3)),
            method_version: 1,
            inherent: rated.input.inherent,
            current: rated.input.current,
            target: None,
            inherent_level: rated.inherent_level,
            current_level: rated.current_level,
            target_level: None,
            rationale: rated.input.rationale,
            assessor_id: None,
            assessed_on: rated.input.assessed_on,
            review_due: rated.review_due,
            recorded_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    fn decision(subject: Subject, expires_on: &str) -> Decision {
        Decision {
            id: RiskDecisionId::from_uuid(Uuid::from_u128(4)),
            risk_id: subject.risk_id,
            kind: DecisionKind::ResidualAcceptance,
            decided_by: PersonId::from_uuid(Uuid::from_u128(7)),
            authority: Authority::RiskOwner,
            decided_at: DateTime::<Utc>::UNIX_EPOCH,
            rationale: "Within appetite after encryption".into(),
            expires_on: day(expires_on),
            subject_sha256: subject.sha256(),
            subject,
        }
    }

    #[test]
    fn an_assessment_takes_its_review_date_from_the_current_level() {
        let a = assessment(Rating {
            likelihood: 2,
            impact: 2,
        });
        assert_eq!(a.inherent_level, "extreme");
        assert_eq!(a.current_level, "medium");
        assert_eq!(a.review_due, day("2027-04-30"), "medium: 180 days");
    }

    #[test]
    fn the_current_risk_is_never_above_the_inherent_and_dates_are_not_ahead() {
        let m = draft3().validate().expect("valid");
        let e = AssessmentInput {
            inherent: Rating {
                likelihood: 1,
                impact: 1,
            },
            current: Rating {
                likelihood: 3,
                impact: 3,
            },
            target: Some(Rating {
                likelihood: 4,
                impact: 1,
            }),
            rationale: " ".into(),
            assessed_on: day("2026-12-02"),
        }
        .rate(&m, day("2026-12-01"))
        .expect_err("bad");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["target.likelihood", "rationale", "assessed_on"]);
        let e = AssessmentInput {
            inherent: Rating {
                likelihood: 1,
                impact: 1,
            },
            current: Rating {
                likelihood: 3,
                impact: 3,
            },
            target: None,
            rationale: "r".into(),
            assessed_on: day("2026-12-01"),
        }
        .rate(&m, day("2026-12-01"))
        .expect_err("above inherent");
        assert_eq!(e.errors[0].field, "current");
    }

    #[test]
    fn an_acceptance_stands_until_the_risk_changes_or_it_expires() {
        let r = risk();
        let a = assessment(Rating {
            likelihood: 2,
            impact: 2,
        });
        let d = decision(Subject::of(&r, &a), "2027-06-01");
        let today = day("2026-12-01");
        assert_eq!(d.standing(&Subject::of(&r, &a), today), Standing::Live);
        // A cosmetic change to the owner does not touch what was accepted.
        let mut moved = r.clone();
        moved.owner_id = None;
        moved.version = 2;
        assert_eq!(d.standing(&Subject::of(&moved, &a), today), Standing::Live);
        // A new control set, a new rating or a new assessment is a material change.
        let mut changed = r.clone();
        changed.controls.push("8.24".into());
        assert_eq!(
            d.standing(&Subject::of(&changed, &a), today),
            Standing::Stale
        );
        let worse = assessment(Rating {
            likelihood: 2,
            impact: 3,
        });
        assert_eq!(d.standing(&Subject::of(&r, &worse), today), Standing::Stale);
        assert_eq!(
            d.standing(&Subject::of(&r, &a), day("2027-06-02")),
            Standing::Expired
        );
    }

    #[test]
    fn the_level_decides_who_may_accept() {
        let owner = PersonId::from_uuid(Uuid::from_u128(7));
        let other = PersonId::from_uuid(Uuid::from_u128(8));
        let plain = |p| Decider {
            person: p,
            top_management: false,
        };
        let top = Decider {
            person: other,
            top_management: true,
        };
        assert_eq!(
            authority_of(plain(owner), Some(owner), Authority::RiskOwner),
            Ok(Authority::RiskOwner)
        );
        assert!(authority_of(plain(other), Some(owner), Authority::RiskOwner).is_err());
        assert!(authority_of(plain(owner), Some(owner), Authority::TopManagement).is_err());
        assert_eq!(
            authority_of(top, Some(owner), Authority::TopManagement),
            Ok(Authority::TopManagement)
        );
        assert!(authority_of(top, Some(owner), Authority::NotAcceptable).is_err());
    }

    #[test]
    fn a_decision_expires_after_today_and_within_a_year() {
        let today = day("2026-12-01");
        let input = |expires: &str, rationale: &str| DecisionInput {
            kind: DecisionKind::ResidualAcceptance,
            rationale: rationale.into(),
            expires_on: day(expires),
        };
        assert!(input("2027-06-01", "ok").validate(today).is_ok());
        let e = input("2026-12-01", "").validate(today).expect_err("bad");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["rationale", "expires_on"]);
        assert!(input("2028-01-01", "ok").validate(today).is_err());
    }

    #[test]
    fn controls_must_be_annex_a_and_are_kept_in_catalogue_order() {
        let f = RiskFields {
            title: " Ransomware ".into(),
            threat: "Malware".into(),
            vulnerability: "Unpatched servers".into(),
            owner_id: None,
            process_id: None,
            treatment: Treatment::Modify,
            controls: vec!["8.8".into(), "5.10".into(), "5.9".into(), "8.8".into()],
            assets: vec![],
        };
        let ok = f.clone().validate().expect("valid");
        assert_eq!(ok.title, "Ransomware");
        assert_eq!(ok.controls, ["5.9", "5.10", "8.8"]);
        let mut bad = f;
        bad.controls.push("A.12.4".into());
        let e = bad.validate().expect_err("unknown");
        assert_eq!(e.errors[0].field, "controls[4]");
    }
}
