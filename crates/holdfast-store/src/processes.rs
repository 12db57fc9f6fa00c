//! Processes: definitions with their lists (clauses, controls, evidence, emitted events) in
//! child tables, owners, and the lifecycle `draft → active ⇄ paused → retired`. Activating a
//! process or changing its cadence plans its runs in the same unit of work.

use std::collections::HashMap;

use holdfast_core::ValidationErrors;
use holdfast_core::cadence::Cadence;
use holdfast_core::clock::AsOf;
use holdfast_core::ids::{OrganisationId, ProcessId};
use holdfast_core::process::{
    PLANNING_HORIZON_DAYS, Pause, Process, ProcessDefinition, ProcessStatus, check_edit,
    check_process_person,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::error::on_unique;
use crate::rows::{
    date_text, from_json_text, json_text, now_text, parse_date, parse_id, parse_opt_date,
    parse_opt_id, placeholders,
};
use crate::{Actor, Store, StoreError, WriteTx};

const PROCESS_COLUMNS: &str = "p.id, p.key, p.name, p.objective, p.owner_id, p.deputy_id, p.raci_json, p.inputs_json, \
     p.outputs_json, p.cadence, p.cadence_start, p.status, p.active_since, p.planned_through, p.paused_since, \
     p.paused_until, p.pause_reason, p.version";

/// The child-table lists of one process.
#[derive(Default)]
struct Lists {
    clauses: Vec<String>,
    controls: Vec<String>,
    evidence: Vec<String>,
    emits: Vec<String>,
}

/// Reads the lists of the processes `ids` (all processes when `None`), four queries in all.
async fn load_lists(
    conn: &mut AnyConnection,
    ids: Option<&[String]>,
) -> Result<HashMap<String, Lists>, StoreError> {
    let mut out: HashMap<String, Lists> = HashMap::new();
    let filter = ids.map_or_else(String::new, |ids| {
        format!("where process_id in {}", placeholders(1, ids.len()))
    });
    for (table, column, order) in [
        ("process_clause", "clause", "position"),
        ("process_control", "control", "position"),
        ("process_evidence", "name", "position"),
        ("process_event", "event", "event"),
    ] {
        let sql = format!(
            "select process_id, {column} from {table} {filter} order by process_id, {order}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids.into_iter().flatten() {
            q = q.bind(id.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let lists = out.entry(r.try_get(0)?).or_default();
            let value: String = r.try_get(1)?;
            match table {
                "process_clause" => lists.clauses.push(value),
                "process_control" => lists.controls.push(value),
                "process_evidence" => lists.evidence.push(value),
                _ => lists.emits.push(value),
            }
        }
    }
    Ok(out)
}

fn process_from_row(r: &AnyRow, time_zone: &str, lists: Lists) -> Result<Process, StoreError> {
    let status: String = r.try_get("status")?;
    let cadence_start = parse_date(&r.try_get::<String, _>("cadence_start")?)?;
    let pause = match (
        parse_opt_date(r.try_get("paused_since")?)?,
        parse_opt_date(r.try_get("paused_until")?)?,
        r.try_get::<Option<String>, _>("pause_reason")?,
    ) {
        (Some(since), Some(until), Some(reason)) => Some(Pause {
            since,
            until,
            reason,
        }),
        _ => None,
    };
    Ok(Process {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        objective: r.try_get("objective")?,
        owner_id: parse_opt_id(r.try_get("owner_id")?)?,
        deputy_id: parse_opt_id(r.try_get("deputy_id")?)?,
        raci: from_json_text(&r.try_get::<String, _>("raci_json")?)?,
        inputs: from_json_text(&r.try_get::<String, _>("inputs_json")?)?,
        outputs: from_json_text(&r.try_get::<String, _>("outputs_json")?)?,
        cadence: Cadence::parse(
            &r.try_get::<String, _>("cadence")?,
            cadence_start,
            time_zone,
        )
        .map_err(StoreError::corrupt)?,
        evidence: lists.evidence,
        clauses: lists.clauses,
        controls: lists.controls,
        emits: lists
            .emits
            .iter()
            .map(|e| e.parse().map_err(StoreError::corrupt))
            .collect::<Result<_, _>>()?,
        status: status.parse().map_err(StoreError::corrupt)?,
        active_since: parse_opt_date(r.try_get("active_since")?)?,
        planned_through: parse_opt_date(r.try_get("planned_through")?)?,
        pause,
        version: r.try_get("version")?,
    })
}

/// Reads processes matching `where_sql` (with `binds`), with their lists.
async fn select_processes(
    conn: &mut AnyConnection,
    time_zone: &str,
    where_sql: &str,
    binds: &[String],
) -> Result<Vec<Process>, StoreError> {
    let sql = format!("select {PROCESS_COLUMNS} from process p {where_sql} order by p.name, p.id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut lists = if binds.is_empty() {
        load_lists(conn, None).await?
    } else {
        load_lists(conn, Some(&ids)).await?
    };
    rows.iter()
        .zip(&ids)
        .map(|(r, id)| process_from_row(r, time_zone, lists.remove(id).unwrap_or_default()))
        .collect()
}

/// Reads one process inside a write.
pub(crate) async fn load_process(w: &mut WriteTx, id: ProcessId) -> Result<Process, StoreError> {
    let tz = crate::organisations::time_zone_in(w).await?;
    select_processes(&mut w.tx, &tz, "where p.id = $1", &[id.to_string()])
        .await?
        .pop()
        .ok_or(StoreError::NotFound("process"))
}

/// The audit-trail form of a process.
pub(crate) fn process_json(p: &Process) -> serde_json::Value {
    serde_json::json!({
        "id": p.id, "key": p.key, "name": p.name, "objective": p.objective, "owner_id": p.owner_id,
        "deputy_id": p.deputy_id, "raci": p.raci, "inputs": p.inputs, "outputs": p.outputs,
        "cadence": p.cadence.rule(), "cadence_start": date_text(p.cadence.anchor()), "evidence": p.evidence,
        "clauses": p.clauses, "controls": p.controls, "emits": p.emits, "status": p.status,
        "active_since": p.active_since.map(date_text), "planned_through": p.planned_through.map(date_text),
        "pause": p.pause, "version": p.version,
    })
}

async fn check_people(w: &mut WriteTx, def: &ProcessDefinition) -> Result<(), StoreError> {
    let mut errors = ValidationErrors::default();
    for (field, id) in [("owner_id", def.owner_id), ("deputy_id", def.deputy_id)] {
        let Some(id) = id else { continue };
        match crate::people::load_person(w, id).await {
            Ok(person) => {
                errors.check(check_process_person(field, &person));
            }
            Err(StoreError::NotFound(_)) => errors.push(field, "no person with this id exists"),
            Err(e) => return Err(e),
        }
    }
    errors.into_result(|| ()).map_err(Into::into)
}

/// Writes the lists of `p`, replacing what was there.
async fn write_lists(w: &mut WriteTx, p: &Process) -> Result<(), StoreError> {
    let id = p.id.to_string();
    for table in [
        "process_clause",
        "process_control",
        "process_evidence",
        "process_event",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from {table} where process_id = $1"
        )))
        .bind(&id)
        .execute(&mut *w.tx)
        .await?;
    }
    for (table, column, values) in [
        ("process_clause", "clause", &p.clauses),
        ("process_control", "control", &p.controls),
        ("process_evidence", "name", &p.evidence),
    ] {
        for (position, v) in values.iter().enumerate() {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "insert into {table} (process_id, position, {column}) values ($1, $2, $3)"
            )))
            .bind(&id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(v)
            .execute(&mut *w.tx)
            .await?;
        }
    }
    for e in &p.emits {
        sqlx::query("insert into process_event (process_id, event) values ($1, $2)")
            .bind(&id)
            .bind(e.as_str())
            .execute(&mut *w.tx)
            .await
            .map_err(|err| {
                on_unique(err, "process_event.event", "emits", || {
                    format!("{e} already happens in another process; an event has one process it happens in")
                })
            })?;
    }
    Ok(())
}

