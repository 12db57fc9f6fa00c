//! The JSON API under `/api/v1`: conventions shared by every resource (body and query
//! parsing into problem details, ETags), and the resources themselves. Lists page through
//! [`crate::list`].

pub(crate) mod activities;
pub(crate) mod assets;
pub(crate) mod assignment;
pub(crate) mod audit;
pub(crate) mod calendar;
pub(crate) mod context;
pub(crate) mod dashboard;
pub(crate) mod events;
pub(crate) mod notifications;
pub(crate) mod people;
pub(crate) mod processes;
pub(crate) mod readiness;
pub(crate) mod risks;
pub(crate) mod rules;
pub(crate) mod scope;
pub(crate) mod session;
pub(crate) mod soa;
pub(crate) mod task_evidence;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod work;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::routes::Routes;

/// For `Option<Option<T>>` fields: absent stays `None` (with `#[serde(default)]`), and a
/// present `null` becomes `Some(None)`, so a partial edit can clear a field.
///
/// # Errors
/// When the value is not a `T` or `null`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// The clock for this request: now, in the organisation's time zone.
pub struct Now(pub holdfast_core::clock::AsOf);

impl FromRequestParts<crate::AppState> for Now {
    type Rejection = AppError;

    async fn from_request_parts(
        _parts: &mut Parts,
        st: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(st.store.as_of().await?))
    }
}

/// Registers every API route.
pub fn routes(r: Routes) -> Routes {
    let r = session::routes(r);
    let r = dashboard::routes(r);
    let r = people::routes(r);
    let r = users::routes(r);
    let r = tokens::routes(r);
    let r = processes::routes(r);
    let r = readiness::routes(r);
    let r = rules::routes(r);
    let r = risks::routes(r);
    let r = soa::routes(r);
    let r = context::routes(r);
    let r = assets::routes(r);
    let r = events::routes(r);
    let r = activities::routes(r);
    let r = assignment::routes(r);
    let r = work::routes(r);
    let r = task_evidence::routes(r);
    let r = calendar::routes(r);
    let r = notifications::routes(r);
    audit::routes(r)
}

/// A JSON body whose parse failures answer as problem details: 415 without a JSON content
/// type, 400 for broken JSON, 422 for wrong types or unknown fields, 413 when too large.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType(
                "send JSON with Content-Type: application/json".into(),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::BadRequest(format!(
                "the body is not valid JSON: {}",
                strip_axum_prefix(&e.body_text())
            ))),
            Err(JsonRejection::JsonDataError(e)) => {
                let text = strip_axum_prefix(&e.body_text()).to_owned();
                // axum reports `path: message`; the path is the field a person must fix.
                let (field, message) = match text.split_once(": ") {
                    Some((path, msg)) if !path.contains(' ') && path != "." => {
                        (path.to_owned(), msg.to_owned())
                    }
                    _ => match missing_field(&text) {
                        Some(f) => (
                            f.to_owned(),
                            format!(
                                "{f} is required here; send every field of a full replacement, or PATCH to change a few"
                            ),
                        ),
                        None => ("body".to_owned(), text.clone()),
                    },
                };
                Err(AppError::invalid(&field, message))
            }
            Err(JsonRejection::BytesRejection(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::TooLarge(crate::WebConfig::default().body_limit))
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

/// The field serde reports as missing (``missing field `status` at line 1 column 9``).
fn missing_field(text: &str) -> Option<&str> {
    let rest = text.split("missing field `").nth(1)?;
    rest.split('`').next()
}

fn strip_axum_prefix(text: &str) -> &str {
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest;
        }
    }
    text
}

/// Query parameters whose parse failures answer 400 problem details naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e: QueryRejection| {
                AppError::BadRequest(format!(
                    "bad query parameters: {}",
                    e.body_text()
                        .trim_start_matches("Failed to deserialize query string: ")
                ))
            })
    }
}

/// The version an update was based on, from `If-Match: "N"`.
///
/// # Errors
/// 428 without the header, 400 when it is not an ETag this API gave out.
pub fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(AppError::PreconditionRequired)?;
    let raw = raw.to_str().unwrap_or("").trim();
    if raw.starts_with("W/") {
        // RFC 9110 compares If-Match strongly: a weak tag never matches.
        return Err(AppError::BadRequest(
            "If-Match needs the strong ETag from a previous response, such as \"3\", not a weak W/ one".into(),
        ));
    }
    raw.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            AppError::BadRequest(
                "If-Match must be an ETag from a previous response, such as \"3\"".into(),
            )
        })
}

/// A JSON response with an `ETag` for the record's version.
pub fn with_etag(version: i64, body: impl serde::Serialize) -> Response {
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

pub use crate::list::Page;

/// An optional id field: blank is none, anything else must parse.
pub(crate) fn optional_id<T: std::str::FromStr>(
    e: &mut holdfast_core::ValidationErrors,
    field: &str,
    raw: Option<String>,
    what: &str,
) -> Option<T> {
    let raw = raw.filter(|s| !s.trim().is_empty())?;
    raw.trim()
        .parse()
        .map_err(|_| e.push(field, format!("{field} must be {what} id")))
        .ok()
}

/// A stored key (a kind, a category) that must be one of its set; the set's own message
/// names the keys.
pub(crate) fn keyed<T: std::str::FromStr<Err = String>>(
    e: &mut holdfast_core::ValidationErrors,
    field: &str,
    raw: &str,
) -> Option<T> {
    raw.trim()
        .parse()
        .map_err(|m: String| e.push(field, m))
        .ok()
}

/// Parses a path id, answering 404 for text that cannot be an id (it names no record).
///
/// # Errors
/// [`AppError::NotFound`].
pub fn path_id<T: std::str::FromStr>(raw: &str, what: &'static str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(what))
}
