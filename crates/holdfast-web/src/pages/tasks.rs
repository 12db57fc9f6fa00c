//! The task list: every task from every source, searchable by title, filtered by process
//! and state, 50 a page in due order.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_store::TaskQuery;
use serde::Deserialize;

use super::processes::{names, person_name};
use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::path_id;
use crate::api::work::TaskDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    r.add(
        route(Method::GET, "/tasks", read, Kind::Page, "Tasks"),
        tasks,
    )
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
    /// The evidence on the tasks shown, by task id: what it shows and its id.
    evidence: HashMap<String, Vec<(String, String)>>,
    /// Names of the owners of the tasks shown, by person id.
    owners: HashMap<String, String>,
}

impl TasksPage {
    /// Who does a task, by name.
    fn owner_name(&self, id: &Option<String>) -> &str {
        id.as_ref()
            .and_then(|i| self.owners.get(i))
            .map_or("nobody", String::as_str)
    }

    /// The evidence on a task, as (what it shows, evidence id), to link to.
    fn evidence_of(&self, id: &str) -> &[(String, String)] {
        self.evidence.get(id).map_or(&[], Vec::as_slice)
    }
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
    crate::api::Now(now): crate::api::Now,
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
                    TaskDto::of(t, now.now),
                    t.process_id
                        .and_then(|p| names.get(&p.to_string()).cloned())
                        .unwrap_or_default(),
                )
            })
            .collect();
        let owner_ids: std::collections::BTreeSet<String> = list
            .iter()
            .filter_map(|t| t.owner_id.map(|o| o.to_string()))
            .collect();
        let mut owners = HashMap::new();
        for id in owner_ids {
            let name = person_name(&st, Some(&id)).await;
            owners.insert(id, name);
        }
        let ids: Vec<String> = list.iter().map(|t| t.id.to_string()).collect();
        let mut evidence: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for a in st.store.attachments("task", &ids).await? {
            evidence
                .entry(a.record_id)
                .or_default()
                .push((a.requirement, a.evidence.id));
        }
        let mut processes: Vec<(String, String)> = names.into_iter().collect();
        processes.sort_by(|a, b| a.1.cmp(&b.1));
        Ok::<_, AppError>((tasks, total, processes, next, evidence, owners))
    }
    .await;
    match result {
        Ok((tasks, total, processes, next, evidence, owners)) => render(
            StatusCode::OK,
            &TasksPage {
                nav: Nav::of(&caller, "tasks"),
                tasks,
                total,
                processes,
                filters: f,
                open,
                next,
                evidence,
                owners,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}
