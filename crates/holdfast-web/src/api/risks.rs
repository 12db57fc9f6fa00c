//! `/api/v1/risk-methods` and `/api/v1/risks`: the risk method's published versions (6.1.2),
//! the register, its assessments and the decisions taken on it (6.1.3).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use holdfast_core::ids::RiskId;
use holdfast_core::policy::Action;
use holdfast_core::risk::method::ScalePoint;
use holdfast_core::risk::{
    Assessment, AssessmentInput, Authority, Decision, DecisionInput, Level, MethodDraft,
    MethodVersion, Rating, Risk, RiskFields, Subject,
};
use holdfast_store::RegisterEntry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiJson, Now, Page, if_match, optional_id, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::risks::RiskParams;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadRisks);
    let manage = Access::Login(Action::ManageRisks);
    let work = Access::Login(Action::WorkOnRisks);
    r.add(
        route(
            Method::GET,
            "/api/v1/risk-methods",
            read,
            Kind::Api,
            "List the published versions of the risk method, newest first",
        )
        .gives::<Vec<MethodDto>>(),
        list_methods,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/risk-methods",
            manage,
            Kind::Api,
            "Publish the next version of the risk method (published versions never change)",
        )
        .takes::<MethodBody>()
        .gives::<MethodDto>(),
        publish_method,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/risk-methods/{version}",
            read,
            Kind::Api,
            "Read one published version of the risk method",
        )
        .gives::<MethodDto>(),
        show_method,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/risks",
            read,
            Kind::Api,
            "The risk register (filter by owner, treatment, level, review date; search; sort by reference or level)",
        )
        .gives::<Page<RegisterEntryDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/risks",
            manage,
            Kind::Api,
            "Add a risk to the register",
        )
        .takes::<RiskBody>()
        .gives::<RegisterEntryDto>(),
        create,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/risks/{id}",
            read,
            Kind::Api,
            "Read a risk with its assessments and decisions (ETag = version)",
        )
        .gives::<RiskDetailDto>(),
        show,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/risks/{id}",
            manage,
            Kind::Api,
            "Replace a risk's fields (needs If-Match)",
        )
        .takes::<RiskBody>()
        .gives::<RegisterEntryDto>(),
        replace,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/risks/{id}/assessments",
            work,
            Kind::Api,
            "Assess a risk under the method in force (needs If-Match)",
        )
        .takes::<AssessmentBody>()
        .gives::<AssessmentDto>(),
        assess,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/risks/{id}/decisions",
            work,
            Kind::Api,
            "Approve the treatment plan or accept the residual risk, with the authority its level demands (needs If-Match)",
        )
        .takes::<DecisionBody>()
        .gives::<DecisionDto>(),
        decide,
    )
}

/// One point of a scale.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalePointDto {
    /// The number an assessment records, rising along the scale from 1.
    pub value: u8,
    /// Its name, e.g. "Likely".
    pub label: String,
    /// What it means per criterion, e.g. `{"financial": "over €1M"}`.
    #[serde(default)]
    pub descriptors: BTreeMap<String, String>,
}

/// Who may accept a risk left at a level.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityDto {
    /// Within appetite; no decision needed.
    Automatic,
    /// The risk's owner (or top management).
    RiskOwner,
    /// Top management only.
    TopManagement,
    /// Nobody: it must be treated.
    NotAcceptable,
}

impl AuthorityDto {
    /// The word the API uses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        Authority::from(self).as_str()
    }
}

impl From<AuthorityDto> for Authority {
    fn from(a: AuthorityDto) -> Self {
        match a {
            AuthorityDto::Automatic => Self::Automatic,
            AuthorityDto::RiskOwner => Self::RiskOwner,
            AuthorityDto::TopManagement => Self::TopManagement,
            AuthorityDto::NotAcceptable => Self::NotAcceptable,
        }
    }
}

impl From<Authority> for AuthorityDto {
    fn from(a: Authority) -> Self {
        match a {
            Authority::Automatic => Self::Automatic,
            Authority::RiskOwner => Self::RiskOwner,
            Authority::TopManagement => Self::TopManagement,
            Authority::NotAcceptable => Self::NotAcceptable,
        }
    }
}

/// One level and its acceptance criteria.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelDto {
    /// Key the grid uses: lower-case letters, digits, `_`.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Who may accept a risk left at this level.
    pub authority: AuthorityDto,
    /// Reassessed within this many days.
    pub review_days: u32,
    /// Treated within this many days; required when not acceptable.
    #[serde(default)]
    pub treat_days: Option<u32>,
}

