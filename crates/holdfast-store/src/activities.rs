//! Activities: planning runs from cadences, and closing, skipping and reopening them. Closed
//! runs change only through a reopening with a reason; both are audit events.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use holdfast_core::account::Role;
use holdfast_core::activity::{Activity, ActivityState, check_close, check_reopen, check_skip};
use holdfast_core::ids::{ActivityId, PersonId, ProcessId};
use holdfast_core::interaction::EventKind;
use holdfast_core::policy::WorkRecord;
use holdfast_core::process::{Process, ProcessStatus};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::events::emit;
use crate::rows::{
    date_text, now_text, parse_date, parse_id, parse_opt_id, parse_opt_time, parse_time,
    placeholders, time_text,
};
use crate::{Actor, Store, StoreError, WriteTx};

const ACTIVITY_COLUMNS: &str = "a.id, a.process_id, a.due_date, a.due_at, a.assignee_id, a.state, a.closed_at, a.comment, a.version";

/// Which activities to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    /// Runs of this process.
    pub process_id: Option<ProcessId>,
    /// Runs assigned to this person.
    pub assignee_id: Option<PersonId>,
    /// Only open runs.
    pub open_only: bool,
    /// Due on or before this date.
    pub due_until: Option<NaiveDate>,
    /// Due on or after this date.
    pub due_from: Option<NaiveDate>,
    /// Only runs of processes in operation (active or paused), as the dashboard counts them.
    pub in_operation: bool,
    /// Only those after this one in due order (due date, id): the keyset of the next page.
    pub after: Option<(NaiveDate, ActivityId)>,
    /// At most this many.
    pub limit: u32,
}

/// The filter of a run list, shared by the page and its count so they always agree.
pub(crate) const ACTIVITY_FILTER: &str = r"($1 is null or a.process_id = $1) and ($2 is null or a.assignee_id = $2)
    and ($3 = 0 or a.state in ('planned', 'in_progress')) and ($4 is null or a.due_date <= $4)
    and ($5 is null or a.due_date >= $5)
    and ($6 = 0 or exists (select 1 from process p where p.id = a.process_id and p.status in ('active', 'paused')))";

/// The names of a run's attached evidence and, once closed, of the evidence it was
/// required to have.
#[derive(Default)]
pub(crate) struct RunLists {
    pub evidence: Vec<String>,
    pub required: Vec<String>,
}

fn activity_from_row(r: &AnyRow, lists: RunLists) -> Result<Activity, StoreError> {
    let state: String = r.try_get("state")?;
    Ok(Activity {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        process_id: parse_id(&r.try_get::<String, _>("process_id")?)?,
        due_date: parse_date(&r.try_get::<String, _>("due_date")?)?,
        due_at: parse_time(&r.try_get::<String, _>("due_at")?)?,
        assignee_id: parse_opt_id(r.try_get("assignee_id")?)?,
        state: state.parse().map_err(StoreError::corrupt)?,
        closed_at: parse_opt_time(r.try_get("closed_at")?)?,
        comment: r.try_get("comment")?,
        evidence: lists.evidence,
        required_evidence: lists.required,
        version: r.try_get("version")?,
    })
}

pub(crate) fn activity_json(a: &Activity) -> serde_json::Value {
    serde_json::json!({
        "id": a.id, "process_id": a.process_id, "due_date": date_text(a.due_date), "due_at": time_text(a.due_at),
        "assignee_id": a.assignee_id, "state": a.state, "closed_at": a.closed_at.map(time_text),
        "comment": a.comment, "evidence": a.evidence, "required_evidence": a.required_evidence,
        "version": a.version,
    })
}

/// The evidence names and requirements of the runs `ids`, two queries for any number.
pub(crate) async fn run_lists(
    conn: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, RunLists>, StoreError> {
    let mut out: HashMap<String, RunLists> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = placeholders(1, chunk.len());
        let evidence = format!(
            "select record_id, requirement from evidence_attachment where record_type = 'activity' \
             and record_id in {list} order by record_id, requirement"
        );
        let required = format!(
            "select activity_id, name from activity_requirement where activity_id in {list} \
             order by activity_id, position"
        );
        for (sql, is_required) in [(evidence, false), (required, true)] {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&mut *conn).await? {
                let lists = out.entry(r.try_get(0)?).or_default();
                let name: String = r.try_get(1)?;
                if is_required {
                    lists.required.push(name);
                } else {
                    lists.evidence.push(name);
                }
            }
        }
    }
    Ok(out)
}

/// Reads runs matching `where_sql` with their lists.
pub(crate) async fn select_runs(
    conn: &mut sqlx::AnyConnection,
    where_sql: &str,
    binds: Vec<Option<String>>,
) -> Result<Vec<Activity>, StoreError> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {ACTIVITY_COLUMNS} from activity a {where_sql}"
    )));
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut lists = run_lists(conn, &ids).await?;
    rows.iter()
        .zip(&ids)
        .map(|(r, id)| activity_from_row(r, lists.remove(id).unwrap_or_default()))
        .collect()
}

