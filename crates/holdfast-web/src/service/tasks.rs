//! Listing tasks.

use holdfast_core::clock::AsOf;
use holdfast_store::{TaskQuery, Total};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::path_id;
use crate::api::work::TaskDto;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams, Page};

/// The task list's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFilters {
    /// Owned by this person.
    pub owner_id: Option<String>,
    /// In this process.
    pub process_id: Option<String>,
    /// Carrying this label.
    pub label: Option<String>,
    /// Only open tasks.
    pub open: Option<bool>,
    /// Only open tasks past their deadline now: SLAs being breached.
    pub breached: Option<bool>,
}

/// The task list's parameters: in due order, `q` searching titles.
pub type TasksParams = ListParams<FixedOrder, TaskFilters>;

/// One page of tasks in due order.
///
/// # Errors
/// 404 for a filter naming no process or person; as the store otherwise.
pub async fn list(st: &AppState, now: AsOf, p: &TasksParams) -> Result<Page<TaskDto>, AppError> {
    let f = &p.filters;
    let mut q = TaskQuery {
        owner_id: f
            .owner_id
            .as_deref()
            .map(|s| path_id(s, "person"))
            .transpose()?,
        process_id: f
            .process_id
            .as_deref()
            .map(|s| path_id(s, "process"))
            .transpose()?,
        open_only: f.open.unwrap_or(false) || f.breached.unwrap_or(false),
        due_before: f.breached.unwrap_or(false).then_some(now.now),
        label: f.label.clone(),
        search: p.q.clone(),
        after: p.after_pair()?,
        limit: p.fetch(),
    };
    let rows = st.store.list_tasks(&q).await?;
    q.after = None;
    let total = Total::exact(st.store.count_tasks(&q).await?);
    Ok(p.page(
        rows,
        total,
        |t| {
            vec![
                t.due_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                t.id.to_string(),
            ]
        },
        |t| TaskDto::of(&t, now.now),
    ))
}
