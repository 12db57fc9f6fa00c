//! My work: the caller's open runs (overdue first) with evidence upload and closing, their
//! open tasks, and the reminders and escalations sent to them, so that without a mail server
//! nobody misses what the worker would have emailed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, field_errors, render};
use crate::AppState;
use crate::api::Now;
use crate::api::activities::read_upload;
use crate::api::notifications::notifications_of;
use crate::api::scope::{RunToWork, TaskToWork};
use crate::api::work::{MyWorkDto, TaskDto, work_of};
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let work = Access::Login(Action::WorkOnProcesses);
    let own = Access::Login(Action::ManageOwnProfile);
    r.add(
        route(
            Method::GET,
            "/my-work",
            own,
            Kind::Page,
            "My runs and tasks",
        ),
        my_work,
    )
    .add(
        route(
            Method::POST,
            "/my-work/activities/{id}/evidence",
            work,
            Kind::Page,
            "Upload evidence for a run",
        )
        .on_record()
        .body_limit(holdfast_core::evidence::MAX_EVIDENCE_BYTES + 64 * 1024),
        upload,
    )
    .add(
        route(
            Method::POST,
            "/my-work/tasks/{id}/evidence",
            work,
            Kind::Page,
            "Upload evidence for a task",
        )
        .on_record()
        .body_limit(holdfast_core::evidence::MAX_EVIDENCE_BYTES + 64 * 1024),
        upload_to_task,
    )
    .add(
        route(
            Method::POST,
            "/my-work/activities/{id}/close",
            work,
            Kind::Page,
            "Close a run",
        )
        .on_record(),
        close,
    )
    .add(
        route(
            Method::POST,
            "/my-work/tasks/{id}/complete",
            work,
            Kind::Page,
            "Complete a task",
        )
        .on_record(),
        complete,
    )
}

struct RunRow {
    id: String,
    process: String,
    due_date: chrono::NaiveDate,
    status: String,
    required: Vec<String>,
    attached: Vec<String>,
    version: i64,
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct WorkPage {
    nav: Nav,
    linked: bool,
    runs: Vec<RunRow>,
    tasks: Vec<TaskDto>,
    can_work: bool,
    message: Option<String>,
    errors: FormErrors,
    /// The run whose close was refused and the comment typed for it, kept for another try.
    kept: Option<(String, String)>,
    notifications: Vec<crate::api::notifications::NotificationDto>,
}

impl WorkPage {
    /// The comment typed for run `id` before its close was refused, if any.
    fn kept_comment(&self, id: &str) -> &str {
        match &self.kept {
            Some((run, comment)) if run == id => comment,
            _ => "",
        }
    }
}

/// The fields of My work's forms. A refused close or Done is about the comment field of the
/// run or task it was typed for, which then carries the id `comment`.
const WORK_LABELS: &[crate::form::FieldLabel] = &[
    crate::form::label("comment", "comment", "What was done"),
    crate::form::label("evidence", "comment", "Evidence"),
    crate::form::label("state", "comment", "This run"),
    crate::form::label("status", "comment", "This task"),
    crate::form::label("version", "comment", "This record"),
    crate::form::label("requirement", "form", "Evidence item"),
    crate::form::label("file", "form", "File"),
];

impl WorkPage {
    /// The id of the comment field of run or task `id`: `comment` for the one just refused,
    /// so the error summary's link lands on it.
    fn comment_id(&self, id: &str, prefix: &str) -> String {
        match &self.kept {
            Some((kept, _)) if kept == id => "comment".to_owned(),
            _ => format!("{prefix}-{id}"),
        }
    }
}

/// What a form post did, for the page drawn after it.
#[derive(Default)]
struct Outcome {
    message: Option<String>,
    errors: Vec<FieldError>,
    kept: Option<(String, String)>,
}

impl Outcome {
    fn said(message: String) -> Self {
        Self {
            message: Some(message),
            ..Self::default()
        }
    }

    fn rejected(errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            ..Self::default()
        }
    }
}

async fn work_page(
    st: &AppState,
    caller: &Caller,
    outcome: Outcome,
    status: StatusCode,
) -> Response {
    let result = async {
        let MyWorkDto { activities, tasks } = work_of(st, caller).await?;
        let processes: HashMap<String, (String, Vec<String>)> = st
            .store
            .list_processes()
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), (p.name, p.evidence)))
            .collect();
        let mut runs: Vec<RunRow> = activities
            .into_iter()
            .map(|a| {
                let (process, required) = processes.get(&a.process_id).cloned().unwrap_or_default();
                RunRow {
                    id: a.id,
                    process,
                    due_date: a.due_date,
                    status: a.status.to_string(),
                    required,
                    attached: a.evidence,
                    version: a.version,
                }
            })
            .collect();
        // Overdue first, then by due date.
        runs.sort_by_key(|r| (r.status != "overdue", r.due_date));
        let mut recent = crate::list::ListParams::first_page();
        recent.limit = 20;
        let notifications = notifications_of(st, caller, &recent).await?.items;
        Ok::<_, AppError>((runs, tasks, notifications))
    }
    .await;
    match result {
        Ok((runs, tasks, notifications)) => render(
            status,
            &WorkPage {
                nav: Nav::of(caller, "my-work"),
                linked: caller.account.person_id.is_some(),
                runs,
                tasks,
                can_work: caller.may(Action::WorkOnProcesses),
                message: outcome.message,
                errors: FormErrors::of(outcome.errors, WORK_LABELS),
                kept: outcome.kept,
                notifications,
            },
        ),
        Err(e) => error_page(caller, &e),
    }
}

