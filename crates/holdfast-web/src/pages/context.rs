//! Context pages: the issues and interested parties with their requirements (4.1, 4.2),
//! what changed in them since a date, and the scope with its versions (4.3).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use holdfast_core::context::{Issue, Party, Requirement, ScopeVersion};
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::ApiQuery;
use crate::api::context::EntryDto;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadContext);
    r.add(
        route(
            Method::GET,
            "/context/register",
            read,
            Kind::Page,
            "Issues and interested parties",
        ),
        register,
    )
    .add(
        route(
            Method::GET,
            "/scope",
            read,
            Kind::Page,
            "The scope of the ISMS",
        ),
        scope,
    )
}

/// `?q=` searches the registers; `?since=` lists what changed from that day.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterQuery {
    #[serde(default)]
    q: Option<String>,
    /// A date; the form sends it empty when not filled in.
    #[serde(default)]
    since: Option<String>,
}

/// One change, in words.
struct Change {
    at: String,
    who: String,
    what: String,
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "context.html")]
struct RegisterPage {
    nav: Nav,
    q: String,
    since: String,
    issues: Vec<Issue>,
    parties: Vec<Party>,
    requirements: Vec<Requirement>,
    names: HashMap<String, String>,
    processes: HashMap<String, String>,
    changes: Option<Vec<Change>>,
    today: NaiveDate,
}

impl RegisterPage {
    fn owner(&self, id: Option<&holdfast_core::ids::PersonId>) -> String {
        id.and_then(|p| self.names.get(&p.to_string()).cloned())
            .unwrap_or_else(|| "—".to_owned())
    }

    fn of(&self, p: &Party) -> Vec<&Requirement> {
        self.requirements
            .iter()
            .filter(|r| r.party_id == p.id)
            .collect()
    }

    fn process_names(&self, r: &Requirement) -> String {
        r.process_ids
            .iter()
            .filter_map(|p| self.processes.get(&p.to_string()).cloned())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn overdue(&self, d: &NaiveDate) -> bool {
        *d < self.today
    }
}

fn matches(q: &str, texts: &[&str]) -> bool {
    q.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(q))
}

async fn register_page(
    st: &AppState,
    caller: &Caller,
    now: holdfast_core::clock::AsOf,
    q: RegisterQuery,
) -> Result<RegisterPage, AppError> {
    let since: Option<NaiveDate> = match q.since.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(
            d.parse()
                .map_err(|_| AppError::invalid("since", "since is a date written as YYYY-MM-DD"))?,
        ),
    };
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let requirements = st.store.requirements().await?;
    let parties: Vec<Party> = st
        .store
        .parties()
        .await?
        .into_iter()
        .filter(|p| {
            matches(&needle, &[&p.name, &p.expectations])
                || requirements
                    .iter()
                    .any(|r| r.party_id == p.id && matches(&needle, &[&r.citation, &r.text]))
        })
        .collect();
    let issues: Vec<Issue> = st
        .store
        .issues()
        .await?
        .into_iter()
        .filter(|i| matches(&needle, &[&i.reference, &i.title, &i.effect]))
        .collect();
    let owners: Vec<String> = issues
        .iter()
        .filter_map(|i| i.owner_id)
        .chain(parties.iter().filter_map(|p| p.owner_id))
        .map(|p| p.to_string())
        .collect();
    let names = st
        .store
        .people_by_ids(&owners)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let processes = st
        .store
        .list_processes()
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let changes = match since {
        None => None,
        Some(day) => {
            let events = st
                .store
                .context_changes(holdfast_core::clock::AsOf::start_of(day, now.tz))
                .await?;
            let who =
                super::records::Actors::load(st, events.iter().map(|e| e.event.actor.as_str()))
                    .await?;
            Some(
                events
                    .iter()
                    .rev()
                    .map(|e| {
                        let after: serde_json::Value =
                            serde_json::from_str(&e.event.after).unwrap_or_default();
                        let label = ["reference", "name", "citation"]
                            .iter()
                            .filter_map(|k| after.get(*k).and_then(|v| v.as_str()))
                            .collect::<Vec<_>>()
                            .join(" ");
                        let title = after.get("title").and_then(|v| v.as_str()).unwrap_or("");
                        Change {
                            at: e
                                .event
                                .at
                                .chars()
                                .take(16)
                                .collect::<String>()
                                .replace('T', " "),
                            who: who.name(&e.event.actor).0,
                            what: format!(
                                "{} {}",
                                super::records::kind_words(&e.event.entity_type),
                                if e.event.action == "create" {
                                    "recorded"
                                } else {
                                    "changed"
                                }
                            ),
                            href: super::records::href(&e.event.entity_type, &e.event.entity_id)
                                .unwrap_or_default(),
                            label: format!("{label} {title}").trim().to_owned(),
                        }
                    })
                    .collect(),
            )
        }
    };
    Ok(RegisterPage {
        nav: Nav::of(caller, "context-register"),
        q: q.q.unwrap_or_default(),
        since: since.map(|d| d.to_string()).unwrap_or_default(),
        issues,
        parties,
        requirements,
        names,
        processes,
        changes,
        today: now.today,
    })
}

async fn register(
    State(st): State<AppState>,
    caller: Caller,
    crate::api::Now(now): crate::api::Now,
    ApiQuery(q): ApiQuery<RegisterQuery>,
) -> Response {
    match register_page(&st, &caller, now, q).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(&caller, &e),
    }
}

/// A version with the names of who proposed and approved it.
struct VersionView {
    v: ScopeVersion,
    entries: Vec<EntryDto>,
    proposed_by: String,
    approved_by: String,
}

#[derive(Template)]
#[template(path = "scope.html")]
struct ScopePage {
    nav: Nav,
    in_force: Option<VersionView>,
    pending: Option<VersionView>,
    versions: Vec<VersionView>,
}

impl ScopePage {
    fn place_words(&self, e: &EntryDto) -> String {
        match e.place.as_deref() {
            Some("home_working") => "Home working".to_owned(),
            Some(p) => holdfast_core::words::label(p),
            None => String::new(),
        }
    }
}

async fn scope_page(st: &AppState, caller: &Caller) -> Result<ScopePage, AppError> {
    let all = st.store.scope_versions().await?;
    let ids: Vec<String> = all
        .iter()
        .flat_map(|v| {
            v.proposed_by
                .iter()
                .chain(v.approval.as_ref().map(|a| &a.approved_by))
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let names: HashMap<String, String> = st
        .store
        .people_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let name = |id: Option<String>| {
        id.and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| "—".to_owned())
    };
    let mut versions: Vec<VersionView> = all
        .into_iter()
        .map(|v| VersionView {
            entries: v.scope.entries.iter().map(EntryDto::from).collect(),
            proposed_by: name(v.proposed_by.map(|p| p.to_string())),
            approved_by: name(v.approval.as_ref().map(|a| a.approved_by.to_string())),
            v,
        })
        .collect();
    versions.reverse();
    let in_force = versions
        .iter()
        .position(|v| v.v.approval.is_some())
        .map(|i| versions.remove(i));
    let pending = match (versions.first(), &in_force) {
        (Some(p), Some(f)) if p.v.number > f.v.number => Some(versions.remove(0)),
        (Some(_), None) => Some(versions.remove(0)),
        _ => None,
    };
    Ok(ScopePage {
        nav: Nav::of(caller, "scope"),
        in_force,
        pending,
        versions,
    })
}

async fn scope(State(st): State<AppState>, caller: Caller) -> Response {
    match scope_page(&st, &caller).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(&caller, &e),
    }
}
