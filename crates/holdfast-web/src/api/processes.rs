//! `/api/v1/processes`: definitions (create, full replacement, partial edit), the lifecycle
//! (pause, resume, retire) and the process map.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use holdfast_core::account::Role;
use holdfast_core::clock::AsOf;
use holdfast_core::interaction::EventKind;
use holdfast_core::map::ProcessMap;
use holdfast_core::policy::Action;
use holdfast_core::process::{
    Pause, Process, ProcessDefinition, ProcessInput, ProcessStatus, Raci,
};
use holdfast_core::readiness::{Period, Settings};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use super::people::manager_id as person_id;
use super::{ApiJson, Now, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(Method::GET, "/api/v1/processes", read, Kind::Api, "List processes")
            .gives::<Page<ProcessDto>>(),
        list,
    )
    .add(
        route(Method::POST, "/api/v1/processes", manage, Kind::Api, "Define a process (a draft, or active with an owner)")
            .takes::<ProcessBody>()
            .gives::<ProcessDto>(),
        create,
    )
    .add(
        route(Method::GET, "/api/v1/processes/{id}", read, Kind::Api, "Read a process (ETag = version)")
            .gives::<ProcessDto>(),
        show,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/processes/{id}",
            manage,
            Kind::Api,
            "Replace a process definition, status and cadence_start included (needs If-Match); a new cadence re-plans future runs",
        )
        .takes::<ProcessReplacement>()
        .gives::<ProcessDto>(),
        replace,
    )
    .add(
        route(
            Method::PATCH,
            "/api/v1/processes/{id}",
            manage,
            Kind::Api,
            "Change some fields of a process; the others stay (needs If-Match)",
        )
        .takes::<ProcessPatch>()
        .gives::<ProcessDto>(),
        patch,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/processes/{id}/pause",
            manage,
            Kind::Api,
            "Pause an active process with a reason until a date: its open runs are skipped and nobody is reminded (needs If-Match)",
        )
        .takes::<PauseBody>()
        .gives::<ProcessDto>(),
        pause,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/processes/{id}/resume",
            manage,
            Kind::Api,
            "Resume a paused process (needs If-Match)",
        )
        .gives::<ProcessDto>(),
        resume,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/processes/{id}/retire",
            manage,
            Kind::Api,
            "Retire a process with a reason: its open runs are skipped, its history stays (needs If-Match)",
        )
        .takes::<ReasonBody>()
        .gives::<ProcessDto>(),
        retire,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/processes/map",
            read,
            Kind::Api,
            "The process map as a graph, with SLA health per interaction over the audit period",
        ),
        map_json,
    )
}

/// A pause as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PauseDto {
    /// First day.
    pub since: NaiveDate,
    /// Last day; it resumes the day after.
    pub until: NaiveDate,
    /// Why.
    pub reason: String,
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
    /// The cadence in words ("Quarterly, on the first Monday").
    pub cadence_description: String,
    /// The day the cadence counts from.
    pub cadence_start: NaiveDate,
    /// Evidence each run must leave.
    pub evidence: Vec<String>,
    /// Clauses served.
    pub clauses: Vec<String>,
    /// Annex A controls served.
    pub controls: Vec<String>,
    /// Events of other records that happen in this process (`person_left`).
    pub emits: Vec<String>,
    /// `draft`, `active`, `paused` or `retired`.
    pub status: String,
    /// The day it became active; cycles count from then.
    pub active_since: Option<NaiveDate>,
    /// Runs are planned up to this day.
    pub planned_through: Option<NaiveDate>,
    /// The pause, while paused.
    pub pause: Option<PauseDto>,
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
            cadence_description: p.cadence.describe(),
            cadence_start: p.cadence.anchor(),
            evidence: p.evidence.clone(),
            clauses: p.clauses.clone(),
            controls: p.controls.clone(),
            emits: p.emits.iter().map(ToString::to_string).collect(),
            status: p.status.to_string(),
            active_since: p.active_since,
            planned_through: p.planned_through,
            pause: p.pause.as_ref().map(|x| PauseDto {
                since: x.since,
                until: x.until,
                reason: x.reason.clone(),
            }),
            version: p.version,
        }
    }
}

/// A process definition.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessBody {
    /// Stable key; from the name when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// Name.
    pub name: String,
    /// Objective.
    pub objective: String,
    /// Owner (an employed person); required to activate.
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
    /// Events of other records that happen in this process (`person_joined`, `person_left`
    /// …); each in one process only.
    #[serde(default)]
    pub emits: Vec<String>,
    /// `draft` (default) or `active`.
    #[serde(default)]
    pub status: Option<String>,
}