async fn my_work(State(st): State<AppState>, caller: Caller) -> Response {
    work_page(&st, &caller, Outcome::default(), StatusCode::OK).await
}

async fn upload(
    State(st): State<AppState>,
    caller: Caller,
    RunToWork(run): RunToWork,
    mp: Multipart,
) -> Response {
    let result = async {
        let id = run.id;
        let (new, description, req) = read_upload_with_requirement(mp).await?;
        st.store
            .upload_evidence_to_activity(&caller.actor(), id, &req, new, &description)
            .await?;
        Ok::<_, AppError>(req)
    }
    .await;
    upload_response(&st, &caller, result).await
}

async fn upload_to_task(
    State(st): State<AppState>,
    caller: Caller,
    TaskToWork(task): TaskToWork,
    mp: Multipart,
) -> Response {
    let result = async {
        let id = task.id;
        let (new, description, shows) = read_upload_with_requirement(mp).await?;
        st.store
            .upload_evidence_to_task(&caller.actor(), id, &shows, new, &description)
            .await?;
        Ok::<_, AppError>(shows)
    }
    .await;
    upload_response(&st, &caller, result).await
}

/// The page after an upload: what was attached, or why not.
async fn upload_response(
    st: &AppState,
    caller: &Caller,
    result: Result<String, AppError>,
) -> Response {
    match result {
        Ok(what) => {
            work_page(
                st,
                caller,
                Outcome::said(format!("Evidence \"{what}\" attached.")),
                StatusCode::OK,
            )
            .await
        }
        Err(e @ AppError::TooLarge(_)) => {
            let errors = vec![FieldError {
                field: "file".into(),
                message: e.to_string(),
            }];
            work_page(
                st,
                caller,
                Outcome::rejected(errors),
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                work_page(
                    st,
                    caller,
                    Outcome::rejected(errors),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(caller, &e),
        },
    }
}

/// Reads an upload form: the `_csrf` field (checked before the handler runs), the
/// `requirement` field (a run's evidence item, or what a task's file shows), then the file.
async fn read_upload_with_requirement(
    mut mp: Multipart,
) -> Result<(holdfast_store::NewEvidence, String, String), AppError> {
    let mut requirement = String::new();
    let mut field = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
    if field.as_ref().is_some_and(|f| f.name() == Some("_csrf")) {
        drop(field);
        field = mp
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
    }
    if let Some(field) = field {
        if field.name() == Some("requirement") {
            requirement = field
                .text()
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
        } else {
            return Err(AppError::invalid(
                "requirement",
                "choose which evidence item the file is",
            ));
        }
    }
    let (new, description) = read_upload(mp).await?;
    Ok((new, description, requirement))
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: String,
    /// `task` when posted from the task's own page, which it then returns to.
    #[serde(default)]
    back: String,
}

async fn close(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    RunToWork(run): RunToWork,
    Form(f): Form<CloseForm>,
) -> Response {
    let id = run.id.to_string();
    let result = async {
        let version = super::form_version(&f.version)?;
        st.store
            .close_activity(&caller.actor(), run.id, version, &f.comment, now.now)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => {
            work_page(
                &st,
                &caller,
                Outcome::said("Run closed.".into()),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let outcome = Outcome {
                    errors,
                    kept: Some((id, f.comment)),
                    ..Outcome::default()
                };
                work_page(&st, &caller, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}

async fn complete(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    TaskToWork(task): TaskToWork,
    Form(f): Form<CloseForm>,
) -> Response {
    let id = task.id.to_string();
    let result = async {
        let version = super::form_version(&f.version)?;
        st.store
            .complete_task(&caller.actor(), task.id, version, &f.comment, now.now)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    let on_task_page = f.back == "task";
    match result {
        Ok(()) if on_task_page => {
            crate::form::redirect_with_flash(&format!("/tasks/{id}"), "Task done.")
        }
        Ok(()) => {
            work_page(
                &st,
                &caller,
                Outcome::said("Task done.".into()),
                StatusCode::OK,
            )
            .await
        }
        Err(e) if on_task_page => {
            const LABELS: &[crate::form::FieldLabel] = &[
                crate::form::label("comment", "comment", "What was done"),
                crate::form::label("evidence", "form", "Evidence"),
            ];
            match FormErrors::from_error(e, LABELS) {
                Ok(errors) => super::task::task_page(&st, &caller, &id, errors, f.comment)
                    .await
                    .unwrap_or_else(|e| error_page(&caller, &e)),
                Err(e) => error_page(&caller, &e),
            }
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let outcome = Outcome {
                    errors,
                    kept: Some((id, f.comment)),
                    ..Outcome::default()
                };
                work_page(&st, &caller, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}
