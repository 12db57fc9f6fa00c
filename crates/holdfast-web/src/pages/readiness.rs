//! The readiness page: what a certification auditor would write up as of a day, the records
//! behind each finding, observations a manager accepted, documented deviations, and which
//! clauses were checked and which not yet. An ISMS manager accepts an observation from here.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use holdfast_core::policy::Action;
use holdfast_core::readiness::{Finding, RecordKind, RecordRef, Report, Severity};
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::Now;
use crate::api::readiness::{AcceptanceBody, accept_observation, report, settings};
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/readiness",
            Access::Login(Action::ReadProcesses),
            Kind::Page,
            "Readiness findings",
        ),
        page,
    )
    .add(
        route(
            Method::POST,
            "/readiness/acceptances",
            Access::Login(Action::ManageProcesses),
            Kind::Page,
            "Accept an observation",
        ),
        accept,
    )
}

#[derive(Template)]
#[template(path = "readiness.html")]
struct ReadinessPage {
    nav: Nav,
    r: Report,
    majors: usize,
    minors: usize,
    observations: usize,
    /// The day typed in the as-of box, when it is not today.
    as_of: String,
    can_accept: bool,
    message: Option<String>,
    errors: FormErrors,
    /// The finding whose acceptance was refused, with the reason and expiry typed.
    kept: Option<(String, String, String)>,
    /// Who accepted each observation, in words.
    actors: super::records::Actors,
}

/// The acceptance form's fields; the refused finding's form carries these ids.
const ACCEPT_LABELS: &[crate::form::FieldLabel] = &[
    crate::form::label("reason", "reason", "Accept because"),
    crate::form::label("expires_on", "expires_on", "Until"),
    crate::form::label("finding_id", "reason", "Finding"),
];

impl ReadinessPage {
    /// Where a record reference leads, if it has a page.
    /// The page of a record a finding cites: every one is a link, a never-planned run to
    /// its process.
    fn href(&self, r: &RecordRef) -> String {
        let (kind, id) = match r.kind {
            RecordKind::Process => ("process", r.id.as_str()),
            RecordKind::Person => ("person", r.id.as_str()),
            RecordKind::Rule => ("rule", r.id.as_str()),
            RecordKind::Task => ("task", r.id.as_str()),
            RecordKind::Run => ("run", r.id.as_str()),
            RecordKind::Occurrence => ("process", r.id.split('@').next().unwrap_or_default()),
            RecordKind::Risk => ("risk", r.id.as_str()),
            RecordKind::RiskMethod => ("risk_method", r.id.as_str()),
            RecordKind::SoaControl => ("soa_control", r.id.as_str()),
            RecordKind::SoaVersion => ("soa_version", r.id.as_str()),
            RecordKind::ContextIssue => ("context_issue", r.id.as_str()),
            RecordKind::InterestedParty => ("interested_party", r.id.as_str()),
            RecordKind::Requirement => ("requirement", r.id.as_str()),
            RecordKind::ScopeVersion => ("scope_version", r.id.as_str()),
        };
        super::records::href(kind, id).unwrap_or_default()
    }

    fn is_observation(&self, f: &Finding) -> bool {
        f.severity == Severity::Observation
    }

    fn kept_reason(&self, id: &str) -> &str {
        match &self.kept {
            Some((f, reason, _)) if f == id => reason,
            _ => "",
        }
    }

    /// Whether `id` is the finding whose acceptance was just refused.
    fn is_kept(&self, id: &str) -> bool {
        self.kept.as_ref().is_some_and(|(f, _, _)| f == id)
    }

    /// Who an actor is, in words.
    fn who(&self, actor: &str) -> String {
        self.actors.name(actor).0
    }

    fn kept_expiry(&self, id: &str) -> &str {
        match &self.kept {
            Some((f, _, expiry)) if f == id => expiry,
            _ => "",
        }
    }
}

#[derive(Deserialize, Default)]
struct ReadinessQuery {
    #[serde(default)]
    as_of: String,
}

struct Said {
    message: Option<String>,
    errors: FormErrors,
    kept: Option<(String, String, String)>,
}

async fn draw(
    st: &AppState,
    caller: &Caller,
    now: Now,
    day: &str,
    said: Said,
    status: StatusCode,
) -> Response {
    let result = async {
        let date: Option<NaiveDate> =
            match day.trim() {
                "" => None,
                d => Some(d.parse().map_err(|_| {
                    AppError::invalid("as_of", "enter the day to judge as YYYY-MM-DD")
                })?),
            };
        let r = report(st, now.0, date, settings(None)?).await?;
        let actors = super::records::Actors::load(
            st,
            r.accepted.iter().map(|a| a.acceptance.accepted_by.as_str()),
        )
        .await?;
        Ok::<_, AppError>((r, actors))
    }
    .await;
    match result {
        Ok((r, actors)) => {
            let count = |s| r.findings.iter().filter(|f| f.severity == s).count();
            let (majors, minors, observations) = (
                count(Severity::Major),
                count(Severity::Minor),
                count(Severity::Observation),
            );
            render(
                status,
                &ReadinessPage {
                    nav: Nav::of(caller, "readiness"),
                    majors,
                    minors,
                    observations,
                    r,
                    as_of: day.trim().to_owned(),
                    can_accept: caller.may(Action::ManageProcesses),
                    message: said.message,
                    errors: said.errors,
                    kept: said.kept,
                    actors,
                },
            )
        }
        Err(e) => error_page(caller, &e),
    }
}

async fn page(
    State(st): State<AppState>,
    caller: Caller,
    now: Now,
    Query(q): Query<ReadinessQuery>,
) -> Response {
    let said = Said {
        message: None,
        errors: FormErrors::none(),
        kept: None,
    };
    draw(&st, &caller, now, &q.as_of, said, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
struct AcceptForm {
    #[serde(default)]
    finding_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    expires_on: String,
}

async fn accept(
    State(st): State<AppState>,
    caller: Caller,
    Now(as_of): Now,
    Form(f): Form<AcceptForm>,
) -> Response {
    let result = async {
        let expires_on = match f.expires_on.trim() {
            "" => None,
            d => Some(d.parse().map_err(|_| {
                AppError::invalid("expires_on", "enter the last day as YYYY-MM-DD")
            })?),
        };
        let body = AcceptanceBody {
            finding_id: f.finding_id.clone(),
            reason: f.reason.clone(),
            expires_on,
        };
        accept_observation(&st, &caller, as_of, &body).await
    }
    .await;
    match result {
        Ok(a) => {
            let said = Said {
                message: Some(format!("Accepted until {}.", a.expires_on)),
                errors: FormErrors::none(),
                kept: None,
            };
            draw(&st, &caller, Now(as_of), "", said, StatusCode::OK).await
        }
        Err(e) => match FormErrors::from_error(e, ACCEPT_LABELS) {
            Ok(errors) => {
                let said = Said {
                    message: None,
                    errors,
                    kept: Some((f.finding_id, f.reason, f.expires_on)),
                };
                draw(
                    &st,
                    &caller,
                    Now(as_of),
                    "",
                    said,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&caller, &e),
        },
    }
}
