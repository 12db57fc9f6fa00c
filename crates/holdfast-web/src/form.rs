//! The form kit: one way to post a form (parse → call → redirect with a flash message, or
//! re-render with what was typed and the errors), and the errors a form shows: one beside each
//! field and a summary at the top that links to the fields, all in the words of the form's
//! labels, never the internal keys the rules report against.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use holdfast_core::FieldError;

use crate::error::AppError;

/// One field of a form: the key a rule reports errors against, the form field that shows it
/// (an owner's id is typed as an email) and the label people read.
#[derive(Debug, Clone, Copy)]
pub struct FieldLabel {
    /// The key in validation errors (`owner_id`).
    pub key: &'static str,
    /// The form field's name and element id (`owner_email`).
    pub field: &'static str,
    /// The label (`Owner`).
    pub label: &'static str,
}

/// Shorthand for a [`FieldLabel`].
#[must_use]
pub const fn label(key: &'static str, field: &'static str, label: &'static str) -> FieldLabel {
    FieldLabel { key, field, label }
}

/// What a rejected form shows.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    items: Vec<Shown>,
}

#[derive(Debug, Clone)]
struct Shown {
    field: String,
    label: String,
    message: String,
}

/// A line of the error summary: the field to jump to and the message in words.
#[derive(Debug, Clone)]
pub struct SummaryLine {
    /// The element id of the field.
    pub field: String,
    /// "Owner: no active person with that email".
    pub text: String,
}

impl FormErrors {
    /// No errors: a form drawn fresh.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// The errors of `errors`, put on the form's fields by `labels`. A key the form has no
    /// field for (a rule about the record as a whole) is shown in the summary under "This form".
    #[must_use]
    pub fn of(errors: Vec<FieldError>, labels: &[FieldLabel]) -> Self {
        let items = errors
            .into_iter()
            .map(|e| {
                let found = labels
                    .iter()
                    .find(|l| l.key == e.field || l.field == e.field);
                Shown {
                    field: found.map_or_else(|| "form".to_owned(), |l| l.field.to_owned()),
                    label: found.map_or_else(|| "This form".to_owned(), |l| l.label.to_owned()),
                    message: strip_key(&e.message, &e.field),
                }
            })
            .collect();
        Self { items }
    }

    /// The errors a form shows for `e` (validation, conflicts, stale edits); anything else is
    /// not the form's fault and comes back as the error for an error page.
    ///
    /// # Errors
    /// `e` itself when it is not about what was typed.
    pub fn from_error(e: AppError, labels: &[FieldLabel]) -> Result<Self, AppError> {
        let errors = match e {
            AppError::Invalid(v) => v.errors,
            AppError::Conflict { field, message } => vec![FieldError {
                field: field.to_owned(),
                message,
            }],
            AppError::Stale(_) => vec![FieldError {
                field: "version".into(),
                message: "someone else changed this record while you were editing it; reload the page and apply your change again".into(),
            }],
            other => return Err(other),
        };
        Ok(Self::of(errors, labels))
    }

    /// True when nothing is wrong.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The answer's status: 200 for a form drawn fresh, 422 for one drawn again with errors.
    #[must_use]
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The message beside `field`, if any.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|s| s.field == field)
            .map(|s| s.message.as_str())
    }

    /// The summary at the top of the form, one line per error.
    #[must_use]
    pub fn summary(&self) -> Vec<SummaryLine> {
        self.items
            .iter()
            .map(|s| SummaryLine {
                field: s.field.clone(),
                text: format!("{}: {}", s.label, s.message),
            })
            .collect()
    }
}

/// Rules phrase some messages with their key first (`owner_id must be…`); a person reads the
/// label instead, which the summary puts in front.
fn strip_key(message: &str, key: &str) -> String {
    let rest = message
        .strip_prefix(key)
        .map(|r| r.trim_start_matches(':').trim_start());
    match rest {
        Some(r) if !r.is_empty() => r.to_owned(),
        _ => message.to_owned(),
    }
}

/// The name of the cookie that carries a one-time message to the page after a redirect.
pub const FLASH_COOKIE: &str = "holdfast_flash";

/// A `303 See Other` to `to` with `message` shown once on the page it lands on.
#[must_use]
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let mut resp = crate::pages::see_other(to);
    let value = format!(
        "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60",
        hex::encode(message.chars().take(300).collect::<String>())
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The flash message a request carries, if any (the page clears it by setting it expired).
#[must_use]
pub fn flash_of(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == FLASH_COOKIE)
        .and_then(|(_, v)| hex::decode(v).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: &[FieldLabel] = &[label("owner_id", "owner_email", "Owner")];

    #[test]
    fn errors_are_put_on_the_typed_field_in_words() {
        let e = FormErrors::of(
            vec![FieldError {
                field: "owner_id".into(),
                message: "owner_id: no active person with that email".into(),
            }],
            LABELS,
        );
        assert_eq!(
            e.get("owner_email"),
            Some("no active person with that email")
        );
        let s = e.summary();
        assert_eq!(s[0].field, "owner_email");
        assert_eq!(s[0].text, "Owner: no active person with that email");
    }

    #[test]
    fn an_error_without_a_field_goes_to_the_form() {
        let e = FormErrors::of(
            vec![FieldError {
                field: "status".into(),
                message: "a retired process cannot change".into(),
            }],
            LABELS,
        );
        assert_eq!(
            e.summary()[0].text,
            "This form: a retired process cannot change"
        );
    }

    #[test]
    fn a_flash_round_trips_through_its_cookie() {
        let resp = redirect_with_flash("/people", "Saved; 2 tasks created");
        let cookie = resp
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&cookie).expect("value"),
        );
        assert_eq!(flash_of(&h).as_deref(), Some("Saved; 2 tasks created"));
    }
}
