//! Statement of Applicability pages: the live SoA with its gaps and its drift from the
//! published version, and each published version with its files.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_core::soa::{self, Drift, Gap, Row, Version};

use super::{Nav, error_page, render};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadRisks);
    r.add(
        route(
            Method::GET,
            "/soa",
            read,
            Kind::Page,
            "Statement of Applicability",
        ),
        live,
    )
    .add(
        route(
            Method::GET,
            "/soa/versions/{number}",
            read,
            Kind::Page,
            "A published Statement of Applicability",
        ),
        version,
    )
}

#[derive(Template)]
#[template(path = "soa.html")]
struct SoaPage {
    nav: Nav,
    /// The version shown, when this is a published one; `None` for the live SoA.
    shown: Option<Version>,
    /// The newest published version.
    published: Option<Version>,
    rows: Vec<Row>,
    undecided: usize,
    gaps: Vec<Gap>,
    drift: Vec<Drift>,
    versions: Vec<Version>,
}

impl SoaPage {
    fn status_words(&self, r: &Row) -> String {
        match (r.applicable, r.status) {
            (Some(true), Some(s)) => holdfast_core::words::label(s.as_str()),
            (Some(false), _) => "Excluded".to_owned(),
            _ => "Undecided".to_owned(),
        }
    }

    fn gap_words(&self, g: &Gap) -> &'static str {
        match g.kind {
            soa::GapKind::Excluded => "excluded",
            soa::GapKind::NotImplemented => "not implemented",
        }
    }
}

async fn page(st: &AppState, caller: &Caller, number: Option<&str>) -> Result<SoaPage, AppError> {
    let versions = st.store.soa_versions().await?;
    let published = versions.first().cloned();
    let shown = match number {
        Some(n) => {
            let n: i64 = n.parse().map_err(|_| AppError::NotFound("SoA version"))?;
            Some(st.store.soa_version(n).await?)
        }
        None => None,
    };
    let rows = match &shown {
        Some(v) => v.rows.clone(),
        None => st.store.soa_rows().await?,
    };
    let drift = match (&shown, &published) {
        (None, Some(p)) => soa::drift(&p.rows, &rows),
        _ => Vec::new(),
    };
    Ok(SoaPage {
        nav: Nav::of(caller, "soa"),
        undecided: soa::undecided(&rows).len(),
        gaps: soa::gaps(&rows),
        drift,
        rows,
        shown,
        published,
        versions,
    })
}

async fn live(State(st): State<AppState>, caller: Caller) -> Response {
    match page(&st, &caller, None).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(&caller, &e),
    }
}

async fn version(
    State(st): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Response {
    match page(&st, &caller, Some(&number)).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(&caller, &e),
    }
}
