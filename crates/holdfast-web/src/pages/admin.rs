//! Users and API tokens pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::account::Role;
use holdfast_core::policy::{self, Action};
use serde::Deserialize;

use super::{Nav, error_page, render, see_other};
use crate::AppState;
use crate::api::tokens::{create_token, revoke_token};
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let tokens = Access::Login(Action::ManageOwnTokens);
    r.add(
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

/// A token row as shown.
struct TokenRow {
    id: String,
    name: String,
    /// Whose token it is, for an administrator who sees everyone's.
    owner: String,
    role: &'static str,
    created: String,
    expires: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    errors: FormErrors,
    form_name: String,
    form_role: String,
    form_days: String,
    roles: Vec<(&'static str, &'static str)>,
    everyone: bool,
}

/// The token form's fields.
const TOKEN_LABELS: &[crate::form::FieldLabel] = &[
    crate::form::label("name", "name", "What it is for"),
    crate::form::label("role", "role", "Role"),
    crate::form::label("expires_in_days", "expires_in_days", "Expires after"),
];

async fn tokens_page(
    st: &AppState,
    caller: &Caller,
    new_secret: Option<String>,
    errors: FormErrors,
    form: Option<&TokenForm>,
    status: StatusCode,
) -> Response {
    let everyone = caller.may(Action::ManageAllTokens);
    let owner = (!everyone).then_some(caller.account.id);
    let result = async {
        let tokens = st.store.list_api_tokens(owner).await?;
        let mut ids: Vec<String> = tokens.iter().map(|t| t.user_id.to_string()).collect();
        ids.sort();
        ids.dedup();
        let owners: std::collections::HashMap<String, String> = if ids.is_empty() {
            std::collections::HashMap::new()
        } else {
            st.store
                .user_accounts_by_ids(&ids)
                .await?
                .into_iter()
                .map(|a| (a.id.to_string(), a.email.to_string()))
                .collect()
        };
        Ok::<_, AppError>((tokens, owners))
    }
    .await;
    match result {
        Ok((tokens, owners)) => render(
            status,
            &TokensPage {
                nav: Nav::of(caller, "tokens"),
                tokens: tokens
                    .iter()
                    .map(|t| TokenRow {
                        id: t.id.to_string(),
                        name: t.name.clone(),
                        owner: owners
                            .get(&t.user_id.to_string())
                            .cloned()
                            .unwrap_or_else(|| "A deleted account".into()),
                        role: t.role.label(),
                        created: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        expires: t.expires_at.map_or_else(
                            || "never".to_owned(),
                            |e| e.format("%Y-%m-%d").to_string(),
                        ),
                        last_used: t.last_used_at.map_or_else(
                            || "never".to_owned(),
                            |u| u.format("%Y-%m-%d %H:%M").to_string(),
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
                    .map(|r| (r.as_str(), r.label()))
                    .collect(),
                everyone,
            },
        ),
        Err(e) => error_page(caller, &e),
    }
}

async fn token_list(State(st): State<AppState>, caller: Caller) -> Response {
    tokens_page(&st, &caller, None, FormErrors::none(), None, StatusCode::OK).await
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
                FormErrors::none(),
                None,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => match FormErrors::from_error(e, TOKEN_LABELS) {
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
