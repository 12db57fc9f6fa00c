//! An evidence page: what a file or link shows, who added it and when, its SHA-256 and the
//! download, so an auditor following a finding reads the proof rather than raw JSON.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_store::Evidence;

use super::records::Actors;
use super::{Nav, error_page, render};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/evidence/{id}",
            Access::Login(Action::ReadProcesses),
            Kind::Page,
            "Evidence: what it shows, who added it, its hash and download",
        ),
        show,
    )
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    nav: Nav,
    evidence: Evidence,
    added_by: String,
    added_by_href: Option<String>,
    /// The link, only when it is a web address (never `javascript:`).
    safe_url: Option<String>,
    size: String,
}

/// A size in words people read (12.4 kB).
fn size_words(bytes: Option<i64>) -> String {
    match bytes {
        None => String::new(),
        Some(b) if b < 1_000 => format!("{b} bytes"),
        Some(b) if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1_000.0),
        Some(b) => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    let result = async {
        let (evidence, _) = st.store.evidence(&id).await?;
        let actors = Actors::load(&st, [evidence.created_by.as_str()]).await?;
        let (added_by, added_by_href) = actors.name(&evidence.created_by);
        let safe_url = evidence
            .url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        Ok::<_, AppError>(EvidencePage {
            nav: Nav::of(&caller, ""),
            added_by,
            added_by_href,
            safe_url,
            size: size_words(evidence.size),
            evidence,
        })
    }
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => error_page(&caller, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::size_words;

    #[test]
    fn sizes_read_in_units() {
        assert_eq!(size_words(Some(999)), "999 bytes");
        assert_eq!(size_words(Some(12_400)), "12.4 kB");
        assert_eq!(size_words(Some(3_200_000)), "3.2 MB");
    }
}
