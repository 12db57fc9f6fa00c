//! `/api/v1/context` and `/api/v1/scope`: the internal and external issues (4.1), the
//! interested parties and their requirements (4.2), what changed in them since a date, and
//! the scope's versions with top management's approval (4.3).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use holdfast_core::ValidationErrors;
use holdfast_core::context::{
    Element, Entry, EntryInput, Inclusion, Issue, IssueFields, Party, PartyFields, Place,
    Requirement, RequirementFields, ScopeDraft, ScopeVersion,
};
use holdfast_core::ids::{ContextIssueId, InterestedPartyId, RequirementId};
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, Now, if_match, keyed, optional_id, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadContext);
    let manage = Access::Login(Action::ManageContext);
    let approve = Access::Login(Action::ApproveScope);
    r.add(
        route(
            Method::GET,
            "/api/v1/context/issues",
            read,
            Kind::Api,
            "The internal and external issues (4.1), retired ones included",
        )
        .gives::<Vec<IssueDto>>(),
        list_issues,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/context/issues",
            manage,
            Kind::Api,
            "Record an internal or external issue",
        )
        .takes::<IssueBody>()
        .gives::<IssueDto>(),
        create_issue,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/context/issues/{id}",
            read,
            Kind::Api,
            "Read one issue (ETag = version)",
        )
        .gives::<IssueDto>(),
        show_issue,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/context/issues/{id}",
            manage,
            Kind::Api,
            "Replace an issue's fields; a review sets the next review date (needs If-Match)",
        )
        .takes::<IssueBody>()
        .gives::<IssueDto>(),
        replace_issue,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/context/parties",
            read,
            Kind::Api,
            "The interested parties (4.2) with their requirements",
        )
        .gives::<Vec<PartyDto>>(),
        list_parties,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/context/parties",
            manage,
            Kind::Api,
            "Record an interested party",
        )
        .takes::<PartyBody>()
        .gives::<PartyDto>(),
        create_party,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/context/parties/{id}",
            read,
            Kind::Api,
            "Read one interested party with its requirements (ETag = version)",
        )
        .gives::<PartyDto>(),
        show_party,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/context/parties/{id}",
            manage,
            Kind::Api,
            "Replace an interested party's fields (needs If-Match)",
        )
        .takes::<PartyBody>()
        .gives::<PartyDto>(),
        replace_party,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/context/parties/{id}/requirements",
            manage,
            Kind::Api,
            "Record a requirement of the party and the controls and processes that address it",
        )
        .takes::<RequirementBody>()
        .gives::<RequirementDto>(),
        add_requirement,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/context/requirements/{id}",
            manage,
            Kind::Api,
            "Replace a requirement and its links (needs If-Match)",
        )
        .takes::<RequirementBody>()
        .gives::<RequirementDto>(),
        replace_requirement,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/context/changes",
            read,
            Kind::Api,
            "What changed in the issues, parties and requirements since a date (?since=YYYY-MM-DD, default a year ago), oldest first",
        )
        .gives::<Vec<ChangeDto>>(),
        changes,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/scope/versions",
            read,
            Kind::Api,
            "Every version of the scope, oldest first, with its approval",
        )
        .gives::<Vec<ScopeVersionDto>>(),
        list_scopes,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/scope/versions",
            manage,
            Kind::Api,
            "Propose the next version of the scope (frozen once proposed)",
        )
        .takes::<ScopeBody>()
        .gives::<ScopeVersionDto>(),
        propose_scope,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/scope/versions/{number}",
            read,
            Kind::Api,
            "Read one version of the scope",
        )
        .gives::<ScopeVersionDto>(),
        show_scope,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/scope/versions/{number}/approval",
            approve,
            Kind::Api,
            "Approve a proposed scope as top management, naming the SHA-256 of what was read",
        )
        .takes::<ApprovalBody>()
        .gives::<ScopeVersionDto>(),
        approve_scope,
    )
}

