//! Changing runs from the process page: an ISMS manager skips a run with a reason, a closed
//! run is reopened with a reason, and an open run is given to a colleague. Each is an audit
//! event; the core decides who may and when.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_store::StoreError;
use serde::Deserialize;

use super::processes::{Correction, detail_page};
use super::{error_page, field_errors};
use crate::AppState;
use crate::api::path_id;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::POST,
            "/activities/{id}/skip",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Skip a run with a reason",
        ),
        skip,
    )
    .add(
        route(
            Method::POST,
            "/activities/{id}/reopen",
            Access::Login(Action::WorkOnProcesses),
            Kind::Page,
            "Reopen a closed run with a reason",
        )
        .on_record(),
        reopen,
    )
    .add(
        route(
            Method::POST,
            "/activities/{id}/assign",
            Access::Login(Action::WorkOnProcesses),
            Kind::Page,
            "Give a run to a colleague",
        )
        .on_record(),
        assign,
    )
}

#[derive(Deserialize)]
struct ReasonForm {
    /// Why (skip, reopen), or the colleague's work email (assign).
    #[serde(default)]
    reason: String,
    /// The run page's fields, one per form so a refusal shows beside the right one.
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    skip_reason: String,
    #[serde(default)]
    reopen_reason: String,
    /// `run` when posted from the run's own page, which it then returns to.
    #[serde(default)]
    back: String,
    #[serde(default)]
    version: String,
}

impl ReasonForm {
    /// What was typed for `fix`, from whichever page posted it.
    fn text(&self, fix: Fix) -> String {
        let own = match fix {
            Fix::Skip => &self.skip_reason,
            Fix::Reopen => &self.reopen_reason,
            Fix::Assign => &self.assignee,
        };
        if own.is_empty() {
            self.reason.clone()
        } else {
            own.clone()
        }
    }
}

impl Fix {
    /// The run page's form and field for this correction.
    fn form(self) -> (&'static str, &'static [crate::form::FieldLabel]) {
        use crate::form::label;
        const SKIP: &[crate::form::FieldLabel] = &[label("reason", "skip_reason", "Skip reason")];
        const REOPEN: &[crate::form::FieldLabel] =
            &[label("reason", "reopen_reason", "Reopen reason")];
        const ASSIGN: &[crate::form::FieldLabel] = &[label("assignee", "assignee", "Give it to")];
        match self {
            Self::Skip => ("skip", SKIP),
            Self::Reopen => ("reopen", REOPEN),
            Self::Assign => ("assign", ASSIGN),
        }
    }
}

#[derive(Clone, Copy)]
enum Fix {
    Skip,
    Reopen,
    Assign,
}

async fn skip(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    correct(&st, &caller, &id, f, Fix::Skip).await
}

async fn reopen(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    correct(&st, &caller, &id, f, Fix::Reopen).await
}

async fn assign(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    correct(&st, &caller, &id, f, Fix::Assign).await
}

async fn correct(st: &AppState, caller: &Caller, id: &str, f: ReasonForm, fix: Fix) -> Response {
    let run = match path_id(id, "activity") {
        Ok(run) => run,
        Err(e) => return error_page(caller, &e),
    };
    let process = match crate::api::scope::run_to_work_on(st, caller, run).await {
        Ok(a) => a.process_id,
        Err(e) => return error_page(caller, &e),
    };
    let text = f.text(fix);
    let result = async {
        let version = super::form_version(&f.version)?;
        let now = st.store.as_of().await?.now;
        let actor = caller.actor();
        let done: Result<_, StoreError> = match fix {
            Fix::Skip => {
                st.store
                    .skip_activity(&actor, caller.role(), run, version, &text, now)
                    .await
            }
            Fix::Reopen => {
                st.store
                    .reopen_activity(&actor, run, version, &text, now)
                    .await
            }
            Fix::Assign => {
                let person = crate::service::people::by_email(st, "assignee", &text)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid("assignee", "type the colleague's name or work email")
                    })?;
                st.store
                    .assign_activity(&actor, run, version, person.id)
                    .await
            }
        };
        Ok::<_, AppError>(done?)
    }
    .await;
    match result {
        Ok(a) => {
            let message = match fix {
                Fix::Skip => format!("The run due {} was skipped.", a.due_date),
                Fix::Reopen => format!("The run due {} was reopened.", a.due_date),
                Fix::Assign => format!("The run due {} was given to {}.", a.due_date, text.trim()),
            };
            if f.back == "run" {
                return crate::form::redirect_with_flash(&format!("/runs/{}", a.id), &message);
            }
            let said = Correction {
                message: Some(message),
                ..Correction::default()
            };
            detail_page(st, caller, process, said, StatusCode::OK).await
        }
        Err(e) if f.back == "run" => {
            let (form, labels) = fix.form();
            match crate::form::FormErrors::from_error(e, labels) {
                Ok(errors) => super::run::run_page(st, caller, id, errors, (form.to_owned(), text))
                    .await
                    .unwrap_or_else(|e| error_page(caller, &e)),
                Err(e) => error_page(caller, &e),
            }
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let refused = Correction {
                    errors,
                    kept: Some((format!("{}:{id}", fix.form().0), text)),
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