fn from_definition(id: ProcessId, def: ProcessDefinition, version: i64) -> Process {
    Process {
        id,
        key: def.key,
        name: def.name,
        objective: def.objective,
        owner_id: def.owner_id,
        deputy_id: def.deputy_id,
        raci: def.raci,
        inputs: def.inputs,
        outputs: def.outputs,
        cadence: def.cadence,
        evidence: def.evidence,
        clauses: def.clauses,
        controls: def.controls,
        emits: def.emits,
        status: def.status,
        active_since: None,
        planned_through: None,
        pause: None,
        version,
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds `$1`–`$18`: the process's columns in the order both statements below use.
fn bind_columns<'q>(q: AnyQuery<'q>, p: &Process) -> Result<AnyQuery<'q>, StoreError> {
    Ok(q.bind(p.id.to_string())
        .bind(p.key.clone())
        .bind(p.name.clone())
        .bind(p.objective.clone())
        .bind(p.owner_id.map(|x| x.to_string()))
        .bind(p.deputy_id.map(|x| x.to_string()))
        .bind(json_text(&p.raci)?)
        .bind(json_text(&p.inputs)?)
        .bind(json_text(&p.outputs)?)
        .bind(p.cadence.rule().to_owned())
        .bind(date_text(p.cadence.anchor()))
        .bind(p.status.as_str())
        .bind(p.active_since.map(date_text))
        .bind(p.planned_through.map(date_text))
        .bind(p.pause.as_ref().map(|x| date_text(x.since)))
        .bind(p.pause.as_ref().map(|x| date_text(x.until)))
        .bind(p.pause.as_ref().map(|x| x.reason.clone()))
        .bind(p.version)
        .bind(now_text()))
}

