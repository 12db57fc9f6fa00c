//! Users and API tokens pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::account::{Role, UserAccount};
use holdfast_core::policy::{self, Action};
use holdfast_store::UserAccountPatch;
use serde::Deserialize;

use super::{Nav, error_page, field_errors, render, see_other, url_encode};
use crate::AppState;
use crate::api::path_id;
use crate::api::tokens::{create_token, revoke_token};
use crate::api::users::create_account;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadUsers);
    let write = Access::Login(Action::WriteUsers);
    let tokens = Access::Login(Action::ManageOwnTokens);
    r.add(
        route(Method::GET, "/users", read, Kind::Page, "Login accounts"),
        users,
    )
    .add(
        route(
            Method::POST,
            "/users",
            write,
            Kind::Page,
            "Create a login account",
        ),
        create_user,
    )
    .add(
        route(
            Method::POST,
            "/users/{id}/toggle",
            write,
            Kind::Page,
            "Disable or enable a login account",
        ),
        toggle_user,
    )
    .add(
        route(Method::GET, "/tokens", tokens, Kind::Page, "API tokens"),
        token_list,
    )
    .add(
        route(
            Method::POST,
            "/tokens",
            tokens,
            Kind::Page,
            "Create an API token",
        ),
        token_create,
    )
    .add(
        route(
            Method::POST,
            "/tokens/{id}/revoke",
            tokens,
            Kind::Page,
            "Revoke an API token",
        ),
        token_revoke,
    )
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<UserAccount>,
    total: i64,
    q: String,
    q_enc: String,
    next_offset: Option<i64>,
    can_write: bool,
    self_id: holdfast_core::ids::UserId,
    errors: Vec<FieldError>,
    form_email: String,
    form_role: String,
    roles: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    offset: Option<i64>,
}

async fn users_page(
    st: &AppState,
    caller: &Caller,
    q: UsersQuery,
    errors: Vec<FieldError>,
    email: String,
    role: String,
    status: StatusCode,
) -> Response {
    let offset = q.offset.unwrap_or(0).max(0);
    match st
        .store
        .list_user_accounts(q.q.as_deref(), offset, 50)
        .await
    {
        Ok((users, total)) => {
            let q = q.q.unwrap_or_default();
            render(
                status,
                &UsersPage {
                    nav: Nav::of(caller, "users"),
                    users,
                    total,
                    q_enc: url_encode(&q),
                    q,
                    next_offset: (offset + 50 < total).then_some(offset + 50),
                    can_write: caller.may(Action::WriteUsers),
                    self_id: caller.account.id,
                    errors,
                    form_email: email,
                    form_role: role,
                    roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
                },
            )
        }
        Err(e) => error_page(caller, &e.into()),
    }
}

async fn users(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Query<UsersQuery>,
) -> Response {
    users_page(
        &st,
        &caller,
        q,
        Vec::new(),
        String::new(),
        "member".into(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn create_user(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<NewUserForm>,
) -> Response {
    let result = async {
        let role: Role = f
            .role
            .parse()
            .map_err(|_| AppError::invalid("role", "choose a role from the list"))?;
        create_account(&st, &caller, &f.email, role, None, f.password.clone()).await
    }
    .await;
    match result {
        Ok(_) => see_other("/users"),
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                users_page(
                    &st,
                    &caller,
                    UsersQuery::default(),
                    errors,
                    f.email,
                    f.role,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn toggle_user(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    let result = async {
        let id = path_id(&id, "user account")?;
        if id == caller.account.id {
            return Err(AppError::invalid(
                "disabled",
                "you cannot disable your own account",
            ));
        }
        let version = super::form_version(&f.version)?;
        let account = st.store.user_account(id).await?;
        let patch = UserAccountPatch {
            role: None,
            disabled: Some(!account.disabled),
        };
        Ok(st
            .store
            .update_user_account(&caller.actor(), id, version, &patch)
            .await?)
    }
    .await;
    match result {
        Ok(_) => see_other("/users"),
        Err(e) => error_page(&caller, &e),
    }
}

/// A token row as shown.
struct TokenRow {
    id: String,
    name: String,
    role: String,
    created: String,
    expires: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    errors: Vec<FieldError>,
    form_name: String,
    form_role: String,
    form_days: String,
    roles: Vec<&'static str>,
}

async fn tokens_page(
    st: &AppState,
    caller: &Caller,
    new_secret: Option<String>,
    errors: Vec<FieldError>,
    form: Option<&TokenForm>,
    status: StatusCode,
) -> Response {
    let owner = (!caller.may(Action::ManageAllTokens)).then_some(caller.account.id);
    match st.store.list_api_tokens(owner).await {
        Ok(tokens) => render(
            status,
            &TokensPage {
                nav: Nav::of(caller, "tokens"),
                tokens: tokens
                    .iter()
                    .map(|t| TokenRow {
                        id: t.id.to_string(),
                        name: t.name.clone(),
                        role: t.role.to_string(),
                        created: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        expires: t.expires_at.map_or_else(
                            || "never".to_owned(),
                            |e| e.format("%Y-%m-%d").to_string(),
                        ),
                        revoked: t.revoked_at.is_some(),
                    })
                    .collect(),
                new_secret,
                errors,
                form_name: form.map(|f| f.name.clone()).unwrap_or_default(),
                form_role: form.map_or_else(|| caller.role().to_string(), |f| f.role.clone()),
                form_days: form.map(|f| f.expires_in_days.clone()).unwrap_or_default(),
                roles: Role::ALL
                    .iter()
                    .filter(|r| policy::within(**r, caller.role()))
                    .map(|r| r.as_str())
                    .collect(),
            },
        ),
        Err(e) => error_page(caller, &e.into()),
    }
}

async fn token_list(State(st): State<AppState>, caller: Caller) -> Response {
    tokens_page(&st, &caller, None, Vec::new(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_in_days: String,
}

async fn token_create(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<TokenForm>,
) -> Response {
    let result = async {
        let role: Role = f
            .role
            .parse()
            .map_err(|_| AppError::invalid("role", "choose a role from the list"))?;
        let days = match f.expires_in_days.trim() {
            "" => None,
            s => Some(s.parse().map_err(|_| {
                AppError::invalid(
                    "expires_in_days",
                    "enter a whole number of days, or leave it empty",
                )
            })?),
        };
        create_token(&st, &caller, &f.name, Some(role), days).await
    }
    .await;
    match result {
        Ok((secret, _)) => {
            tokens_page(
                &st,
                &caller,
                Some(secret),
                Vec::new(),
                None,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                tokens_page(
                    &st,
                    &caller,
                    None,
                    errors,
                    Some(&f),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}

async fn token_revoke(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    match revoke_token(&st, &caller, &id).await {
        Ok(_) => see_other("/tokens"),
        Err(e) => error_page(&caller, &e),
    }
}
