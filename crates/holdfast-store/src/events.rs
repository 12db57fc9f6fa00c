//! Domain events, written in the same unit of work as the change that caused them, and
//! dispatched later by [`crate::dispatch`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use holdfast_core::ids::ProcessId;
use holdfast_core::interaction::EventKind;
use uuid::Uuid;

use crate::rows::{json_text, now_text, time_text};
use crate::{StoreError, WriteTx};

/// Records that `kind` happened to `subject` in `process` (by id), inside the caller's write.
/// Returns whether it is new: the same event (kind, subject, moment) is kept once.
pub(crate) async fn emit(
    w: &mut WriteTx,
    kind: EventKind,
    process: Option<ProcessId>,
    subject: (&str, &str),
    subject_name: &str,
    facts: &[(&str, String)],
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let facts: HashMap<&str, &String> = facts.iter().map(|(k, v)| (*k, v)).collect();
    let now = now_text();
    let inserted = sqlx::query(
        r"insert into domain_event (id, kind, process_id, subject_type, subject_id, subject_name, facts_json, occurred_at, created_at, updated_at)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) on conflict do nothing",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(kind.as_str())
    .bind(process.map(|p| p.to_string()))
    .bind(subject.0)
    .bind(subject.1)
    .bind(subject_name)
    .bind(json_text(&facts)?)
    .bind(time_text(at))
    .bind(&now)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The process that event `kind` happens in, if one declares it.
pub(crate) async fn emitter_of(
    w: &mut WriteTx,
    kind: holdfast_core::interaction::EventKind,
) -> Result<Option<ProcessId>, StoreError> {
    let id: Option<String> =
        sqlx::query_scalar("select process_id from process_event where event = $1")
            .bind(kind.as_str())
            .fetch_optional(&mut *w.tx)
            .await?;
    crate::rows::parse_opt_id(id)
}

/// Records an event of another record (a person joining, an incident closing) in the
/// process that declares it emits it. Without such a process there is nothing the event
/// could set off, so nothing is recorded.
pub(crate) async fn emit_designated(
    w: &mut WriteTx,
    kind: EventKind,
    subject: (&str, &str),
    subject_name: &str,
    facts: &[(&str, String)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    match emitter_of(w, kind).await? {
        Some(process) => emit(w, kind, Some(process), subject, subject_name, facts, at)
            .await
            .map(|_| ()),
        None => Ok(()),
    }
}