/// An issue as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// `internal` or `external`.
    pub kind: String,
    /// `strategic`, `organisational`, `people`, `technology`, `legal`, `market`,
    /// `supply_chain`, `threat` or `other`.
    pub category: String,
    /// The issue, in a line.
    pub title: String,
    /// How it affects the ISMS's intended outcomes.
    pub effect: String,
    /// Who watches it (an active person's id).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// When it is next reviewed.
    pub review_due: NaiveDate,
    /// Whether it still bears on the ISMS (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

const fn yes() -> bool {
    true
}

impl IssueBody {
    fn fields(self) -> Result<IssueFields, AppError> {
        let mut e = ValidationErrors::default();
        let kind = keyed(&mut e, "kind", &self.kind);
        let category = keyed(&mut e, "category", &self.category);
        let owner_id = optional_id(&mut e, "owner_id", self.owner_id, "a person");
        match (kind, category) {
            (Some(kind), Some(category)) if e.errors.is_empty() => Ok(IssueFields {
                kind,
                category,
                title: self.title,
                effect: self.effect,
                owner_id,
                review_due: self.review_due,
                active: self.active,
            }),
            _ => Err(AppError::Invalid(e)),
        }
    }
}

/// An issue.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IssueDto {
    /// Id.
    pub id: String,
    /// `I-001`.
    pub reference: String,
    /// Internal or external.
    pub kind: String,
    /// Category.
    pub category: String,
    /// The issue.
    pub title: String,
    /// Its effect on the ISMS.
    pub effect: String,
    /// Owner (person id).
    pub owner_id: Option<String>,
    /// Next review.
    pub review_due: NaiveDate,
    /// Still relevant.
    pub active: bool,
    /// Version (ETag).
    pub version: i64,
}

impl From<&Issue> for IssueDto {
    fn from(i: &Issue) -> Self {
        Self {
            id: i.id.to_string(),
            reference: i.reference.clone(),
            kind: i.kind.as_str().to_owned(),
            category: i.category.as_str().to_owned(),
            title: i.title.clone(),
            effect: i.effect.clone(),
            owner_id: i.owner_id.map(|p| p.to_string()),
            review_due: i.review_due,
            active: i.active,
            version: i.version,
        }
    }
}

/// An interested party as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// Name.
    pub name: String,
    /// `customer`, `regulator`, `supplier`, `employee`, `shareholder`, `partner`, `public`
    /// or `other`.
    pub kind: String,
    /// Their needs and expectations relevant to information security.
    pub expectations: String,
    /// Who keeps the relationship (an active person's id).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// When it is next reviewed.
    pub review_due: NaiveDate,
    /// Still relevant (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

impl PartyBody {
    fn fields(self) -> Result<PartyFields, AppError> {
        let mut e = ValidationErrors::default();
        let kind = keyed(&mut e, "kind", &self.kind);
        let owner_id = optional_id(&mut e, "owner_id", self.owner_id, "a person");
        match kind {
            Some(kind) if e.errors.is_empty() => Ok(PartyFields {
                name: self.name,
                kind,
                expectations: self.expectations,
                owner_id,
                review_due: self.review_due,
                active: self.active,
            }),
            _ => Err(AppError::Invalid(e)),
        }
    }
}

/// An interested party with its requirements.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PartyDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Needs and expectations.
    pub expectations: String,
    /// Owner (person id).
    pub owner_id: Option<String>,
    /// Next review.
    pub review_due: NaiveDate,
    /// Still relevant.
    pub active: bool,
    /// Version (ETag).
    pub version: i64,
    /// Its requirements.
    pub requirements: Vec<RequirementDto>,
}

fn party_dto(p: &Party, all: &[Requirement]) -> PartyDto {
    PartyDto {
        id: p.id.to_string(),
        name: p.name.clone(),
        kind: p.kind.as_str().to_owned(),
        expectations: p.expectations.clone(),
        owner_id: p.owner_id.map(|x| x.to_string()),
        review_due: p.review_due,
        active: p.active,
        version: p.version,
        requirements: all
            .iter()
            .filter(|r| r.party_id == p.id)
            .map(RequirementDto::from)
            .collect(),
    }
}