/// A risk method to publish, or one published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodBody {
    /// Its name.
    pub name: String,
    /// Likelihood scale, lowest first (2 to 10 points).
    pub likelihood: Vec<ScalePointDto>,
    /// Impact scale, lowest first.
    pub impact: Vec<ScalePointDto>,
    /// Levels, lowest first (2 to 8), authority never falling.
    pub levels: Vec<LevelDto>,
    /// `grid[l][i]`: the level key for the l-th likelihood and i-th impact point. Levels never
    /// fall as likelihood or impact rises; the grid need not be symmetric.
    pub grid: Vec<Vec<String>>,
    /// The register is reassessed at least this often, in days.
    pub assessment_interval_days: u32,
}

fn point(p: ScalePointDto) -> ScalePoint {
    ScalePoint {
        value: p.value,
        label: p.label,
        descriptors: p.descriptors,
    }
}

fn point_dto(p: &ScalePoint) -> ScalePointDto {
    ScalePointDto {
        value: p.value,
        label: p.label.clone(),
        descriptors: p.descriptors.clone(),
    }
}

impl From<MethodBody> for MethodDraft {
    fn from(b: MethodBody) -> Self {
        Self {
            name: b.name,
            likelihood: b.likelihood.into_iter().map(point).collect(),
            impact: b.impact.into_iter().map(point).collect(),
            levels: b
                .levels
                .into_iter()
                .map(|l| Level {
                    key: l.key,
                    label: l.label,
                    authority: l.authority.into(),
                    review_days: l.review_days,
                    treat_days: l.treat_days,
                })
                .collect(),
            grid: b.grid,
            assessment_interval_days: b.assessment_interval_days,
        }
    }
}

impl From<&MethodDraft> for MethodBody {
    fn from(d: &MethodDraft) -> Self {
        Self {
            name: d.name.clone(),
            likelihood: d.likelihood.iter().map(point_dto).collect(),
            impact: d.impact.iter().map(point_dto).collect(),
            levels: d
                .levels
                .iter()
                .map(|l| LevelDto {
                    key: l.key.clone(),
                    label: l.label.clone(),
                    authority: l.authority.into(),
                    review_days: l.review_days,
                    treat_days: l.treat_days,
                })
                .collect(),
            grid: d.grid.clone(),
            assessment_interval_days: d.assessment_interval_days,
        }
    }
}

/// A published version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MethodDto {
    /// Id.
    pub id: String,
    /// Its number.
    pub version: i64,
    /// Who published it (person id).
    pub published_by: Option<String>,
    /// When.
    pub published_at: DateTime<Utc>,
    /// The method.
    pub method: MethodBody,
}

impl From<&MethodVersion> for MethodDto {
    fn from(m: &MethodVersion) -> Self {
        Self {
            id: m.id.to_string(),
            version: m.version,
            published_by: m.published_by.map(|p| p.to_string()),
            published_at: m.published_at,
            method: MethodBody::from(m.method.draft()),
        }
    }
}

/// A risk as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskBody {
    /// What could happen, in a line.
    pub title: String,
    /// The threat.
    pub threat: String,
    /// The vulnerability it exploits.
    pub vulnerability: String,
    /// Owner (an active person's id).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// The ISMS process it belongs to.
    #[serde(default)]
    pub process_id: Option<String>,
    /// `modify`, `retain`, `avoid` or `share`.
    pub treatment: String,
    /// Annex A controls that treat it, e.g. `["8.7", "8.8"]`.
    #[serde(default)]
    pub controls: Vec<String>,
    /// The assets it concerns (ids from the inventory).
    #[serde(default)]
    pub assets: Vec<String>,
}

impl RiskBody {
    fn fields(self) -> Result<RiskFields, AppError> {
        let mut e = holdfast_core::ValidationErrors::default();
        let owner_id = optional_id(&mut e, "owner_id", self.owner_id, "a person");
        let process_id = optional_id(&mut e, "process_id", self.process_id, "a process");
        let treatment = self
            .treatment
            .parse()
            .map_err(|m: String| e.push("treatment", m))
            .ok();
        let mut assets = Vec::with_capacity(self.assets.len());
        for (n, raw) in self.assets.into_iter().enumerate() {
            if let Some(id) = optional_id(&mut e, &format!("assets[{n}]"), Some(raw), "an asset") {
                assets.push(id);
            }
        }
        match treatment {
            Some(treatment) if e.errors.is_empty() => Ok(RiskFields {
                title: self.title,
                threat: self.threat,
                vulnerability: self.vulnerability,
                owner_id,
                process_id,
                treatment,
                controls: self.controls,
                assets,
            }),
            _ => Err(AppError::Invalid(e)),
        }
    }
}

