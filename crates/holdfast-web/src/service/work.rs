//! What is waiting for the person behind a login: the dashboard's personal strip.

use holdfast_core::clock::AsOf;
use holdfast_store::{ActivityQuery, TaskQuery};

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;

/// The caller's own figures; `None` for a login not linked to a person.
#[derive(Debug, Clone, Copy)]
pub struct Mine {
    /// Open runs given to them and past their due date.
    pub runs_overdue: i64,
    /// Open runs given to them.
    pub runs_open: i64,
    /// Open tasks given to them.
    pub tasks_open: i64,
}

/// Counts the caller's open and overdue work (indexed by assignee and owner).
///
/// # Errors
/// [`AppError::Internal`] when the store fails.
pub async fn mine(st: &AppState, caller: &Caller, now: AsOf) -> Result<Option<Mine>, AppError> {
    let Some(person) = caller.account.person_id else {
        return Ok(None);
    };
    let open = ActivityQuery {
        assignee_id: Some(person),
        open_only: true,
        ..Default::default()
    };
    let overdue = ActivityQuery {
        due_until: now.today.pred_opt(),
        ..open.clone()
    };
    let tasks = TaskQuery {
        owner_id: Some(person),
        open_only: true,
        ..Default::default()
    };
    let (runs, tasks) = st.store.count_work(&[overdue, open], &[tasks]).await?;
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    Ok(Some(Mine {
        runs_overdue: at(&runs, 0),
        runs_open: at(&runs, 1),
        tasks_open: at(&tasks, 0),
    }))
}
