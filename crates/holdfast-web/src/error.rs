//! One error type for every handler, answered as RFC 9457 problem details
//! (`application/problem+json`). Status and stable `code` come from one table; 5xx bodies
//! never carry the cause, which is logged instead.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::{FieldError, ValidationErrors};
use holdfast_store::StoreError;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request cannot be parsed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid session or token.
    #[error("log in first: no valid session or API token was sent, or it has expired")]
    Unauthenticated,
    /// 401: a login with the wrong email or password.
    #[error("wrong email or password")]
    BadCredentials,
    /// 403: logged in, but the policy does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// 403: a cookie-authenticated write without the session's CSRF token.
    #[error("missing or wrong CSRF token: reload the page and try again")]
    Csrf,
    /// 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405: the address exists, but not for this method.
    #[error(
        "this address does not accept that method; see the API description at /api/openapi.json"
    )]
    MethodNotAllowed,
    /// 409: conflicts with stored data.
    #[error("{message}")]
    Conflict {
        /// The field in conflict.
        field: &'static str,
        /// What conflicts.
        message: String,
    },
    /// 412: the record changed since it was read.
    #[error("{0} was changed by someone else; reload it and apply your change again")]
    Stale(&'static str),
    /// 413.
    #[error("the request body is larger than the {0} bytes allowed")]
    TooLarge(usize),
    /// 415, saying what to send instead.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: one entry per bad field.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// 428: an update without `If-Match`.
    #[error("send the record's ETag in If-Match so a concurrent change is not overwritten")]
    PreconditionRequired,
    /// 429: login throttled.
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyRequests(i64),
    /// 500.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::Csrf => (StatusCode::FORBIDDEN, "csrf_token_invalid"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Self::Stale(_) => (StatusCode::PRECONDITION_FAILED, "stale"),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Self::PreconditionRequired => (StatusCode::PRECONDITION_REQUIRED, "if_match_required"),
            Self::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The HTTP status this error answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    /// A validation error on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(ValidationErrors::one(field, message))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(v) => Self::Invalid(v),
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict { field, message } => Self::Conflict { field, message },
            StoreError::Stale(what) => Self::Stale(what),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(v: ValidationErrors) -> Self {
        Self::Invalid(v)
    }
}

#[derive(serde::Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let conflict_field;
        let errors = match &self {
            Self::Invalid(v) => Some(v.errors.as_slice()),
            Self::Conflict { field, message } => {
                conflict_field = [FieldError {
                    field: (*field).to_owned(),
                    message: message.clone(),
                }];
                Some(conflict_field.as_slice())
            }
            _ => None,
        };
        let detail = match &self {
            Self::Invalid(v) if v.errors.len() == 1 => v.errors[0].message.clone(),
            Self::Invalid(_) => "some fields are not valid; see errors".to_owned(),
            other => other.to_string(),
        };
        let body = Problem {
            kind: format!("urn:holdfast:problem:{code}"),
            title: status.canonical_reason().unwrap_or("error"),
            status: status.as_u16(),
            detail,
            code,
            errors,
        };
        let mut resp = (status, Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Self::TooManyRequests(secs) = self
            && let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