/// A requirement as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementBody {
    /// `legal`, `regulatory`, `contractual` or `other`.
    pub kind: String,
    /// Its citation: "GDPR Art. 32", "MSA §9.2".
    pub citation: String,
    /// What it asks.
    pub text: String,
    /// Annex A controls that address it, e.g. `["5.34", "8.24"]`.
    #[serde(default)]
    pub controls: Vec<String>,
    /// Processes that address it (ids).
    #[serde(default)]
    pub process_ids: Vec<String>,
}

impl RequirementBody {
    fn fields(self) -> Result<RequirementFields, AppError> {
        let mut e = ValidationErrors::default();
        let kind = keyed(&mut e, "kind", &self.kind);
        let mut process_ids = Vec::with_capacity(self.process_ids.len());
        for (n, raw) in self.process_ids.into_iter().enumerate() {
            if let Some(id) =
                optional_id(&mut e, &format!("process_ids[{n}]"), Some(raw), "a process")
            {
                process_ids.push(id);
            }
        }
        match kind {
            Some(kind) if e.errors.is_empty() => Ok(RequirementFields {
                kind,
                citation: self.citation,
                text: self.text,
                controls: self.controls,
                process_ids,
            }),
            _ => Err(AppError::Invalid(e)),
        }
    }
}

/// A requirement and what addresses it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequirementDto {
    /// Id.
    pub id: String,
    /// The party's id.
    pub party_id: String,
    /// Kind.
    pub kind: String,
    /// Citation.
    pub citation: String,
    /// What it asks.
    pub text: String,
    /// Annex A controls that address it.
    pub controls: Vec<String>,
    /// Processes that address it.
    pub process_ids: Vec<String>,
    /// First recorded.
    pub recorded_on: NaiveDate,
    /// Version (ETag).
    pub version: i64,
}

impl From<&Requirement> for RequirementDto {
    fn from(r: &Requirement) -> Self {
        Self {
            id: r.id.to_string(),
            party_id: r.party_id.to_string(),
            kind: r.kind.as_str().to_owned(),
            citation: r.citation.clone(),
            text: r.text.clone(),
            controls: r.controls.clone(),
            process_ids: r.process_ids.iter().map(ToString::to_string).collect(),
            recorded_on: r.recorded_on,
            version: r.version,
        }
    }
}

/// `?since=` for the changes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// The first day counted (a management review's date); a year ago when absent.
    #[serde(default)]
    pub since: Option<NaiveDate>,
}

/// One change to the context registers, from the audit trail.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeDto {
    /// The trail's sequence number.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who (`user:<id>`, `cli:demo`).
    pub actor: String,
    /// `context_issue`, `interested_party` or `requirement`.
    pub record: String,
    /// Its id.
    pub id: String,
    /// `create` or `update`.
    pub action: String,
    /// What it was.
    pub before: Option<serde_json::Value>,
    /// What it became.
    pub after: Option<serde_json::Value>,
}

/// One line of the scope, flat: `kind` says which of the other fields apply.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryDto {
    /// `unit`, `location`, `process`, `asset` or `interface`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// For a location: `office`, `home_working` or `cloud`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// For a cloud: the provider and region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// For a cloud: the shared-responsibility split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<String>,
    /// For a process: its id in Holdfast, if it is one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<String>,
    /// For an interface: who or what is on the other side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterpart: Option<String>,
    /// In scope (default true).
    #[serde(default = "yes")]
    pub included: bool,
    /// Why, required when not included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

impl From<&Entry> for EntryDto {
    fn from(e: &Entry) -> Self {
        let mut dto = Self {
            kind: String::new(),
            name: e.name.clone(),
            place: None,
            provider: None,
            responsibility: None,
            process_id: None,
            counterpart: None,
            included: matches!(e.inclusion, Inclusion::Included),
            justification: match &e.inclusion {
                Inclusion::Included => None,
                Inclusion::Excluded { justification } => Some(justification.clone()),
            },
        };
        dto.kind = match &e.element {
            Element::Unit => "unit",
            Element::Asset => "asset",
            Element::Process { process_id } => {
                dto.process_id = process_id.map(|p| p.to_string());
                "process"
            }
            Element::Interface { counterpart } => {
                dto.counterpart = Some(counterpart.clone());
                "interface"
            }
            Element::Location { place } => {
                dto.place = Some(
                    match place {
                        Place::Office => "office",
                        Place::HomeWorking => "home_working",
                        Place::Cloud {
                            provider,
                            responsibility,
                        } => {
                            dto.provider = Some(provider.clone());
                            dto.responsibility = Some(responsibility.clone());
                            "cloud"
                        }
                    }
                    .to_owned(),
                );
                "location"
            }
        }
        .to_owned();
        dto
    }
}

