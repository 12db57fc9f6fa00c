//! Dispatch: each domain event becomes the tasks the interaction rules call for, exactly
//! once, however many instances run it. An event whose dispatch fails is marked failed with
//! the reason and passed over, so it never blocks the events behind it; an administrator
//! sees it and can retry it once the rule is mended.

use chrono::{DateTime, Utc};
use holdfast_core::interaction::{DomainEvent, dispatch};
use sqlx::Row;

use crate::rows::{from_json_text, now_text, parse_id, parse_opt_id, parse_time};
use crate::{Actor, Store, StoreError, WriteTx};

/// An event that could not be dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedEvent {
    /// Event id.
    pub id: String,
    /// What happened (`person_left`).
    pub kind: String,
    /// Who or what it was about.
    pub subject_name: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When dispatch failed.
    pub failed_at: DateTime<Utc>,
    /// Why.
    pub failure: String,
}

/// Loads an event still waiting for dispatch, inside the write that will dispatch it.
async fn pending(w: &mut WriteTx, id: &str) -> Result<Option<DomainEvent>, StoreError> {
    let Some(r) = sqlx::query(
        "select id, kind, process_id, subject_type, subject_id, subject_name, facts_json, occurred_at \
         from domain_event where id = $1 and dispatched_at is null and failed_at is null",
    )
    .bind(id)
    .fetch_optional(&mut *w.tx)
    .await?
    else {
        return Ok(None);
    };
    let Some(process_id) = parse_opt_id(r.try_get("process_id")?)? else {
        return Ok(None);
    };
    let kind: String = r.try_get("kind")?;
    Ok(Some(DomainEvent {
        id: r.try_get("id")?,
        kind: kind.parse().map_err(StoreError::corrupt)?,
        process_id,
        subject: (r.try_get("subject_type")?, r.try_get("subject_id")?),
        subject_name: r.try_get("subject_name")?,
        facts: from_json_text(&r.try_get::<String, _>("facts_json")?)?,
        at: parse_time(&r.try_get::<String, _>("occurred_at")?)?,
    }))
}

async fn mark(w: &mut WriteTx, id: &str, failure: Option<&str>) -> Result<(), StoreError> {
    let now = now_text();
    match failure {
        None => {
            sqlx::query(
                "update domain_event set dispatched_at = $1, updated_at = $1 where id = $2",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        Some(reason) => {
            sqlx::query(
                "update domain_event set failed_at = $1, failure = $2, updated_at = $1 where id = $3",
            )
            .bind(&now)
            .bind(reason)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
            w.record(
                "domain_event",
                id,
                "dispatch_failed",
                None,
                Some(&serde_json::json!({"failure": reason})),
            )
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Dispatches up to `batch` waiting events, oldest first, each in its own unit of work:
    /// the tasks its rules call for (one per rule and event) and the mark that it was
    /// dispatched commit together. A failing event is marked failed and the batch goes on.
    /// Returns the number of tasks created.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the database itself fails.
    pub async fn dispatch_events(&self, actor: &Actor, batch: i64) -> Result<usize, StoreError> {
        let waiting: Vec<String> = sqlx::query_scalar(
            "select id from domain_event where dispatched_at is null and failed_at is null \
             order by occurred_at, id limit $1",
        )
        .bind(batch)
        .fetch_all(&self.pool)
        .await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let rules = self.list_rules().await?;
        let mut created = 0;
        for id in waiting {
            let mut w = self.write(actor).await?;
            let Some(event) = pending(&mut w, &id).await? else {
                // Dispatched by another instance, or an event no process can react to.
                mark(&mut w, &id, None).await?;
                w.commit().await?;
                continue;
            };
            let outcome = match dispatch(&event, &rules) {
                Err(e) => Err(e.to_string()),
                Ok(tasks) => {
                    let mut made = 0;
                    let mut failure = None;
                    for t in &tasks {
                        match crate::tasks::insert_rule_task(&mut w, t).await {
                            Ok(new) => made += usize::from(new),
                            Err(e @ StoreError::Database(_)) => {
                                failure = Some(e.to_string());
                                break;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    failure.map_or(Ok(made), Err)
                }
            };
            match outcome {
                Ok(made) => {
                    mark(&mut w, &id, None).await?;
                    w.commit().await?;
                    created += made;
                }
                Err(reason) => {
                    // Nothing of a failed dispatch is kept but the mark and its reason.
                    drop(w);
                    tracing::warn!(event = %id, reason = %reason, "an event could not be dispatched");
                    let mut w = self.write(actor).await?;
                    mark(&mut w, &id, Some(&reason)).await?;
                    w.commit().await?;
                }
            }
        }
        Ok(created)
    }

    /// How many events wait for dispatch.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn pending_event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "select count(*) from domain_event where dispatched_at is null and failed_at is null",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Events whose dispatch failed, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn failed_events(&self, limit: u32) -> Result<Vec<FailedEvent>, StoreError> {
        let rows = sqlx::query(
            "select id, kind, subject_name, occurred_at, failed_at, failure from domain_event \
             where failed_at is not null order by failed_at desc, id limit $1",
        )
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FailedEvent {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    subject_name: r.try_get("subject_name")?,
                    occurred_at: parse_time(&r.try_get::<String, _>("occurred_at")?)?,
                    failed_at: parse_time(&r.try_get::<String, _>("failed_at")?)?,
                    failure: r
                        .try_get::<Option<String>, _>("failure")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Puts a failed event back in line for dispatch, once what made it fail is mended.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no failed event has this id.
    pub async fn retry_event(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let _: uuid::Uuid = parse_id(id).map_err(|_| StoreError::NotFound("failed event"))?;
        let mut w = self.write(actor).await?;
        let n = sqlx::query(
            "update domain_event set failed_at = null, failure = null, updated_at = $1 \
             where id = $2 and failed_at is not null",
        )
        .bind(now_text())
        .bind(id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound("failed event"));
        }
        w.record("domain_event", id, "dispatch_retried", None, None)
            .await?;
        w.commit().await?;
        Ok(())
    }
}
