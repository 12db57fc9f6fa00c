//! My profile: see my account and person, change my name and my password, and follow my
//! work (or a process's) in a calendar program.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::FieldError;
use holdfast_core::ical::FeedSubject;
use holdfast_core::person::PersonChanges;
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, field_errors, render};
use crate::AppState;
use crate::api::calendar;
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
    .add(
        route(
            Method::POST,
            "/me/calendar-feeds",
            own,
            Kind::Page,
            "Make a calendar feed",
        ),
        create_feed,
    )
    .add(
        route(
            Method::POST,
            "/me/calendar-feeds/{id}/revoke",
            own,
            Kind::Page,
            "Revoke a calendar feed",
        ),
        revoke_feed,
    )
}

/// A feed as the profile lists it.
struct FeedRow {
    id: String,
    follows: String,
    created: String,
    revoked: bool,
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
    feeds: Vec<FeedRow>,
    /// `(id, name)` of the processes the caller may follow.
    processes: Vec<(String, String)>,
    /// The URL of a feed just made, shown this once.
    new_feed_url: Option<String>,
}

/// What the page shows besides a message: a new feed's URL, or the errors of a rejected form.
#[derive(Default)]
struct Outcome {
    message: Option<String>,
    errors: Vec<FieldError>,
    new_feed_url: Option<String>,
}

impl Outcome {
    fn said(message: &str) -> Self {
        Self {
            message: Some(message.to_owned()),
            ..Self::default()
        }
    }

    fn rejected(errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            ..Self::default()
        }
    }
}

async fn page(st: &AppState, caller: &Caller, outcome: Outcome, status: StatusCode) -> Response {
    match load(st, caller, outcome).await {
        Ok(p) => render(status, &p),
        Err(e) => error_page(caller, &e),
    }
}

async fn load(st: &AppState, caller: &Caller, outcome: Outcome) -> Result<MePage, AppError> {
    let person = match caller.account.person_id {
        Some(id) => Some(PersonDto::from(&st.store.person(id).await?)),
        None => None,
    };
    let processes: Vec<(String, String)> = if caller.may(Action::ReadProcesses) {
        st.store
            .list_processes()
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), p.name))
            .collect()
    } else {
        Vec::new()
    };
    let name_of = |id: &str| {
        processes
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| "a process".to_owned(), |(_, n)| n.clone())
    };
    let feeds = st
        .store
        .list_calendar_feeds(Some(&caller.actor().to_string()))
        .await?
        .iter()
        .map(|f| FeedRow {
            id: f.id.to_string(),
            follows: match f.subject {
                FeedSubject::Person(_) => "My work".to_owned(),
                FeedSubject::Process(p) => name_of(&p.to_string()),
            },
            created: f.created_at.format("%Y-%m-%d %H:%M").to_string(),
            revoked: f.revoked_at.is_some(),
        })
        .collect();
    Ok(MePage {
        nav: Nav::of(caller, "me"),
        email: caller.account.email.to_string(),
        role: caller.role().label().to_owned(),
        person,
        message: outcome.message,
        errors: outcome.errors,
        feeds,
        processes,
        new_feed_url: outcome.new_feed_url,
    })
}

/// The page after a form post: what it did, the form's errors beside it, or an error page.
async fn after_post(
    st: &AppState,
    caller: &Caller,
    result: Result<(Outcome, StatusCode), AppError>,
) -> Response {
    match result {
        Ok((outcome, status)) => page(st, caller, outcome, status).await,
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                page(
                    st,
                    caller,
                    Outcome::rejected(errors),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(caller, &e),
        },
    }
}

async fn show(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, Outcome::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct FeedForm {
    #[serde(default)]
    process_id: String,
}

async fn create_feed(
    State(st): State<AppState>,
    caller: Caller,
    Form(f): Form<FeedForm>,
) -> Response {
    let result = calendar::create_feed(&st, &caller, Some(&f.process_id))
        .await
        .map(|(path, _)| {
            let outcome = Outcome {
                new_feed_url: Some(calendar::absolute_url(&st, &path)),
                ..Outcome::default()
            };
            (outcome, StatusCode::CREATED)
        });
    after_post(&st, &caller, result).await
}

async fn revoke_feed(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let result = calendar::revoke_feed(&st, &caller, &id).await.map(|()| {
        let said = Outcome::said("The calendar feed was revoked: its URL no longer works.");
        (said, StatusCode::OK)
    });
    after_post(&st, &caller, result).await
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
        let version = super::form_version(&f.version)?;
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
    .await
    .map(|_| (Outcome::said("Your name was saved."), StatusCode::OK));
    after_post(&st, &caller, result).await
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
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    caller: Caller,
    Form(f): Form<PasswordForm>,
) -> Response {
    let client = addr.ip().to_string();
    let result = set_own_password(&st, &caller, &client, &f.current_password, f.new_password)
        .await
        .map(|()| {
            let said = Outcome::said("Your password was changed; your other sessions were ended.");
            (said, StatusCode::OK)
        });
    after_post(&st, &caller, result).await
}
