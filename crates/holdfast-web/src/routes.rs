//! The route table. Each route is added with the [`Access`] it needs, so the authorisation
//! layer, the OpenAPI document and the authorisation test are all driven by one list: a route
//! cannot exist without a policy decision.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, on};
use holdfast_core::policy::Action;
use schemars::{Schema, SchemaGenerator};

use crate::AppState;
use crate::auth::{authenticate, check_form_csrf, check_header_csrf};
use crate::error::AppError;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (login, health, the OpenAPI document).
    Public,
    /// A logged-in caller whose role the policy allows this action.
    Login(Action),
}

/// Whether a route answers machines (JSON, problem details) or people (HTML pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/api/v1/…`: JSON, 401/403 as problem details, CSRF by header for cookie callers.
    Api,
    /// HTML: a login redirect for strangers, a 403 page, CSRF by form field.
    Page,
}

/// A JSON Schema for a request or response body.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// Describes one route.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// HTTP method.
    pub method: Method,
    /// Path with `{param}` placeholders.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// API or page.
    pub kind: Kind,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// Request body schema, if it takes JSON.
    pub request: Option<SchemaFn>,
    /// Success response schema, if it answers JSON.
    pub response: Option<SchemaFn>,
    /// A body limit other than the default (evidence uploads).
    pub body_limit: Option<usize>,
    /// Whether the route acts on one run or task whose people the policy also asks about
    /// ([`holdfast_core::policy::may_work_on`]): a caller whose role may work can still be
    /// refused someone else's record.
    pub on_record: bool,
    /// Whether the route shows one run or task to whoever may read processes or work on
    /// that record ([`holdfast_core::policy::may_read_work`]): a member opens their own task.
    pub reads_record: bool,
}

/// The JSON Schema of `T`, as a [`SchemaFn`].
pub fn schema<T: schemars::JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// Builds the router and its table together.
pub struct Routes {
    state: AppState,
    router: Router<AppState>,
    infos: Vec<RouteInfo>,
}

impl Routes {
    fn new(state: AppState) -> Self {
        Self {
            state,
            router: Router::new(),
            infos: Vec::new(),
        }
    }

    /// Adds a route.
    #[must_use]
    pub fn add<H, T>(mut self, info: RouteInfo, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match info.method {
            Method::POST => MethodFilter::POST,
            Method::PATCH => MethodFilter::PATCH,
            Method::PUT => MethodFilter::PUT,
            Method::DELETE => MethodFilter::DELETE,
            _ => MethodFilter::GET,
        };
        let mut route = on(filter, handler);
        if let Some(limit) = info.body_limit {
            route = route.layer(axum::extract::DefaultBodyLimit::max(limit));
        }
        if let Access::Login(action) = info.access {
            let kind = info.kind;
            let limit = info.body_limit.unwrap_or(self.state.config.body_limit);
            route = route.route_layer(from_fn_with_state(
                self.state.clone(),
                move |state, req, next| authorize(state, action, kind, limit, req, next),
            ));
        }
        self.router = self.router.route(info.path, route);
        self.infos.push(info);
        self
    }

    /// Every route added so far.
    #[must_use]
    pub fn infos(&self) -> &[RouteInfo] {
        &self.infos
    }

    /// The finished router.
    pub fn into_router(self) -> Router {
        let state = self.state.clone();
        self.router
            .fallback(|| async { AppError::NotFound("page") })
            .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
            .layer(from_fn_with_state(state, crate::pages::errors::as_pages))
            .with_state(self.state)
    }
}

/// Every route of the application.
pub fn build(state: AppState) -> Routes {
    let routes = Routes::new(state);
    let routes = crate::api::routes(routes);
    let routes = crate::pages::routes(routes);
    crate::openapi::register(routes)
}

