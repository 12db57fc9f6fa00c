//! My profile: see my account and person, change my name and my password.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::person::PersonChanges;
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::people::PersonDto;
use crate::api::session::set_own_password;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let own = Access::Login(Action::ManageOwnProfile);
    r.add(
        route(Method::GET, "/me", own, Kind::Page, "My profile"),
        show,
    )
    .add(
        route(Method::POST, "/me", own, Kind::Page, "Change my name"),
        rename,
    )
    .add(
        route(
            Method::POST,
            "/me/password",
            own,
            Kind::Page,
            "Change my password",
        ),
        password,
    )
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    nav: Nav,
    email: String,
    role: String,
    person: Option<PersonDto>,
    message: Option<String>,
    errors: Vec<FieldError>,
}

async fn page(
    st: &AppState,
    caller: &Caller,
    message: Option<String>,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let person = match caller.account.person_id {
        Some(id) => match st.store.person(id).await {
            Ok(p) => Some(PersonDto::from(&p)),
            Err(e) => return error_page(caller, &e.into()),
        },
        None => None,
    };
    render(
        status,
        &MePage {
            nav: Nav::of(caller, "me"),
            email: caller.account.email.to_string(),
            role: caller.role().to_string(),
            person,
            message,
            errors,
        },
    )
}

async fn show(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, None, Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
}

async fn rename(State(st): State<AppState>, caller: Caller, Form(f): Form<RenameForm>) -> Response {
    let result = async {
        let person = caller
            .account
            .person_id
            .ok_or(AppError::NotFound("person linked to your account"))?;
        let version: i64 = f
            .version
            .parse()
            .map_err(|_| AppError::invalid("version", "reload the page and try again"))?;
        let changes = PersonChanges {
            name: Some(f.name.clone()),
            ..PersonChanges::default()
        };
        Ok::<_, AppError>(
            st.store
                .update_person(&caller.actor(), person, version, &changes)
                .await?,
        )
    }
    .await;
    match result {
        Ok(_) => {
            page(
                &st,
                &caller,
                Some("Your name was saved.".into()),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(v)) => {
            page(
                &st,
                &caller,
                None,
                v.errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&caller, &e),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn password(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<PasswordForm>,
) -> Response {
    match set_own_password(&st, &caller, &f.current_password, f.new_password).await {
        Ok(()) => {
            page(
                &st,
                &caller,
                Some("Your password was changed; your other sessions were ended.".into()),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(v)) => {
            page(
                &st,
                &caller,
                None,
                v.errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&caller, &e),
    }
}
