//! Defining and editing a process in the browser: owner and deputy by work email, the
//! cadence as a recurrence rule, the evidence each run must leave, its clauses and
//! controls, and its status. A rejected form comes back with what was typed and why.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::ids::PersonId;
use holdfast_core::policy::Action;
use holdfast_core::process::Process;
use serde::Deserialize;

use super::{Nav, error_page, field_errors, render, see_other};
use crate::AppState;
use crate::api::Now;
use crate::api::path_id;
use crate::api::processes::{ProcessBody, RaciBody, define, redefine};
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(
            Method::GET,
            "/processes/new",
            manage,
            Kind::Page,
            "Define a process",
        ),
        new_form,
    )
    .add(
        route(
            Method::POST,
            "/processes/new",
            manage,
            Kind::Page,
            "Define a process",
        ),
        create,
    )
    .add(
        route(
            Method::GET,
            "/processes/{id}/edit",
            manage,
            Kind::Page,
            "Edit a process",
        ),
        edit_form,
    )
    .add(
        route(
            Method::POST,
            "/processes/{id}/edit",
            manage,
            Kind::Page,
            "Edit a process",
        ),
        update,
    )
}

/// The form as typed: lists one entry per line, clauses and controls separated by commas.
#[derive(Debug, Default, Deserialize)]
struct ProcessForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    objective: String,
    #[serde(default)]
    owner_email: String,
    #[serde(default)]
    deputy_email: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    cadence_start: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    inputs: String,
    #[serde(default)]
    outputs: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    controls: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "process_form.html")]
struct FormPage {
    nav: Nav,
    /// The process being edited; a new one when `None`.
    id: Option<String>,
    form: ProcessForm,
    errors: Vec<FieldError>,
    /// The typed cadence in words, when it is a rule Holdfast can read.
    cadence_words: Option<String>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn commas(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn email_of(st: &AppState, id: Option<PersonId>) -> Result<String, AppError> {
    Ok(match id {
        Some(id) => st.store.person(id).await?.email.to_string(),
        None => String::new(),
    })
}

async fn filled(st: &AppState, p: &Process) -> Result<ProcessForm, AppError> {
    Ok(ProcessForm {
        name: p.name.clone(),
        objective: p.objective.clone(),
        owner_email: email_of(st, p.owner_id).await?,
        deputy_email: email_of(st, p.deputy_id).await?,
        cadence: p.cadence.rule().to_owned(),
        cadence_start: p.cadence.anchor().to_string(),
        evidence: p.evidence.join("\n"),
        inputs: p.inputs.join("\n"),
        outputs: p.outputs.join("\n"),
        clauses: p.clauses.join(", "),
        controls: p.controls.join(", "),
        status: p.status.to_string(),
        version: p.version.to_string(),
    })
}

/// The person with a typed work email, as an id for the definition.
async fn person_by_email(
    st: &AppState,
    field: &str,
    email: &str,
) -> Result<Option<String>, AppError> {
    if email.trim().is_empty() {
        return Ok(None);
    }
    match st.store.person_by_email(email).await? {
        Some(p) => Ok(Some(p.id.to_string())),
        None => Err(AppError::invalid(
            field,
            format!(
                "nobody with the work email {:?} is in the people list",
                email.trim()
            ),
        )),
    }
}

/// The API body the form stands for; RACI and key come from the process being edited.
async fn body(
    st: &AppState,
    f: &ProcessForm,
    existing: Option<&Process>,
) -> Result<ProcessBody, AppError> {
    let cadence_start = match f.cadence_start.trim() {
        "" => None,
        d => Some(d.parse().map_err(|_| {
            AppError::invalid("cadence_start", "enter the first day as YYYY-MM-DD")
        })?),
    };
    Ok(ProcessBody {
        key: existing.map(|p| p.key.clone()),
        name: f.name.clone(),
        objective: f.objective.clone(),
        owner_id: person_by_email(st, "owner_email", &f.owner_email).await?,
        deputy_id: person_by_email(st, "deputy_email", &f.deputy_email).await?,
        raci: existing.map(|p| RaciBody {
            responsible: p.raci.responsible.clone(),
            accountable: p.raci.accountable.clone(),
            consulted: p.raci.consulted.clone(),
            informed: p.raci.informed.clone(),
        }),
        inputs: lines(&f.inputs),
        outputs: lines(&f.outputs),
        cadence: f.cadence.clone(),
        cadence_start,
        evidence: lines(&f.evidence),
        clauses: commas(&f.clauses),
        controls: commas(&f.controls),
        emits: existing.map_or_else(Vec::new, |p| {
            p.emits.iter().map(ToString::to_string).collect()
        }),
        status: Some(f.status.clone()).filter(|s| !s.is_empty()),
    })
}

/// Errors named after the fields of the form: the owner and deputy are typed as work emails.
fn as_typed(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(typed) = match e.field.as_str() {
                "owner_id" => Some("owner_email"),
                "deputy_id" => Some("deputy_email"),
                _ => None,
            } {
                typed.clone_into(&mut e.field);
            }
            e
        })
        .collect()
}

fn page(
    caller: &Caller,
    id: Option<String>,
    form: ProcessForm,
    errors: Vec<FieldError>,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormPage {
            nav: Nav::of(caller, "processes"),
            id,
            cadence_words: holdfast_core::cadence::Cadence::parse(
                &form.cadence,
                chrono::NaiveDate::default(),
                "UTC",
            )
            .ok()
            .map(|c| c.describe()),
            form,
            errors,
        },
    )
}

async fn new_form(caller: Caller) -> Response {
    let form = ProcessForm {
        cadence: "FREQ=MONTHLY;BYMONTHDAY=1".into(),
        status: "draft".into(),
        ..ProcessForm::default()
    };
    page(&caller, None, form, Vec::new())
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Form(f): Form<ProcessForm>,
) -> Response {
    let result = async {
        let b = body(&st, &f, None).await?;
        define(&st, &caller, b, as_of).await
    }
    .await;
    match result {
        Ok(p) => see_other(&format!("/processes/{}", p.id)),
        Err(e) => match field_errors(e) {
            Ok(errors) => page(&caller, None, f, as_typed(errors)),
            Err(e) => error_page(&caller, &e),
        },
    }
}

async fn edit_form(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    let result = async {
        let p = st.store.process(path_id(&id, "process")?).await?;
        filled(&st, &p).await
    }
    .await;
    match result {
        Ok(form) => page(&caller, Some(id), form, Vec::new()),
        Err(e) => error_page(&caller, &e),
    }
}

async fn update(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Path(id): Path<String>,
    Form(f): Form<ProcessForm>,
) -> Response {
    let result = async {
        let existing = st.store.process(path_id(&id, "process")?).await?;
        let version = super::form_version(&f.version)?;
        let b = body(&st, &f, Some(&existing)).await?;
        redefine(&st, &caller, existing.id, version, b, as_of).await
    }
    .await;
    match result {
        Ok(p) => see_other(&format!("/processes/{}", p.id)),
        Err(e) => match field_errors(e) {
            Ok(errors) => page(&caller, Some(id), f, as_typed(errors)),
            Err(e) => error_page(&caller, &e),
        },
    }
}
