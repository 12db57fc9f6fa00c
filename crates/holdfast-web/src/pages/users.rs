//! Login accounts: the list with search and pager, creating an account, and editing one's role
//! and the person it is (so a new login's *My work* shows that person's runs and tasks).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use holdfast_core::account::Role;
use holdfast_core::policy::Action;
use holdfast_store::UserAccountPatch;
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::path_id;
use crate::api::session::AccountDto;
use crate::api::users::create_account;
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::{FieldLabel, FormErrors, label, redirect_with_flash};
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::users::UsersParams;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadUsers);
    let write = Access::Login(Action::WriteUsers);
    r.add(
        route(Method::GET, "/users", read, Kind::Page, "Login accounts"),
        list,
    )
    .add(
        route(
            Method::POST,
            "/users",
            write,
            Kind::Page,
            "Create a login account",
        ),
        create,
    )
    .add(
        route(
            Method::GET,
            "/users/{id}",
            read,
            Kind::Page,
            "A login account: role and person",
        ),
        show,
    )
    .add(
        route(
            Method::POST,
            "/users/{id}",
            write,
            Kind::Page,
            "Change a login account's role and person",
        ),
        update,
    )
    .add(
        route(
            Method::POST,
            "/users/{id}/toggle",
            write,
            Kind::Page,
            "Disable or enable a login account",
        ),
        toggle,
    )
}

const LABELS: &[FieldLabel] = &[
    label("email", "email", "Email"),
    label("role", "role", "Role"),
    label("person_id", "person_email", "Person"),
    label("password", "password", "First password"),
    label("version", "version", "This account"),
];

/// An account as the list shows it: the person's name, the role in words.
struct Row {
    account: AccountDto,
    person: Option<(String, String)>,
    role: &'static str,
}

/// The account form as typed.
#[derive(Deserialize, Default, Clone)]
struct AccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    person_email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    list: ListView,
    can_write: bool,
    self_id: String,
    errors: FormErrors,
    form: AccountForm,
    roles: Vec<(&'static str, &'static str)>,
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

async fn list_page(
    st: &AppState,
    caller: &Caller,
    p: &UsersParams,
    errors: FormErrors,
    form: AccountForm,
) -> Result<Response, AppError> {
    let page = crate::service::users::list(st, p).await?;
    let names = crate::service::people::names(
        st,
        page.items
            .iter()
            .filter_map(|a| a.person_id.as_deref()?.parse().ok()),
    )
    .await?;
    let list = p.view("/users", &page);
    let rows = page
        .items
        .into_iter()
        .map(|account| Row {
            person: account
                .person_id
                .as_deref()
                .and_then(|id| id.parse().ok())
                .and_then(|id| names.get(&id))
                .map(|p| (p.id.to_string(), p.name.clone())),
            role: account.role.parse::<Role>().map_or("", Role::label),
            account,
        })
        .collect();
    let status = errors.status();
    Ok(render(
        status,
        &ListPage {
            nav: Nav::of(caller, "users"),
            rows,
            list,
            can_write: caller.may(Action::WriteUsers),
            self_id: caller.account.id.to_string(),
            errors,
            form,
            roles: roles(),
        },
    ))
}

async fn list(State(st): State<AppState>, caller: Caller, p: UsersParams) -> Response {
    let form = AccountForm {
        role: "member".into(),
        ..AccountForm::default()
    };
    list_page(&st, &caller, &p, FormErrors::none(), form)
        .await
        .unwrap_or_else(|e| error_page(&caller, &e))
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|_| AppError::invalid("role", "choose a role from the list"))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<AccountForm>,
) -> Response {
    let result = async {
        let role = parse_role(&f.role)?;
        let person = crate::service::people::by_email(&st, "person_id", &f.person_email).await?;
        let person_id = person.map(|p| p.id.to_string());
        create_account(
            &st,
            &caller,
            &f.email,
            role,
            person_id.as_deref(),
            f.password.clone(),
        )
        .await
    }
    .await;
    match result {
        Ok(a) => redirect_with_flash("/users", &format!("Account {} created.", a.email)),
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => {
                let form = AccountForm {
                    password: String::new(),
                    ..f
                };
                let p = UsersParams::first_page();
                list_page(&st, &caller, &p, errors, form)
                    .await
                    .unwrap_or_else(|e| error_page(&caller, &e))
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct EditPage {
    nav: Nav,
    account: AccountDto,
    person: Option<(String, String)>,
    is_self: bool,
    can_write: bool,
    errors: FormErrors,
    form: AccountForm,
    roles: Vec<(&'static str, &'static str)>,
}

async fn edit_page(
    st: &AppState,
    caller: &Caller,
    id: &str,
    typed: Option<AccountForm>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let account = st.store.user_account(path_id(id, "user account")?).await?;
    let person = match account.person_id {
        Some(pid) => Some(st.store.person(pid).await?),
        None => None,
    };
    let form = typed.unwrap_or_else(|| AccountForm {
        email: account.email.to_string(),
        role: account.role.as_str().to_owned(),
        person_email: person
            .as_ref()
            .map(|p| p.email.to_string())
            .unwrap_or_default(),
        password: String::new(),
        version: account.version.to_string(),
    });
    let status = errors.status();
    Ok(render(
        status,
        &EditPage {
            nav: Nav::of(caller, "users"),
            person: person.map(|p| (p.id.to_string(), p.name)),
            is_self: account.id == caller.account.id,
            account: AccountDto::from(&account),
            can_write: caller.may(Action::WriteUsers),
            errors,
            form,
            roles: roles(),
        },
    ))
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    edit_page(&st, &caller, &id, None, FormErrors::none())
        .await
        .unwrap_or_else(|e| error_page(&caller, &e))
}

async fn update(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<AccountForm>,
) -> Response {
    let result = async {
        let uid = path_id(&id, "user account")?;
        let version = super::form_version(&f.version)?;
        let role = parse_role(&f.role)?;
        let person = crate::service::people::by_email(&st, "person_id", &f.person_email).await?;
        let patch = UserAccountPatch {
            role: Some(role),
            disabled: None,
            person_id: Some(person.map(|p| p.id)),
        };
        crate::service::users::update(&st, &caller, uid, version, &patch).await
    }
    .await;
    match result {
        Ok(a) => redirect_with_flash(
            &format!("/users/{}", a.id),
            &format!("Saved: {} is now {}.", a.email, a.role.label()),
        ),
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => edit_page(&st, &caller, &id, Some(f), errors)
                .await
                .unwrap_or_else(|e| error_page(&caller, &e)),
            Err(e) => error_page(&caller, &e),
        },
    }
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn toggle(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> Response {
    let result = async {
        let id = path_id(&id, "user account")?;
        let version = super::form_version(&f.version)?;
        let account = st.store.user_account(id).await?;
        let patch = UserAccountPatch {
            role: None,
            disabled: Some(!account.disabled),
            person_id: None,
        };
        crate::service::users::update(&st, &caller, id, version, &patch).await
    }
    .await;
    match result {
        Ok(a) => redirect_with_flash(
            "/users",
            &format!(
                "{} is {}.",
                a.email,
                if a.disabled { "disabled" } else { "enabled" }
            ),
        ),
        Err(e) => error_page(&caller, &e),
    }
}