/// A full replacement of a process: everything a definition has, status and the cadence's
/// first day included, so leaving a field out never changes it by accident.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessReplacement {
    /// Stable key; from the name when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// Name.
    pub name: String,
    /// Objective.
    pub objective: String,
    /// Owner; required while active.
    pub owner_id: Option<String>,
    /// Deputy.
    pub deputy_id: Option<String>,
    /// RACI.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub raci: Option<RaciBody>,
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
    /// Events of other records that happen in this process.
    #[serde(default)]
    pub emits: Vec<String>,
    /// `draft` or `active` (or the current `paused`); pausing and retiring have their own
    /// routes.
    pub status: String,
}

impl From<ProcessReplacement> for ProcessBody {
    fn from(r: ProcessReplacement) -> Self {
        Self {
            key: r.key,
            name: r.name,
            objective: r.objective,
            owner_id: r.owner_id,
            deputy_id: r.deputy_id,
            raci: r.raci,
            inputs: r.inputs,
            outputs: r.outputs,
            cadence: r.cadence,
            cadence_start: Some(r.cadence_start),
            evidence: r.evidence,
            clauses: r.clauses,
            controls: r.controls,
            emits: r.emits,
            status: Some(r.status),
        }
    }
}

/// Some fields of a process; those left out stay as they are. `null` clears an owner or
/// deputy.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessPatch {
    /// Name.
    pub name: Option<String>,
    /// Objective.
    pub objective: Option<String>,
    /// Owner.
    #[serde(default, deserialize_with = "super::present")]
    #[schemars(with = "Option<String>")]
    pub owner_id: Option<Option<String>>,
    /// Deputy.
    #[serde(default, deserialize_with = "super::present")]
    #[schemars(with = "Option<String>")]
    pub deputy_id: Option<Option<String>>,
    /// Inputs.
    pub inputs: Option<Vec<String>>,
    /// Outputs.
    pub outputs: Option<Vec<String>>,
    /// Cadence.
    pub cadence: Option<String>,
    /// The cadence's first day.
    pub cadence_start: Option<NaiveDate>,
    /// Evidence.
    pub evidence: Option<Vec<String>>,
    /// Clauses.
    pub clauses: Option<Vec<String>>,
    /// Controls.
    pub controls: Option<Vec<String>>,
    /// Events emitted.
    pub emits: Option<Vec<String>>,
    /// `draft` or `active`.
    pub status: Option<String>,
}

/// RACI as sent.
#[derive(Debug, Clone, Default, Deserialize)]
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

impl From<&Raci> for RaciBody {
    fn from(r: &Raci) -> Self {
        Self {
            responsible: r.responsible.clone(),
            accountable: r.accountable.clone(),
            consulted: r.consulted.clone(),
            informed: r.informed.clone(),
        }
    }
}

/// A pause.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// Why the process is paused.
    #[serde(default)]
    pub reason: String,
    /// The last day of the pause (within a year).
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// A reason.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// The body of an existing process, for a partial edit or a form to start from.
pub(crate) fn body_of(p: &Process) -> ProcessBody {
    ProcessBody {
        key: Some(p.key.clone()),
        name: p.name.clone(),
        objective: p.objective.clone(),
        owner_id: p.owner_id.map(|x| x.to_string()),
        deputy_id: p.deputy_id.map(|x| x.to_string()),
        raci: Some(RaciBody::from(&p.raci)),
        inputs: p.inputs.clone(),
        outputs: p.outputs.clone(),
        cadence: p.cadence.rule().to_owned(),
        cadence_start: Some(p.cadence.anchor()),
        evidence: p.evidence.clone(),
        clauses: p.clauses.clone(),
        controls: p.controls.clone(),
        emits: p.emits.iter().map(ToString::to_string).collect(),
        status: Some(p.status.to_string()),
    }
}

/// Validates a body into a definition, every bad field named.
pub(crate) async fn definition(
    st: &AppState,
    body: ProcessBody,
    as_of: AsOf,
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
    let owner = person_id(body.owner_id.as_deref())
        .map_err(|_| AppError::invalid("owner_id", "owner_id must be a person's id"))?;
    let deputy = person_id(body.deputy_id.as_deref())
        .map_err(|_| AppError::invalid("deputy_id", "deputy_id must be a person's id"))?;
    let emits = body
        .emits
        .iter()
        .map(|e| e.parse::<EventKind>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| AppError::invalid("emits", m))?;
    Ok(ProcessDefinition::parse(
        ProcessInput {
            key: body.key.as_deref().unwrap_or(""),
            name: &body.name,
            objective: &body.objective,
            owner_id: owner,
            deputy_id: deputy,
            raci: body.raci.map_or_else(Raci::default, |r| Raci {
                responsible: r.responsible,
                accountable: r.accountable,
                consulted: r.consulted,
                informed: r.informed,
            }),
            inputs: body.inputs,
            outputs: body.outputs,
            cadence: &body.cadence,
            cadence_start: body.cadence_start,
            time_zone: &tz,
            evidence: body.evidence,
            clauses: body.clauses,
            controls: body.controls,
            emits,
            status,
        },
        as_of.today,
    )?)
}

