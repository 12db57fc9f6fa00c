//! `/api/v1/interactions`: interaction rules as full records — listed, read, added,
//! replaced (active or disabled) and deleted, every change with `If-Match`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use holdfast_core::interaction::{Assignee, Condition, EventKind, InteractionRule};
use holdfast_core::policy::Action;
use holdfast_store::NewRule;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use super::{ApiJson, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(
            Method::GET,
            "/api/v1/interactions",
            read,
            Kind::Api,
            "List interaction rules",
        )
        .gives::<Page<RuleDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/interactions",
            manage,
            Kind::Api,
            "Add an interaction rule",
        )
        .takes::<RuleBody>()
        .gives::<RuleDto>(),
        create,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/interactions/{id}",
            read,
            Kind::Api,
            "Read an interaction rule (ETag = version)",
        )
        .gives::<RuleDto>(),
        show,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/interactions/{id}",
            manage,
            Kind::Api,
            "Replace an interaction rule; `active: false` disables it (needs If-Match)",
        )
        .takes::<RuleBody>()
        .gives::<RuleDto>(),
        replace,
    )
    .add(
        route(
            Method::DELETE,
            "/api/v1/interactions/{id}",
            manage,
            Kind::Api,
            "Delete an interaction rule; the tasks it made stay (needs If-Match)",
        ),
        delete,
    )
}

/// An interaction rule as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RuleDto {
    /// Id.
    pub id: String,
    /// Where the event happens.
    pub from_process: String,
    /// The event.
    pub event: String,
    /// Only when `field` equals `equals`.
    #[schemars(with = "Option<serde_json::Value>")]
    pub condition: Option<Condition>,
    /// Where the task goes.
    pub to_process: String,
    /// The task's title.
    pub task_title: String,
    /// Its priority.
    pub priority: String,
    /// SLA in hours.
    pub sla_hours: i64,
    /// Who does the task: `process_owner` or `owners_manager`.
    pub assign_to: String,
    /// Whether its tasks may only be completed with evidence attached.
    pub evidence_required: bool,
    /// Whether it fires.
    pub active: bool,
    /// Version (ETag).
    pub version: i64,
}

impl From<&InteractionRule> for RuleDto {
    fn from(r: &InteractionRule) -> Self {
        Self {
            id: r.id.to_string(),
            from_process: r.from_process.to_string(),
            event: r.event.to_string(),
            condition: r.condition.clone(),
            to_process: r.to_process.to_string(),
            task_title: r.task_title.clone(),
            priority: r.priority.clone(),
            sla_hours: r.sla_hours,
            assign_to: r.assign_to.to_string(),
            evidence_required: r.evidence_required,
            active: r.active,
            version: r.version,
        }
    }
}

/// An interaction rule as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Process id where the event happens.
    pub from_process: String,
    /// Event name, e.g. `person_left`.
    pub event: String,
    /// Optional condition on one of the event's facts.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub condition: Option<Condition>,
    /// Process id that gets the task.
    pub to_process: String,
    /// Task title (`{subject}` is filled in), at most 200 characters.
    pub task_title: String,
    /// `low`, `normal` (default), `high`.
    #[serde(default)]
    pub priority: Option<String>,
    /// SLA in hours, 1 to 8,760 (a year).
    pub sla_hours: i64,
    /// Who does the task: `process_owner` (default) or `owners_manager`, for escalations.
    #[serde(default)]
    pub assign_to: Option<String>,
    /// Whether its tasks may only be completed with evidence attached (default false).
    #[serde(default)]
    pub evidence_required: bool,
    /// Whether the rule fires (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// Parses a body into a rule to store, naming each bad field.
pub(crate) fn new_rule(b: RuleBody) -> Result<(NewRule, bool), AppError> {
    let mut errors = holdfast_core::ValidationErrors::default();
    let event = b
        .event
        .parse::<EventKind>()
        .map_err(|m| errors.push("event", m))
        .ok();
    let mut process = |field: &str, s: &str| {
        s.parse()
            .map_err(|_| errors.push(field, format!("{field} must be a process id")))
            .ok()
    };
    let from = process("from_process", &b.from_process);
    let to = process("to_process", &b.to_process);
    let assign_to = match b.assign_to.as_deref() {
        None => Some(Assignee::ProcessOwner),
        Some(a) => a.parse().map_err(|m| errors.push("assign_to", m)).ok(),
    };
    match (event, from, to, assign_to) {
        (Some(event), Some(from_process), Some(to_process), Some(assign_to))
            if errors.errors.is_empty() =>
        {
            Ok((
                NewRule {
                    from_process,
                    event,
                    condition: b.condition,
                    to_process,
                    task_title: b.task_title,
                    priority: b.priority.unwrap_or_else(|| "normal".into()),
                    sla_hours: b.sla_hours,
                    assign_to,
                    evidence_required: b.evidence_required,
                },
                b.active.unwrap_or(true),
            ))
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn list(
    State(st): State<AppState>,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<RuleDto>>, AppError> {
    Ok(Json(p.page_in_memory(
        st.store.list_rules().await?,
        |r| vec![r.id.to_string()],
        |r| RuleDto::from(&r),
    )))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<RuleBody>,
) -> Result<Response, AppError> {
    let (new, active) = new_rule(b)?;
    if !active {
        return Err(AppError::invalid(
            "active",
            "a new rule is active; disable it afterwards with PUT and \"active\": false",
        ));
    }
    let rule = st.store.create_rule(&caller.actor(), new).await?;
    let mut resp = with_etag(rule.version, RuleDto::from(&rule));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let r = st.store.rule(path_id(&id, "interaction rule")?).await?;
    Ok(with_etag(r.version, RuleDto::from(&r)))
}

async fn replace(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RuleBody>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "interaction rule")?;
    let version = if_match(&headers)?;
    let (new, active) = new_rule(b)?;
    let r = st
        .store
        .update_rule(&caller.actor(), id, version, new, active)
        .await?;
    Ok(with_etag(r.version, RuleDto::from(&r)))
}

async fn delete(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = path_id(&id, "interaction rule")?;
    let version = if_match(&headers)?;
    st.store.delete_rule(&caller.actor(), id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
