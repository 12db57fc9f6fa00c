//! The interaction rules editor: when an event happens in one process (and a fact of it has
//! a value), a task goes to another, done by its owner or the owner's manager, within an SLA.
//! Rules are added, edited, disabled, enabled and deleted here, each with the version the
//! page showed, so a stale page changes nothing.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::interaction::{Assignee, Condition, EventKind};
use holdfast_core::policy::Action;
use holdfast_store::NewRule;
use serde::Deserialize;

use super::processes::names;
use super::{Nav, error_page, render, see_other};
use crate::AppState;
use crate::api::path_id;
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    r.add(
        route(
            Method::GET,
            "/interactions",
            read,
            Kind::Page,
            "Interaction rules",
        ),
        interactions,
    )
    .add(
        route(
            Method::POST,
            "/interactions",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Add an interaction rule",
        ),
        add_interaction,
    )
    .add(
        route(
            Method::POST,
            "/interactions/{id}",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Edit an interaction rule",
        ),
        edit_interaction,
    )
    .add(
        route(
            Method::POST,
            "/interactions/{id}/toggle",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Disable or enable an interaction rule",
        ),
        toggle_interaction,
    )
    .add(
        route(
            Method::POST,
            "/interactions/{id}/delete",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Delete an interaction rule",
        ),
        delete_interaction,
    )
}

struct RuleRow {
    id: String,
    version: i64,
    active: bool,
    event: String,
    from_id: String,
    from: String,
    to_id: String,
    to: String,
    title: String,
    sla: String,
    condition: String,
    assignee: &'static str,
    evidence_required: bool,
}

#[derive(Deserialize, Default)]
struct RuleForm {
    /// The rule being edited (empty when adding).
    #[serde(default)]
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    from_process: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    to_process: String,
    #[serde(default)]
    task_title: String,
    #[serde(default)]
    sla_hours: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    condition_field: String,
    #[serde(default)]
    condition_equals: String,
    #[serde(default)]
    assign_to: String,
    /// `on` when ticked.
    #[serde(default)]
    evidence_required: String,
}

/// The rule form's fields, so a refusal shows beside the field it is about.
const LABELS: &[crate::form::FieldLabel] = &[
    crate::form::label("from_process", "from_process", "When in process"),
    crate::form::label("event", "event", "This happens"),
    crate::form::label("condition", "condition_field", "Only if"),
    crate::form::label("condition_field", "condition_field", "Only if"),
    crate::form::label("condition_equals", "condition_equals", "Equals"),
    crate::form::label("to_process", "to_process", "Create a task in"),
    crate::form::label("task_title", "task_title", "Task title"),
    crate::form::label("assign_to", "assign_to", "Done by"),
    crate::form::label("priority", "priority", "Priority"),
    crate::form::label("sla_hours", "sla_hours", "SLA"),
];

/// How the editor names who does a rule's task.
fn assignee_label(a: Assignee) -> &'static str {
    match a {
        Assignee::ProcessOwner => "its process owner",
        Assignee::OwnersManager => "the owner's manager",
    }
}

#[derive(Template)]
#[template(path = "interactions.html")]
struct RulesPage {
    nav: Nav,
    rules: Vec<RuleRow>,
    processes: Vec<(String, String)>,
    events: Vec<(&'static str, String)>,
    assignees: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    form: RuleForm,
    errors: FormErrors,
}

async fn rules_page(
    st: &AppState,
    caller: &Caller,
    form: RuleForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let names = names(st).await?;
        let name = |id: &holdfast_core::ids::ProcessId| {
            names.get(&id.to_string()).cloned().unwrap_or_default()
        };
        let rules = st
            .store
            .list_rules()
            .await?
            .iter()
            .map(|r| RuleRow {
                id: r.id.to_string(),
                version: r.version,
                active: r.active,
                event: holdfast_core::words::label(r.event.as_str()),
                from_id: r.from_process.to_string(),
                from: name(&r.from_process),
                to_id: r.to_process.to_string(),
                to: name(&r.to_process),
                title: r.event.title_in_words(&r.task_title),
                sla: holdfast_core::words::hours(r.sla_hours),
                condition: r
                    .condition
                    .as_ref()
                    .map(|c| {
                        format!(
                            "{} is {}",
                            holdfast_core::words::label(&c.field).to_lowercase(),
                            c.equals
                        )
                    })
                    .unwrap_or_default(),
                assignee: assignee_label(r.assign_to),
                evidence_required: r.evidence_required,
            })
            .collect();
        let mut processes: Vec<(String, String)> = names.clone().into_iter().collect();
        processes.sort_by(|a, b| a.1.cmp(&b.1));
        Ok::<_, AppError>((rules, processes))
    }
    .await;
    match result {
        Ok((rules, processes)) => render(
            status,
            &RulesPage {
                nav: Nav::of(caller, "interactions"),
                rules,
                processes,
                events: EventKind::ALL
                    .iter()
                    .map(|e| (e.as_str(), holdfast_core::words::label(e.as_str())))
                    .collect(),
                assignees: Assignee::ALL
                    .iter()
                    .map(|a| (a.as_str(), assignee_label(*a)))
                    .collect(),
                can_manage: caller.may(Action::ManageProcesses),
                form,
                errors,
            },
        ),
        Err(e) => error_page(caller, &e),
    }
}