pub(crate) async fn load(w: &mut WriteTx, id: ActivityId) -> Result<Activity, StoreError> {
    select_runs(&mut w.tx, "where a.id = $1", vec![Some(id.to_string())])
        .await?
        .pop()
        .ok_or(StoreError::NotFound("activity"))
}

/// Removes the runs of `process` not yet started and due from `from` on, so a changed
/// cadence, a pause or a retirement leaves no stale plan behind.
pub(crate) async fn drop_unstarted_runs_from(
    w: &mut WriteTx,
    process: ProcessId,
    from: NaiveDate,
) -> Result<(), StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        r"select a.id from activity a where a.process_id = $1 and a.state = 'planned' and a.due_date >= $2
          and not exists (select 1 from evidence_attachment e where e.record_type = 'activity' and e.record_id = a.id)",
    )
    .bind(process.to_string())
    .bind(date_text(from))
    .fetch_all(&mut *w.tx)
    .await?;
    for id in ids {
        sqlx::query("delete from activity where id = $1")
            .bind(&id)
            .execute(&mut *w.tx)
            .await?;
        w.record("activity", &id, "unplanned", None, None).await?;
    }
    Ok(())
}

/// Skips the open runs of `process` due up to `until` (all when `None`) with `reason`, so
/// nobody is reminded of them and they are documented deviations, not missed cycles.
pub(crate) async fn skip_open_runs(
    w: &mut WriteTx,
    process: ProcessId,
    until: Option<NaiveDate>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let runs = select_runs(
        &mut w.tx,
        "where a.process_id = $1 and a.state in ('planned', 'in_progress') and ($2 is null or a.due_date <= $2) order by a.due_date, a.id",
        vec![Some(process.to_string()), until.map(date_text)],
    )
    .await?;
    for before in &runs {
        let mut after = before.clone();
        after.state = ActivityState::Skipped;
        after.closed_at = Some(now);
        after.comment = Some(reason.to_owned());
        after.version += 1;
        sqlx::query("update activity set state = 'skipped', closed_at = $1, comment = $2, version = $3, updated_at = $4 where id = $5")
            .bind(time_text(now))
            .bind(reason)
            .bind(after.version)
            .bind(now_text())
            .bind(before.id.to_string())
            .execute(&mut *w.tx)
            .await?;
        w.record(
            "activity",
            &before.id.to_string(),
            "skipped",
            Some(&activity_json(before)),
            Some(&activity_json(&after)),
        )
        .await?;
    }
    Ok(runs.len())
}

/// Keeps with a closed run the evidence its process requires now.
async fn store_requirements(
    w: &mut WriteTx,
    id: ActivityId,
    required: &[String],
) -> Result<(), StoreError> {
    sqlx::query("delete from activity_requirement where activity_id = $1")
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
    for (position, name) in required.iter().enumerate() {
        sqlx::query(
            "insert into activity_requirement (activity_id, position, name) values ($1, $2, $3)",
        )
        .bind(id.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(name)
        .execute(&mut *w.tx)
        .await?;
    }
    Ok(())
}

/// The evidence `process` requires of each run now, in its order.
pub(crate) async fn evidence_required(
    w: &mut WriteTx,
    process: ProcessId,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "select name from process_evidence where process_id = $1 order by position",
    )
    .bind(process.to_string())
    .fetch_all(&mut *w.tx)
    .await?)
}

