//! `/api/v1/processes`, the process map and the readiness findings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use holdfast_core::account::Role;
use holdfast_core::map::ProcessMap;
use holdfast_core::policy::Action;
use holdfast_core::process::{Process, ProcessDefinition, ProcessInput, ProcessStatus, Raci};
use holdfast_core::readiness::{Finding, check};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::people::manager_id as person_id;
use super::{ApiJson, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(
            Method::GET,
            "/api/v1/processes",
            read,
            Kind::Api,
            "List processes",
        )
        .gives::<Vec<ProcessDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/processes",
            manage,
            Kind::Api,
            "Define a process",
        )
        .takes::<ProcessBody>()
        .gives::<ProcessDto>(),
        create,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/processes/{id}",
            read,
            Kind::Api,
            "Read a process (ETag = version)",
        )
        .gives::<ProcessDto>(),
        show,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/processes/{id}",
            manage,
            Kind::Api,
            "Replace a process definition (needs If-Match); future runs are re-planned",
        )
        .takes::<ProcessBody>()
        .gives::<ProcessDto>(),
        replace,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/processes/map",
            read,
            Kind::Api,
            "The process map as a graph, with SLA health per interaction",
        ),
        map_json,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/readiness",
            read,
            Kind::Api,
            "Readiness findings, as an auditor would write them up",
        ),
        readiness,
    )
}

/// A process as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProcessDto {
    /// Id.
    pub id: String,
    /// Stable key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Objective.
    pub objective: String,
    /// Owner's person id.
    pub owner_id: Option<String>,
    /// Deputy's person id.
    pub deputy_id: Option<String>,
    /// Roles per RACI letter.
    #[schemars(with = "serde_json::Value")]
    pub raci: Raci,
    /// Inputs.
    pub inputs: Vec<String>,
    /// Outputs.
    pub outputs: Vec<String>,
    /// RFC 5545 recurrence rule.
    pub cadence: String,
    /// The day the cadence counts from.
    pub cadence_start: NaiveDate,
    /// Evidence each run must leave.
    pub evidence: Vec<String>,
    /// Clauses served.
    pub clauses: Vec<String>,
    /// Annex A controls served.
    pub controls: Vec<String>,
    /// `draft`, `active` or `retired`.
    pub status: String,
    /// Version (ETag).
    pub version: i64,
}

impl From<&Process> for ProcessDto {
    fn from(p: &Process) -> Self {
        Self {
            id: p.id.to_string(),
            key: p.key.clone(),
            name: p.name.clone(),
            objective: p.objective.clone(),
            owner_id: p.owner_id.map(|x| x.to_string()),
            deputy_id: p.deputy_id.map(|x| x.to_string()),
            raci: p.raci.clone(),
            inputs: p.inputs.clone(),
            outputs: p.outputs.clone(),
            cadence: p.cadence.rule().to_owned(),
            cadence_start: p.cadence.anchor(),
            evidence: p.evidence.clone(),
            clauses: p.clauses.clone(),
            controls: p.controls.clone(),
            status: p.status.to_string(),
            version: p.version,
        }
    }
}

/// A process definition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessBody {
    /// Stable key; from the name when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// Name.
    pub name: String,
    /// Objective.
    pub objective: String,
    /// Owner (an employed person).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Deputy.
    #[serde(default)]
    pub deputy_id: Option<String>,
    /// RACI: roles per letter.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub raci: Option<RaciBody>,
    /// Inputs.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Outputs.
    #[serde(default)]
    pub outputs: Vec<String>,
    /// RFC 5545 recurrence rule, e.g. `FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO`.
    pub cadence: String,
    /// The day the cadence counts from (default today).
    #[serde(default)]
    pub cadence_start: Option<NaiveDate>,
    /// Evidence each run must leave.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Clauses served.
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Annex A controls served.
    #[serde(default)]
    pub controls: Vec<String>,
    /// `draft` (default), `active` or `retired`.
    #[serde(default)]
    pub status: Option<String>,
}

