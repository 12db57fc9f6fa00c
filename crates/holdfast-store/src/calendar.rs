//! Calendar feeds: who may follow whose work at which secret URL, and the open runs and
//! tasks a feed shows.

use chrono::{DateTime, Utc};
use holdfast_core::ical::{CalendarFeed, CalendarItem, FeedSubject};
use holdfast_core::ids::FeedId;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::rows::{parse_id, parse_time, time_text};
use crate::{Actor, Store, StoreError};

const COLUMNS: &str = "id, kind, subject_id, created_by, revoked_at, created_at";

fn feed_from_row(r: &AnyRow) -> Result<CalendarFeed, StoreError> {
    let kind: String = r.try_get("kind")?;
    let subject_id: String = r.try_get("subject_id")?;
    let revoked_at: Option<String> = r.try_get("revoked_at")?;
    Ok(CalendarFeed {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        subject: FeedSubject::from_parts(&kind, &subject_id).map_err(StoreError::corrupt)?,
        created_by: r.try_get("created_by")?,
        created_at: parse_time(&r.try_get::<String, _>("created_at")?)?,
        revoked_at: revoked_at.as_deref().map(parse_time).transpose()?,
    })
}

fn feed_json(feed: &CalendarFeed) -> serde_json::Value {
    serde_json::json!({
        "kind": feed.subject.kind(),
        "subject_id": feed.subject.subject_id(),
        "created_by": feed.created_by,
        "revoked_at": feed.revoked_at.map(time_text),
    })
}

impl Store {
    /// Creates a feed for `subject`, kept under the hash of its secret. The subject must
    /// exist, so a feed never points at nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the person or process does not exist.
    pub async fn create_calendar_feed(
        &self,
        actor: &Actor,
        subject: FeedSubject,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<CalendarFeed, StoreError> {
        match subject {
            FeedSubject::Person(id) => self.person(id).await.map(|_| ())?,
            FeedSubject::Process(id) => self.process(id).await.map(|_| ())?,
        }
        let feed = CalendarFeed {
            id: FeedId::from_uuid(Uuid::now_v7()),
            subject,
            created_by: actor.to_string(),
            created_at: now,
            revoked_at: None,
        };
        let mut w = self.write(actor).await?;
        sqlx::query(
            "insert into calendar_feed (id, token_hash, kind, subject_id, created_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(feed.id.to_string())
        .bind(token_hash)
        .bind(subject.kind())
        .bind(subject.subject_id())
        .bind(&feed.created_by)
        .bind(time_text(now))
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "calendar_feed",
            &feed.id.to_string(),
            "create",
            None,
            Some(&feed_json(&feed)),
        )
        .await?;
        w.commit().await?;
        Ok(feed)
    }

    /// Live and revoked feeds made by `created_by` (everyone's when `None`), newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_calendar_feeds(
        &self,
        created_by: Option<&str>,
    ) -> Result<Vec<CalendarFeed>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from calendar_feed where ($1 is null or created_by = $1) \
             order by created_at desc, id desc limit 500"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(created_by)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(feed_from_row).collect()
    }

    /// The live feed whose secret hashes to `token_hash`, if any.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn calendar_feed_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from calendar_feed where token_hash = $1 and revoked_at is null"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(feed_from_row).transpose()
    }

    /// Revokes a live feed made by `created_by` (anyone's when `None`): its URL stops
    /// working at once.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such live feed of theirs.
    pub async fn revoke_calendar_feed(
        &self,
        actor: &Actor,
        id: FeedId,
        created_by: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor).await?;
        let revoked = sqlx::query(
            "update calendar_feed set revoked_at = $1, updated_at = $1 \
             where id = $2 and revoked_at is null and ($3 is null or created_by = $3)",
        )
        .bind(time_text(now))
        .bind(id.to_string())
        .bind(created_by)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if revoked == 0 {
            return Err(StoreError::NotFound("calendar feed"));
        }
        let after = serde_json::json!({"revoked_at": time_text(now)});
        w.record(
            "calendar_feed",
            &id.to_string(),
            "revoke",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await
    }

    /// The open runs and tasks a feed shows, earliest first, with the process's name in
    /// each title so an entry reads on its own in a calendar.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn calendar_items(
        &self,
        subject: FeedSubject,
    ) -> Result<Vec<CalendarItem>, StoreError> {
        let (activity_filter, task_filter) = match subject {
            FeedSubject::Person(_) => ("a.assignee_id = $1", "t.owner_id = $1"),
            FeedSubject::Process(_) => ("a.process_id = $1", "t.process_id = $1"),
        };
        let sql = format!(
            r"select 'activity-' || a.id as uid, 'Run: ' || pr.name as summary,
                     'Objective: ' || pr.objective as description, a.due_at as due_at
              from activity a join process pr on pr.id = a.process_id
              where a.state in ('planned', 'in_progress') and {activity_filter}
              union all
              select 'task-' || t.id, 'Task: ' || t.title, t.description, t.due_at
              from task t
              where t.status in ('open', 'in_progress') and {task_filter}
              order by due_at limit 1000"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(subject.subject_id())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CalendarItem {
                    uid: r.try_get("uid")?,
                    summary: r.try_get("summary")?,
                    description: r.try_get("description")?,
                    due_at: parse_time(&r.try_get::<String, _>("due_at")?)?,
                })
            })
            .collect()
    }
}
