//! Process pages: the list, a process with its runs and interactions, tasks, the interaction
//! rules editor, the map and readiness.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::FieldError;
use holdfast_core::interaction::{Assignee, Condition, EventKind};
use holdfast_core::map::traffic;
use holdfast_core::policy::Action;
use holdfast_core::readiness::{Finding, Severity};
use holdfast_store::{ActivityQuery, NewRule, TaskQuery};
use serde::Deserialize;

use super::{Nav, error_page, field_errors, render, see_other};
use crate::AppState;
use crate::api::activities::ActivityDto;
use crate::api::path_id;
use crate::api::processes::{ProcessDto, findings, process_map};
use crate::api::work::TaskDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let _work = Access::Login(Action::WorkOnProcesses);
    let _own = Access::Login(Action::ManageOwnProfile);
    r.add(
        route(Method::GET, "/processes", read, Kind::Page, "Processes"),
        list,
    )
    .add(
        route(
            Method::GET,
            "/processes/map",
            read,
            Kind::Page,
            "Process map",
        ),
        map_page,
    )
    .add(
        route(
            Method::GET,
            "/processes/map.svg",
            read,
            Kind::Page,
            "Process map as SVG",
        ),
        map_svg,
    )
    .add(
        route(
            Method::GET,
            "/processes/{id}",
            read,
            Kind::Page,
            "Process detail",
        ),
        show,
    )
    .add(
        route(Method::GET, "/tasks", read, Kind::Page, "Tasks"),
        tasks,
    )
    .add(
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
            Method::GET,
            "/readiness",
            read,
            Kind::Page,
            "Readiness findings",
        ),
        readiness,
    )
}

async fn names(st: &AppState) -> Result<HashMap<String, String>, AppError> {
    Ok(st
        .store
        .list_processes()
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect())
}

async fn person_name(st: &AppState, id: Option<&str>) -> String {
    let Some(id) = id.and_then(|i| i.parse().ok()) else {
        return "nobody".into();
    };
    st.store
        .person(id)
        .await
        .map_or_else(|_| "unknown".into(), |p| p.name)
}

struct Row {
    id: String,
    name: String,
    owner: String,
    cadence: String,
    status: String,
    open: usize,
    overdue: usize,
}

#[derive(Template)]
#[template(path = "processes.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    can_manage: bool,
}

