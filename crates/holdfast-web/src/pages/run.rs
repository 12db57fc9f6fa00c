//! A run's page: what is due, for whom, the evidence it needs and has, and its whole history
//! (every close, reopen, skip and hand-over, with who, when and why), so a reopened run keeps
//! its earlier closes in view and an auditor follows a finding to one page. Also the list of
//! runs behind the dashboard's tiles.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::{self, Action, WorkRecord};
use holdfast_store::AuditQuery;

use super::records::Actors;
use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::activities::ActivityDto;
use crate::api::path_id;
use crate::auth::Caller;
use crate::error::AppError;
use crate::form::FormErrors;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::runs::RunsParams;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    r.add(route(Method::GET, "/runs", read, Kind::Page, "Runs"), list)
        .add(
            route(
                Method::GET,
                "/runs/{id}",
                read,
                Kind::Page,
                "A run: evidence, history and what can be done with it",
            ),
            show,
        )
}

/// A run in a list, with names.
pub(crate) struct RunRow {
    pub run: ActivityDto,
    pub process: String,
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "runs.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<RunRow>,
    list: ListView,
    heading: &'static str,
}

async fn list(
    State(st): State<AppState>,
    caller: Caller,
    crate::api::Now(now): crate::api::Now,
    p: RunsParams,
) -> Response {
    let result = async {
        let page = crate::service::runs::list(&st, now, &p).await?;
        let processes = super::processes::names(&st).await?;
        let people = crate::service::people::names(
            &st,
            page.items
                .iter()
                .filter_map(|a| a.assignee_id.as_deref()?.parse().ok()),
        )
        .await?;
        let list = p.view("/runs", &page);
        let rows = page
            .items
            .into_iter()
            .map(|run| RunRow {
                process: processes.get(&run.process_id).cloned().unwrap_or_default(),
                assignee: run
                    .assignee_id
                    .as_deref()
                    .and_then(|i| i.parse().ok())
                    .and_then(|i| people.get(&i))
                    .map_or_else(|| "The process owner".to_owned(), |p| p.name.clone()),
                run,
            })
            .collect();
        Ok::<_, AppError>((rows, list))
    }
    .await;
    let heading = if p.filters.overdue == Some(true) {
        "Overdue runs"
    } else if p.filters.due_this_week == Some(true) {
        "Runs due this week"
    } else if p.filters.open == Some(true) {
        "Open runs"
    } else {
        "Runs"
    };
    match result {
        Ok((rows, list)) => render(
            StatusCode::OK,
            &ListPage {
                nav: Nav::of(&caller, "runs"),
                rows,
                list,
                heading,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

/// One line of a run's history.
struct Step {
    at: String,
    who: String,
    who_href: Option<String>,
    what: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "run.html")]
pub(crate) struct RunPage {
    nav: Nav,
    run: ActivityDto,
    process: String,
    owner: String,
    assignee: String,
    closed_by: Option<String>,
    evidence: Vec<(String, String)>,
    missing: Vec<String>,
    history: Vec<Step>,
    can_work: bool,
    can_manage: bool,
    errors: FormErrors,
    kept: (String, String),
}

/// Draws a run's page; `errors` and `kept` (form, text) come from a refused form on it.
pub(crate) async fn run_page(
    st: &AppState,
    caller: &Caller,
    id: &str,
    errors: FormErrors,
    kept: (String, String),
) -> Result<Response, AppError> {
    let as_of = st.store.as_of().await?;
    let activity = st.store.activity(path_id(id, "run")?).await?;
    let process = st.store.process(activity.process_id).await?;
    let people = crate::service::people::names(
        st,
        [activity.assignee_id, process.owner_id]
            .into_iter()
            .flatten(),
    )
    .await?;
    let name_of = |id: Option<holdfast_core::ids::PersonId>| {
        id.and_then(|i| people.get(&i))
            .map(|p| (p.name.clone(), p.email.to_string()))
    };
    let attached = st
        .store
        .attachments("activity", &[activity.id.to_string()])
        .await?;
    let events = st
        .store
        .list_audit_events(&AuditQuery {
            entity_type: Some("activity".into()),
            entity_id: Some(activity.id.to_string()),
            limit: 200,
            ..AuditQuery::default()
        })
        .await?
        .0;
    let actors = Actors::load(st, events.iter().map(|e| e.event.actor.as_str())).await?;
    let mut closed_by = None;
    let history = events
        .iter()
        .rev()
        .map(|e| {
            let after: serde_json::Value = serde_json::from_str(&e.event.after).unwrap_or_default();
            let (who, who_href) = actors.name(&e.event.actor);
            if e.event.action == "closed" {
                closed_by = Some(who.clone());
            }
            Step {
                at: e
                    .event
                    .at
                    .get(..16)
                    .unwrap_or(&e.event.at)
                    .replace('T', " "),
                who,
                who_href,
                what: holdfast_core::words::label(&e.event.action),
                comment: after
                    .get("comment")
                    .or_else(|| after.get("reason"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }
        })
        .collect();
    // An open run needs what its process asks for now; a closed one what it was held to.
    let required = if activity.is_open() {
        process.evidence.clone()
    } else {
        activity.required_evidence.clone()
    };
    let missing = required
        .iter()
        .filter(|r| !attached.iter().any(|a| &a.requirement == *r))
        .cloned()
        .collect();
    let assignee =
        name_of(activity.assignee_id).map_or_else(|| "The process owner".into(), |p| p.0);
    let may_work = policy::may_work_on(
        caller.role(),
        caller.account.person_id,
        &WorkRecord::Run {
            assignee: activity.assignee_id,
            owner: process.owner_id,
            deputy: process.deputy_id,
        },
    );
    let status = errors.status();
    Ok(render(
        status,
        &RunPage {
            nav: Nav::of(caller, "runs"),
            run: ActivityDto::of(&activity, as_of.today),
            process: process.name.clone(),
            owner: name_of(process.owner_id).map_or_else(|| "nobody".into(), |p| p.0),
            assignee,
            closed_by,
            evidence: attached
                .into_iter()
                .map(|a| (a.requirement, a.evidence.id))
                .collect(),
            missing,
            history,
            can_work: caller.may(Action::WorkOnProcesses) && may_work,
            can_manage: caller.may(Action::ManageProcesses),
            errors,
            kept,
        },
    ))
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    run_page(&st, &caller, &id, FormErrors::none(), Default::default())
        .await
        .unwrap_or_else(|e| error_page(&caller, &e))
}

impl RunPage {
    /// What was typed into `form` before it was refused, so it is not lost.
    fn kept_for(&self, form: &str) -> &str {
        if self.kept.0 == form {
            &self.kept.1
        } else {
            ""
        }
    }
}
