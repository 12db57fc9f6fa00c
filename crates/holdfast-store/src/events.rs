//! Domain events and their dispatch. Events are written in the same transaction as the
//! change that caused them; [`Store::dispatch_events`] turns each into the tasks the
//! interaction rules call for, exactly once, however many instances run it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use holdfast_core::ids::ProcessId;
use holdfast_core::interaction::{DomainEvent, EventKind, dispatch};
use sqlx::Row;
use uuid::Uuid;

use crate::processes::{from_json_text, json_text};
use crate::rows::{now_text, parse_id, parse_time, time_text};
use crate::{Actor, Store, StoreError, WriteTx};

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

/// Records an event in the process with library key `process_key`, if that process is defined.
pub(crate) async fn emit_in(
    w: &mut WriteTx,
    kind: EventKind,
    process_key: &str,
    subject: (&str, &str),
    subject_name: &str,
    facts: &[(&str, String)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id: Option<String> = sqlx::query_scalar("select id from process where key = $1")
        .bind(process_key)
        .fetch_optional(&mut *w.tx)
        .await?;
    // Without the process defined there is nothing the event could set off.
    match id.as_deref().map(parse_id).transpose()? {
        Some(process) => emit(w, kind, Some(process), subject, subject_name, facts, at)
            .await
            .map(|_| ()),
        None => Ok(()),
    }
}

impl Store {
    /// Dispatches up to `batch` undispatched events: for each, creates the tasks its rules
    /// call for (owned by the receiving process's owner) and marks it dispatched, in one
    /// transaction. A task is unique per rule and source, and an event is claimed by the
    /// update that marks it, so concurrent dispatchers never create a task twice. Returns the
    /// number of tasks created.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn dispatch_events(&self, actor: &Actor, batch: i64) -> Result<usize, StoreError> {
        let pending: Vec<String> = sqlx::query_scalar("select id from domain_event where dispatched_at is null order by occurred_at, id limit $1")
            .bind(batch)
            .fetch_all(&self.pool)
            .await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let rules = self.list_rules().await?;
        let mut created = 0;
        for id in pending {
            let mut w = self.write(actor).await?;
            let claimed = sqlx::query("update domain_event set dispatched_at = $1, updated_at = $1 where id = $2 and dispatched_at is null")
                .bind(now_text())
                .bind(&id)
                .execute(&mut *w.tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                continue;
            }
            let r = sqlx::query("select kind, process_id, subject_type, subject_id, subject_name, facts_json, occurred_at from domain_event where id = $1")
                .bind(&id)
                .fetch_one(&mut *w.tx)
                .await?;
            let Some(process_id) = r
                .try_get::<Option<String>, _>("process_id")?
                .as_deref()
                .map(parse_id)
                .transpose()?
            else {
                w.commit().await?;
                continue;
            };
            let kind: String = r.try_get("kind")?;
            let event = DomainEvent {
                kind: kind.parse().map_err(StoreError::corrupt)?,
                process_id,
                subject: (r.try_get("subject_type")?, r.try_get("subject_id")?),
                subject_name: r.try_get("subject_name")?,
                facts: from_json_text(&r.try_get::<String, _>("facts_json")?)?,
                at: parse_time(&r.try_get::<String, _>("occurred_at")?)?,
            };
            for t in dispatch(&event, &rules) {
                created += usize::from(crate::tasks::insert_rule_task(&mut w, &t).await?);
            }
            w.commit().await?;
        }
        Ok(created)
    }

    /// How many events wait for dispatch.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn pending_event_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("select count(*) from domain_event where dispatched_at is null")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
