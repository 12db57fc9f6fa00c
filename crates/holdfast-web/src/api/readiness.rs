//! `/api/v1/readiness`: what an auditor would write up, as of a day, and managers'
//! acceptances of observations.

use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use holdfast_core::clock::AsOf;
use holdfast_core::policy::Action;
use holdfast_core::readiness::{Acceptance, Report, Settings, Severity};
use schemars::JsonSchema;
use serde::Deserialize;

use super::Page;
use super::{ApiJson, ApiQuery, Now};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    r.add(
        route(
            Method::GET,
            "/api/v1/readiness",
            read,
            Kind::Api,
            "Readiness as an auditor would write it up (as_of=YYYY-MM-DD, period_months=1..36): findings, accepted observations, documented deviations, and the clauses checked and not yet checked",
        ),
        readiness,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/readiness/acceptances",
            read,
            Kind::Api,
            "Acceptances of observations that have not expired",
        ),
        list_acceptances,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/readiness/acceptances",
            Access::Login(Action::ManageProcesses),
            Kind::Api,
            "Accept an open observation with a reason until an expiry date (within a year)",
        )
        .takes::<AcceptanceBody>(),
        accept,
    )
}

/// Which day and period to judge.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadinessParams {
    as_of: Option<NaiveDate>,
    period_months: Option<u32>,
}

/// The settings for a period of `months` (1 to 36; 12 when absent).
///
/// # Errors
/// 422 naming `period_months`.
pub(crate) fn settings(months: Option<u32>) -> Result<Settings, AppError> {
    let mut s = Settings::default();
    match months {
        None => {}
        Some(m @ 1..=36) => s.period_months = m,
        Some(_) => {
            return Err(AppError::invalid(
                "period_months",
                "the audit period is 1 to 36 months",
            ));
        }
    }
    Ok(s)
}

/// The report as of the end of `day` (or now).
pub(crate) async fn report(
    st: &AppState,
    now: AsOf,
    day: Option<NaiveDate>,
    settings: Settings,
) -> Result<Report, AppError> {
    let as_of = day.map_or(now, |d| AsOf::end_of(d, now.tz));
    Ok(st.store.readiness(as_of, settings).await?)
}

async fn readiness(
    State(st): State<AppState>,
    Now(now): Now,
    ApiQuery(p): ApiQuery<ReadinessParams>,
) -> Result<Json<Report>, AppError> {
    Ok(Json(
        report(&st, now, p.as_of, settings(p.period_months)?).await?,
    ))
}

async fn list_acceptances(
    State(st): State<AppState>,
    Now(now): Now,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<Acceptance>>, AppError> {
    Ok(Json(p.page_in_memory_ordered(
        st.store.acceptances(now.today).await?,
        true,
        |a| vec![a.accepted_at.to_rfc3339(), a.id.clone()],
        |a| a,
    )))
}

/// An acceptance of an observation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceBody {
    /// The finding's id, as the report gives it.
    #[serde(default)]
    pub finding_id: String,
    /// Why it is accepted.
    #[serde(default)]
    pub reason: String,
    /// The last day it holds.
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
}

/// Records an acceptance after checking the finding is an open observation today; shared
/// with the readiness page.
pub(crate) async fn accept_observation(
    st: &AppState,
    caller: &Caller,
    now: AsOf,
    b: &AcceptanceBody,
) -> Result<Acceptance, AppError> {
    let report = st.store.readiness(now, Settings::default()).await?;
    match report.findings.iter().find(|f| f.id == b.finding_id) {
        None => {
            return Err(AppError::invalid(
                "finding_id",
                "no open finding has this id today; copy it from the readiness report",
            ));
        }
        Some(f) if f.severity != Severity::Observation => {
            return Err(AppError::invalid(
                "finding_id",
                format!(
                    "this is a {}; only observations can be accepted, a nonconformity needs correcting",
                    f.severity
                ),
            ));
        }
        Some(_) => {}
    }
    Ok(st
        .store
        .accept_finding(
            &caller.actor(),
            caller.account.email.as_str(),
            &b.finding_id,
            &b.reason,
            b.expires_on,
            now,
        )
        .await?)
}

async fn accept(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    ApiJson(b): ApiJson<AcceptanceBody>,
) -> Result<(StatusCode, Json<Acceptance>), AppError> {
    let a = accept_observation(&st, &caller, now, &b).await?;
    Ok((StatusCode::CREATED, Json(a)))
}
