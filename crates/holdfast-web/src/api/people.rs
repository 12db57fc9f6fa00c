//! `/api/v1/people`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use holdfast_core::ids::PersonId;
use holdfast_core::person::{EmploymentStatus, NewPerson, Person, PersonChanges};
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiJson, Page, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadPeople);
    let write = Access::Login(Action::WritePeople);
    r.add(
        route(
            Method::GET,
            "/api/v1/people",
            read,
            Kind::Api,
            "List people (search, filter, sort, paginate)",
        )
        .gives::<Page<PersonDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/people",
            write,
            Kind::Api,
            "Add a person",
        )
        .takes::<NewPersonDto>()
        .gives::<PersonDto>(),
        create,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/people/{id}",
            read,
            Kind::Api,
            "Read a person (ETag = version)",
        )
        .gives::<PersonDto>(),
        show,
    )
    .add(
        route(
            Method::PATCH,
            "/api/v1/people/{id}",
            write,
            Kind::Api,
            "Edit a person, including employment status (needs If-Match)",
        )
        .takes::<PersonPatchDto>()
        .gives::<PersonDto>(),
        update,
    )
}

/// A person as the API shows them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonDto {
    /// Id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Work email.
    pub email: String,
    /// Department.
    pub department: String,
    /// Line manager's id.
    pub manager_id: Option<String>,
    /// `active`, `leaving` or `left`.
    pub employment_status: StatusDto,
    /// First working day.
    pub start_date: NaiveDate,
    /// Last working day.
    pub end_date: Option<NaiveDate>,
    /// Version, also sent as the ETag; send it back in If-Match to edit.
    pub version: i64,
}

/// Employment status.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    /// Employed.
    Active,
    /// Notice given.
    Leaving,
    /// No longer employed.
    Left,
}

impl From<StatusDto> for EmploymentStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Active => Self::Active,
            StatusDto::Leaving => Self::Leaving,
            StatusDto::Left => Self::Left,
        }
    }
}

impl From<EmploymentStatus> for StatusDto {
    fn from(s: EmploymentStatus) -> Self {
        match s {
            EmploymentStatus::Active => Self::Active,
            EmploymentStatus::Leaving => Self::Leaving,
            EmploymentStatus::Left => Self::Left,
        }
    }
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.to_string(),
            department: p.department.clone(),
            manager_id: p.manager_id.map(|m| m.to_string()),
            employment_status: p.employment_status.into(),
            start_date: p.start_date,
            end_date: p.end_date,
            version: p.version,
        }
    }
}

/// A new person.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonDto {
    /// Full name.
    pub name: String,
    /// Work email, unique.
    pub email: String,
    /// Department.
    pub department: String,
    /// Line manager's id.
    #[serde(default)]
    pub manager_id: Option<String>,
    /// Defaults to `active`.
    #[serde(default)]
    pub employment_status: Option<StatusDto>,
    /// First working day (YYYY-MM-DD).
    pub start_date: NaiveDate,
    /// Last working day, if known.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

/// Changes to a person; omitted fields stay as they are.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatchDto {
    /// Full name.
    pub name: Option<String>,
    /// Work email.
    pub email: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Line manager's id.
    pub manager_id: Option<String>,
    /// `active`, `leaving` or `left`; `left` needs an end date.
    pub employment_status: Option<StatusDto>,
    /// First working day.
    pub start_date: Option<NaiveDate>,
    /// Last working day.
    pub end_date: Option<NaiveDate>,
}

pub(crate) fn manager_id(raw: Option<&str>) -> Result<Option<PersonId>, AppError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| AppError::invalid("manager_id", "manager_id must be a person's id"))
        })
        .transpose()
}

async fn list(
    State(st): State<AppState>,
    p: crate::service::people::PeopleParams,
) -> Result<Json<Page<PersonDto>>, AppError> {
    Ok(Json(crate::service::people::list(&st, &p).await?))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewPersonDto>,
) -> Result<Response, AppError> {
    let org = st
        .store
        .organisation()
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let new = NewPerson::parse(
        &body.name,
        &body.email,
        &body.department,
        manager_id(body.manager_id.as_deref())?,
        body.employment_status
            .map_or(EmploymentStatus::Active, Into::into),
        body.start_date,
        body.end_date,
    )?;
    let p = st.store.create_person(&caller.actor(), org.id, new).await?;
    let mut resp = with_etag(p.version, PersonDto::from(&p));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let p = st.store.person(path_id(&id, "person")?).await?;
    Ok(with_etag(p.version, PersonDto::from(&p)))
}

async fn update(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PersonPatchDto>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "person")?;
    let version = if_match(&headers)?;
    let changes = PersonChanges {
        name: body.name,
        email: body.email,
        department: body.department,
        manager_id: body
            .manager_id
            .as_deref()
            .map(|m| manager_id(Some(m)))
            .transpose()?,
        employment_status: body.employment_status.map(Into::into),
        start_date: body.start_date,
        end_date: body.end_date.map(Some),
    };
    let p = st
        .store
        .update_person(&caller.actor(), id, version, &changes)
        .await?;
    Ok(with_etag(p.version, PersonDto::from(&p)).into_response())
}

impl StatusDto {
    /// The status in words.
    #[must_use]
    pub fn label(self) -> &'static str {
        EmploymentStatus::from(self).label()
    }
}

impl std::fmt::Display for StatusDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        EmploymentStatus::from(*self).fmt(f)
    }
}
