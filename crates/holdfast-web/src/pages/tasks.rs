//! The task list: every task from every source, searchable by title, filtered by process
//! and state, 50 a page in due order.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;

use super::processes::names;
use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::work::TaskDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::tasks::TasksParams;

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
    tasks: Vec<Row>,
    list: ListView,
    processes: Vec<(String, String)>,
    process: String,
    open: bool,
}

/// A task as the list shows it: names, not ids.
struct Row {
    task: TaskDto,
    process: String,
    owner: String,
    evidence: Vec<(String, String)>,
}

async fn tasks(
    State(st): State<AppState>,
    caller: Caller,
    crate::api::Now(now): crate::api::Now,
    mut p: TasksParams,
) -> Response {
    // The page shows open tasks unless asked for all.
    let open = p.filters.open.unwrap_or(true);
    p.filters.open = Some(open);
    let result = async {
        let page = crate::service::tasks::list(&st, now, &p).await?;
        let names = names(&st).await?;
        let owners = crate::service::people::names(
            &st,
            page.items
                .iter()
                .filter_map(|t| t.owner_id.as_deref()?.parse().ok()),
        )
        .await?;
        let ids: Vec<String> = page.items.iter().map(|t| t.id.clone()).collect();
        let mut evidence: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for a in st.store.attachments("task", &ids).await? {
            evidence
                .entry(a.record_id)
                .or_default()
                .push((a.requirement, a.evidence.id));
        }
        let list = p.view("/tasks", &page);
        let tasks = page
            .items
            .into_iter()
            .map(|t| Row {
                process: t
                    .process_id
                    .as_ref()
                    .and_then(|id| names.get(id).cloned())
                    .unwrap_or_default(),
                owner: t
                    .owner_id
                    .as_deref()
                    .and_then(|id| id.parse().ok())
                    .and_then(|id| owners.get(&id))
                    .map_or_else(|| "Nobody yet".to_owned(), |o| o.name.clone()),
                evidence: evidence.remove(&t.id).unwrap_or_default(),
                task: t,
            })
            .collect();
        let mut processes: Vec<(String, String)> = names.into_iter().collect();
        processes.sort_by(|a, b| a.1.cmp(&b.1));
        Ok::<_, AppError>((tasks, list, processes))
    }
    .await;
    match result {
        Ok((tasks, list, processes)) => render(
            StatusCode::OK,
            &TasksPage {
                nav: Nav::of(&caller, "tasks"),
                tasks,
                list,
                processes,
                process: p.filters.process_id.clone().unwrap_or_default(),
                open,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}