/// Plans `p`'s runs up to `through` in the caller's write and records how far, so the
/// next planning (or the readiness engine) knows which cycles have a run.
pub(crate) async fn plan_within(
    w: &mut WriteTx,
    p: &mut Process,
    through: NaiveDate,
) -> Result<usize, StoreError> {
    let runs = p.runs_to_plan(through);
    let mut created = 0;
    for o in &runs {
        let run = PlannedRun {
            process_id: p.id,
            due_date: o.date,
            due_at: o.due_at,
            assignee_id: p.owner_id,
        };
        created += usize::from(insert_run(w, &run).await?.is_some());
    }
    if p.status == ProcessStatus::Active && p.planned_through.is_none_or(|d| d < through) {
        p.planned_through = Some(through);
        sqlx::query("update process set planned_through = $1 where id = $2")
            .bind(date_text(through))
            .bind(p.id.to_string())
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(created)
}

/// A run to insert when planning (also used by the demo to write history).
#[derive(Debug, Clone)]
pub struct PlannedRun {
    /// The process.
    pub process_id: ProcessId,
    /// Local due date.
    pub due_date: NaiveDate,
    /// Due instant.
    pub due_at: DateTime<Utc>,
    /// Assignee.
    pub assignee_id: Option<PersonId>,
}

/// Inserts a planned run unless one exists for that process and date; returns whether it did.
pub(crate) async fn insert_run(
    w: &mut WriteTx,
    run: &PlannedRun,
) -> Result<Option<ActivityId>, StoreError> {
    let id = ActivityId::from_uuid(Uuid::now_v7());
    let now = now_text();
    let n = sqlx::query(
        r"insert into activity (id, process_id, due_date, due_at, assignee_id, state, version, created_at, updated_at)
          values ($1, $2, $3, $4, $5, 'planned', 1, $6, $6)
          on conflict (process_id, due_date) do nothing",
    )
    .bind(id.to_string())
    .bind(run.process_id.to_string())
    .bind(date_text(run.due_date))
    .bind(time_text(run.due_at))
    .bind(run.assignee_id.map(|p| p.to_string()))
    .bind(&now)
    .execute(&mut *w.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    let after = serde_json::json!({"process_id": run.process_id, "due_date": date_text(run.due_date), "assignee_id": run.assignee_id, "state": "planned"});
    w.record("activity", &id.to_string(), "planned", None, Some(&after))
        .await?;
    Ok(Some(id))
}

impl Store {
    /// Inserts one run directly (history for the demo and imports of past runs).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn insert_activity(
        &self,
        actor: &Actor,
        run: &PlannedRun,
    ) -> Result<Option<ActivityId>, StoreError> {
        let mut w = self.write(actor).await?;
        let id = insert_run(&mut w, run).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Reads one run with the names of its attached evidence.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn activity(&self, id: ActivityId) -> Result<Activity, StoreError> {
        let mut conn = self.pool.acquire().await?;
        select_runs(&mut conn, "where a.id = $1", vec![Some(id.to_string())])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("activity"))
    }

    /// A run with the people it belongs to, for the policy to decide who may work on it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn activity_scope(
        &self,
        id: ActivityId,
    ) -> Result<(Activity, WorkRecord), StoreError> {
        let run = self.activity(id).await?;
        let row = sqlx::query("select owner_id, deputy_id from process where id = $1")
            .bind(run.process_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        let scope = WorkRecord::Run {
            assignee: run.assignee_id,
            owner: parse_opt_id(row.try_get(0)?)?,
            deputy: parse_opt_id(row.try_get(1)?)?,
        };
        Ok((run, scope))
    }

    /// Lists runs, the most urgent first (overdue, then by due date).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_activities(&self, q: &ActivityQuery) -> Result<Vec<Activity>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {ACTIVITY_COLUMNS} from activity a
              where {ACTIVITY_FILTER} and ($7 is null or a.due_date > $7 or (a.due_date = $7 and a.id > $8))
              order by a.due_date, a.id limit $9"
        )))
        .bind(q.process_id.map(|p| p.to_string()))
        .bind(q.assignee_id.map(|p| p.to_string()))
        .bind(i64::from(q.open_only))
        .bind(q.due_until.map(date_text))
        .bind(q.due_from.map(date_text))
        .bind(i64::from(q.in_operation))
        .bind(q.after.map(|(due, _)| date_text(due)))
        .bind(q.after.map(|(_, id)| id.to_string()))
        .bind(i64::from(q.limit.clamp(1, 100_000)))
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut conn = self.pool.acquire().await?;
        let mut lists = run_lists(&mut conn, &ids).await?;
        rows.iter()
            .zip(&ids)
            .map(|(r, id)| activity_from_row(r, lists.remove(id).unwrap_or_default()))
            .collect()
    }

    /// How many runs match the query's filters (all pages).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn count_activities(&self, q: &ActivityQuery) -> Result<i64, StoreError> {
        let (runs, _) = self.count_work(std::slice::from_ref(q), &[]).await?;
        Ok(runs.first().copied().unwrap_or(0))
    }

    /// Closes a run: every required evidence item attached and a comment. Emits
    /// `activity_done` in its process.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming what is missing, [`StoreError::Stale`].
    pub async fn close_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        expected_version: i64,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Activity, StoreError> {
        self.transition(actor, id, expected_version, now, Transition::Close(comment))
            .await
    }

    /// Skips a run with a manager's reason.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a role that may not skip or a missing reason.
    pub async fn skip_activity(
        &self,
        actor: &Actor,
        role: Role,
        id: ActivityId,
        expected_version: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Activity, StoreError> {
        self.transition(
            actor,
            id,
            expected_version,
            now,
            Transition::Skip(role, reason),
        )
        .await
    }

    /// Reopens a closed run for a correction, with a reason.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an open run or a missing reason.
    pub async fn reopen_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        expected_version: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Activity, StoreError> {
        self.transition(actor, id, expected_version, now, Transition::Reopen(reason))
            .await
    }

    async fn transition(
        &self,
        actor: &Actor,
        id: ActivityId,
        expected_version: i64,
        now: DateTime<Utc>,
        t: Transition<'_>,
    ) -> Result<Activity, StoreError> {
        let mut w = self.write(actor).await?;
        let before = load(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("activity"));
        }
        let mut after_required = Vec::new();
        let (action, state, closed_at, comment) = match t {
            Transition::Close(comment) => {
                let required = evidence_required(&mut w, before.process_id).await?;
                let comment = check_close(&before, &required, comment)?;
                store_requirements(&mut w, id, &required).await?;
                after_required = required;
                ("closed", ActivityState::Done, Some(now), Some(comment))
            }
            Transition::Skip(role, reason) => (
                "skipped",
                ActivityState::Skipped,
                Some(now),
                Some(check_skip(&before, role, reason)?),
            ),
            Transition::Reopen(reason) => {
                let reason = check_reopen(&before, reason)?;
                // Open again: what it must show is decided when it is closed next.
                store_requirements(&mut w, id, &[]).await?;
                ("reopened", ActivityState::InProgress, None, Some(reason))
            }
        };
        let mut after = before.clone();
        after.required_evidence = after_required;
        after.state = state;
        after.closed_at = closed_at;
        after.comment = comment;
        after.version += 1;
        let n = sqlx::query("update activity set state = $1, closed_at = $2, comment = $3, version = $4, updated_at = $5 where id = $6 and version = $7")
            .bind(state.as_str())
            .bind(closed_at.map(time_text))
            .bind(after.comment.clone())
            .bind(after.version)
            .bind(now_text())
            .bind(id.to_string())
            .bind(expected_version)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale("activity"));
        }
        w.record(
            "activity",
            &id.to_string(),
            action,
            Some(&activity_json(&before)),
            Some(&activity_json(&after)),
        )
        .await?;
        if state == ActivityState::Done {
            let name: String = sqlx::query_scalar("select name from process where id = $1")
                .bind(before.process_id.to_string())
                .fetch_one(&mut *w.tx)
                .await?;
            let subject = format!("{name} run of {}", before.due_date);
            emit(
                &mut w,
                EventKind::ActivityDone,
                Some(before.process_id),
                ("activity", &id.to_string()),
                &subject,
                &[],
                now,
            )
            .await?;
        }
        w.commit().await?;
        Ok(after)
    }
}

