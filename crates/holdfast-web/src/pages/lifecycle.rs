//! Pausing, resuming and retiring a process from its page. Each needs what the API needs (a
//! reason, an end date for a pause); a refused form keeps what was typed.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_core::process::Pause;
use serde::Deserialize;

use super::processes::{Correction, detail_page};
use super::{error_page, field_errors};
use crate::AppState;
use crate::api::{Now, path_id};
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(
            Method::POST,
            "/processes/{id}/pause",
            manage,
            Kind::Page,
            "Pause a process",
        ),
        pause,
    )
    .add(
        route(
            Method::POST,
            "/processes/{id}/resume",
            manage,
            Kind::Page,
            "Resume a process",
        ),
        resume,
    )
    .add(
        route(
            Method::POST,
            "/processes/{id}/retire",
            manage,
            Kind::Page,
            "Retire a process",
        ),
        retire,
    )
}

#[derive(Deserialize, Default)]
struct LifecycleForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    version: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Pause,
    Resume,
    Retire,
}

impl Step {
    const fn form(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Retire => "retire",
        }
    }
}

async fn pause(
    State(st): State<AppState>,
    caller: Caller,
    now: Now,
    Path(id): Path<String>,
    Form(f): Form<LifecycleForm>,
) -> Response {
    step(&st, &caller, now, &id, f, Step::Pause).await
}

async fn resume(
    State(st): State<AppState>,
    caller: Caller,
    now: Now,
    Path(id): Path<String>,
    Form(f): Form<LifecycleForm>,
) -> Response {
    step(&st, &caller, now, &id, f, Step::Resume).await
}

async fn retire(
    State(st): State<AppState>,
    caller: Caller,
    now: Now,
    Path(id): Path<String>,
    Form(f): Form<LifecycleForm>,
) -> Response {
    step(&st, &caller, now, &id, f, Step::Retire).await
}

async fn step(
    st: &AppState,
    caller: &Caller,
    Now(as_of): Now,
    id: &str,
    f: LifecycleForm,
    step: Step,
) -> Response {
    let process = match path_id(id, "process") {
        Ok(p) => p,
        Err(e) => return error_page(caller, &e),
    };
    let result = async {
        let version = super::form_version(&f.version)?;
        let actor = caller.actor();
        let p = match step {
            Step::Pause => {
                let until = match f.until.trim() {
                    "" => None,
                    d => Some(d.parse().map_err(|_| {
                        AppError::invalid("until", "enter the last day of the pause as YYYY-MM-DD")
                    })?),
                };
                let pause = Pause::parse(&f.reason, until, as_of.today)?;
                st.store
                    .pause_process(&actor, process, version, pause, as_of)
                    .await?
            }
            Step::Resume => {
                st.store
                    .resume_process(&actor, process, version, as_of)
                    .await?
            }
            Step::Retire => {
                st.store
                    .retire_process(&actor, process, version, &f.reason, as_of)
                    .await?
            }
        };
        Ok::<_, AppError>(p)
    }
    .await;
    match result {
        Ok(p) => {
            let message = match (step, &p.pause) {
                (Step::Pause, Some(pause)) => format!(
                    "\"{}\" is paused until {}; its open runs were skipped.",
                    p.name, pause.until
                ),
                (Step::Retire, _) => format!("\"{}\" is retired; its history stays.", p.name),
                _ => format!("\"{}\" is active again.", p.name),
            };
            let said = Correction {
                message: Some(message),
                ..Correction::default()
            };
            detail_page(st, caller, process, said, StatusCode::OK).await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let refused = Correction {
                    errors,
                    kept: Some((step.form().to_owned(), f.reason)),
                    until: f.until,
                    ..Correction::default()
                };
                detail_page(
                    st,
                    caller,
                    process,
                    refused,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(caller, &e),
        },
    }
}
