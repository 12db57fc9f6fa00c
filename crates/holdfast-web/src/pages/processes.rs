//! Process pages: the list, a process with its runs, interactions and SLA health, the map
//! and readiness.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::FieldError;
use holdfast_core::map::traffic;
use holdfast_core::policy::Action;
use holdfast_core::process::ProcessStatus;
use holdfast_core::readiness::{Period, Settings};
use holdfast_store::{ActivityQuery, TaskQuery};

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::activities::ActivityDto;
use crate::api::processes::{ProcessDto, process_map};
use crate::api::{Now, path_id};
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
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
}

pub(super) async fn names(st: &AppState) -> Result<HashMap<String, String>, AppError> {
    Ok(st
        .store
        .list_processes()
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect())
}

pub(super) async fn person_name(st: &AppState, id: Option<&str>) -> String {
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
    cadence_words: String,
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

async fn list(State(st): State<AppState>, caller: Caller, Now(as_of): Now) -> Response {
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
        let mut rows = Vec::new();
        for p in &processes {
            let mine: Vec<_> = open.iter().filter(|a| a.process_id == p.id).collect();
            rows.push(Row {
                id: p.id.to_string(),
                name: p.name.clone(),
                owner: person_name(&st, p.owner_id.map(|o| o.to_string()).as_deref()).await,
                cadence: p.cadence.rule().to_owned(),
                cadence_words: p.cadence.describe(),
                status: p.status.to_string(),
                open: mine.len(),
                overdue: mine.iter().filter(|a| a.is_overdue(as_of.today)).count(),
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
    /// What a manager may do with the process now.
    lifecycle: Lifecycle,
    /// The first day of the audit period the interactions are judged over.
    period_from: chrono::NaiveDate,
    owner: String,
    deputy: String,
    raci: String,
    interactions: Vec<InteractionRow>,
    can_manage: bool,
    can_work: bool,
    upcoming: Vec<ActivityDto>,
    past: Vec<ActivityDto>,
    correction: Correction,
    /// Names of the people the upcoming runs are assigned to, by id.
    assignees: HashMap<String, String>,
    /// The evidence of the past runs shown, by run id: what it meets and its id.
    evidence: HashMap<String, Vec<(String, String)>>,
}

impl DetailPage {
    /// The evidence attached to a run, as (requirement, evidence id), to link to.
    fn evidence_of(&self, id: &str) -> &[(String, String)] {
        self.evidence.get(id).map_or(&[], Vec::as_slice)
    }

    /// Who does a run, by name.
    fn assignee_name(&self, id: &Option<String>) -> &str {
        id.as_ref()
            .and_then(|i| self.assignees.get(i))
            .map_or("nobody", String::as_str)
    }

    /// The reason typed in the lifecycle form `form` (`pause`, `retire`) before it was
    /// refused, if any.
    fn kept_for(&self, form: &str) -> &str {
        self.kept_reason(form)
    }

    /// The end date typed for a refused pause.
    fn kept_until(&self) -> &str {
        &self.correction.until
    }

    /// The reason typed for run `id` before its correction was refused, if any.
    fn kept_reason(&self, id: &str) -> &str {
        match &self.correction.kept {
            Some((run, reason)) if run == id => reason,
            _ => "",
        }
    }

    /// What was typed into one row's `form` (skip, reopen, assign) before it was refused:
    /// kept in that row's field only, never another's.
    fn kept_row(&self, form: &str, id: &str) -> &str {
        match &self.correction.kept {
            Some((key, text)) if key.split_once(':') == Some((form, id)) => text,
            _ => "",
        }
    }
}

/// The lifecycle forms the process page offers for a status.
#[derive(Clone, Copy)]
pub(super) struct Lifecycle {
    pause: bool,
    resume: bool,
    retire: bool,
}

impl Lifecycle {
    fn of(status: ProcessStatus) -> Self {
        Self {
            pause: status == ProcessStatus::Active,
            resume: status == ProcessStatus::Paused,
            retire: status != ProcessStatus::Retired,
        }
    }
}

/// An interaction of one process, with how its tasks did in the audit period.
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
    match path_id(&id, "process") {
        Ok(id) => detail_page(&st, &caller, id, Correction::default(), StatusCode::OK).await,
        Err(e) => error_page(&caller, &e),
    }
}

/// What a correction of a run (skip, reopen) did, for the process page drawn after it.
#[derive(Default)]
pub(super) struct Correction {
    /// What happened.
    pub message: Option<String>,
    /// Why it was refused.
    pub errors: Vec<FieldError>,
    /// The run (or lifecycle form) it was for and the reason typed, kept for another try.
    pub kept: Option<(String, String)>,
    /// The end date typed for a pause, kept for another try.
    pub until: String,
}

/// A process with its runs, interactions and SLA health; `correction` says what a form on it
/// just did.
pub(super) async fn detail_page(
    st: &AppState,
    caller: &Caller,
    id: holdfast_core::ids::ProcessId,
    correction: Correction,
    status: StatusCode,
) -> Response {
    let result = async {
        let as_of = st.store.as_of().await?;
        let period = Period::ending(as_of.today, Settings::default().period_months);
        let process = st.store.process(id).await?;
        let names = names(st).await?;
        let runs = st
            .store
            .list_activities(&ActivityQuery {
                process_id: Some(process.id),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        // A run closed (or skipped) before its due date is past work, with its evidence.
        let (mut past, upcoming): (Vec<_>, Vec<_>) = runs
            .iter()
            .map(|a| ActivityDto::of(a, as_of.today))
            .partition(|a| a.due_date < as_of.today || !a.status.is_open());
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
        let interactions = mine
            .iter()
            .map(|r| {
                let t = traffic(
                    r,
                    tasks_in.get(&r.to_process).into_iter().flatten(),
                    period,
                    as_of,
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
                    title: r.event.title_in_words(&r.task_title),
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
        let upcoming: Vec<ActivityDto> = upcoming.into_iter().take(10).collect();
        let past: Vec<ActivityDto> = past.into_iter().take(50).collect();
        let ids: Vec<String> = past.iter().map(|a| a.id.clone()).collect();
        let mut evidence: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for a in st.store.attachments("activity", &ids).await? {
            evidence
                .entry(a.record_id)
                .or_default()
                .push((a.requirement, a.evidence.id));
        }
        let ids: std::collections::BTreeSet<String> = upcoming
            .iter()
            .filter_map(|a| a.assignee_id.clone())
            .collect();
        let mut assignees = HashMap::new();
        for id in ids {
            let name = person_name(st, Some(&id)).await;
            assignees.insert(id, name);
        }
        Ok::<_, AppError>(DetailPage {
            nav: Nav::of(caller, "processes"),
            owner: person_name(st, process.owner_id.map(|o| o.to_string()).as_deref()).await,
            deputy: person_name(st, process.deputy_id.map(|o| o.to_string()).as_deref()).await,
            lifecycle: Lifecycle::of(process.status),
            period_from: period.from,
            p: ProcessDto::from(&process),
            raci,
            interactions,
            can_manage: caller.may(Action::ManageProcesses),
            can_work: caller.may(Action::WorkOnProcesses),
            assignees,
            upcoming,
            evidence,
            past,
            correction,
        })
    }
    .await;
    match result {
        Ok(page) => render(status, &page),
        Err(e) => error_page(caller, &e),
    }
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    nav: Nav,
    svg: String,
    edges: Vec<MapEdgeRow>,
}

/// An interaction on the map in words, the target of a click on its arrow.
struct MapEdgeRow {
    id: String,
    event: String,
    from_id: String,
    from: String,
    to_id: String,
    to: String,
    sla: String,
    met: usize,
    breached: usize,
    open: usize,
    health: &'static str,
}

fn map_rows(map: &holdfast_core::map::ProcessMap) -> Vec<MapEdgeRow> {
    let name = |id: &str| {
        map.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_default()
    };
    map.edges
        .iter()
        .map(|e| MapEdgeRow {
            id: e.id.clone(),
            event: holdfast_core::words::label(&e.event),
            from_id: e.from.clone(),
            from: name(&e.from),
            to_id: e.to.clone(),
            to: name(&e.to),
            sla: holdfast_core::words::hours(e.sla_hours),
            met: e.met,
            breached: e.breached,
            open: e.open,
            health: e.health.as_str(),
        })
        .collect()
}

async fn map_page(State(st): State<AppState>, caller: Caller, Now(as_of): Now) -> Response {
    match process_map(&st, as_of).await {
        Ok(map) => render(
            StatusCode::OK,
            &MapPage {
                nav: Nav::of(&caller, "map"),
                svg: crate::svg::render(&map),
                edges: map_rows(&map),
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

async fn map_svg(State(st): State<AppState>, caller: Caller, Now(as_of): Now) -> Response {
    match process_map(&st, as_of).await {
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
