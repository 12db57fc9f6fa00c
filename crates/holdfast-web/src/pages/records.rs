//! How pages name and link a record: every record a page cites (in the audit trail, in a
//! readiness finding) is a link to its page with words for its kind, and the id only in a
//! title attribute.

use std::collections::HashMap;

use holdfast_core::account::UserAccount;

use crate::AppState;
use crate::error::AppError;

/// The page of a record, when it has one.
#[must_use]
pub fn href(kind: &str, id: &str) -> Option<String> {
    let base = match kind {
        "person" => "/people",
        "process" => "/processes",
        "activity" | "run" => "/runs",
        "task" => "/tasks",
        "interaction_rule" | "rule" => "/interactions",
        "user_account" => "/users",
        "evidence" => "/evidence",
        "risk" => "/risks",
        "risk_method" => return Some("/risks/method".to_owned()),
        "soa_control" | "soa_decision" => return Some(format!("/soa#control-{id}")),
        "soa_version" => "/soa/versions",
        "context_issue" => return Some(format!("/context#issue-{id}")),
        "interested_party" => return Some(format!("/context#party-{id}")),
        "requirement" => return Some(format!("/context#requirement-{id}")),
        "scope_version" => return Some(format!("/scope#version-{id}")),
        _ => return None,
    };
    Some(if base == "/interactions" {
        format!("{base}#rule-{id}")
    } else {
        format!("{base}/{id}")
    })
}

/// A record kind in words.
#[must_use]
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "person" => "Person",
        "process" => "Process",
        "activity" | "run" => "Run",
        "task" => "Task",
        "interaction_rule" | "rule" => "Interaction rule",
        "user_account" => "Login account",
        "api_token" => "API token",
        "calendar_feed" => "Calendar feed",
        "domain_event" => "Event",
        "location" => "Location",
        "organisation" => "Organisation",
        "readiness_acceptance" => "Accepted observation",
        "evidence" => "Evidence",
        "risk" => "Risk",
        "risk_method" => "Risk method",
        "risk_assessment" => "Risk assessment",
        "risk_decision" => "Risk decision",
        "soa_decision" | "soa_control" => "SoA decision",
        "soa_version" => "Statement of Applicability",
        "context_issue" => "Issue",
        "interested_party" => "Interested party",
        "requirement" => "Requirement",
        "scope_version" => "Scope",
        _ => "Record",
    }
}

/// Who an actor string (`user:<id>`, `system:scheduler`, `cli:init`) is, in words.
pub struct Actors(HashMap<String, UserAccount>);

impl Actors {
    /// Reads the accounts behind `actors` in one query.
    ///
    /// # Errors
    /// [`AppError::Internal`] when the store fails.
    pub async fn load<'a>(
        st: &AppState,
        actors: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, AppError> {
        let mut ids: Vec<String> = actors
            .into_iter()
            .filter_map(|a| a.strip_prefix("user:"))
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids.dedup();
        let accounts = if ids.is_empty() {
            Vec::new()
        } else {
            st.store.user_accounts_by_ids(&ids).await?
        };
        Ok(Self(
            accounts
                .into_iter()
                .map(|a| (a.id.to_string(), a))
                .collect(),
        ))
    }

    /// The actor in words, and the page of their account when they have one.
    #[must_use]
    pub fn name(&self, actor: &str) -> (String, Option<String>) {
        if let Some(id) = actor.strip_prefix("user:") {
            return match self.0.get(id) {
                Some(a) => (a.email.to_string(), Some(format!("/users/{id}"))),
                None => ("A deleted account".into(), None),
            };
        }
        let words = match actor.split_once(':') {
            Some(("system", "scheduler" | "worker")) => "Holdfast scheduler".to_owned(),
            Some(("system", job)) => format!(
                "Holdfast ({})",
                holdfast_core::words::label(job).to_lowercase()
            ),
            Some(("cli", cmd)) => format!("Server command \u{201c}holdfast {cmd}\u{201d}"),
            _ if actor == "anonymous" => "Someone not logged in".into(),
            _ => actor.to_owned(),
        };
        (words, None)
    }
}

/// A record's name from its stored JSON (`name`, `title` or `email`), else its kind.
#[must_use]
pub fn label_of(kind: &str, after: &serde_json::Value, before: &serde_json::Value) -> String {
    for v in [after, before] {
        for key in ["name", "title", "email", "key"] {
            if let Some(s) = v.get(key).and_then(serde_json::Value::as_str)
                && !s.is_empty()
            {
                return s.chars().take(120).collect();
            }
        }
    }
    kind_words(kind).to_owned()
}
