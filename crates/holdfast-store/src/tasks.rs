//! Tasks from every source, and their completion (which emits `task_done`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use holdfast_core::ids::{PersonId, ProcessId, TaskId};
use holdfast_core::interaction::{Assignee, EventKind, TaskToCreate};
use holdfast_core::task::{Task, TaskStatus};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::events::emit;
use crate::rows::{now_text, parse_id, parse_time, placeholders, time_text};
use crate::{Actor, Store, StoreError, WriteTx};

pub(crate) const TASK_COLUMNS: &str = "t.id, t.title, t.description, t.process_id, t.owner_id, t.due_at, t.priority, t.status, \
     t.source_type, t.source_id, t.rule_id, t.completed_at, t.external_key, t.external_url, t.version, t.evidence_required, t.comment";

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Owned by this person.
    pub owner_id: Option<PersonId>,
    /// In this process.
    pub process_id: Option<ProcessId>,
    /// Only open ones.
    pub open_only: bool,
    /// Carrying this label.
    pub label: Option<String>,
    /// Whose title contains this text, in any case.
    pub search: Option<String>,
    /// Due before this moment (with `open_only`: past their SLA now).
    pub due_before: Option<DateTime<Utc>>,
    /// Only those after this one in due order (due time, id): the keyset of the next page.
    pub after: Option<(DateTime<Utc>, TaskId)>,
    /// At most this many.
    pub limit: u32,
}

/// The filter of a task list, shared by the page and its count so they always agree.
pub(crate) const TASK_FILTER: &str = r"($1 is null or t.owner_id = $1) and ($2 is null or t.process_id = $2)
    and ($3 = 0 or t.status in ('open', 'in_progress'))
    and ($4 is null or exists (select 1 from task_label l where l.task_id = t.id and l.label = $4))
    and ($5 is null or lower(t.title) like $5 escape '\') and ($6 is null or t.due_at < $6)";

pub(crate) fn label_pattern(q: &TaskQuery) -> Option<String> {
    q.label.clone()
}

pub(crate) fn search_pattern(q: &TaskQuery) -> Option<String> {
    q.search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::accounts::like_pattern)
}

/// A task created by a person.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// What to do.
    pub title: String,
    /// Details.
    pub description: String,
    /// Process.
    pub process_id: Option<ProcessId>,
    /// Owner.
    pub owner_id: Option<PersonId>,
    /// Due.
    pub due_at: DateTime<Utc>,
    /// `low`, `normal`, `high`.
    pub priority: String,
    /// Labels.
    pub labels: Vec<String>,
    /// External ticket (key, URL).
    pub external_ticket: Option<(String, String)>,
    /// Whether it may only be completed with evidence attached.
    pub evidence_required: bool,
}

fn task_from_row(r: &AnyRow, labels: Vec<String>) -> Result<Task, StoreError> {
    let status: String = r.try_get("status")?;
    let key: Option<String> = r.try_get("external_key")?;
    let url: Option<String> = r.try_get("external_url")?;
    Ok(Task {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        process_id: r
            .try_get::<Option<String>, _>("process_id")?
            .as_deref()
            .map(parse_id)
            .transpose()?,
        owner_id: r
            .try_get::<Option<String>, _>("owner_id")?
            .as_deref()
            .map(parse_id)
            .transpose()?,
        due_at: parse_time(&r.try_get::<String, _>("due_at")?)?,
        priority: r.try_get("priority")?,
        status: status.parse().map_err(StoreError::corrupt)?,
        labels,
        source_type: r.try_get("source_type")?,
        source_id: r.try_get("source_id")?,
        rule_id: r
            .try_get::<Option<String>, _>("rule_id")?
            .as_deref()
            .map(parse_id)
            .transpose()?,
        completed_at: r
            .try_get::<Option<String>, _>("completed_at")?
            .as_deref()
            .map(parse_time)
            .transpose()?,
        evidence_required: r.try_get::<i64, _>("evidence_required")? != 0,
        comment: r.try_get("comment")?,
        external_ticket: key.zip(url),
        version: r.try_get("version")?,
    })
}

pub(crate) fn task_json(t: &Task) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "title": t.title, "description": t.description, "process_id": t.process_id, "owner_id": t.owner_id,
        "due_at": time_text(t.due_at), "priority": t.priority, "status": t.status, "labels": t.labels,
        "source_type": t.source_type, "source_id": t.source_id, "rule_id": t.rule_id,
        "completed_at": t.completed_at.map(time_text), "evidence_required": t.evidence_required, "comment": t.comment,
        "external_ticket": t.external_ticket, "version": t.version,
    })
}