async fn list(
    State(st): State<AppState>,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<ProcessDto>>, AppError> {
    // The processes of one ISMS: dozens, held whole; `q` finds words of the name or the key.
    let terms = p.q.as_deref().map(holdfast_core::search::terms);
    let all = st
        .store
        .list_processes()
        .await?
        .into_iter()
        .filter(|proc| {
            terms.as_ref().is_none_or(|t| {
                let words = holdfast_core::search::terms(&format!("{} {}", proc.name, proc.key));
                !t.is_empty()
                    && t.iter()
                        .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
            })
        })
        .collect();
    Ok(Json(p.page_in_memory(
        all,
        |x| vec![x.name.clone(), x.id.to_string()],
        |x| ProcessDto::from(&x),
    )))
}

/// Defines a process in the organisation; shared with the process form.
pub(crate) async fn define(
    st: &AppState,
    caller: &Caller,
    body: ProcessBody,
    as_of: AsOf,
) -> Result<Process, AppError> {
    let org = st
        .store
        .organisation()
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let def = definition(st, body, as_of).await?;
    Ok(st
        .store
        .create_process(&caller.actor(), org.id, def, as_of)
        .await?)
}

/// Replaces a process's definition; shared with the process form.
pub(crate) async fn redefine(
    st: &AppState,
    caller: &Caller,
    id: holdfast_core::ids::ProcessId,
    version: i64,
    body: ProcessBody,
    as_of: AsOf,
) -> Result<Process, AppError> {
    let def = definition(st, body, as_of).await?;
    Ok(st
        .store
        .update_process(&caller.actor(), id, version, def, as_of)
        .await?)
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    ApiJson(body): ApiJson<ProcessBody>,
) -> Result<Response, AppError> {
    let p = define(&st, &caller, body, as_of).await?;
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
    Now(as_of): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ProcessReplacement>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let p = redefine(&st, &caller, id, version, body.into(), as_of).await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

async fn patch(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(change): ApiJson<ProcessPatch>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let current = st.store.process(id).await?;
    if current.version != version {
        return Err(holdfast_store::StoreError::Stale("process").into());
    }
    let mut b = body_of(&current);
    macro_rules! take {
        ($($field:ident),*) => { $( if let Some(v) = change.$field { b.$field = v; } )* };
    }
    take!(
        name, objective, inputs, outputs, cadence, evidence, clauses, controls, emits
    );
    if let Some(v) = change.owner_id {
        b.owner_id = v;
    }
    if let Some(v) = change.deputy_id {
        b.deputy_id = v;
    }
    if let Some(v) = change.cadence_start {
        b.cadence_start = Some(v);
    }
    if let Some(v) = change.status {
        b.status = Some(v);
    }
    let p = redefine(&st, &caller, id, version, b, as_of).await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

async fn pause(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PauseBody>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let pause = Pause::parse(&b.reason, b.until, as_of.today)?;
    let p = st
        .store
        .pause_process(&caller.actor(), id, version, pause, as_of)
        .await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

async fn resume(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let p = st
        .store
        .resume_process(&caller.actor(), id, version, as_of)
        .await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

async fn retire(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "process")?;
    let version = if_match(&headers)?;
    let p = st
        .store
        .retire_process(&caller.actor(), id, version, &b.reason, as_of)
        .await?;
    Ok(with_etag(p.version, ProcessDto::from(&p)))
}

/// The live process map, its edges judged over the default audit period, as the readiness
/// engine judges them.
pub(crate) async fn process_map(st: &AppState, as_of: AsOf) -> Result<ProcessMap, AppError> {
    let period = Period::ending(as_of.today, Settings::default().period_months);
    let snapshot = st.store.readiness_snapshot(as_of, period).await?;
    Ok(holdfast_core::map::build(
        &snapshot.processes,
        &snapshot.rules,
        &snapshot.tasks,
        period,
        as_of,
    ))
}

async fn map_json(
    State(st): State<AppState>,
    Now(as_of): Now,
) -> Result<Json<ProcessMap>, AppError> {
    Ok(Json(process_map(&st, as_of).await?))
}
