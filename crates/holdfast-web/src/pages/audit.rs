//! The audit trail browser, with the chain's verification status.

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;

use super::records::{Actors, href, kind_words, label_of};
use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::audit::{ChainDto, EventDto};
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::audit::{AuditFilters, AuditParams};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/audit",
            Access::Login(Action::ReadAuditTrail),
            Kind::Page,
            "Audit trail browser",
        ),
        browse,
    )
}

/// An event as the page shows it: who by name, the record by its name and kind, linked.
struct Row {
    event: EventDto,
    actor: String,
    actor_href: Option<String>,
    kind: &'static str,
    record: String,
    record_href: Option<String>,
    action: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    chain: ChainDto,
    /// When every event was last rehashed, in words.
    in_full_at: Option<String>,
    f: AuditFilters,
    rows: Vec<Row>,
    list: ListView,
    kinds: Vec<(&'static str, &'static str)>,
}

/// The record kinds the filter offers.
const KINDS: &[&str] = &[
    "person",
    "process",
    "activity",
    "task",
    "interaction_rule",
    "user_account",
    "api_token",
    "calendar_feed",
    "readiness_acceptance",
    "organisation",
    "location",
];

/// How often the trail's page rehashes the whole chain; in between it verifies the new events.
const FULL_VERIFICATION_EVERY_MINUTES: i64 = 60;

async fn browse(
    State(st): State<AppState>,
    caller: Caller,
    crate::api::Now(now): crate::api::Now,
    p: AuditParams,
) -> Response {
    let result = async {
        let status = st
            .store
            .chain_status(
                now.now,
                chrono::Duration::minutes(FULL_VERIFICATION_EVERY_MINUTES),
            )
            .await?;
        let in_full_at = status
            .in_full_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        let chain = ChainDto::of(status.report).with_checkpoints(&st).await?;
        let page = crate::service::audit::list(&st, caller.role(), &p).await?;
        let actors = Actors::load(&st, page.items.iter().map(|e| e.actor.as_str())).await?;
        let list = p.view("/audit", &page);
        let rows = page
            .items
            .into_iter()
            .map(|event| {
                let (actor, actor_href) = actors.name(&event.actor);
                Row {
                    actor,
                    actor_href,
                    kind: kind_words(&event.entity_type),
                    record: label_of(&event.entity_type, &event.after, &event.before),
                    record_href: href(&event.entity_type, &event.entity_id)
                        .filter(|_| event.action != "delete"),
                    action: holdfast_core::words::label(&event.action),
                    event,
                }
            })
            .collect();
        Ok::<_, AppError>((chain, in_full_at, rows, list))
    }
    .await;
    match result {
        Ok((chain, in_full_at, rows, list)) => render(
            StatusCode::OK,
            &AuditPage {
                nav: Nav::of(&caller, "audit"),
                chain,
                in_full_at,
                f: p.filters.clone(),
                rows,
                list,
                kinds: KINDS.iter().map(|k| (*k, kind_words(k))).collect(),
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}
