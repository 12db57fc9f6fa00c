//! `/api/v1/users`: login accounts (administrators).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use holdfast_core::ValidationErrors;
use holdfast_core::account::{NewPassword, Role};
use holdfast_core::person::EmailAddress;
use holdfast_core::policy::Action;
use holdfast_store::{NewUserAccount, UserAccountPatch};
use schemars::JsonSchema;
use serde::Deserialize;

use super::session::AccountDto;
use super::{ApiJson, Page, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadUsers);
    let write = Access::Login(Action::WriteUsers);
    r.add(
        route(
            Method::GET,
            "/api/v1/users",
            read,
            Kind::Api,
            "List login accounts",
        )
        .gives::<Page<AccountDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/users",
            write,
            Kind::Api,
            "Create a login account",
        )
        .takes::<NewUserDto>()
        .gives::<AccountDto>(),
        create,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/users/{id}",
            read,
            Kind::Api,
            "Read a login account",
        )
        .gives::<AccountDto>(),
        show,
    )
    .add(
        route(
            Method::PATCH,
            "/api/v1/users/{id}",
            write,
            Kind::Api,
            "Change role or disable (needs If-Match)",
        )
        .takes::<UserPatchDto>()
        .gives::<AccountDto>(),
        update,
    )
}

/// Role names.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleDto {
    /// Administrator.
    Admin,
    /// ISMS manager.
    Manager,
    /// Process owner.
    Owner,
    /// Auditor.
    Auditor,
    /// Every employee.
    Member,
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Admin => Self::Admin,
            RoleDto::Manager => Self::Manager,
            RoleDto::Owner => Self::Owner,
            RoleDto::Auditor => Self::Auditor,
            RoleDto::Member => Self::Member,
        }
    }
}

/// A new login account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserDto {
    /// Login email.
    pub email: String,
    /// Role.
    pub role: RoleDto,
    /// The person the account belongs to.
    #[serde(default)]
    pub person_id: Option<String>,
    /// First password, at least 12 characters.
    pub password: String,
}

/// Changes to an account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchDto {
    /// New role.
    pub role: Option<RoleDto>,
    /// Disable (true) or enable (false).
    pub disabled: Option<bool>,
    /// The person this login is (whose work *My work* shows); `null` unlinks.
    #[serde(default, deserialize_with = "super::present")]
    pub person_id: Option<Option<String>>,
}

async fn list(
    State(st): State<AppState>,
    p: crate::service::users::UsersParams,
) -> Result<Json<Page<AccountDto>>, AppError> {
    Ok(Json(crate::service::users::list(&st, &p).await?))
}

/// Validates and creates an account; shared with the users page.
pub(crate) async fn create_account(
    st: &AppState,
    caller: &Caller,
    email: &str,
    role: Role,
    person: Option<&str>,
    password: String,
) -> Result<holdfast_core::account::UserAccount, AppError> {
    let mut errors = ValidationErrors::default();
    let email = errors.check(EmailAddress::parse("email", email));
    let person_id = match person.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => match p.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push("person_id", "person_id must be a person's id");
                None
            }
        },
        None => None,
    };
    let password = errors.check(NewPassword::parse(password));
    let (Some(email), Some(password)) = (email, password) else {
        return Err(errors.into());
    };
    if !errors.errors.is_empty() {
        return Err(errors.into());
    }
    Ok(st
        .store
        .create_user_account(
            &caller.actor(),
            NewUserAccount {
                email,
                role,
                person_id,
                password,
            },
        )
        .await?)
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUserDto>,
) -> Result<Response, AppError> {
    let a = create_account(
        &st,
        &caller,
        &body.email,
        body.role.into(),
        body.person_id.as_deref(),
        body.password,
    )
    .await?;
    let mut resp = with_etag(a.version, AccountDto::from(&a));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let a = st.store.user_account(path_id(&id, "user account")?).await?;
    Ok(with_etag(a.version, AccountDto::from(&a)))
}

async fn update(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UserPatchDto>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "user account")?;
    let version = if_match(&headers)?;
    let person_id = match body.person_id {
        None => None,
        Some(None) => Some(None),
        Some(Some(p)) => Some(Some(p.parse().map_err(|_| {
            AppError::invalid("person_id", "person_id must be a person's id")
        })?)),
    };
    let patch = UserAccountPatch {
        role: body.role.map(Into::into),
        disabled: body.disabled,
        person_id,
    };
    let a = crate::service::users::update(&st, &caller, id, version, &patch).await?;
    Ok(with_etag(a.version, AccountDto::from(&a)))
}
