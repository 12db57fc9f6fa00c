//! Defining and editing a process in the browser: owner and deputy by work email, the
//! cadence as a recurrence rule, the evidence each run must leave, its clauses and
//! controls, and its status. A rejected form comes back with what was typed and why.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::ids::PersonId;
use holdfast_core::policy::Action;
use holdfast_core::process::Process;
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::Now;
use crate::api::path_id;
use crate::api::processes::{ProcessBody, RaciBody, define, redefine};
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::{FieldLabel, FormErrors, label, redirect_with_flash};
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
    /// A common rhythm chosen from the list; empty when the rule is typed.
    #[serde(default)]
    cadence_preset: Option<String>,
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
    errors: FormErrors,
    /// The typed cadence in words, when it is a rule Holdfast can read.
    cadence_words: Option<String>,
    /// Common rhythms, as (rule, words).
    presets: Vec<(&'static str, String)>,
}

/// The rhythms most ISMS processes run on, offered before a typed rule.
const PRESETS: &[&str] = &[
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYDAY=1TH",
    "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
    "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1",
    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15",
];

fn presets() -> Vec<(&'static str, String)> {
    PRESETS
        .iter()
        .map(|rule| {
            let words =
                holdfast_core::cadence::Cadence::parse(rule, chrono::NaiveDate::default(), "UTC")
                    .map_or_else(|_| (*rule).to_owned(), |c| c.describe());
            (*rule, words)
        })
        .collect()
}

const LABELS: &[FieldLabel] = &[
    label("name", "name", "Name"),
    label("objective", "objective", "Objective"),
    label("owner_id", "owner_email", "Owner"),
    label("deputy_id", "deputy_email", "Deputy"),
    label("cadence", "cadence", "How often it runs"),
    label("cadence_start", "cadence_start", "Counting from"),
    label("evidence", "evidence", "Evidence each run must leave"),
    label("inputs", "inputs", "Inputs"),
    label("outputs", "outputs", "Outputs"),
    label("clauses", "clauses", "Clauses"),
    label("controls", "controls", "Annex A controls"),
    label("status", "status", "Status"),
    label("version", "version", "This process"),
];

impl FormPage {
    /// Whether the cadence is one of the common rhythms.
    fn is_preset(&self) -> bool {
        PRESETS.contains(&self.form.cadence.as_str())
    }
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
        cadence_preset: None,
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

/// The person a picker names, as an id for the definition.
async fn person_by_email(
    st: &AppState,
    field: &str,
    email: &str,
) -> Result<Option<String>, AppError> {
    Ok(crate::service::people::by_email(st, field, email)
        .await?
        .map(|p| p.id.to_string()))
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
        cadence: f
            .cadence_preset
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| f.cadence.clone()),
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

fn page(
    caller: &Caller,
    id: Option<String>,
    mut form: ProcessForm,
    errors: FormErrors,
) -> Response {
    if let Some(preset) = form.cadence_preset.take().filter(|p| !p.is_empty()) {
        form.cadence = preset;
    }
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
            presets: presets(),
        },
    )
}

async fn new_form(caller: Caller) -> Response {
    let form = ProcessForm {
        cadence: "FREQ=MONTHLY;BYMONTHDAY=1".into(),
        status: "draft".into(),
        ..ProcessForm::default()
    };
    page(&caller, None, form, FormErrors::none())
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
        Ok(p) => redirect_with_flash(
            &format!("/processes/{}", p.id),
            &format!("Saved {}.", p.name),
        ),
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => page(&caller, None, f, errors),
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
        Ok(form) => page(&caller, Some(id), form, FormErrors::none()),
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
        Ok(p) => redirect_with_flash(
            &format!("/processes/{}", p.id),
            &format!("Saved {}.", p.name),
        ),
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => page(&caller, Some(id), f, errors),
            Err(e) => error_page(&caller, &e),
        },
    }
}
