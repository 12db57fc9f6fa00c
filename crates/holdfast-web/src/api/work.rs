//! `/api/v1/tasks`, `/api/v1/interactions` and `/api/v1/my-work`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_core::task::{SlaOutcome, Task};
use holdfast_store::{ActivityQuery, NewTask, TaskQuery};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::activities::ActivityDto;
use super::{ApiJson, Now, Page, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let work = Access::Login(Action::WorkOnProcesses);
    r.add(
        route(
            Method::GET,
            "/api/v1/tasks",
            read,
            Kind::Api,
            "List tasks in due order (filter by owner_id, process_id, label, open, q in the title; limit, cursor)",
        )
        .gives::<Page<TaskDto>>(),
        list_tasks,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/tasks",
            work,
            Kind::Api,
            "Create a task",
        )
        .takes::<NewTaskDto>()
        .gives::<TaskDto>(),
        create_task,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/tasks/{id}",
            read,
            Kind::Api,
            "Read a task (ETag = version)",
        )
        .gives::<TaskDto>(),
        show_task,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/tasks/{id}/complete",
            work,
            Kind::Api,
            "Complete a task with a comment (needs If-Match; evidence first where its rule asks)",
        )
        .on_record()
        .takes::<super::activities::CommentDto>()
        .gives::<TaskDto>(),
        complete_task,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/my-work",
            Access::Login(Action::ManageOwnProfile),
            Kind::Api,
            "My open runs due within 30 days and my open tasks, overdue first",
        )
        .gives::<MyWorkDto>(),
        my_work,
    )
}

/// A task as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskDto {
    /// Id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Details.
    pub description: String,
    /// Process.
    pub process_id: Option<String>,
    /// Owner's person id.
    pub owner_id: Option<String>,
    /// Due (the SLA deadline for rule-made tasks).
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// `low`, `normal`, `high`.
    pub priority: String,
    /// `open`, `in_progress`, `done`, `cancelled`.
    pub status: String,
    /// `met`, `breached` or `open`.
    #[schemars(with = "String")]
    pub sla: SlaOutcome,
    /// Labels.
    pub labels: Vec<String>,
    /// Source record kind.
    pub source_type: String,
    /// Source record id.
    pub source_id: String,
    /// The rule that made it.
    pub rule_id: Option<String>,
    /// When completed.
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether it may only be completed with evidence attached.
    pub evidence_required: bool,
    /// What whoever completed it said was done.
    pub comment: Option<String>,
    /// External ticket key.
    pub external_key: Option<String>,
    /// External ticket URL.
    pub external_url: Option<String>,
    /// Version (ETag).
    pub version: i64,
}

impl TaskDto {
    /// The task as shown at `now`, its SLA judged then.
    #[must_use]
    pub fn of(t: &Task, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title.clone(),
            description: t.description.clone(),
            process_id: t.process_id.map(|p| p.to_string()),
            owner_id: t.owner_id.map(|p| p.to_string()),
            due_at: t.due_at,
            priority: t.priority.clone(),
            status: t.status.to_string(),
            sla: t.sla(now),
            labels: t.labels.clone(),
            source_type: t.source_type.clone(),
            source_id: t.source_id.clone(),
            rule_id: t.rule_id.map(|r| r.to_string()),
            completed_at: t.completed_at,
            evidence_required: t.evidence_required,
            comment: t.comment.clone(),
            external_key: t.external_ticket.as_ref().map(|e| e.0.clone()),
            external_url: t.external_ticket.as_ref().map(|e| e.1.clone()),
            version: t.version,
        }
    }
}

/// A new task.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskDto {
    /// What to do.
    pub title: String,
    /// Details.
    #[serde(default)]
    pub description: String,
    /// Process.
    #[serde(default)]
    pub process_id: Option<String>,
    /// Owner's person id.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Due.
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// `low`, `normal` (default), `high`.
    #[serde(default)]
    pub priority: Option<String>,
    /// Labels; `security` is added when absent.
    #[serde(default)]
    pub labels: Vec<String>,
    /// External ticket key.
    #[serde(default)]
    pub external_key: Option<String>,
    /// External ticket URL.
    #[serde(default)]
    pub external_url: Option<String>,
    /// Whether it may only be completed with evidence attached (default false).
    #[serde(default)]
    pub evidence_required: bool,
}

async fn list_tasks(
    State(st): State<AppState>,
    Now(now): Now,
    p: crate::service::tasks::TasksParams,
) -> Result<Json<Page<TaskDto>>, AppError> {
    Ok(Json(crate::service::tasks::list(&st, now, &p).await?))
}

