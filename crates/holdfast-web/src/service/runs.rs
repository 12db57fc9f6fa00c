//! Listing process runs.

use holdfast_core::clock::AsOf;
use holdfast_store::{ActivityQuery, Total};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::activities::ActivityDto;
use crate::api::path_id;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams, Page};

/// The run list's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunFilters {
    /// Runs of this process.
    pub process_id: Option<String>,
    /// Runs assigned to this person.
    pub assignee_id: Option<String>,
    /// Only open runs.
    pub open: Option<bool>,
    /// Only open runs past their due date, of processes in operation (the dashboard's tile).
    pub overdue: Option<bool>,
    /// Only open runs due from today for seven days, of processes in operation.
    pub due_this_week: Option<bool>,
}

/// The run list's parameters: in due order.
pub type RunsParams = ListParams<FixedOrder, RunFilters>;

/// One page of runs in due order.
///
/// # Errors
/// 404 for a filter naming no process or person; as the store otherwise.
pub async fn list(st: &AppState, now: AsOf, p: &RunsParams) -> Result<Page<ActivityDto>, AppError> {
    let f = &p.filters;
    // The same rules as the dashboard's counts, so a tile and its list always agree.
    let overdue = f.overdue.unwrap_or(false);
    let week = f.due_this_week.unwrap_or(false) && !overdue;
    let mut q = ActivityQuery {
        process_id: f
            .process_id
            .as_deref()
            .map(|s| path_id(s, "process"))
            .transpose()?,
        assignee_id: f
            .assignee_id
            .as_deref()
            .map(|s| path_id(s, "person"))
            .transpose()?,
        open_only: f.open.unwrap_or(false) || overdue || week,
        due_until: if overdue {
            now.today.pred_opt()
        } else if week {
            now.today.checked_add_days(chrono::Days::new(6))
        } else {
            None
        },
        due_from: week.then_some(now.today),
        in_operation: overdue || week,
        after: p.after_pair()?,
        limit: p.fetch(),
    };
    let rows = st.store.list_activities(&q).await?;
    q.after = None;
    let total = Total::exact(st.store.count_activities(&q).await?);
    Ok(p.page(
        rows,
        total,
        |a| vec![a.due_date.to_string(), a.id.to_string()],
        |a| ActivityDto::of(&a, now.today),
    ))
}
