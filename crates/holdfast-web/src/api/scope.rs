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

/// The run named by the path's `{id}`, when the caller may work on it. As an extractor it is
/// decided before the body is read, so someone else's run is refused as such (403), never
/// for a malformed body.
pub struct RunToWork(pub Activity);

/// The task named by the path's `{id}`, when the caller may work on it.
pub struct TaskToWork(pub Task);

async fn caller_and_id<T: std::str::FromStr>(
    parts: &mut axum::http::request::Parts,
    st: &AppState,
    what: &'static str,
) -> Result<(Caller, T), AppError> {
    use axum::extract::FromRequestParts;
    let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, st)
        .await
        .map_err(|_| AppError::NotFound(what))?;
    let caller = parts
        .extensions
        .get::<Caller>()
        .cloned()
        .ok_or(AppError::Unauthenticated)?;
    Ok((caller, super::path_id(&raw, what)?))
}

impl axum::extract::FromRequestParts<AppState> for RunToWork {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (caller, id) = caller_and_id(parts, st, "activity").await?;
        run_to_work_on(st, &caller, id).await.map(Self)
    }
}

impl axum::extract::FromRequestParts<AppState> for TaskToWork {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (caller, id) = caller_and_id(parts, st, "task").await?;
        task_to_work_on(st, &caller, id).await.map(Self)
    }
}
