//! The audit trail browser, with the chain's verification status.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, error_page, render, url_encode};
use crate::AppState;
use crate::api::audit::{ChainDto, EventDto, ListParams, audit_query, chain};
use crate::api::encode_cursor;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

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

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    chain: ChainDto,
    f: Filters,
    events: Vec<EventDto>,
    total: i64,
    next_cursor: Option<String>,
    filter_query: String,
    error: Option<String>,
}

async fn browse(State(st): State<AppState>, caller: Caller, Query(f): Query<Filters>) -> Response {
    let chain = match chain(&st).await {
        Ok(c) => c,
        Err(e) => return error_page(&caller, &e),
    };
    let params = ListParams {
        limit: Some(100),
        cursor: f.cursor.clone(),
        entity_type: Some(f.entity_type.clone()),
        entity_id: Some(f.entity_id.clone()),
        actor: Some(f.actor.clone()),
        from: Some(f.from.clone()),
        to: Some(f.to.clone()),
    };
    let result = async {
        let q = audit_query(&params)?;
        let (events, total) = st.store.list_audit_events(&q).await?;
        let next = (events.len() == q.limit as usize)
            .then(|| events.last())
            .flatten()
            .map(|e| encode_cursor(&serde_json::json!(e.event.seq)));
        Ok::<_, AppError>((events, total, next))
    }
    .await;
    let filter_query = format!(
        "entity_type={}&entity_id={}&actor={}&from={}&to={}",
        url_encode(&f.entity_type),
        url_encode(&f.entity_id),
        url_encode(&f.actor),
        url_encode(&f.from),
        url_encode(&f.to)
    );
    let (events, total, next_cursor, error, status) = match result {
        Ok((events, total, next)) => (
            events.iter().map(EventDto::from).collect(),
            total,
            next,
            None,
            StatusCode::OK,
        ),
        Err(e) => (Vec::new(), 0, None, Some(e.to_string()), e.status()),
    };
    render(
        status,
        &AuditPage {
            nav: Nav::of(&caller, "audit"),
            chain,
            f,
            events,
            total,
            next_cursor,
            filter_query,
            error,
        },
    )
}