/// Reads the tasks whose rows are given, with their labels (one more query).
pub(crate) async fn tasks_from_rows(
    conn: &mut sqlx::AnyConnection,
    rows: &[AnyRow],
) -> Result<Vec<Task>, StoreError> {
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut labels: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select task_id, label from task_label where task_id in {} order by task_id, label",
            placeholders(1, chunk.len())
        )));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            labels.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
    }
    rows.iter()
        .zip(&ids)
        .map(|(r, id)| task_from_row(r, labels.remove(id).unwrap_or_default()))
        .collect()
}

/// Inserts a task (and its labels) unless its rule already made one for this event.
/// Returns whether it did.
async fn insert(w: &mut WriteTx, t: &Task, event_id: Option<&str>) -> Result<bool, StoreError> {
    let now = now_text();
    let n = sqlx::query(
        r"insert into task (id, title, description, process_id, owner_id, due_at, priority, status, source_type,
             source_id, rule_id, event_id, completed_at, external_key, external_url, version, created_at, updated_at,
             evidence_required)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, null, $13, $14, 1, $15, $15, $16)
          on conflict do nothing",
    )
    .bind(t.id.to_string())
    .bind(&t.title)
    .bind(&t.description)
    .bind(t.process_id.map(|p| p.to_string()))
    .bind(t.owner_id.map(|p| p.to_string()))
    .bind(time_text(t.due_at))
    .bind(&t.priority)
    .bind(t.status.as_str())
    .bind(&t.source_type)
    .bind(&t.source_id)
    .bind(t.rule_id.map(|r| r.to_string()))
    .bind(event_id)
    .bind(t.external_ticket.as_ref().map(|e| e.0.clone()))
    .bind(t.external_ticket.as_ref().map(|e| e.1.clone()))
    .bind(&now)
    .bind(i64::from(t.evidence_required))
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if n == 1 {
        let mut labels = t.labels.clone();
        labels.sort();
        labels.dedup();
        for label in &labels {
            sqlx::query("insert into task_label (task_id, label) values ($1, $2)")
                .bind(t.id.to_string())
                .bind(label)
                .execute(&mut *w.tx)
                .await?;
        }
        let mut after = task_json(t);
        after["event_id"] = serde_json::json!(event_id);
        w.record("task", &t.id.to_string(), "create", None, Some(&after))
            .await?;
    }
    Ok(n == 1)
}

/// Creates the task a rule calls for, owned by the receiving process's owner (or that
/// owner's manager), unless the rule already made one for this event. Returns whether it
/// created one.
pub(crate) async fn insert_rule_task(
    w: &mut WriteTx,
    t: &TaskToCreate,
) -> Result<bool, StoreError> {
    // An escalation goes to the owner's manager, or to the owner when they have none.
    let sql = match t.assign_to {
        Assignee::ProcessOwner => "select owner_id from process where id = $1",
        Assignee::OwnersManager => {
            "select coalesce(o.manager_id, p.owner_id) from process p \
             left join person o on o.id = p.owner_id where p.id = $1"
        }
    };
    let owner: Option<Option<String>> = sqlx::query_scalar(sql)
        .bind(t.process_id.to_string())
        .fetch_optional(&mut *w.tx)
        .await?;
    let task = Task {
        id: TaskId::from_uuid(Uuid::now_v7()),
        title: t.title.clone(),
        description: format!(
            "Created by an interaction rule from {} {}.",
            t.source.0, t.source.1
        ),
        process_id: Some(t.process_id),
        owner_id: owner.flatten().as_deref().map(parse_id).transpose()?,
        due_at: t.due_at,
        priority: t.priority.clone(),
        status: TaskStatus::Open,
        labels: vec!["security".into()],
        source_type: t.source.0.clone(),
        source_id: t.source.1.clone(),
        rule_id: Some(t.rule_id),
        completed_at: None,
        evidence_required: t.evidence_required,
        comment: None,
        external_ticket: None,
        version: 1,
    };
    insert(w, &task, Some(&t.event_id)).await
}