/// Shorthand for a route description.
#[must_use]
pub const fn route(
    method: Method,
    path: &'static str,
    access: Access,
    kind: Kind,
    summary: &'static str,
) -> RouteInfo {
    RouteInfo {
        method,
        path,
        access,
        kind,
        summary,
        request: None,
        response: None,
        body_limit: None,
        on_record: false,
        reads_record: false,
    }
}

impl RouteInfo {
    /// With a JSON request body of type `T`.
    #[must_use]
    pub fn takes<T: schemars::JsonSchema>(mut self) -> Self {
        self.request = Some(schema::<T>);
        self
    }

    /// Accepting bodies up to `limit` bytes.
    #[must_use]
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = Some(limit);
        self
    }

    /// Acting on one run or task, decided per record as well as per role.
    #[must_use]
    pub fn on_record(mut self) -> Self {
        self.on_record = true;
        self
    }

    /// Showing one run or task, decided per record as well as per role.
    #[must_use]
    pub fn reads_record(mut self) -> Self {
        self.reads_record = true;
        self
    }

    /// With a JSON response of type `T`.
    #[must_use]
    pub fn gives<T: schemars::JsonSchema>(mut self) -> Self {
        self.response = Some(schema::<T>);
        self
    }
}

/// The authorisation layer: authenticate, ask the policy, check CSRF, then call the handler
/// with the [`crate::auth::Caller`] in the request.
async fn authorize(
    State(state): State<AppState>,
    action: Action,
    kind: Kind,
    limit: usize,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match authenticate(&state, &parts).await {
        Ok(Some(c)) => c,
        Ok(None) => return unauthenticated(kind, &parts),
        Err(e) => return e.into_response(),
    };
    if !caller.may(action) {
        return match kind {
            Kind::Api => AppError::Forbidden.into_response(),
            Kind::Page => crate::pages::forbidden(&caller),
        };
    }
    let body = match kind {
        Kind::Api => {
            if let Err(e) = check_header_csrf(&caller, &parts) {
                return e.into_response();
            }
            body
        }
        Kind::Page if parts.method == Method::GET => body,
        Kind::Page => {
            // Form posts carry the token in the `_csrf` field, never in the address (which
            // ends up in logs, history and Referer headers): read the size-limited body
            // once, check it, and hand the same bytes on. An upload form sends `_csrf` as its
            // first part.
            let is_multipart = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| multer::parse_boundary(v).ok());
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => return AppError::TooLarge(limit).into_response(),
            };
            let sent = match is_multipart {
                Some(boundary) => first_part_field(bytes.clone(), boundary, "_csrf").await,
                None => form_field(&bytes, "_csrf"),
            };
            if let Err(e) = check_form_csrf(&caller, &sent.unwrap_or_default()) {
                return e.into_response();
            }
            Body::from(bytes)
        }
    };
    let flash = (kind == Kind::Page && parts.method == Method::GET)
        .then(|| crate::form::flash_of(&parts.headers))
        .flatten();
    let shown = flash.is_some();
    let mut caller = caller;
    caller.flash = flash;
    parts.extensions.insert(caller);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    if shown {
        // Shown once: the page that showed the message clears it.
        resp.headers_mut().append(
            header::SET_COOKIE,
            header::HeaderValue::from_static(
                "holdfast_flash=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
            ),
        );
    }
    resp
}

fn unauthenticated(kind: Kind, parts: &axum::http::request::Parts) -> Response {
    match kind {
        Kind::Api => AppError::Unauthenticated.into_response(),
        Kind::Page => {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let mut resp = Redirect::to(&format!("/login?next={}", crate::pages::url_encode(next)))
                .into_response();
            *resp.status_mut() = StatusCode::SEE_OTHER;
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp
        }
    }
}

/// The text of a multipart body's first part when that part is the field `name`.
async fn first_part_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    let field = parts.next_field().await.ok()??;
    if field.name() != Some(name) {
        return None;
    }
    field.text().await.ok()
}

/// One field of an `application/x-www-form-urlencoded` body, decoded.
#[must_use]
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| crate::pages::url_decode(v))
}
