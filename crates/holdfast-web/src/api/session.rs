//! `/api/v1/session` (log in, log out) and `/api/v1/me` (own profile and password).

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::account::{NewPassword, UserAccount};
use holdfast_core::person::PersonChanges;
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::people::PersonDto;
use super::{ApiJson, if_match, with_etag};
use crate::AppState;
use crate::auth::{Caller, Credential, clear_session_cookie, login as do_login, session_cookie};
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let own = Access::Login(Action::ManageOwnProfile);
    r.add(
        route(
            Method::POST,
            "/api/v1/session",
            Access::Public,
            Kind::Api,
            "Log in with email and password; sets the session cookie",
        )
        .takes::<LoginDto>()
        .gives::<SessionDto>(),
        login,
    )
    .add(
        route(Method::DELETE, "/api/v1/session", own, Kind::Api, "Log out"),
        logout,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/me",
            own,
            Kind::Api,
            "Who am I: account and person",
        )
        .gives::<MeDto>(),
        me,
    )
    .add(
        route(
            Method::PATCH,
            "/api/v1/me",
            own,
            Kind::Api,
            "Edit my own profile (needs If-Match of my person)",
        )
        .takes::<MePatchDto>()
        .gives::<PersonDto>(),
        update_me,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/me/password",
            own,
            Kind::Api,
            "Change my password; ends my other sessions",
        )
        .takes::<PasswordDto>(),
        change_password,
    )
}

/// Login credentials.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginDto {
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A login account as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountDto {
    /// Id.
    pub id: String,
    /// Login email.
    pub email: String,
    /// `admin`, `manager`, `owner`, `auditor` or `member`.
    pub role: String,
    /// The person this account belongs to.
    pub person_id: Option<String>,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Version (ETag).
    pub version: i64,
}

impl From<&UserAccount> for AccountDto {
    fn from(a: &UserAccount) -> Self {
        Self {
            id: a.id.to_string(),
            email: a.email.to_string(),
            role: a.role.to_string(),
            person_id: a.person_id.map(|p| p.to_string()),
            disabled: a.disabled,
            version: a.version,
        }
    }
}

/// A new session.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionDto {
    /// Who logged in.
    pub account: AccountDto,
    /// Send this in `X-CSRF-Token` with every state-changing request made with the cookie.
    pub csrf_token: String,
    /// When the session ends at the latest.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Who am I.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MeDto {
    /// My account.
    pub account: AccountDto,
    /// My person record, if my account is linked to one.
    pub person: Option<PersonDto>,
    /// The role my requests are judged by (a token's role may be narrower than my account's).
    pub effective_role: String,
}

/// Changes to my own profile.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatchDto {
    /// My name as it should be shown.
    pub name: String,
}

/// A password change.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordDto {
    /// The current password, to prove it is really me.
    pub current_password: String,
    /// The new password, at least 12 characters.
    pub new_password: String,
}

async fn login(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(body): ApiJson<LoginDto>,
) -> Result<Response, AppError> {
    let done = do_login(&st, &addr.ip().to_string(), &body.email, &body.password).await?;
    let dto = SessionDto {
        account: AccountDto::from(&done.account),
        csrf_token: done.csrf_token.clone(),
        expires_at: done.absolute_expires_at,
    };
    let mut resp = (StatusCode::CREATED, Json(dto)).into_response();
    let cookie = HeaderValue::from_str(&session_cookie(&st, &done.session_secret))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

async fn logout(State(st): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    if let Credential::Session { token_hash, .. } = &caller.credential {
        st.store
            .end_session(&caller.account, token_hash, "logout")
            .await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let cookie = HeaderValue::from_str(&clear_session_cookie(&st))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

async fn me(State(st): State<AppState>, caller: Caller) -> Result<Json<MeDto>, AppError> {
    let person = match caller.account.person_id {
        Some(id) => Some(PersonDto::from(&st.store.person(id).await?)),
        None => None,
    };
    Ok(Json(MeDto {
        account: AccountDto::from(&caller.account),
        person,
        effective_role: caller.role().to_string(),
    }))
}

async fn update_me(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<MePatchDto>,
) -> Result<Response, AppError> {
    let person = caller
        .account
        .person_id
        .ok_or(AppError::NotFound("person linked to your account"))?;
    let version = if_match(&headers)?;
    let changes = PersonChanges {
        name: Some(body.name),
        ..PersonChanges::default()
    };
    let p = st
        .store
        .update_person(&caller.actor(), person, version, &changes)
        .await?;
    Ok(with_etag(p.version, PersonDto::from(&p)))
}

async fn change_password(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordDto>,
) -> Result<StatusCode, AppError> {
    let client = addr.ip().to_string();
    set_own_password(
        &st,
        &caller,
        &client,
        &body.current_password,
        body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks the current password and sets the new one; shared by the API and the profile page.
/// The check is throttled like a login (a stolen session must not become a way to guess the
/// password), and the change ends the account's other sessions and its API tokens.
///
/// # Errors
/// 422 naming `current_password` when it is wrong, or `password` when the new one is too short;
/// 429 while guesses are locked out.
pub async fn set_own_password(
    st: &AppState,
    caller: &Caller,
    client: &str,
    current: &str,
    new: String,
) -> Result<(), AppError> {
    let new = NewPassword::parse(new)?;
    holdfast_core::text::check(
        "current_password",
        current,
        holdfast_core::text::LONG_MAX,
        holdfast_core::text::Lines::One,
    )?;
    let (_, hash) = st
        .store
        .user_account_for_login(&caller.account.email)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let keys = [
        format!(
            "{}{}",
            holdfast_store::THROTTLE_ACCOUNT_KEY,
            caller.account.email
        ),
        format!("client:{client}"),
    ];
    let ok = crate::auth::throttled_verify(st, &keys, current, hash).await?;
    if !ok {
        return Err(AppError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
    let keep = match &caller.credential {
        Credential::Session { token_hash, .. } => Some(token_hash.as_str()),
        Credential::Token { .. } => None,
    };
    st.store
        .set_password(&caller.actor(), caller.account.id, new, keep)
        .await?;
    Ok(())
}