impl Store {
    /// Creates a task by hand.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank title or an unknown priority.
    pub async fn create_task(&self, actor: &Actor, new: NewTask) -> Result<Task, StoreError> {
        let mut errors = holdfast_core::ValidationErrors::default();
        let title = errors.check(holdfast_core::person::required_text(
            "title",
            &new.title,
            holdfast_core::text::NAME_MAX,
        ));
        errors.check(holdfast_core::text::check(
            "description",
            &new.description,
            holdfast_core::text::LONG_MAX,
            holdfast_core::text::Lines::Many,
        ));
        errors.check(holdfast_core::text::check_date(
            "due_at",
            new.due_at.date_naive(),
        ));
        if let Some((key, url)) = &new.external_ticket {
            errors.check(holdfast_core::text::check(
                "external_key",
                key,
                holdfast_core::text::NAME_MAX,
                holdfast_core::text::Lines::One,
            ));
            errors.check(holdfast_core::text::check(
                "external_url",
                url,
                2000,
                holdfast_core::text::Lines::One,
            ));
        }
        for label in &new.labels {
            errors.check(holdfast_core::text::check(
                "labels",
                label,
                100,
                holdfast_core::text::Lines::One,
            ));
        }
        if !["low", "normal", "high"].contains(&new.priority.as_str()) {
            errors.push("priority", "priority must be low, normal or high");
        }
        let Some(title) = title.filter(|_| errors.errors.is_empty()) else {
            return Err(errors.into());
        };
        if let Some(owner) = new.owner_id {
            self.person(owner).await.map_err(|e| match e {
                StoreError::NotFound(_) => holdfast_core::ValidationErrors::one(
                    "owner_id",
                    "no person with this id exists",
                )
                .into(),
                other => other,
            })?;
        }
        let id = TaskId::from_uuid(Uuid::now_v7());
        let task = Task {
            id,
            title,
            description: new.description,
            process_id: new.process_id,
            owner_id: new.owner_id,
            due_at: new.due_at,
            priority: new.priority,
            status: TaskStatus::Open,
            labels: new.labels,
            source_type: "manual".into(),
            source_id: id.to_string(),
            rule_id: None,
            completed_at: None,
            evidence_required: new.evidence_required,
            comment: None,
            external_ticket: new.external_ticket,
            version: 1,
        };
        let mut w = self.write(actor).await?;
        insert(&mut w, &task, None).await?;
        w.commit().await?;
        Ok(task)
    }

    /// Reads one task.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn task(&self, id: TaskId) -> Result<Task, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {TASK_COLUMNS} from task t where t.id = $1"
        )))
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        tasks_from_rows(&mut conn, &rows)
            .await?
            .pop()
            .ok_or(StoreError::NotFound("task"))
    }

    /// Lists tasks, earliest due first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_tasks(&self, q: &TaskQuery) -> Result<Vec<Task>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {TASK_COLUMNS} from task t
              where {TASK_FILTER} and ($7 is null or t.due_at > $7 or (t.due_at = $7 and t.id > $8))
              order by t.due_at, t.id limit $9"
        )))
        .bind(q.owner_id.map(|p| p.to_string()))
        .bind(q.process_id.map(|p| p.to_string()))
        .bind(i64::from(q.open_only))
        .bind(label_pattern(q))
        .bind(search_pattern(q))
        .bind(q.due_before.map(time_text))
        .bind(q.after.map(|(due, _)| time_text(due)))
        .bind(q.after.map(|(_, id)| id.to_string()))
        .bind(i64::from(q.limit.clamp(1, 100_000)))
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        tasks_from_rows(&mut conn, &rows).await
    }

    /// How many tasks match the query's filters (all pages).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn count_tasks(&self, q: &TaskQuery) -> Result<i64, StoreError> {
        let (_, tasks) = self.count_work(&[], std::slice::from_ref(q)).await?;
        Ok(tasks.first().copied().unwrap_or(0))
    }

    /// Completes a task at `now` with a comment saying what was done, recording whether its
    /// SLA was met, and emits `task_done` in its process. A task whose rule asks for
    /// evidence is done only with evidence attached, checked in the same transaction.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::Invalid`] when it is not open, has no comment or
    /// lacks the evidence it needs.
    pub async fn complete_task(
        &self,
        actor: &Actor,
        id: TaskId,
        expected_version: i64,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Task, StoreError> {
        let before = self.task(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("task"));
        }
        let mut w = self.write(actor).await?;
        let evidence: i64 = sqlx::query_scalar(
            "select count(*) from evidence_attachment where record_type = 'task' and record_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *w.tx)
        .await?;
        let comment = holdfast_core::task::check_complete(
            &before,
            usize::try_from(evidence).unwrap_or(0),
            comment,
        )?;
        let mut after = before.clone();
        after.status = TaskStatus::Done;
        after.completed_at = Some(now);
        after.comment = Some(comment.clone());
        after.version += 1;
        let n = sqlx::query("update task set status = 'done', completed_at = $1, version = $2, updated_at = $3, comment = $6 where id = $4 and version = $5")
            .bind(time_text(now))
            .bind(after.version)
            .bind(now_text())
            .bind(id.to_string())
            .bind(expected_version)
            .bind(&comment)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale("task"));
        }
        let mut record = task_json(&after);
        record["sla"] = serde_json::to_value(after.sla(now)).map_err(StoreError::corrupt)?;
        w.record(
            "task",
            &id.to_string(),
            "completed",
            Some(&task_json(&before)),
            Some(&record),
        )
        .await?;
        emit(
            &mut w,
            EventKind::TaskDone,
            before.process_id,
            ("task", &id.to_string()),
            &before.title,
            &[],
            now,
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