fn key_taken(p: &Process) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| {
        on_unique(e, "process.key", "key", || {
            format!("another process already has the key {}", p.key)
        })
    }
}

/// Inserts the process row.
async fn insert_row(
    w: &mut WriteTx,
    organisation_id: OrganisationId,
    p: &Process,
) -> Result<(), StoreError> {
    let q = sqlx::query(
        r"insert into process (id, key, name, objective, owner_id, deputy_id, raci_json, inputs_json, outputs_json,
             cadence, cadence_start, status, active_since, planned_through, paused_since, paused_until, pause_reason,
             version, created_at, updated_at, organisation_id)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20)",
    );
    bind_columns(q, p)?
        .bind(organisation_id.to_string())
        .execute(&mut *w.tx)
        .await
        .map_err(key_taken(p))?;
    Ok(())
}

/// Updates the process row if it is still at version `expected`.
async fn update_row(w: &mut WriteTx, p: &Process, expected: i64) -> Result<(), StoreError> {
    let q = sqlx::query(
        r"update process set key = $2, name = $3, objective = $4, owner_id = $5, deputy_id = $6, raci_json = $7,
             inputs_json = $8, outputs_json = $9, cadence = $10, cadence_start = $11, status = $12, active_since = $13,
             planned_through = $14, paused_since = $15, paused_until = $16, pause_reason = $17, version = $18,
             updated_at = $19
          where id = $1 and version = $20",
    );
    let n = bind_columns(q, p)?
        .bind(expected)
        .execute(&mut *w.tx)
        .await
        .map_err(key_taken(p))?
        .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale("process"))
    }
}

impl Store {
    /// Opens a change of process `id`, which must still be at `expected_version`: the unit of
    /// work and the process as it is in it.
    async fn change(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
    ) -> Result<(WriteTx, Process), StoreError> {
        let mut w = self.write(actor).await?;
        let before = load_process(&mut w, id).await?;
        if before.version == expected_version {
            Ok((w, before))
        } else {
            Err(StoreError::Stale("process"))
        }
    }

    /// The organisation's time zone, in which cadences are computed.
    pub(crate) async fn time_zone(&self) -> Result<String, StoreError> {
        Ok(self
            .organisation()
            .await?
            .map_or_else(|| "UTC".to_owned(), |o| o.time_zone))
    }

    /// Defines a process, as a draft or active (see [`check_edit`]). An active process is
    /// active from today and has its runs planned.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an owner who left or a status it cannot start in,
    /// [`StoreError::Conflict`] for a key in use or an event another process emits.
    pub async fn create_process(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        def: ProcessDefinition,
        as_of: AsOf,
    ) -> Result<Process, StoreError> {
        let mut w = self.write(actor).await?;
        let p = insert_process(&mut w, organisation_id, def, as_of).await?;
        w.commit().await?;
        Ok(p)
    }

