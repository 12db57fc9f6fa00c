//! Failed dispatches, for administrators: events no rule could turn into tasks, why, and a
//! button to put each back in line once what made it fail is mended.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;

use super::{Nav, error_page, render, see_other};
use crate::AppState;
use crate::api::events::{FailedEventDto, latest_failed};
use crate::auth::Caller;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let admin = Access::Login(Action::ManageDispatch);
    r.add(
        route(
            Method::GET,
            "/admin/events",
            admin,
            Kind::Page,
            "Failed event dispatches",
        ),
        page,
    )
    .add(
        route(
            Method::POST,
            "/admin/events/{id}/retry",
            admin,
            Kind::Page,
            "Retry a failed event",
        ),
        retry,
    )
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    nav: Nav,
    events: Vec<FailedEventDto>,
}

async fn page(State(st): State<AppState>, caller: Caller) -> Response {
    match latest_failed(&st).await {
        Ok(events) => render(
            StatusCode::OK,
            &EventsPage {
                nav: Nav::of(&caller, "events"),
                events,
            },
        ),
        Err(e) => error_page(&caller, &e),
    }
}

async fn retry(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    match st.store.retry_event(&caller.actor(), &id).await {
        Ok(()) => see_other("/admin/events"),
        Err(e) => error_page(&caller, &e.into()),
    }
}
