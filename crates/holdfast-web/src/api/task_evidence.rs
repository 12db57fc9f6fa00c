//! `/api/v1/tasks/{id}/evidence`: the proof attached to a task, such as the access
//! revocation export for a leaver.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use holdfast_core::policy::Action;
use holdfast_store::Evidence;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use super::activities::EvidenceDto;
use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/api/v1/tasks/{id}/evidence",
            Access::Login(Action::ReadProcesses),
            Kind::Api,
            "The evidence attached to a task",
        )
        .gives::<Page<TaskEvidenceDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/tasks/{id}/evidence",
            Access::Login(Action::WorkOnProcesses),
            Kind::Api,
            "Attach stored evidence to an open task, saying what it shows",
        )
        .on_record()
        .takes::<AttachToTaskDto>()
        .gives::<Page<TaskEvidenceDto>>(),
        attach,
    )
}

/// Evidence to attach to a task.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachToTaskDto {
    /// What it shows, such as "revocation export".
    pub shows: String,
    /// The stored evidence's id (from `POST /api/v1/evidence`).
    pub evidence_id: String,
}

/// Evidence on a task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskEvidenceDto {
    /// What it shows.
    pub shows: String,
    /// The evidence.
    pub evidence: EvidenceDto,
}

fn dtos(items: Vec<(String, Evidence)>) -> Vec<TaskEvidenceDto> {
    items
        .into_iter()
        .map(|(shows, e)| TaskEvidenceDto {
            shows,
            evidence: EvidenceDto::from(e),
        })
        .collect()
}

async fn list(
    State(st): State<AppState>,
    Path(id): Path<String>,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<TaskEvidenceDto>>, AppError> {
    let items = st.store.task_evidence(path_id(&id, "task")?).await?;
    Ok(Json(p.page_in_memory(
        dtos(items),
        |e| vec![e.evidence.id.clone()],
        |e| e,
    )))
}

async fn attach(
    State(st): State<AppState>,
    caller: Caller,
    super::scope::TaskToWork(task): super::scope::TaskToWork,
    ApiJson(body): ApiJson<AttachToTaskDto>,
) -> Result<Json<Page<TaskEvidenceDto>>, AppError> {
    let items = st
        .store
        .attach_evidence_to_task(&caller.actor(), task.id, &body.shows, &body.evidence_id)
        .await?;
    Ok(Json(Page::whole(dtos(items))))
}