async fn create_task(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    ApiJson(b): ApiJson<NewTaskDto>,
) -> Result<Response, AppError> {
    let process_id: Option<holdfast_core::ids::ProcessId> = b
        .process_id
        .as_deref()
        .map(|s| {
            s.parse()
                .map_err(|_| AppError::invalid("process_id", "process_id must be a process's id"))
        })
        .transpose()?;
    let owner_id: Option<holdfast_core::ids::PersonId> = b
        .owner_id
        .as_deref()
        .map(|s| {
            s.parse()
                .map_err(|_| AppError::invalid("owner_id", "owner_id must be a person's id"))
        })
        .transpose()?;
    // Making a task for someone is work on their task: only managers give work to others.
    let owner_id = owner_id.or(caller.account.person_id);
    if !holdfast_core::policy::may_work_on(
        caller.role(),
        caller.account.person_id,
        &holdfast_core::policy::WorkRecord::Task { owner: owner_id },
    ) {
        return Err(AppError::Forbidden);
    }
    if let Some(p) = process_id {
        st.store
            .process(p)
            .await
            .map_err(|_| AppError::invalid("process_id", "no process with this id exists"))?;
    }
    let mut labels = b.labels;
    if !labels.iter().any(|l| l == "security") {
        labels.push("security".into());
    }
    let external = match (b.external_key, b.external_url) {
        (Some(k), Some(u)) if u.starts_with("https://") || u.starts_with("http://") => Some((k, u)),
        (None, None) => None,
        _ => {
            return Err(AppError::invalid(
                "external_url",
                "an external ticket needs both a key and an http(s) URL",
            ));
        }
    };
    let t = st
        .store
        .create_task(
            &caller.actor(),
            NewTask {
                title: b.title,
                description: b.description,
                process_id,
                owner_id,
                due_at: b.due_at,
                priority: b.priority.unwrap_or_else(|| "normal".into()),
                labels,
                external_ticket: external,
                evidence_required: b.evidence_required,
            },
        )
        .await?;
    let mut resp = with_etag(t.version, TaskDto::of(&t, now.now));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show_task(
    State(st): State<AppState>,
    Now(now): Now,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = st.store.task(path_id(&id, "task")?).await?;
    Ok(with_etag(t.version, TaskDto::of(&t, now.now)))
}

async fn complete_task(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    super::scope::TaskToWork(task): super::scope::TaskToWork,
    headers: HeaderMap,
    super::ApiJson(body): super::ApiJson<super::activities::CommentDto>,
) -> Result<Response, AppError> {
    let t = st
        .store
        .complete_task(
            &caller.actor(),
            task.id,
            if_match(&headers)?,
            &body.comment,
            now.now,
        )
        .await?;
    Ok(with_etag(t.version, TaskDto::of(&t, now.now)))
}

/// How far ahead "my work" shows runs.
const MY_WORK_DAYS: i64 = 30;

/// My work.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MyWorkDto {
    /// My open runs due within 30 days, overdue first.
    pub activities: Vec<ActivityDto>,
    /// My open tasks, earliest due first.
    pub tasks: Vec<TaskDto>,
}

async fn my_work(State(st): State<AppState>, caller: Caller) -> Result<Json<MyWorkDto>, AppError> {
    Ok(Json(work_of(&st, &caller).await?))
}

/// The caller's open runs and tasks: empty for an account not linked to a person.
pub(crate) async fn work_of(st: &AppState, caller: &Caller) -> Result<MyWorkDto, AppError> {
    let Some(person) = caller.account.person_id else {
        return Ok(MyWorkDto {
            activities: Vec::new(),
            tasks: Vec::new(),
        });
    };
    // What needs doing now: overdue runs and those due within the month, not the whole
    // planning horizon.
    let now = st.store.as_of().await?;
    let soon = now.today + chrono::Duration::days(MY_WORK_DAYS);
    let activities = st
        .store
        .list_activities(&ActivityQuery {
            assignee_id: Some(person),
            open_only: true,
            due_until: Some(soon),
            limit: 500,
            ..Default::default()
        })
        .await?;
    let tasks = st
        .store
        .list_tasks(&TaskQuery {
            owner_id: Some(person),
            open_only: true,
            limit: 500,
            ..Default::default()
        })
        .await?;
    Ok(MyWorkDto {
        activities: activities
            .iter()
            .map(|a| ActivityDto::of(a, now.today))
            .collect(),
        tasks: tasks.iter().map(|t| TaskDto::of(t, now.now)).collect(),
    })
}