/// A risk as the register shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegisterEntryDto {
    /// Id.
    pub id: String,
    /// `R-001`.
    pub reference: String,
    /// What could happen.
    pub title: String,
    /// The threat.
    pub threat: String,
    /// The vulnerability.
    pub vulnerability: String,
    /// Owner (person id).
    pub owner_id: Option<String>,
    /// Process id.
    pub process_id: Option<String>,
    /// Treatment option.
    pub treatment: String,
    /// Annex A controls.
    pub controls: Vec<String>,
    /// The assets it concerns (ids).
    pub assets: Vec<String>,
    /// Residual level of the latest assessment; `null` before the first.
    pub current_level: Option<String>,
    /// When it is due for reassessment.
    pub review_due: Option<NaiveDate>,
    /// Version (ETag).
    pub version: i64,
}

impl From<&RegisterEntry> for RegisterEntryDto {
    fn from(e: &RegisterEntry) -> Self {
        let r: &Risk = &e.risk;
        Self {
            id: r.id.to_string(),
            reference: r.reference.clone(),
            title: r.title.clone(),
            threat: r.threat.clone(),
            vulnerability: r.vulnerability.clone(),
            owner_id: r.owner_id.map(|p| p.to_string()),
            process_id: r.process_id.map(|p| p.to_string()),
            treatment: r.treatment.as_str().to_owned(),
            controls: r.controls.clone(),
            assets: r.assets.iter().map(ToString::to_string).collect(),
            current_level: e.current_level.clone(),
            review_due: e.review_due,
            version: r.version,
        }
    }
}

/// A likelihood and an impact.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingDto {
    /// A value of the method's likelihood scale.
    pub likelihood: u8,
    /// A value of its impact scale.
    pub impact: u8,
}

impl From<RatingDto> for Rating {
    fn from(r: RatingDto) -> Self {
        Self {
            likelihood: r.likelihood,
            impact: r.impact,
        }
    }
}

impl From<Rating> for RatingDto {
    fn from(r: Rating) -> Self {
        Self {
            likelihood: r.likelihood,
            impact: r.impact,
        }
    }
}

/// An assessment as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    /// Before any control.
    pub inherent: RatingDto,
    /// With today's controls: the residual risk.
    pub current: RatingDto,
    /// Where the treatment plan aims.
    #[serde(default)]
    pub target: Option<RatingDto>,
    /// Why these ratings.
    pub rationale: String,
    /// The day of the assessment (default today).
    #[serde(default)]
    pub assessed_on: Option<NaiveDate>,
}

/// One assessment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AssessmentDto {
    /// Id.
    pub id: String,
    /// The method version it used.
    pub method_version: i64,
    /// Inherent rating and level.
    pub inherent: RatingDto,
    /// Inherent level.
    pub inherent_level: String,
    /// Current rating.
    pub current: RatingDto,
    /// Current (residual) level.
    pub current_level: String,
    /// Target rating.
    pub target: Option<RatingDto>,
    /// Target level.
    pub target_level: Option<String>,
    /// Why.
    pub rationale: String,
    /// Who assessed (person id).
    pub assessor_id: Option<String>,
    /// The day.
    pub assessed_on: NaiveDate,
    /// Reassessed by.
    pub review_due: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<&Assessment> for AssessmentDto {
    fn from(a: &Assessment) -> Self {
        Self {
            id: a.id.to_string(),
            method_version: a.method_version,
            inherent: a.inherent.into(),
            inherent_level: a.inherent_level.clone(),
            current: a.current.into(),
            current_level: a.current_level.clone(),
            target: a.target.map(Into::into),
            target_level: a.target_level.clone(),
            rationale: a.rationale.clone(),
            assessor_id: a.assessor_id.map(|p| p.to_string()),
            assessed_on: a.assessed_on,
            review_due: a.review_due,
            recorded_at: a.recorded_at,
        }
    }
}

/// A decision as sent; the decider is the caller's person.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `treatment_approval` or `residual_acceptance`.
    pub kind: String,
    /// Why.
    pub rationale: String,
    /// Until when it stands: after today, within 366 days.
    pub expires_on: NaiveDate,
}

/// One decision and whether it still stands.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DecisionDto {
    /// Id.
    pub id: String,
    /// `treatment_approval` or `residual_acceptance`.
    pub kind: String,
    /// Who decided (person id).
    pub decided_by: String,
    /// With what authority.
    pub authority: AuthorityDto,
    /// When.
    pub decided_at: DateTime<Utc>,
    /// Why.
    pub rationale: String,
    /// Until when.
    pub expires_on: NaiveDate,
    /// SHA-256 of what was decided on.
    pub subject_sha256: String,
    /// `live`, `expired`, or `stale` (the risk changed materially since).
    pub standing: String,
}