/// A scope as proposed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeBody {
    /// The scope statement.
    pub statement: String,
    /// Its lines: units, locations, processes, assets, interfaces, in or out.
    #[serde(default)]
    pub entries: Vec<EntryDto>,
}

impl ScopeBody {
    fn draft(self) -> Result<ScopeDraft, AppError> {
        let mut e = ValidationErrors::default();
        let mut entries = Vec::with_capacity(self.entries.len());
        for (n, x) in self.entries.into_iter().enumerate() {
            let kind = keyed(&mut e, &format!("entries[{n}].kind"), &x.kind);
            let place = x
                .place
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .and_then(|p| keyed(&mut e, &format!("entries[{n}].place"), p));
            let process_id = optional_id(
                &mut e,
                &format!("entries[{n}].process_id"),
                x.process_id,
                "a process",
            );
            entries.push(EntryInput {
                kind,
                name: x.name,
                place,
                provider: x.provider.unwrap_or_default(),
                responsibility: x.responsibility.unwrap_or_default(),
                process_id,
                counterpart: x.counterpart.unwrap_or_default(),
                included: x.included,
                justification: x.justification.unwrap_or_default(),
            });
        }
        if !e.errors.is_empty() {
            return Err(AppError::Invalid(e));
        }
        Ok(ScopeDraft {
            statement: self.statement,
            entries,
        })
    }
}

/// One version of the scope.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScopeVersionDto {
    /// 1, 2, …
    pub number: i64,
    /// The statement.
    pub statement: String,
    /// Its lines.
    pub entries: Vec<EntryDto>,
    /// SHA-256 of the version: what an approval names.
    pub sha256: String,
    /// Who proposed it (person id).
    pub proposed_by: Option<String>,
    /// When.
    pub proposed_at: DateTime<Utc>,
    /// Who approved it (person id), once approved.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

impl From<&ScopeVersion> for ScopeVersionDto {
    fn from(v: &ScopeVersion) -> Self {
        Self {
            number: v.number,
            statement: v.scope.statement.clone(),
            entries: v.scope.entries.iter().map(EntryDto::from).collect(),
            sha256: v.sha256.clone(),
            proposed_by: v.proposed_by.map(|p| p.to_string()),
            proposed_at: v.proposed_at,
            approved_by: v.approval.as_ref().map(|a| a.approved_by.to_string()),
            approved_at: v.approval.as_ref().map(|a| a.approved_at),
        }
    }
}

/// An approval as sent; the approver is the caller's person.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    /// The SHA-256 of the version as read.
    pub sha256: String,
}

async fn list_issues(State(st): State<AppState>) -> Result<Json<Vec<IssueDto>>, AppError> {
    Ok(Json(
        st.store
            .issues()
            .await?
            .iter()
            .map(IssueDto::from)
            .collect(),
    ))
}

