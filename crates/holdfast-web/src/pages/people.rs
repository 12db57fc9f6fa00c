//! People pages: list with search and pagination, detail, add and edit forms. Rejected
//! forms come back with what was typed and a message per field.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::person::{EmploymentStatus, NewPerson, Person, PersonChanges};
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::path_id;
use crate::api::people::PersonDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::people::PeopleParams;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadPeople);
    let write = Access::Login(Action::WritePeople);
    r.add(
        route(Method::GET, "/people", read, Kind::Page, "People list"),
        list,
    )
    .add(
        route(
            Method::GET,
            "/people/new",
            write,
            Kind::Page,
            "Add-a-person form",
        ),
        new_form,
    )
    .add(
        route(
            Method::POST,
            "/people/new",
            write,
            Kind::Page,
            "Add a person",
        ),
        create,
    )
    .add(
        route(
            Method::GET,
            "/people/{id}",
            read,
            Kind::Page,
            "Person detail",
        ),
        show,
    )
    .add(
        route(
            Method::POST,
            "/people/{id}",
            write,
            Kind::Page,
            "Edit a person",
        ),
        update,
    )
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    nav: Nav,
    people: Vec<PersonDto>,
    list: ListView,
    status: String,
    can_write: bool,
}

async fn list(State(st): State<AppState>, caller: Caller, p: PeopleParams) -> Response {
    match crate::service::people::list(&st, &p).await {
        Ok(page) => render(
            StatusCode::OK,
            &PeoplePage {
                nav: Nav::of(&caller, "people"),
                list: p.view("/people", &page),
                people: page.items,
                status: p.filters.status.map(|s| s.to_string()).unwrap_or_default(),
                can_write: caller.may(Action::WritePeople),
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

/// The person form as typed: every field text, so nothing typed is lost on rejection.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    department: String,
    /// The manager, picked by work email.
    #[serde(default)]
    manager_email: String,
    #[serde(default)]
    employment_status: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    version: String,
}

/// The person form's fields.
const LABELS: &[crate::form::FieldLabel] = &[
    crate::form::label("name", "name", "Name"),
    crate::form::label("email", "email", "Work email"),
    crate::form::label("department", "department", "Department"),
    crate::form::label("manager_id", "manager_email", "Manager"),
    crate::form::label("manager_email", "manager_email", "Manager"),
    crate::form::label(
        "employment_status",
        "employment_status",
        "Employment status",
    ),
    crate::form::label("start_date", "start_date", "Start date"),
    crate::form::label("end_date", "end_date", "End date"),
];

/// The manager a form names, its error added to `errors`; `Err` only when the store fails.
async fn manager_of(
    st: &AppState,
    form: &PersonForm,
    errors: &mut ValidationErrors,
) -> Result<Option<Option<holdfast_core::ids::PersonId>>, AppError> {
    match crate::service::people::by_email(st, "manager_email", &form.manager_email).await {
        Ok(m) => Ok(Some(m.map(|p| p.id))),
        Err(AppError::Invalid(v)) => {
            errors.errors.extend(v.errors);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

impl PersonForm {
    fn of(p: &Person, manager_email: String) -> Self {
        Self {
            name: p.name.clone(),
            email: p.email.to_string(),
            department: p.department.clone(),
            manager_email,
            employment_status: p.employment_status.to_string(),
            start_date: p.start_date.to_string(),
            end_date: p.end_date.map(|d| d.to_string()).unwrap_or_default(),
            version: p.version.to_string(),
        }
    }

    fn dates(
        &self,
        errors: &mut ValidationErrors,
    ) -> (Option<NaiveDate>, Option<Option<NaiveDate>>) {
        let start = self
            .start_date
            .trim()
            .parse::<NaiveDate>()
            .map_err(|_| errors.push("start_date", "enter the start date as YYYY-MM-DD"))
            .ok();
        let end = match self.end_date.trim() {
            "" => Some(None),
            s => s
                .parse::<NaiveDate>()
                .map(Some)
                .map_err(|_| errors.push("end_date", "enter the end date as YYYY-MM-DD"))
                .ok(),
        };
        (start, end)
    }

    fn status(&self, errors: &mut ValidationErrors) -> Option<EmploymentStatus> {
        self.employment_status
            .parse()
            .map_err(|_| errors.push("employment_status", "choose active, leaving or left"))
            .ok()
    }
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPage {
    nav: Nav,
    form: PersonForm,
    errors: FormErrors,
}

async fn new_form(caller: Caller, crate::api::Now(now): crate::api::Now) -> Response {
    let form = PersonForm {
        employment_status: "active".into(),
        start_date: now.today.to_string(),
        ..PersonForm::default()
    };
    render(
        StatusCode::OK,
        &NewPage {
            nav: Nav::of(&caller, "people"),
            form,
            errors: FormErrors::none(),
        },
    )
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    Form(form): Form<PersonForm>,
) -> Response {
    let result = async {
        let org = st
            .store
            .organisation()
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        let mut errors = ValidationErrors::default();
        let (start, end) = form.dates(&mut errors);
        let status = form.status(&mut errors);
        let manager = manager_of(&st, &form, &mut errors).await?.flatten();
        let (Some(start), Some(end), Some(status)) = (start, end, status) else {
            return Err(AppError::Invalid(errors));
        };
        let new = NewPerson::parse(
            &form.name,
            &form.email,
            &form.department,
            manager,
            status,
            start,
            end,
        );
        let new = match (new, errors.errors.is_empty()) {
            (Ok(n), true) => n,
            (Ok(_), false) => return Err(AppError::Invalid(errors)),
            (Err(v), _) => {
                errors.errors.extend(v.errors);
                return Err(AppError::Invalid(errors));
            }
        };
        Ok(st.store.create_person(&caller.actor(), org.id, new).await?)
    }
    .await;
    match result {
        Ok(p) => match crate::service::people::dispatch_now(&st, &p.name).await {
            Ok(message) => crate::form::redirect_with_flash(&format!("/people/{}", p.id), &message),
            Err(e) => error_page(&caller, &e),
        },
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    nav: Nav::of(&caller, "people"),
                    form,
                    errors,
                },
            ),
            Err(e) => error_page(&caller, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct DetailPage {
    nav: Nav,
    person: PersonDto,
    manager: Option<PersonDto>,
    form: PersonForm,
    errors: FormErrors,
    can_write: bool,
    can_audit: bool,
}

async fn detail(
    st: &AppState,
    caller: &Caller,
    person: &Person,
    form: PersonForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let manager = match person.manager_id {
        Some(m) => st.store.person(m).await.ok().map(|m| PersonDto::from(&m)),
        None => None,
    };
    render(
        status,
        &DetailPage {
            nav: Nav::of(caller, "people"),
            person: PersonDto::from(person),
            manager,
            form,
            errors,
            can_write: caller.may(Action::WritePeople),
            can_audit: caller.may(Action::ReadAuditTrail),
        },
    )
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    let person = async { Ok::<_, AppError>(st.store.person(path_id(&id, "person")?).await?) }.await;
    let person = match person {
        Ok(p) => p,
        Err(e) => return error_page(&caller, &e),
    };
    let manager_email = match person.manager_id {
        Some(m) => match st.store.person(m).await {
            Ok(m) => m.email.to_string(),
            Err(e) => return error_page(&caller, &e.into()),
        },
        None => String::new(),
    };
    detail(
        &st,
        &caller,
        &person,
        PersonForm::of(&person, manager_email),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Response {
    let person = async { Ok::<_, AppError>(st.store.person(path_id(&id, "person")?).await?) }.await;
    let person = match person {
        Ok(p) => p,
        Err(e) => return error_page(&caller, &e),
    };
    let result = async {
        let mut errors = ValidationErrors::default();
        let (start, end) = form.dates(&mut errors);
        let status = form.status(&mut errors);
        let manager = manager_of(&st, &form, &mut errors).await?;
        let version: Option<i64> = form.version.parse().ok();
        if version.is_none() {
            errors.push("version", "reload the page and try again");
        }
        let (Some(start), Some(end), Some(status), Some(manager), Some(version), true) = (
            start,
            end,
            status,
            manager,
            version,
            errors.errors.is_empty(),
        ) else {
            return Err(AppError::Invalid(errors));
        };
        let changes = PersonChanges {
            name: Some(form.name.clone()),
            email: Some(form.email.clone()),
            department: Some(form.department.clone()),
            manager_id: Some(manager),
            employment_status: Some(status),
            start_date: Some(start),
            end_date: Some(end),
        };
        Ok(st
            .store
            .update_person(&caller.actor(), person.id, version, &changes)
            .await?)
    }
    .await;
    match result {
        Ok(p) => match crate::service::people::dispatch_now(&st, &p.name).await {
            Ok(message) => crate::form::redirect_with_flash(&format!("/people/{}", p.id), &message),
            Err(e) => error_page(&caller, &e),
        },
        Err(e) => match FormErrors::from_error(e, LABELS) {
            Ok(errors) => {
                detail(
                    &st,
                    &caller,
                    &person,
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}