pub(crate) fn decision_dto(d: &Decision, now: Option<&Subject>, today: NaiveDate) -> DecisionDto {
    let standing = now.map_or("stale", |s| match d.standing(s, today) {
        holdfast_core::risk::Standing::Live => "live",
        holdfast_core::risk::Standing::Expired => "expired",
        holdfast_core::risk::Standing::Stale => "stale",
    });
    DecisionDto {
        id: d.id.to_string(),
        kind: d.kind.as_str().to_owned(),
        decided_by: d.decided_by.to_string(),
        authority: d.authority.into(),
        decided_at: d.decided_at,
        rationale: d.rationale.clone(),
        expires_on: d.expires_on,
        subject_sha256: d.subject_sha256.clone(),
        standing: standing.to_owned(),
    }
}

/// A risk with its history.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskDetailDto {
    /// The register's view.
    #[serde(flatten)]
    pub risk: RegisterEntryDto,
    /// Assessments, newest first.
    pub assessments: Vec<AssessmentDto>,
    /// Decisions, newest first, each with its standing today.
    pub decisions: Vec<DecisionDto>,
}

async fn list_methods(State(st): State<AppState>) -> Result<Json<Vec<MethodDto>>, AppError> {
    Ok(Json(
        st.store
            .risk_methods()
            .await?
            .iter()
            .map(MethodDto::from)
            .collect(),
    ))
}

async fn publish_method(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<MethodBody>,
) -> Result<(StatusCode, Json<MethodDto>), AppError> {
    let method = MethodDraft::from(b).validate()?;
    let m = st
        .store
        .publish_risk_method(&caller.actor(), caller.account.person_id, method)
        .await?;
    Ok((StatusCode::CREATED, Json(MethodDto::from(&m))))
}

async fn show_method(
    State(st): State<AppState>,
    Path(version): Path<String>,
) -> Result<Json<MethodDto>, AppError> {
    let v: i64 = version
        .parse()
        .map_err(|_| AppError::NotFound("risk method version"))?;
    Ok(Json(MethodDto::from(&st.store.risk_method(v).await?)))
}

async fn list(
    State(st): State<AppState>,
    p: RiskParams,
) -> Result<Json<Page<RegisterEntryDto>>, AppError> {
    Ok(Json(crate::service::risks::list(&st, &p).await?))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<RiskBody>,
) -> Result<Response, AppError> {
    let risk = st.store.create_risk(&caller.actor(), b.fields()?).await?;
    let entry = st.store.risk(risk.id).await?;
    let mut resp = with_etag(risk.version, RegisterEntryDto::from(&entry));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(
    State(st): State<AppState>,
    Now(now): Now,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: RiskId = path_id(&id, "risk")?;
    let entry = st.store.risk(id).await?;
    let assessments = st.store.risk_assessments(id).await?;
    let decisions = st.store.risk_decisions(id).await?;
    let subject = assessments.first().map(|a| Subject::of(&entry.risk, a));
    Ok(with_etag(
        entry.risk.version,
        RiskDetailDto {
            risk: RegisterEntryDto::from(&entry),
            assessments: assessments.iter().map(AssessmentDto::from).collect(),
            decisions: decisions
                .iter()
                .map(|d| decision_dto(d, subject.as_ref(), now.today))
                .collect(),
        },
    ))
}

async fn replace(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RiskBody>,
) -> Result<Response, AppError> {
    let id: RiskId = path_id(&id, "risk")?;
    let version = if_match(&headers)?;
    let risk = st
        .store
        .update_risk(&caller.actor(), id, version, b.fields()?)
        .await?;
    let entry = st.store.risk(risk.id).await?;
    Ok(with_etag(risk.version, RegisterEntryDto::from(&entry)))
}

async fn assess(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<AssessmentBody>,
) -> Result<(StatusCode, Json<AssessmentDto>), AppError> {
    let id: RiskId = path_id(&id, "risk")?;
    let version = if_match(&headers)?;
    let input = AssessmentInput {
        inherent: b.inherent.into(),
        current: b.current.into(),
        target: b.target.map(Into::into),
        rationale: b.rationale,
        assessed_on: b.assessed_on.unwrap_or(now.today),
    };
    let a = st
        .store
        .assess_risk(
            &caller.actor(),
            id,
            version,
            caller.account.person_id,
            input,
            now.today,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AssessmentDto::from(&a))))
}

async fn decide(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<(StatusCode, Json<DecisionDto>), AppError> {
    let id: RiskId = path_id(&id, "risk")?;
    let version = if_match(&headers)?;
    let kind = b
        .kind
        .parse()
        .map_err(|m: String| AppError::invalid("kind", m))?;
    let person = caller.account.person_id.ok_or_else(|| {
        AppError::invalid(
            "decided_by",
            "a decision is taken by a person; this login is not linked to one",
        )
    })?;
    let input = DecisionInput {
        kind,
        rationale: b.rationale,
        expires_on: b.expires_on,
    };
    let d = st
        .store
        .decide_on_risk(&caller.actor(), id, version, person, input, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(decision_dto(&d, Some(&d.subject), now.today)),
    ))
}