#[derive(Deserialize, Default)]
struct EditQuery {
    #[serde(default)]
    edit: String,
}

async fn interactions(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<EditQuery>,
) -> Response {
    let mut form = RuleForm {
        sla_hours: "24".into(),
        priority: "normal".into(),
        ..RuleForm::default()
    };
    if !q.edit.is_empty() {
        match path_id(&q.edit, "interaction rule") {
            Ok(id) => match st.store.rule(id).await {
                Ok(r) => {
                    form = RuleForm {
                        id: r.id.to_string(),
                        version: r.version.to_string(),
                        from_process: r.from_process.to_string(),
                        event: r.event.to_string(),
                        to_process: r.to_process.to_string(),
                        task_title: r.task_title.clone(),
                        sla_hours: r.sla_hours.to_string(),
                        priority: r.priority.clone(),
                        condition_field: r
                            .condition
                            .as_ref()
                            .map(|c| c.field.clone())
                            .unwrap_or_default(),
                        condition_equals: r
                            .condition
                            .as_ref()
                            .map(|c| c.equals.clone())
                            .unwrap_or_default(),
                        assign_to: r.assign_to.to_string(),
                        evidence_required: if r.evidence_required {
                            "on".into()
                        } else {
                            String::new()
                        },
                    };
                }
                Err(e) => return error_page(&caller, &e.into()),
            },
            Err(e) => return error_page(&caller, &e),
        }
    }
    rules_page(&st, &caller, form, FormErrors::none(), StatusCode::OK).await
}

/// The rule a form describes, every bad field named.
fn parse_rule(f: &RuleForm) -> Result<NewRule, AppError> {
    let event: EventKind = f
        .event
        .parse()
        .map_err(|m: String| AppError::invalid("event", m))?;
    let sla: i64 =
        f.sla_hours.trim().parse().map_err(|_| {
            AppError::invalid("sla_hours", "enter the SLA as a whole number of hours")
        })?;
    let from = path_id(&f.from_process, "process")
        .map_err(|_| AppError::invalid("from_process", "choose a process"))?;
    let to = path_id(&f.to_process, "process")
        .map_err(|_| AppError::invalid("to_process", "choose a process"))?;
    let condition = match (f.condition_field.trim(), f.condition_equals.trim()) {
        ("", "") => None,
        ("", _) | (_, "") => {
            return Err(AppError::invalid(
                "condition_field",
                "a condition needs both a fact (such as department) and the value it must have",
            ));
        }
        (field, equals) => Some(Condition {
            field: field.to_owned(),
            equals: equals.to_owned(),
        }),
    };
    let assign_to: Assignee = if f.assign_to.is_empty() {
        Assignee::ProcessOwner
    } else {
        f.assign_to
            .parse()
            .map_err(|m: String| AppError::invalid("assign_to", m))?
    };
    Ok(NewRule {
        from_process: from,
        event,
        condition,
        to_process: to,
        task_title: f.task_title.clone(),
        priority: if f.priority.is_empty() {
            "normal".into()
        } else {
            f.priority.clone()
        },
        sla_hours: sla,
        assign_to,
        evidence_required: f.evidence_required == "on",
    })
}

/// After a rule form: back to the list, or the form again with what was typed and why not.
async fn after_rule_form(
    st: &AppState,
    caller: &Caller,
    f: RuleForm,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => see_other("/interactions"),
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => rules_page(st, caller, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            Err(e) => error_page(caller, &e),
        },
    }
}

async fn add_interaction(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<RuleForm>,
) -> Response {
    let result = async {
        st.store
            .create_rule(&caller.actor(), parse_rule(&f)?)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_rule_form(&st, &caller, f, result).await
}

async fn edit_interaction(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(mut f): Form<RuleForm>,
) -> Response {
    f.id.clone_from(&id);
    let result = async {
        let id = path_id(&id, "interaction rule")?;
        let version = super::form_version(&f.version)?;
        let active = st.store.rule(id).await?.active;
        st.store
            .update_rule(&caller.actor(), id, version, parse_rule(&f)?, active)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_rule_form(&st, &caller, f, result).await
}

#[derive(Deserialize, Default)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn toggle_interaction(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(v): Form<VersionForm>,
) -> Response {
    let result = async {
        let id = path_id(&id, "interaction rule")?;
        let version = super::form_version(&v.version)?;
        let r = st.store.rule(id).await?;
        let same = NewRule {
            from_process: r.from_process,
            event: r.event,
            condition: r.condition.clone(),
            to_process: r.to_process,
            task_title: r.task_title.clone(),
            priority: r.priority.clone(),
            sla_hours: r.sla_hours,
            assign_to: r.assign_to,
            evidence_required: r.evidence_required,
        };
        st.store
            .update_rule(&caller.actor(), id, version, same, !r.active)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_rule_form(&st, &caller, RuleForm::default(), result).await
}

async fn delete_interaction(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(v): Form<VersionForm>,
) -> Response {
    let result = async {
        let id = path_id(&id, "interaction rule")?;
        let version = super::form_version(&v.version)?;
        st.store.delete_rule(&caller.actor(), id, version).await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_rule_form(&st, &caller, RuleForm::default(), result).await
}
