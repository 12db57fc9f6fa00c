//! Notifications and job leases: what the background worker keeps.

use chrono::{DateTime, Utc};
use holdfast_core::reminder::{DueWork, WorkKind};
use sqlx::Row;
use uuid::Uuid;

use crate::rows::{now_text, time_text};
use crate::{Actor, Store, StoreError};

/// A reminder or escalation to deliver.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    /// Id.
    pub id: String,
    /// What it is about and why, e.g. `activity:…:overdue`.
    pub dedupe_key: String,
    /// `reminder_before`, `reminder_due`, `overdue`, `sla_breached`, `escalation`.
    pub kind: String,
    /// Email address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// `pending`, `sent`, `recorded` (no mail server configured) or `failed`.
    pub status: String,
    /// When it went out.
    pub sent_at: Option<String>,
    /// When it was created.
    pub created_at: String,
}

/// One notification to queue.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Unique per record, kind and recipient.
    pub dedupe_key: String,
    /// Kind.
    pub kind: String,
    /// Email address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// The record it is about.
    pub record: (String, String),
}

impl Store {
    /// Queues a notification unless one with the same key exists. Returns it when this call
    /// created it: the caller then owns delivering it, so each is sent once.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn queue_notification(
        &self,
        actor: &Actor,
        n: &NewNotification,
    ) -> Result<Option<Notification>, StoreError> {
        let id = Uuid::now_v7().to_string();
        let now = now_text();
        let mut w = self.write(actor).await?;
        let inserted = sqlx::query(
            r"insert into notification (id, dedupe_key, kind, recipient, subject, body, record_type, record_id, status, attempts, created_at, updated_at)
              values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9) on conflict (dedupe_key) do nothing",
        )
        .bind(&id)
        .bind(&n.dedupe_key)
        .bind(&n.kind)
        .bind(&n.recipient)
        .bind(&n.subject)
        .bind(&n.body)
        .bind(&n.record.0)
        .bind(&n.record.1)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        let after = serde_json::json!({"dedupe_key": n.dedupe_key, "kind": n.kind, "recipient": n.recipient, "subject": n.subject});
        w.record("notification", &id, "queued", None, Some(&after))
            .await?;
        w.commit().await?;
        Ok(Some(Notification {
            id,
            dedupe_key: n.dedupe_key.clone(),
            kind: n.kind.clone(),
            recipient: n.recipient.clone(),
            subject: n.subject.clone(),
            body: n.body.clone(),
            status: "pending".into(),
            sent_at: None,
            created_at: now,
        }))
    }

    /// Records how delivery went: `sent`, `recorded` (kept in the app only) or `failed`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_notification(
        &self,
        actor: &Actor,
        id: &str,
        status: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_text();
        let mut w = self.write(actor).await?;
        sqlx::query("update notification set status = $1, attempts = attempts + 1, sent_at = $2, updated_at = $3 where id = $4")
            .bind(status)
            .bind((status == "sent").then(|| now.clone()))
            .bind(&now)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        let after = serde_json::json!({"status": status, "error": error});
        w.record("notification", id, status, None, Some(&after))
            .await?;
        w.commit().await
    }

    /// Notifications, newest first, optionally for one recipient.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_notifications(
        &self,
        recipient: Option<&str>,
        before: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(
            "select id, dedupe_key, kind, recipient, subject, body, status, sent_at, created_at from notification
             where ($1 is null or recipient = $1) and ($2 is null or (created_at, id) < ($2, $3))
             order by created_at desc, id desc limit $4",
        )
        .bind(recipient)
        .bind(before.map(|b| b.0.to_owned()))
        .bind(before.map(|b| b.1.to_owned()))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: r.try_get("id")?,
                    dedupe_key: r.try_get("dedupe_key")?,
                    kind: r.try_get("kind")?,
                    recipient: r.try_get("recipient")?,
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                    status: r.try_get("status")?,
                    sent_at: r.try_get("sent_at")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// How many notifications went to `recipient`, counted up to [`crate::COUNT_CAP`].
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn count_notifications(&self, recipient: &str) -> Result<crate::Total, StoreError> {
        crate::listing::capped_count(
            &self.pool,
            "",
            "notification where recipient = $1",
            &[recipient.to_owned()],
        )
        .await
    }

    /// Takes or renews the lease on job `name` for `holder` until `until`, if it is free
    /// or already theirs. Returns whether `holder` now holds it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stamp = now_text();
        sqlx::query("insert into job_lease (name, holder, lease_until, created_at, updated_at) values ($1, '', $2, $3, $3) on conflict (name) do nothing")
            .bind(name)
            .bind(time_text(now - chrono::Duration::seconds(1)))
            .bind(&stamp)
            .execute(&self.pool)
            .await?;
        let n = sqlx::query("update job_lease set holder = $1, lease_until = $2, updated_at = $3 where name = $4 and (lease_until < $5 or holder = $1)")
            .bind(holder)
            .bind(time_text(until))
            .bind(&stamp)
            .bind(name)
            .bind(time_text(now))
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Open runs and tasks due before `until`, with the emails of who does them and their
    /// manager.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn reminders_due(&self, until: DateTime<Utc>) -> Result<Vec<DueWork>, StoreError> {
        // Paused and retired processes send nobody reminders or escalations.
        let rows = sqlx::query(
            r"select 'activity' as record_type, a.id as record_id, pr.name || ' run due ' || a.due_date as title, a.due_at as due_at,
                     p.email as email, m.email as manager_email
              from activity a join process pr on pr.id = a.process_id
                   left join person p on p.id = a.assignee_id left join person m on m.id = p.manager_id
              where a.state in ('planned', 'in_progress') and a.due_at <= $1 and pr.status = 'active'
              union all
              select 'task', t.id, t.title, t.due_at, p.email, m.email
              from task t left join person p on p.id = t.owner_id left join person m on m.id = p.manager_id
                   left join process pr on pr.id = t.process_id
              where t.status in ('open', 'in_progress') and t.due_at <= $1
                and (pr.id is null or pr.status = 'active')",
        )
        .bind(time_text(until))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("record_type")?;
                Ok(DueWork {
                    kind: if kind == "task" {
                        WorkKind::Task
                    } else {
                        WorkKind::Run
                    },
                    id: r.try_get("record_id")?,
                    title: r.try_get("title")?,
                    due_at: crate::rows::parse_time(&r.try_get::<String, _>("due_at")?)?,
                    assignee_email: r.try_get("email")?,
                    manager_email: r.try_get("manager_email")?,
                })
            })
            .collect()
    }

    /// Emails of the ISMS managers (accounts with the manager role), who hear of every
    /// breached SLA.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn isms_manager_emails(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("select email from user_account where role = 'manager' and disabled_at is null order by email")
            .fetch_all(&self.pool)
            .await?)
    }
}
