//! The web UI: server-rendered pages, one module per area. Navigation follows the standard's
//! areas; areas not built yet are shown as such rather than hidden.

mod admin;
mod assets;
mod audit;
mod context;
pub(crate) mod errors;
mod events;
mod evidence;
mod interactions;
mod lifecycle;
mod login;
pub(crate) mod me;
mod people;
mod process_form;
mod processes;
mod readiness;
mod records;
mod risks;
mod run;
mod runs;
mod soa;
mod task;
mod tasks;
mod users;
mod work;

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use holdfast_core::FieldError;
use holdfast_core::catalog::{Clause, clauses};
use holdfast_core::policy::Action;

use crate::AppState;
use crate::api::dashboard::{DashboardDto, figures};
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

/// Registers every page.
pub fn routes(r: Routes) -> Routes {
    let r = r
        .add(
            route(
                Method::GET,
                "/static/app.css",
                Access::Public,
                Kind::Page,
                "Stylesheet",
            ),
            stylesheet,
        )
        .add(
            route(
                Method::GET,
                "/static/app.js",
                Access::Public,
                Kind::Page,
                "Script: pickers",
            ),
            script,
        )
        .add(
            route(
                Method::GET,
                "/",
                Access::Login(Action::ViewDashboard),
                Kind::Page,
                "Dashboard",
            ),
            dashboard,
        );
    let r = AREAS.iter().fold(r, |r, area| {
        let a = *area;
        r.add(
            route(
                Method::GET,
                a.path,
                Access::Login(Action::ViewDashboard),
                Kind::Page,
                a.title,
            ),
            move |caller: Caller| async move { area_page(&caller, a) },
        )
    });
    let r = login::routes(r);
    let r = people::routes(r);
    let r = admin::routes(r);
    let r = audit::routes(r);
    let r = events::routes(r);
    let r = evidence::routes(r);
    let r = process_form::routes(r);
    let r = processes::routes(r);
    let r = lifecycle::routes(r);
    let r = readiness::routes(r);
    let r = risks::routes(r);
    let r = soa::routes(r);
    let r = context::routes(r);
    let r = assets::routes(r);
    let r = run::routes(r);
    let r = runs::routes(r);
    let r = tasks::routes(r);
    let r = task::routes(r);
    let r = interactions::routes(r);
    let r = users::routes(r);
    let r = work::routes(r);
    me::routes(r)
}

/// What the layout needs to know about the caller.
pub struct Nav {
    /// The logged-in email.
    pub user: Option<String>,
    /// Their role.
    pub role: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// The current navigation entry.
    pub current: &'static str,
    /// Show the people link.
    pub people: bool,
    /// Show the audit trail link.
    pub audit: bool,
    /// Show the users link.
    pub users: bool,
    /// Show the process links.
    pub processes: bool,
    /// Show the risk register link.
    pub risks: bool,
    /// Show the failed dispatches link.
    pub dispatch: bool,
    /// Show *My work* (roles that work on runs and tasks; not auditors).
    pub work: bool,
    /// A one-time message from the last form post.
    pub flash: Option<String>,
}

impl Nav {
    /// The navigation for a logged-in caller.
    #[must_use]
    pub fn of(caller: &Caller, current: &'static str) -> Self {
        Self {
            user: Some(caller.account.email.to_string()),
            role: caller.role().label().to_owned(),
            csrf: caller.csrf_token().to_owned(),
            current,
            people: caller.may(Action::ReadPeople),
            audit: caller.may(Action::ReadAuditTrail),
            users: caller.may(Action::ReadUsers),
            processes: caller.may(Action::ReadProcesses),
            risks: caller.may(Action::ReadRisks),
            dispatch: caller.may(Action::ManageDispatch),
            work: caller.may(Action::WorkOnProcesses),
            flash: caller.flash.clone(),
        }
    }

    /// The navigation for someone not logged in.
    #[must_use]
    pub fn anonymous() -> Self {
        Self {
            user: None,
            role: String::new(),
            csrf: String::new(),
            current: "",
            people: false,
            audit: false,
            users: false,
            processes: false,
            risks: false,
            dispatch: false,
            work: false,
            flash: None,
        }
    }
}

/// Renders a template, or a plain 500 if the template fails (a defect, logged).
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut resp = (status, Html(html)).into_response();
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    nav: Nav,
    title: &'a str,
    message: &'a str,
}

/// The 403 page.
#[must_use]
pub fn forbidden(caller: &Caller) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &Message {
            nav: Nav::of(caller, ""),
            title: "Not allowed",
            message: "Your role does not allow this page. Ask an administrator if you need it.",
        },
    )
}