enum Transition<'a> {
    Close(&'a str),
    Skip(Role, &'a str),
    Reopen(&'a str),
}

/// A run that was carried out before Holdfast kept the records: imported from an earlier
/// tool, or the demo's sample history. It is written as it was, evidence gaps included, so
/// the readiness engine judges the real record.
#[derive(Debug, Clone)]
pub struct PastRun {
    /// The run as planned.
    pub run: PlannedRun,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// What was done.
    pub comment: String,
    /// Evidence attached, by requirement name and evidence id.
    pub evidence: Vec<(String, String)>,
}

impl Store {
    /// Records a completed past run with the evidence it had, completing the run planned for
    /// that day if there is one. Returns `None` if the process already has a closed run on
    /// that date.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty comment or unknown evidence.
    pub async fn record_past_run(
        &self,
        actor: &Actor,
        past: &PastRun,
    ) -> Result<Option<ActivityId>, StoreError> {
        let comment = holdfast_core::text::long(
            "comment",
            &past.comment,
            "say in a comment what was done in this run",
        )?;
        let mut w = self.write(actor).await?;
        // A run the scheduler already planned for that day is the one completed.
        let planned: Option<String> = sqlx::query_scalar(
            "select id from activity where process_id = $1 and due_date = $2 and state = 'planned'",
        )
        .bind(past.run.process_id.to_string())
        .bind(date_text(past.run.due_date))
        .fetch_optional(&mut *w.tx)
        .await?;
        let id = match planned {
            Some(id) => parse_id(&id)?,
            None => match insert_run(&mut w, &past.run).await? {
                Some(id) => id,
                None => return Ok(None),
            },
        };
        for (requirement, evidence_id) in &past.evidence {
            crate::evidence::attach(
                &mut w,
                evidence_id,
                "activity",
                &id.to_string(),
                requirement,
            )
            .await?;
        }
        let required = evidence_required(&mut w, past.run.process_id).await?;
        store_requirements(&mut w, id, &required).await?;
        sqlx::query("update activity set state = 'done', closed_at = $1, comment = $2, version = 2, updated_at = $3 where id = $4")
            .bind(time_text(past.closed_at))
            .bind(&comment)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *w.tx)
            .await?;
        let after = load(&mut w, id).await?;
        w.record(
            "activity",
            &id.to_string(),
            "recorded_past_run",
            None,
            Some(&activity_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(Some(id))
    }
}
