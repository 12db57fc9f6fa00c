//! `/api/v1/dashboard` and the audit-trail-independent health endpoint.

use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::Serialize;

use crate::AppState;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/healthz",
            Access::Public,
            Kind::Api,
            "Health: 200 when the database answers, 503 when not",
        ),
        healthz,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/dashboard",
            Access::Login(Action::ViewDashboard),
            Kind::Api,
            "Counts from the live records",
        )
        .gives::<DashboardDto>(),
        dashboard,
    )
}

async fn healthz(State(st): State<AppState>) -> (StatusCode, String) {
    if let Err(e) = st.store.ping().await {
        tracing::warn!(error = %e, "health check: database unreachable");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable".into(),
        );
    }
    match &st.config.heartbeat {
        Some(h) if h.stalled(holdfast_store::clock::now()) => {
            let last = h.last_ok().to_rfc3339();
            tracing::warn!(last_ok = %last, "health check: the worker has not ticked");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("worker stalled: last successful run at {last}"),
            )
        }
        Some(h) => (
            StatusCode::OK,
            format!("ok; worker last ran at {}", h.last_ok().to_rfc3339()),
        ),
        None => (StatusCode::OK, "ok".into()),
    }
}

/// The dashboard's figures.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DashboardDto {
    /// The organisation's name.
    pub organisation: String,
    /// People employed now.
    pub people_active: i64,
    /// People who gave notice.
    pub people_leaving: i64,
    /// People who left.
    pub people_left: i64,
    /// Departments.
    pub departments: i64,
    /// Enabled login accounts.
    pub user_accounts: i64,
    /// API tokens not revoked.
    pub api_tokens: i64,
    /// Locations.
    pub locations: i64,
    /// Events in the audit trail.
    pub audit_events: i64,
    /// Active processes.
    pub processes_active: i64,
    /// Open runs past their due date.
    pub runs_overdue: i64,
    /// Open runs due in the next seven days.
    pub runs_due_this_week: i64,
    /// Open tasks.
    pub tasks_open: i64,
    /// Open tasks past their deadline.
    pub tasks_breached: i64,
}

/// The dashboard's figures as of `as_of`, with the caller's own strip when `mine` asks for
/// it, read in one statement.
pub(crate) async fn figures(
    st: &AppState,
    role: holdfast_core::account::Role,
    as_of: holdfast_core::clock::AsOf,
    mine: Option<&(
        [holdfast_store::ActivityQuery; 2],
        [holdfast_store::TaskQuery; 1],
    )>,
) -> Result<(DashboardDto, Option<crate::service::work::Mine>), AppError> {
    let org = st
        .store
        .organisation()
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let (runs, tasks): (&[_], &[_]) = match mine {
        Some((r, t)) => (r, t),
        None => (&[], &[]),
    };
    let d = st.store.dashboard_counts(as_of, runs, tasks).await?;
    let strip = mine.map(|_| crate::service::work::mine_of(&d.runs, &d.tasks));
    let (c, o) = (d.counts, d.operation);
    Ok((
        DashboardDto {
            organisation: org,
            people_active: c.people_active,
            people_leaving: c.people_leaving,
            people_left: c.people_left,
            departments: c.departments,
            user_accounts: c.user_accounts,
            api_tokens: c.api_tokens,
            locations: c.locations,
            // The trail as this reader's role may read it (the tally of account events
            // counts exactly the records the policy hides).
            audit_events: if holdfast_core::policy::audit_records_hidden_from(role).is_empty() {
                c.audit_events
            } else {
                c.audit_events - c.account_audit_events
            },
            processes_active: o.processes_active,
            runs_overdue: o.runs_overdue,
            runs_due_this_week: o.runs_due_this_week,
            tasks_open: o.tasks_open,
            tasks_breached: o.tasks_breached,
        },
        strip,
    ))
}

async fn dashboard(
    State(st): State<AppState>,
    caller: crate::auth::Caller,
    super::Now(now): super::Now,
) -> Result<Json<DashboardDto>, AppError> {
    Ok(Json(figures(&st, caller.role(), now, None).await?.0))
}