    /// Reads one process.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn process(&self, id: ProcessId) -> Result<Process, StoreError> {
        let tz = self.time_zone().await?;
        let mut conn = self.pool.acquire().await?;
        select_processes(&mut conn, &tz, "where p.id = $1", &[id.to_string()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound("process"))
    }

    /// Every process, by name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_processes(&self) -> Result<Vec<Process>, StoreError> {
        let tz = self.time_zone().await?;
        let mut conn = self.pool.acquire().await?;
        select_processes(&mut conn, &tz, "", &[]).await
    }

    /// Replaces a process's definition if it is still at `expected_version`. Activating it
    /// makes it active from today; a new cadence re-plans the runs not yet started and due
    /// from today on; past and started runs stay as they are.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::Invalid`] (an edit the lifecycle refuses),
    /// [`StoreError::NotFound`].
    pub async fn update_process(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
        def: ProcessDefinition,
        as_of: AsOf,
    ) -> Result<Process, StoreError> {
        let (mut w, before) = self.change(actor, id, expected_version).await?;
        check_edit(before.status, def.status)?;
        check_people(&mut w, &def).await?;
        let mut after = from_definition(id, def, before.version + 1);
        after.active_since = before.active_since;
        after.planned_through = before.planned_through;
        after.pause = before.pause.clone();
        let today = as_of.today;
        let activated = after.status == ProcessStatus::Active && before.status != after.status;
        if before.status == ProcessStatus::Draft && activated {
            after.active_since = Some(today);
            after.planned_through = today.pred_opt();
        }
        if before.status == ProcessStatus::Paused && activated {
            after.pause = None;
        }
        let replan = before.cadence != after.cadence && after.status == ProcessStatus::Active;
        if replan {
            crate::activities::drop_unstarted_runs_from(&mut w, id, today).await?;
            after.planned_through = today.pred_opt();
        }
        update_row(&mut w, &after, expected_version).await?;
        write_lists(&mut w, &after).await?;
        if activated || replan {
            crate::activities::plan_within(
                &mut w,
                &mut after,
                today + chrono::Duration::days(PLANNING_HORIZON_DAYS),
            )
            .await?;
        }
        w.record(
            "process",
            &id.to_string(),
            if activated { "activated" } else { "update" },
            Some(&process_json(&before)),
            Some(&process_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Pauses an active process until `pause.until`: its open runs due by then are skipped
    /// with the reason, runs not started after it are unplanned, and no reminder or
    /// escalation is sent for it until it resumes (by hand, or the day after the pause).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] unless the process is active, [`StoreError::Stale`].
    pub async fn pause_process(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
        pause: Pause,
        as_of: AsOf,
    ) -> Result<Process, StoreError> {
        let (mut w, before) = self.change(actor, id, expected_version).await?;
        if before.status != ProcessStatus::Active {
            return Err(ValidationErrors::one(
                "status",
                format!(
                    "only an active process can be paused; this one is {}",
                    before.status
                ),
            )
            .into());
        }
        let reason = format!("Process paused until {}: {}", pause.until, pause.reason);
        crate::activities::skip_open_runs(&mut w, id, Some(pause.until), &reason, as_of.now)
            .await?;
        crate::activities::drop_unstarted_runs_from(
            &mut w,
            id,
            pause.until.succ_opt().unwrap_or(pause.until),
        )
        .await?;
        let mut after = before.clone();
        after.status = ProcessStatus::Paused;
        // Planning picks up again after the pause.
        after.planned_through = Some(pause.until);
        after.pause = Some(pause);
        after.version += 1;
        save_step(&mut w, &before, &after, "paused", None).await?;
        w.commit().await?;
        Ok(after)
    }

    /// Resumes a paused process: it is active again and its runs are planned from the day
    /// after its pause. Runs the pause skipped stay skipped.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] unless the process is paused, [`StoreError::Stale`].
    pub async fn resume_process(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
        as_of: AsOf,
    ) -> Result<Process, StoreError> {
        let (mut w, before) = self.change(actor, id, expected_version).await?;
        let after = resume_in(&mut w, before, as_of, "resumed").await?;
        w.commit().await?;
        Ok(after)
    }

    /// Resumes every process whose pause ended before today. Returns how many.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn resume_ended_pauses(
        &self,
        actor: &Actor,
        as_of: AsOf,
    ) -> Result<usize, StoreError> {
        let ended: Vec<String> = sqlx::query_scalar(
            "select id from process where status = 'paused' and paused_until < $1 order by id",
        )
        .bind(date_text(as_of.today))
        .fetch_all(&self.pool)
        .await?;
        for id in &ended {
            let mut w = self.write(actor).await?;
            let before = load_process(&mut w, parse_id(id)?).await?;
            if before.status == ProcessStatus::Paused {
                resume_in(&mut w, before, as_of, "pause_ended").await?;
            }
            w.commit().await?;
        }
        Ok(ended.len())
    }

    /// Retires a process with a reason: its open runs are skipped with the reason, runs not
    /// started are unplanned, and its history stays. A retired process cannot change again.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a missing reason or a process already retired,
    /// [`StoreError::Stale`].
    pub async fn retire_process(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
        reason: &str,
        as_of: AsOf,
    ) -> Result<Process, StoreError> {
        let reason = holdfast_core::text::long("reason", reason, "say why the process is retired")?;
        let (mut w, before) = self.change(actor, id, expected_version).await?;
        if before.status == ProcessStatus::Retired {
            return Err(ValidationErrors::one("status", "this process is already retired").into());
        }
        crate::activities::drop_unstarted_runs_from(&mut w, id, as_of.today).await?;
        crate::activities::skip_open_runs(
            &mut w,
            id,
            None,
            &format!("Process retired: {reason}"),
            as_of.now,
        )
        .await?;
        let mut after = before.clone();
        after.status = ProcessStatus::Retired;
        after.pause = None;
        after.version += 1;
        save_step(
            &mut w,
            &before,
            &after,
            "retired",
            Some(("reason", &reason)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

/// Saves `after` (a lifecycle step from `before`) with its audit event `action`, in the
/// caller's write; `note` adds to the after-image (a retirement's reason).
async fn save_step(
    w: &mut WriteTx,
    before: &Process,
    after: &Process,
    action: &str,
    note: Option<(&str, &str)>,
) -> Result<(), StoreError> {
    update_row(w, after, before.version).await?;
    let mut record = process_json(after);
    if let Some((k, v)) = note {
        record[k] = serde_json::Value::String(v.to_owned());
    }
    w.record(
        "process",
        &after.id.to_string(),
        action,
        Some(&process_json(before)),
        Some(&record),
    )
    .await
    .map(|_| ())
}

async fn resume_in(
    w: &mut WriteTx,
    before: Process,
    as_of: AsOf,
    action: &str,
) -> Result<Process, StoreError> {
    if before.status != ProcessStatus::Paused {
        return Err(ValidationErrors::one(
            "status",
            format!(
                "only a paused process can be resumed; this one is {}",
                before.status
            ),
        )
        .into());
    }
    let mut after = before.clone();
    after.status = ProcessStatus::Active;
    after.pause = None;
    after.version += 1;
    crate::activities::plan_within(
        w,
        &mut after,
        as_of.today + chrono::Duration::days(PLANNING_HORIZON_DAYS),
    )
    .await?;
    save_step(w, &before, &after, action, None).await?;
    Ok(after)
}

pub(crate) async fn insert_process(
    w: &mut WriteTx,
    organisation_id: OrganisationId,
    def: ProcessDefinition,
    as_of: AsOf,
) -> Result<Process, StoreError> {
    check_edit(ProcessStatus::Draft, def.status)?;
    check_people(w, &def).await?;
    let mut p = from_definition(ProcessId::from_uuid(Uuid::now_v7()), def, 1);
    if p.status == ProcessStatus::Active {
        p.active_since = Some(as_of.today);
        p.planned_through = as_of.today.pred_opt();
    }
    insert_row(w, organisation_id, &p).await?;
    write_lists(w, &p).await?;
    if p.status == ProcessStatus::Active {
        crate::activities::plan_within(
            w,
            &mut p,
            as_of.today + chrono::Duration::days(PLANNING_HORIZON_DAYS),
        )
        .await?;
    }
    w.record(
        "process",
        &p.id.to_string(),
        "create",
        None,
        Some(&process_json(&p)),
    )
    .await?;
    Ok(p)
}