async fn list(State(st): State<AppState>, caller: Caller) -> Response {
    let result = async {
        let processes = st.store.list_processes().await?;
        let open = st
            .store
            .list_activities(&ActivityQuery {
                open_only: true,
                limit: 100_000,
                ..Default::default()
            })
            .await?;
        let today = chrono::Utc::now().date_naive();
        let mut rows = Vec::new();
        for p in &processes {
            let mine: Vec<_> = open.iter().filter(|a| a.process_id == p.id).collect();
            rows.push(Row {
                id: p.id.to_string(),
                name: p.name.clone(),
                owner: person_name(&st, p.owner_id.map(|o| o.to_string()).as_deref()).await,
                cadence: p.cadence.rule().to_owned(),
                status: p.status.to_string(),
                open: mine.len(),
                overdue: mine.iter().filter(|a| a.due_date < today).count(),
            });
        }
        Ok::<_, AppError>(rows)
    }
    .await;
    match result {
        Ok(rows) => render(
            StatusCode::OK,
            &ListPage {
                nav: Nav::of(&caller, "processes"),
                rows,
                can_manage: caller.may(Action::ManageProcesses),
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

#[derive(Template)]
#[template(path = "process.html")]
struct DetailPage {
    nav: Nav,
    p: ProcessDto,
    owner: String,
    deputy: String,
    raci: String,
    interactions: Vec<InteractionRow>,
    can_manage: bool,
    upcoming: Vec<ActivityDto>,
    past: Vec<ActivityDto>,
}

/// An interaction of one process, with how its tasks did in the last 90 days.
struct InteractionRow {
    direction: &'static str,
    other: String,
    event: String,
    title: String,
    sla_hours: i64,
    met: usize,
    breached: usize,
    open: usize,
    health: &'static str,
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    let result = async {
        let process = st.store.process(path_id(&id, "process")?).await?;
        let names = names(&st).await?;
        let runs = st
            .store
            .list_activities(&ActivityQuery {
                process_id: Some(process.id),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        let today = chrono::Utc::now().date_naive();
        let (mut past, upcoming): (Vec<_>, Vec<_>) = runs
            .iter()
            .map(ActivityDto::from)
            .partition(|a| a.due_date < today);
        past.reverse();
        let rules = st.store.list_rules().await?;
        let name = |id: &holdfast_core::ids::ProcessId| {
            names.get(&id.to_string()).cloned().unwrap_or_default()
        };
        let mine: Vec<_> = rules
            .iter()
            .filter(|r| r.from_process == process.id || r.to_process == process.id)
            .collect();
        // A rule's tasks live in its target process: read each target's tasks once.
        let mut tasks_in: HashMap<holdfast_core::ids::ProcessId, Vec<holdfast_core::task::Task>> =
            HashMap::new();
        for r in &mine {
            if let std::collections::hash_map::Entry::Vacant(slot) = tasks_in.entry(r.to_process) {
                slot.insert(
                    st.store
                        .list_tasks(&TaskQuery {
                            process_id: Some(r.to_process),
                            limit: 100_000,
                            ..Default::default()
                        })
                        .await?,
                );
            }
        }
        let now = chrono::Utc::now();
        let interactions = mine
            .iter()
            .map(|r| {
                let t = traffic(
                    r,
                    tasks_in.get(&r.to_process).map_or(&[][..], Vec::as_slice),
                    now,
                );
                let (direction, other) = if !r.links_processes() {
                    ("Within", "this process".to_owned())
                } else if r.from_process == process.id {
                    ("Out", name(&r.to_process))
                } else {
                    ("In", name(&r.from_process))
                };
                InteractionRow {
                    direction,
                    other,
                    event: r.event.to_string(),
                    title: r.task_title.clone(),
                    sla_hours: r.sla_hours,
                    met: t.met,
                    breached: t.breached,
                    open: t.open,
                    health: t.health.as_str(),
                }
            })
            .collect();
        let roles = |rs: &[holdfast_core::account::Role]| {
            rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        };
        let raci = format!(
            "R: {}; A: {}; C: {}; I: {}",
            roles(&process.raci.responsible),
            roles(&process.raci.accountable),
            roles(&process.raci.consulted),
            roles(&process.raci.informed)
        );
        Ok::<_, AppError>(DetailPage {
            nav: Nav::of(&caller, "processes"),
            owner: person_name(&st, process.owner_id.map(|o| o.to_string()).as_deref()).await,
            deputy: person_name(&st, process.deputy_id.map(|o| o.to_string()).as_deref()).await,
            p: ProcessDto::from(&process),
            raci,
            interactions,
            can_manage: caller.may(Action::ManageProcesses),
            upcoming: upcoming.into_iter().take(10).collect(),
            past: past.into_iter().take(50).collect(),
        })
    }
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => error_page(&caller, &e),
    }
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Nav,
    tasks: Vec<(TaskDto, String)>,
    total: i64,
    processes: Vec<(String, String)>,
    filters: TaskFilters,
    open: bool,
    /// The link to the next page, with the filters in use.
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct TaskFilters {
    #[serde(default)]
    process: String,
    #[serde(default)]
    open: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: Option<String>,
}

/// Tasks on one page of the list.
const TASKS_PER_PAGE: u32 = 50;

async fn tasks(
    State(st): State<AppState>,
    caller: Caller,
    Query(f): Query<TaskFilters>,
) -> Response {
    let open = f.open.as_deref() != Some("0");
    let result = async {
        let names = names(&st).await?;
        let process_id = if f.process.is_empty() {
            None
        } else {
            Some(path_id(&f.process, "process")?)
        };
        let mut q = TaskQuery {
            process_id,
            open_only: open,
            search: Some(f.q.clone()),
            after: crate::api::due_cursor(f.cursor.as_deref())?,
            limit: TASKS_PER_PAGE + 1,
            ..Default::default()
        };
        let rows = st.store.list_tasks(&q).await?;
        q.after = None;
        let total = st.store.count_tasks(&q).await?;
        let (list, total, next_cursor) = crate::api::due_page(rows, TASKS_PER_PAGE, total, |t| {
            (
                t.due_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                t.id,
            )
        });
        let next = next_cursor.map(|c| {
            format!(
                "/tasks?process={}&open={}&q={}&cursor={c}",
                super::url_encode(&f.process),
                u8::from(open),
                super::url_encode(&f.q)
            )
        });
        let tasks = list
            .iter()
            .map(|t| {
                (
                    TaskDto::from(t),
                    t.process_id
                        .and_then(|p| names.get(&p.to_string()).cloned())
                        .unwrap_or_default(),
                )
            })
            .collect();
        let mut processes: Vec<(String, String)> = names.into_iter().collect();
        processes.sort_by(|a, b| a.1.cmp(&b.1));
        Ok::<_, AppError>((tasks, total, processes, next))
    }
    .await;
    match result {
        Ok((tasks, total, processes, next)) => render(
            StatusCode::OK,
            &TasksPage {
                nav: Nav::of(&caller, "tasks"),
                tasks,
                total,
                processes,
                filters: f,
                open,
                next,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
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

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    nav: Nav,
    svg: String,
}

async fn map_page(State(st): State<AppState>, caller: Caller) -> Response {
    match process_map(&st).await {
        Ok(map) => render(
            StatusCode::OK,
            &MapPage {
                nav: Nav::of(&caller, "map"),
                svg: crate::svg::render(&map),
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

async fn map_svg(State(st): State<AppState>, caller: Caller) -> Response {
    match process_map(&st).await {
        Ok(map) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            crate::svg::render(&map),
        )
            .into_response(),
        Err(e) => error_page(&caller, &e),
    }
}

#[derive(Template)]
#[template(path = "readiness.html")]
struct ReadinessPage {
    nav: Nav,
    findings: Vec<Finding>,
    majors: usize,
    minors: usize,
    observations: usize,
}

async fn readiness(State(st): State<AppState>, caller: Caller) -> Response {
    match findings(&st).await {
        Ok(findings) => {
            let count = |s| findings.iter().filter(|f| f.severity == s).count();
            let (majors, minors, observations) = (
                count(Severity::Major),
                count(Severity::Minor),
                count(Severity::Observation),
            );
            render(
                StatusCode::OK,
                &ReadinessPage {
                    nav: Nav::of(&caller, "readiness"),
                    findings,
                    majors,
                    minors,
                    observations,
                },
            )
        }
        Err(e) => error_page(&caller, &e),
    }
}
