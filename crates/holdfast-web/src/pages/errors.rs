//! Errors as pages: a browser that asks for HTML gets a 403, 404 or 500 as a page in the
//! layout with a way back, while the API keeps answering problem details. One layer does
//! it for every route, so no handler has to remember.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{Nav, render};
use crate::AppState;
use crate::auth::authenticate;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: u16,
    title: &'static str,
    message: String,
    back: Option<String>,
}

/// Whether the request is a browser's for a page (not the API, and HTML accepted).
fn wants_html(req: &Request) -> bool {
    let path = req.uri().path();
    if path.starts_with("/api/") || path == "/healthz" || path.starts_with("/calendar/") {
        return false;
    }
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The page a browser came from, when it is one of Holdfast's own (never another site).
fn same_site_back(req: &Request) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
}

fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        403 => "Not allowed",
        404 => "Page not found",
        405 => "Not available this way",
        413 => "Too large",
        429 => "Too many attempts",
        500..=599 => "Something went wrong",
        _ => "Something is not right",
    }
}

/// The layer: turns a problem-details answer to a browser into an error page.
pub async fn as_pages(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !wants_html(&req) {
        return next.run(req).await;
    }
    let back = same_site_back(&req);
    // Keep what authentication needs, to draw the navigation of whoever is logged in.
    let mut copy = Request::builder().uri(req.uri().clone());
    for (k, v) in req.headers() {
        copy = copy.header(k, v);
    }
    let resp = next.run(req).await;
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    let status = resp.status();
    if !is_problem || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let message = match status.as_u16() {
        404 => "There is nothing at this address. It may have been mistyped, or the record it named no longer exists.".to_owned(),
        403 => format!("{detail}. Ask an administrator if you need it."),
        500..=599 => "Holdfast could not finish this request. Nothing you typed was lost; try again, and if it happens again tell your administrator the time it happened.".to_owned(),
        _ => detail,
    };
    let caller = match copy.body(Body::empty()) {
        Ok(r) => authenticate(&st, &r.into_parts().0).await.ok().flatten(),
        Err(_) => None,
    };
    let nav = caller
        .as_ref()
        .map_or_else(Nav::anonymous, |c| Nav::of(c, ""));
    render(
        status,
        &ErrorPage {
            nav,
            status: status.as_u16(),
            title: title_of(status),
            message,
            back,
        },
    )
}
