//! `/api/v1/activities/{id}/assign`: give a run to a colleague.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use holdfast_core::ids::PersonId;
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::Deserialize;

use super::activities::ActivityDto;
use super::{ApiJson, Now, if_match, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::POST,
            "/api/v1/activities/{id}/assign",
            Access::Login(Action::WorkOnProcesses),
            Kind::Api,
            "Give an open run to someone who stays (needs If-Match)",
        )
        .on_record()
        .takes::<AssignDto>()
        .gives::<ActivityDto>(),
        assign,
    )
}

/// Who is to do the run.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignDto {
    /// The person's id.
    pub assignee_id: String,
}

async fn assign(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    super::scope::RunToWork(run): super::scope::RunToWork,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AssignDto>,
) -> Result<Response, AppError> {
    let assignee: PersonId = body
        .assignee_id
        .parse()
        .map_err(|_| AppError::invalid("assignee_id", "assignee_id must be a person's id"))?;
    let a = st
        .store
        .assign_activity(&caller.actor(), run.id, if_match(&headers)?, assignee)
        .await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}
