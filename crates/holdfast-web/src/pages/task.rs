//! A task's page: what to do and why (the event and rule that made it), for whom, by when,
//! how it stands against its SLA, the evidence attached and who completed it, when and with
//! what comment; and, for whoever may work on it, the Done form asking for that comment.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use holdfast_core::policy::{self, Action, WorkRecord};
use holdfast_core::words;
use holdfast_store::{AuditQuery, StoreError};

use super::records::{Actors, href, kind_words};
use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::path_id;
use crate::api::work::TaskDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/tasks/{id}",
            Access::Login(Action::ViewDashboard),
            Kind::Page,
            "A task: why it exists, its SLA, evidence and who completed it",
        )
        .reads_record(),
        show,
    )
}

#[derive(Template)]
#[template(path = "task.html")]
pub(crate) struct TaskPage {
    nav: Nav,
    task: TaskDto,
    status: String,
    sla: String,
    process: Option<(String, String)>,
    owner: String,
    /// The record the task is about, in words, with its page.
    source: (String, String, Option<String>),
    /// The rule that made it, in words, with its anchor.
    rule: Option<(String, String)>,
    evidence: Vec<(String, String)>,
    completed_by: Option<(String, Option<String>)>,
    can_work: bool,
    /// Whether the reader sees processes and the task list, or only their own work.
    reads_processes: bool,
    errors: FormErrors,
    kept: String,
}

/// Draws a task's page; `errors` and `kept` come from a refused Done on it.
pub(crate) async fn task_page(
    st: &AppState,
    caller: &Caller,
    id: &str,
    errors: FormErrors,
    kept: String,
) -> Result<Response, AppError> {
    let as_of = st.store.as_of().await?;
    let task = st.store.task(path_id(id, "task")?).await?;
    let record = WorkRecord::Task {
        owner: task.owner_id,
    };
    if !policy::may_read_work(caller.role(), caller.account.person_id, &record) {
        return Err(AppError::Forbidden);
    }
    let person_source = (task.source_type == "person")
        .then(|| task.source_id.parse().ok())
        .flatten();
    let people =
        crate::service::people::names(st, task.owner_id.into_iter().chain(person_source)).await?;
    let process = match task.process_id {
        Some(p) => Some((p.to_string(), st.store.process(p).await?.name)),
        None => None,
    };
    let rule = match task.rule_id {
        Some(r) => match st.store.rule(r).await {
            Ok(rule) => {
                let from = st.store.process(rule.from_process).await?.name;
                Some((
                    format!(
                        "{} in {from}: a task within {}{}",
                        words::label(rule.event.as_str()),
                        words::hours(rule.sla_hours),
                        if rule.evidence_required {
                            ", done with evidence"
                        } else {
                            ""
                        }
                    ),
                    format!("/interactions#rule-{r}"),
                ))
            }
            Err(StoreError::NotFound(_)) => Some(("A rule since deleted".into(), String::new())),
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let source_name = person_source
        .and_then(|p| people.get(&p))
        .map(|p| p.name.clone());
    let source = (
        if task.source_type == "manual" {
            "Task".to_owned()
        } else {
            kind_words(&task.source_type).to_owned()
        },
        source_name.unwrap_or_else(|| {
            if task.source_type == "manual" {
                "Created by hand".into()
            } else {
                words::label(&task.source_type)
            }
        }),
        (task.source_type != "manual")
            .then(|| href(&task.source_type, &task.source_id))
            .flatten(),
    );
    let evidence = st
        .store
        .attachments("task", &[task.id.to_string()])
        .await?
        .into_iter()
        .map(|a| (a.requirement, a.evidence.id))
        .collect();
    let completed = st
        .store
        .list_audit_events(&AuditQuery {
            entity_type: Some("task".into()),
            entity_id: Some(task.id.to_string()),
            limit: 50,
            ..AuditQuery::default()
        })
        .await?
        .0
        .into_iter()
        .filter(|e| e.event.action == "completed")
        .collect::<Vec<_>>();
    let actors = Actors::load(st, completed.iter().map(|e| e.event.actor.as_str())).await?;
    let completed_by = completed.first().map(|e| actors.name(&e.event.actor));
    let can_work = task.status.is_open()
        && policy::may_work_on(caller.role(), caller.account.person_id, &record);
    let dto = TaskDto::of(&task, as_of.now);
    let status = errors.status();
    Ok(render(
        status,
        &TaskPage {
            nav: Nav::of(caller, "tasks"),
            status: words::label(task.status.as_str()),
            sla: dto.sla.to_string(),
            owner: task
                .owner_id
                .and_then(|o| people.get(&o))
                .map_or_else(|| "Nobody yet".into(), |p| p.name.clone()),
            task: dto,
            process,
            source,
            rule,
            evidence,
            completed_by,
            can_work,
            reads_processes: caller.may(Action::ReadProcesses),
            errors,
            kept,
        },
    ))
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    task_page(&st, &caller, &id, FormErrors::none(), String::new())
        .await
        .unwrap_or_else(|e| error_page(&caller, &e))
}
