//! `/api/v1/tokens`: bearer tokens for machines. Everyone manages their own; administrators
//! see and revoke everyone's.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use holdfast_core::account::{ApiToken, Role};
use holdfast_core::policy::{self, Action};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use super::users::RoleDto;
use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::{Caller, TOKEN_PREFIX, random_secret, secret_hash};
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let own = Access::Login(Action::ManageOwnTokens);
    r.add(
        route(
            Method::GET,
            "/api/v1/tokens",
            own,
            Kind::Api,
            "List my API tokens (administrators: everyone's)",
        )
        .gives::<Page<TokenDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/tokens",
            own,
            Kind::Api,
            "Create an API token; the secret is shown once",
        )
        .takes::<NewTokenDto>()
        .gives::<CreatedTokenDto>(),
        create,
    )
    .add(
        route(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            own,
            Kind::Api,
            "Revoke an API token",
        )
        .gives::<TokenDto>(),
        revoke,
    )
}

/// An API token as listed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenDto {
    /// Id.
    pub id: String,
    /// Whose token it is.
    pub user_id: String,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub role: String,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Stops working then.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Revoked then.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Last used then (to the nearest ten minutes); never, when absent.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&ApiToken> for TokenDto {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            user_id: t.user_id.to_string(),
            name: t.name.clone(),
            role: t.role.to_string(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A new token.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenDto {
    /// What the token is for.
    pub name: String,
    /// Its role; defaults to mine and can never exceed it.
    #[serde(default)]
    pub role: Option<RoleDto>,
    /// Days until it stops working (1 to 365); 90 when absent.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A created token with its secret, shown this once.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedTokenDto {
    /// Send as `Authorization: Bearer <secret>`. Holdfast keeps only its hash.
    pub secret: String,
    /// The token.
    pub token: TokenDto,
}

/// Creates a token for the caller; shared with the tokens page.
pub(crate) async fn create_token(
    st: &AppState,
    caller: &Caller,
    name: &str,
    role: Option<Role>,
    days: Option<i64>,
) -> Result<(String, ApiToken), AppError> {
    let role = role.unwrap_or(caller.role());
    if !policy::within(role, caller.role()) {
        return Err(AppError::invalid(
            "role",
            format!(
                "a token cannot do more than you: choose a role within {}",
                caller.role()
            ),
        ));
    }
    let expires_at = Some(holdfast_core::account::token_expiry(
        days,
        holdfast_store::clock::now(),
    )?);
    let secret = format!("{TOKEN_PREFIX}{}", random_secret()?);
    let token = st
        .store
        .create_api_token(
            &caller.actor(),
            caller.account.id,
            name,
            role,
            &secret_hash(&secret),
            expires_at,
        )
        .await?;
    Ok((secret, token))
}

async fn list(
    State(st): State<AppState>,
    caller: Caller,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<TokenDto>>, AppError> {
    let owner = (!caller.may(Action::ManageAllTokens)).then_some(caller.account.id);
    Ok(Json(p.page_in_memory_ordered(
        st.store.list_api_tokens(owner).await?,
        true,
        |t| vec![t.created_at.to_rfc3339(), t.id.to_string()],
        |t| TokenDto::from(&t),
    )))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewTokenDto>,
) -> Result<(StatusCode, Json<CreatedTokenDto>), AppError> {
    let (secret, token) = create_token(
        &st,
        &caller,
        &body.name,
        body.role.map(Into::into),
        body.expires_in_days,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            secret,
            token: TokenDto::from(&token),
        }),
    ))
}

/// Revokes a token the caller may manage; others' tokens are "not found" to non-admins.
pub(crate) async fn revoke_token(
    st: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<ApiToken, AppError> {
    let id = path_id(id, "API token")?;
    let token = st.store.api_token(id).await?;
    if token.user_id != caller.account.id && !caller.may(Action::ManageAllTokens) {
        return Err(AppError::NotFound("API token"));
    }
    Ok(st.store.revoke_api_token(&caller.actor(), id).await?)
}

async fn revoke(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TokenDto>, AppError> {
    Ok(Json(TokenDto::from(
        &revoke_token(&st, &caller, &id).await?,
    )))
}