/// An error shown as a page: the status of the error with its message.
#[must_use]
pub fn error_page(caller: &Caller, e: &AppError) -> Response {
    let message = e.to_string();
    render(
        e.status(),
        &Message {
            nav: Nav::of(caller, ""),
            title: "Something is not right",
            message: &message,
        },
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    nav: Nav,
    figures: DashboardDto,
    mine: Option<crate::service::work::Mine>,
}

async fn dashboard(
    State(st): State<AppState>,
    caller: Caller,
    crate::api::Now(now): crate::api::Now,
) -> Response {
    let result = async {
        let mine = crate::service::work::queries(&caller, now);
        figures(&st, caller.role(), now, mine.as_ref()).await
    }
    .await;
    match result {
        Ok((figures, mine)) => render(
            StatusCode::OK,
            &Dashboard {
                nav: Nav::of(&caller, "dashboard"),
                figures,
                mine,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

/// An area of the standard in the navigation.
#[derive(Debug, Clone, Copy)]
struct Area {
    path: &'static str,
    key: &'static str,
    title: &'static str,
    clause: &'static str,
    holds: &'static str,
    /// The pages of this area that exist, as (path, title, what it is for).
    built: &'static [(&'static str, &'static str, &'static str)],
}

const AREAS: &[Area] = &[
    Area {
        path: "/context",
        key: "context",
        title: "Context",
        clause: "4",
        holds: "internal and external issues, interested parties, the ISMS scope, processes and their interactions",
        built: &[
            (
                "/context/register",
                "Issues and interested parties",
                "the issues that bear on the ISMS, the parties, their requirements and what addresses them",
            ),
            (
                "/scope",
                "Scope",
                "the scope statement in force, its lines in and out, and its approved versions",
            ),
            (
                "/processes",
                "Processes",
                "each process with its owner, objective, cadence and runs",
            ),
            (
                "/processes/map",
                "Process map",
                "how the processes interact, drawn from the live rules",
            ),
            (
                "/interactions",
                "Interactions",
                "the rules by which an event in one process creates work in another",
            ),
        ],
    },
    Area {
        path: "/leadership",
        key: "leadership",
        title: "Leadership",
        clause: "5",
        holds: "the information security policy, roles and responsibilities, resource commitments",
        built: &[(
            "/users",
            "Login accounts",
            "who may do what: roles linked to people",
        )],
    },
    Area {
        path: "/planning",
        key: "planning",
        title: "Planning & Risk",
        clause: "6",
        holds: "the risk method, assets, risks and treatments, the Statement of Applicability, objectives",
        built: &[
            (
                "/assets",
                "Asset inventory",
                "what the organisation holds, its owners, classification and C/I/A values",
            ),
            (
                "/risks",
                "Risk register",
                "each risk with its owner, dated assessments, decisions and the heatmaps",
            ),
            (
                "/soa",
                "Statement of Applicability",
                "all 93 Annex A controls with their justification, reasons and published versions",
            ),
        ],
    },
    Area {
        path: "/support",
        key: "support",
        title: "Support",
        clause: "7",
        holds: "competence, awareness training, communication, documented information",
        built: &[(
            "/people",
            "People",
            "the staff list that joiner, mover and leaver work follows",
        )],
    },
    Area {
        path: "/operation",
        key: "operation",
        title: "Operation",
        clause: "8",
        holds: "scheduled process runs, tasks, risk assessments and treatments as dated runs",
        built: &[
            ("/my-work", "My work", "the runs and tasks given to you"),
            (
                "/runs?open=true",
                "Open runs",
                "every run still to be done, in due order",
            ),
            (
                "/tasks",
                "Tasks",
                "work created by interactions and by hand",
            ),
        ],
    },
    Area {
        path: "/performance",
        key: "performance",
        title: "Performance",
        clause: "9",
        holds: "KPIs and measurements, internal audits, management reviews",
        built: &[
            (
                "/readiness",
                "Readiness",
                "the ISMS checked against the standard as an auditor would",
            ),
            ("/audit", "Audit trail", "every change, hash-chained"),
        ],
    },
    Area {
        path: "/improvement",
        key: "improvement",
        title: "Improvement",
        clause: "10",
        holds: "nonconformities, corrective actions and their effectiveness, improvements",
        built: &[],
    },
];

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    nav: Nav,
    title: &'static str,
    clause: &'static str,
    holds: &'static str,
    built: &'static [(&'static str, &'static str, &'static str)],
    clauses: Vec<&'static Clause>,
}

fn area_page(caller: &Caller, a: Area) -> Response {
    let prefix = format!("{}.", a.clause);
    let list = clauses()
        .iter()
        .filter(|c| c.id.starts_with(&prefix))
        .collect();
    render(
        StatusCode::OK,
        &AreaPage {
            nav: Nav::of(caller, a.key),
            title: a.title,
            clause: a.clause,
            holds: a.holds,
            built: a.built,
            clauses: list,
        },
    )
}

/// Percent-encodes text for a URL query value.
#[must_use]
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes a form or query value (`+` is a space, `%XX` a byte).
#[must_use]
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `303 See Other` to `to`, after a form post that worked.
pub(crate) fn see_other(to: &str) -> Response {
    let mut resp = axum::response::Redirect::to(to).into_response();
    *resp.status_mut() = StatusCode::SEE_OTHER;
    resp
}

/// The errors a form can show beside its fields: validation, conflicts and stale edits.
/// Anything else is not the form's fault and gets an error page.
pub(crate) fn field_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Invalid(v) => Ok(v.errors),
        AppError::Conflict { field, message } => Ok(vec![FieldError {
            field: field.to_owned(),
            message,
        }]),
        AppError::Stale(_) => Ok(vec![FieldError {
            field: "version".into(),
            message: e.to_string(),
        }]),
        other => Err(other),
    }
}

/// The record version a form was drawn from (its hidden `version` field), so a stale edit is
/// refused rather than overwriting someone else's change.
///
/// # Errors
/// 422 naming `version` when the field is missing or not a number.
pub(crate) fn form_version(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::invalid("version", "reload the page and try again"))
}