async fn create_issue(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<IssueBody>,
) -> Result<Response, AppError> {
    let i = st.store.create_issue(&caller.actor(), b.fields()?).await?;
    let mut resp = with_etag(i.version, IssueDto::from(&i));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show_issue(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ContextIssueId = path_id(&id, "issue")?;
    let i = st.store.issue(id).await?;
    Ok(with_etag(i.version, IssueDto::from(&i)))
}

async fn replace_issue(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<IssueBody>,
) -> Result<Response, AppError> {
    let id: ContextIssueId = path_id(&id, "issue")?;
    let version = if_match(&headers)?;
    let i = st
        .store
        .update_issue(&caller.actor(), id, version, b.fields()?)
        .await?;
    Ok(with_etag(i.version, IssueDto::from(&i)))
}

async fn list_parties(State(st): State<AppState>) -> Result<Json<Vec<PartyDto>>, AppError> {
    let requirements = st.store.requirements().await?;
    Ok(Json(
        st.store
            .parties()
            .await?
            .iter()
            .map(|p| party_dto(p, &requirements))
            .collect(),
    ))
}

async fn create_party(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<PartyBody>,
) -> Result<Response, AppError> {
    let p = st.store.create_party(&caller.actor(), b.fields()?).await?;
    let mut resp = with_etag(p.version, party_dto(&p, &[]));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show_party(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: InterestedPartyId = path_id(&id, "interested party")?;
    let p = st.store.party(id).await?;
    let requirements = st.store.requirements().await?;
    Ok(with_etag(p.version, party_dto(&p, &requirements)))
}

async fn replace_party(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PartyBody>,
) -> Result<Response, AppError> {
    let id: InterestedPartyId = path_id(&id, "interested party")?;
    let version = if_match(&headers)?;
    let p = st
        .store
        .update_party(&caller.actor(), id, version, b.fields()?)
        .await?;
    let requirements = st.store.requirements().await?;
    Ok(with_etag(p.version, party_dto(&p, &requirements)))
}

async fn add_requirement(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RequirementBody>,
) -> Result<Response, AppError> {
    let id: InterestedPartyId = path_id(&id, "interested party")?;
    let r = st
        .store
        .add_requirement(&caller.actor(), id, b.fields()?)
        .await?;
    let mut resp = with_etag(r.version, RequirementDto::from(&r));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn replace_requirement(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RequirementBody>,
) -> Result<Response, AppError> {
    let id: RequirementId = path_id(&id, "requirement")?;
    let version = if_match(&headers)?;
    let r = st
        .store
        .update_requirement(&caller.actor(), id, version, b.fields()?)
        .await?;
    Ok(with_etag(r.version, RequirementDto::from(&r)))
}

async fn changes(
    State(st): State<AppState>,
    Now(now): Now,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<Vec<ChangeDto>>, AppError> {
    let day = q
        .since
        .unwrap_or_else(|| now.today - chrono::Duration::days(365));
    let since = holdfast_core::clock::AsOf::start_of(day, now.tz);
    let events = st.store.context_changes(since).await?;
    let json = |s: &str| {
        serde_json::from_str(s)
            .ok()
            .filter(|v: &serde_json::Value| !v.is_null())
    };
    Ok(Json(
        events
            .into_iter()
            .map(|s| ChangeDto {
                seq: s.event.seq,
                before: json(&s.event.before),
                after: json(&s.event.after),
                occurred_at: s.event.at,
                actor: s.event.actor,
                record: s.event.entity_type,
                id: s.event.entity_id,
                action: s.event.action,
            })
            .collect(),
    ))
}

async fn list_scopes(State(st): State<AppState>) -> Result<Json<Vec<ScopeVersionDto>>, AppError> {
    Ok(Json(
        st.store
            .scope_versions()
            .await?
            .iter()
            .map(ScopeVersionDto::from)
            .collect(),
    ))
}

async fn propose_scope(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ScopeBody>,
) -> Result<(StatusCode, Json<ScopeVersionDto>), AppError> {
    let v = st
        .store
        .propose_scope(&caller.actor(), caller.account.person_id, b.draft()?)
        .await?;
    Ok((StatusCode::CREATED, Json(ScopeVersionDto::from(&v))))
}

fn number(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("scope version"))
}

async fn show_scope(
    State(st): State<AppState>,
    Path(n): Path<String>,
) -> Result<Json<ScopeVersionDto>, AppError> {
    Ok(Json(ScopeVersionDto::from(
        &st.store.scope_version(number(&n)?).await?,
    )))
}

async fn approve_scope(
    State(st): State<AppState>,
    caller: Caller,
    Path(n): Path<String>,
    ApiJson(b): ApiJson<ApprovalBody>,
) -> Result<Json<ScopeVersionDto>, AppError> {
    let person = caller.account.person_id.ok_or_else(|| {
        AppError::invalid(
            "approved_by",
            "an approval is given by a person; this login is not linked to one",
        )
    })?;
    let v = st
        .store
        .approve_scope(&caller.actor(), number(&n)?, person, &b.sha256)
        .await?;
    Ok(Json(ScopeVersionDto::from(&v)))
}