/// RACI as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaciBody {
    #[serde(default)]
    pub(crate) responsible: Vec<Role>,
    #[serde(default)]
    pub(crate) accountable: Vec<Role>,
    #[serde(default)]
    pub(crate) consulted: Vec<Role>,
    #[serde(default)]
    pub(crate) informed: Vec<Role>,
}

pub(crate) async fn definition(
    st: &AppState,
    body: ProcessBody,
) -> Result<ProcessDefinition, AppError> {
    let tz = st
        .store
        .organisation()
        .await?
        .map_or_else(|| "UTC".to_owned(), |o| o.time_zone);
    let status = body
        .status
        .as_deref()
        .map(str::parse::<ProcessStatus>)
        .transpose()
        .map_err(|m| AppError::invalid("status", m))?;
    let raci = body.raci.map(|r| Raci {
        responsible: r.responsible,
        accountable: r.accountable,
        consulted: r.consulted,
        informed: r.informed,
    });
    let owner = person_id(body.owner_id.as_deref())
        .map_err(|_| AppError::invalid("owner_id", "owner_id must be a person's id"))?;
    let deputy = person_id(body.deputy_id.as_deref())
        .map_err(|_| AppError::invalid("deputy_id", "deputy_id must be a person's id"))?;
    Ok(ProcessDefinition::parse(
        ProcessInput {
            key: body.key.as_deref().unwrap_or(""),
            name: &body.name,
            objective: &body.objective,
            owner_id: owner,
            deputy_id: deputy,
            raci: raci.unwrap_or_default(),
            inputs: body.inputs,
            outputs: body.outputs,
            cadence: &body.cadence,
            cadence_start: body.cadence_start,
            time_zone: &tz,
            evidence: body.evidence,
            clauses: body.clauses,
            controls: body.controls,
            status,
        },
        chrono::Utc::now().date_naive(),
    )?)
}

async fn list(State(st): State<AppState>) -> Result<Json<Vec<ProcessDto>>, AppError> {
    Ok(Json(
        st.store
            .list_processes()
            .await?
            .iter()
            .map(ProcessDto::from)
            .collect(),
    ))
}

/// Defines a process in the organisation; shared with the process form.
pub(crate) async fn define(
    st: &AppState,
    caller: &Caller,
    body: ProcessBody,
) -> Result<Process, AppError> {
    let org = st
        .store
        .organisation()
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let def = definition(st, body).await?;
    Ok(st
        .store
        .create_process(&caller.actor(), org.id, def)
        .await?)
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProcessBody>,
) -> Result<Response, AppError> {
    let p = define(&st, &caller, body).await?;
    let mut resp = with_etag(p.version, ProcessDto::from(&p));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let p = st.store.process(path_id(&id, "process")?).await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

async fn replace(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ProcessBody>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let def = definition(&st, body).await?;
    let p = st
        .store
        .update_process(
            &caller.actor(),
            id,
            version,
            def,
            chrono::Utc::now().date_naive(),
        )
        .await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

/// The live process map.
pub(crate) async fn process_map(st: &AppState) -> Result<ProcessMap, AppError> {
    let processes = st.store.list_processes().await?;
    let rules = st.store.list_rules().await?;
    let tasks = st
        .store
        .list_tasks(&holdfast_store::TaskQuery {
            limit: 100_000,
            ..Default::default()
        })
        .await?;
    Ok(holdfast_core::map::build(
        &processes,
        &rules,
        &tasks,
        chrono::Utc::now(),
    ))
}

async fn map_json(State(st): State<AppState>) -> Result<Json<ProcessMap>, AppError> {
    Ok(Json(process_map(&st).await?))
}

/// The readiness findings now.
pub(crate) async fn findings(st: &AppState) -> Result<Vec<Finding>, AppError> {
    let snapshot = st.store.readiness_snapshot().await?;
    let now = chrono::Utc::now();
    Ok(check(&snapshot, now.date_naive(), now))
}

async fn readiness(State(st): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    let f = findings(&st).await?;
    Ok(Json(
        serde_json::json!({"checked_at": chrono::Utc::now(), "findings": f}),
    ))
}
