//! Record-level authorisation: before work on one run or task, ask the policy with the
//! record's people. The route's role check says whether the caller may work at all; this
//! says whether on this record.

use holdfast_core::activity::Activity;
use holdfast_core::ids::{ActivityId, TaskId};
use holdfast_core::policy::{WorkRecord, may_work_on};
use holdfast_core::task::Task;

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;

/// The run, if the caller may work on it.
///
/// # Errors
/// 404 for no such run, 403 when it is not the caller's to work on.
pub(crate) async fn run_to_work_on(
    st: &AppState,
    caller: &Caller,
    id: ActivityId,
) -> Result<Activity, AppError> {
    let (run, scope) = st.store.activity_scope(id).await?;
    if may_work_on(caller.role(), caller.account.person_id, &scope) {
        Ok(run)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The task, if the caller may work on it.
///
/// # Errors
/// 404 for no such task, 403 when it is not the caller's to work on.
pub(crate) async fn task_to_work_on(
    st: &AppState,
    caller: &Caller,
    id: TaskId,
) -> Result<Task, AppError> {
    let task = st.store.task(id).await?;
    let scope = WorkRecord::Task {
        owner: task.owner_id,
    };
    if may_work_on(caller.role(), caller.account.person_id, &scope) {
        Ok(task)
    } else {
        Err(AppError::Forbidden)
    }
}
