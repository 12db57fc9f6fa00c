//! The interaction rules editor: when an event happens in one process (and a fact of it has
//! a value), a task goes to another, done by its owner or the owner's manager, within an SLA.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::interaction::{Assignee, Condition, EventKind};
use holdfast_core::policy::Action;
use holdfast_store::NewRule;
use serde::Deserialize;

use super::processes::names;
use super::{Nav, error_page, field_errors, render, see_other};
use crate::AppState;
use crate::api::path_id;
use crate::auth::Caller;
use crate::error::AppError;
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
}

struct RuleRow {
    event: String,
    from: String,
    to: String,
    title: String,
    sla: i64,
    condition: String,
    assignee: &'static str,
}

#[derive(Deserialize, Default)]
struct RuleForm {
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
}

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
    events: Vec<&'static str>,
    assignees: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    form: RuleForm,
    errors: Vec<FieldError>,
}

async fn rules_page(
    st: &AppState,
    caller: &Caller,
    form: RuleForm,
    errors: Vec<FieldError>,
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
                event: r.event.to_string(),
                from: name(&r.from_process),
                to: name(&r.to_process),
                title: r.task_title.clone(),
                sla: r.sla_hours,
                condition: r
                    .condition
                    .as_ref()
                    .map(|c| format!("{} = {}", c.field, c.equals))
                    .unwrap_or_default(),
                assignee: assignee_label(r.assign_to),
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
                events: EventKind::ALL.iter().map(|e| e.as_str()).collect(),
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

async fn interactions(State(st): State<AppState>, caller: Caller) -> Response {
    rules_page(
        &st,
        &caller,
        RuleForm {
            sla_hours: "24".into(),
            priority: "normal".into(),
            ..RuleForm::default()
        },
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn add_interaction(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<RuleForm>,
) -> Response {
    let result = async {
        let event: EventKind = f
            .event
            .parse()
            .map_err(|m: String| AppError::invalid("event", m))?;
        let sla: i64 = f.sla_hours.trim().parse().map_err(|_| {
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
        let rule = NewRule {
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
        };
        st.store.create_rule(&caller.actor(), rule).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => see_other("/interactions"),
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                rules_page(&st, &caller, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}
