//! `/api/v1/events`: the domain events whose dispatch failed, for administrators to see and
//! put back in line once what made them fail (a rule, a record) is mended.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::Serialize;

use super::Page;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let admin = Access::Login(Action::ManageDispatch);
    r.add(
        route(
            Method::GET,
            "/api/v1/events/failed",
            admin,
            Kind::Api,
            "Events whose dispatch failed, newest first, with the reason",
        )
        .gives::<Page<FailedEventDto>>(),
        failed,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/events/{id}/retry",
            admin,
            Kind::Api,
            "Put a failed event back in line for dispatch",
        ),
        retry,
    )
}

/// An event that could not be dispatched.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FailedEventDto {
    /// Event id.
    pub id: String,
    /// What happened.
    pub kind: String,
    /// Who or what it was about.
    pub subject_name: String,
    /// When it happened.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// When its dispatch failed.
    pub failed_at: chrono::DateTime<chrono::Utc>,
    /// Why.
    pub failure: String,
}

impl From<holdfast_store::FailedEvent> for FailedEventDto {
    fn from(e: holdfast_store::FailedEvent) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            subject_name: e.subject_name,
            occurred_at: e.occurred_at,
            failed_at: e.failed_at,
            failure: e.failure,
        }
    }
}

/// The latest failed events; shared with the administration page.
pub(crate) async fn latest_failed(st: &AppState) -> Result<Vec<FailedEventDto>, AppError> {
    Ok(st
        .store
        .failed_events(100)
        .await?
        .into_iter()
        .map(FailedEventDto::from)
        .collect())
}

async fn failed(
    State(st): State<AppState>,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<FailedEventDto>>, AppError> {
    Ok(Json(p.page_in_memory_ordered(
        latest_failed(&st).await?,
        true,
        |e| vec![e.failed_at.to_rfc3339(), e.id.clone()],
        |e| e,
    )))
}

async fn retry(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    st.store.retry_event(&caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
