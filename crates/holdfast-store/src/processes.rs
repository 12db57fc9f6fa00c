//! Processes: definitions, owners, and re-planning when a cadence changes.

use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::cadence::Cadence;
use holdfast_core::ids::{OrganisationId, PersonId, ProcessId};
use holdfast_core::process::{Process, ProcessDefinition, check_process_person};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::on_unique;
use crate::rows::{date_text, now_text, parse_date, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};

const PROCESS_COLUMNS: &str = "p.id, p.key, p.name, p.objective, p.owner_id, p.deputy_id, p.raci_json, p.inputs_json, \
     p.outputs_json, p.cadence, p.cadence_start, p.evidence_json, p.clauses_json, p.controls_json, p.status, p.version";

pub(crate) fn json_text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(StoreError::corrupt)
}

pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(StoreError::corrupt)
}

fn process_from_row(r: &AnyRow, time_zone: &str) -> Result<Process, StoreError> {
    let opt_id = |c: &str| -> Result<Option<PersonId>, StoreError> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(parse_id)
            .transpose()
    };
    let status: String = r.try_get("status")?;
    let cadence_start = parse_date(&r.try_get::<String, _>("cadence_start")?)?;
    Ok(Process {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        objective: r.try_get("objective")?,
        owner_id: opt_id("owner_id")?,
        deputy_id: opt_id("deputy_id")?,
        raci: from_json_text(&r.try_get::<String, _>("raci_json")?)?,
        inputs: from_json_text(&r.try_get::<String, _>("inputs_json")?)?,
        outputs: from_json_text(&r.try_get::<String, _>("outputs_json")?)?,
        cadence: Cadence::parse(
            &r.try_get::<String, _>("cadence")?,
            cadence_start,
            time_zone,
        )
        .map_err(StoreError::corrupt)?,
        evidence: from_json_text(&r.try_get::<String, _>("evidence_json")?)?,
        clauses: from_json_text(&r.try_get::<String, _>("clauses_json")?)?,
        controls: from_json_text(&r.try_get::<String, _>("controls_json")?)?,
        status: status.parse().map_err(StoreError::corrupt)?,
        version: r.try_get("version")?,
    })
}

/// The audit-trail form of a process.
pub(crate) fn process_json(p: &Process) -> serde_json::Value {
    serde_json::json!({
        "id": p.id, "key": p.key, "name": p.name, "objective": p.objective, "owner_id": p.owner_id,
        "deputy_id": p.deputy_id, "raci": p.raci, "inputs": p.inputs, "outputs": p.outputs,
        "cadence": p.cadence.rule(), "cadence_start": date_text(p.cadence.anchor()), "evidence": p.evidence,
        "clauses": p.clauses, "controls": p.controls, "status": p.status, "version": p.version,
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

impl Store {
    /// The organisation's time zone, in which cadences are computed.
    pub(crate) async fn time_zone(&self) -> Result<String, StoreError> {
        Ok(self
            .organisation()
            .await?
            .map_or_else(|| "UTC".to_owned(), |o| o.time_zone))
    }

    /// Defines a process. Owner and deputy must be employed.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an owner who left, [`StoreError::Conflict`] for a key in use.
    pub async fn create_process(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        def: ProcessDefinition,
    ) -> Result<Process, StoreError> {
        let mut w = self.write(actor).await?;
        let p = insert_process(&mut w, organisation_id, def).await?;
        w.commit().await?;
        Ok(p)
    }

    /// Reads one process.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn process(&self, id: ProcessId) -> Result<Process, StoreError> {
        let tz = self.time_zone().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {PROCESS_COLUMNS} from process p where p.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("process"))?;
        process_from_row(&row, &tz)
    }

    /// Every process, by name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_processes(&self) -> Result<Vec<Process>, StoreError> {
        let tz = self.time_zone().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {PROCESS_COLUMNS} from process p order by p.name, p.id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| process_from_row(r, &tz)).collect()
    }

    /// Replaces a process's definition if it is still at `expected_version`. Runs not yet
    /// started and due from `today` on are re-planned; past and started runs stay as they are.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::Invalid`], [`StoreError::NotFound`].
    pub async fn update_process(
        &self,
        actor: &Actor,
        id: ProcessId,
        expected_version: i64,
        def: ProcessDefinition,
        today: NaiveDate,
    ) -> Result<Process, StoreError> {
        let before = self.process(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("process"));
        }
        let mut w = self.write(actor).await?;
        check_people(&mut w, &def).await?;
        let after = Process {
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
            status: def.status,
            version: before.version + 1,
        };
        let n = sqlx::query(
            r"update process set key = $1, name = $2, objective = $3, owner_id = $4, deputy_id = $5, raci_json = $6,
                 inputs_json = $7, outputs_json = $8, cadence = $9, cadence_start = $10, evidence_json = $11,
                 clauses_json = $12, controls_json = $13, status = $14, version = $15, updated_at = $16
              where id = $17 and version = $18",
        )
        .bind(&after.key)
        .bind(&after.name)
        .bind(&after.objective)
        .bind(after.owner_id.map(|p| p.to_string()))
        .bind(after.deputy_id.map(|p| p.to_string()))
        .bind(json_text(&after.raci)?)
        .bind(json_text(&after.inputs)?)
        .bind(json_text(&after.outputs)?)
        .bind(after.cadence.rule())
        .bind(date_text(after.cadence.anchor()))
        .bind(json_text(&after.evidence)?)
        .bind(json_text(&after.clauses)?)
        .bind(json_text(&after.controls)?)
        .bind(after.status.as_str())
        .bind(after.version)
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| on_unique(e, "process.key", "key", || format!("another process already has the key {}", after.key)))?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale("process"));
        }
        w.record(
            "process",
            &id.to_string(),
            "update",
            Some(&process_json(&before)),
            Some(&process_json(&after)),
        )
        .await?;
        if before.cadence != after.cadence || before.status != after.status {
            crate::activities::drop_unstarted_future_runs(&mut w, id, today).await?;
        }
        w.commit().await?;
        Ok(after)
    }
}

pub(crate) async fn insert_process(
    w: &mut WriteTx,
    organisation_id: OrganisationId,
    def: ProcessDefinition,
) -> Result<Process, StoreError> {
    check_people(w, &def).await?;
    let p = Process {
        id: ProcessId::from_uuid(Uuid::now_v7()),
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
        status: def.status,
        version: 1,
    };
    let now = now_text();
    sqlx::query(
        r"insert into process (id, organisation_id, key, name, objective, owner_id, deputy_id, raci_json, inputs_json,
             outputs_json, cadence, cadence_start, evidence_json, clauses_json, controls_json, status, version, created_at, updated_at)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17)",
    )
    .bind(p.id.to_string())
    .bind(organisation_id.to_string())
    .bind(&p.key)
    .bind(&p.name)
    .bind(&p.objective)
    .bind(p.owner_id.map(|x| x.to_string()))
    .bind(p.deputy_id.map(|x| x.to_string()))
    .bind(json_text(&p.raci)?)
    .bind(json_text(&p.inputs)?)
    .bind(json_text(&p.outputs)?)
    .bind(p.cadence.rule())
    .bind(date_text(p.cadence.anchor()))
    .bind(json_text(&p.evidence)?)
    .bind(json_text(&p.clauses)?)
    .bind(json_text(&p.controls)?)
    .bind(p.status.as_str())
    .bind(&now)
    .execute(&mut *w.tx)
    .await
    .map_err(|e| on_unique(e, "process.key", "key", || format!("another process already has the key {}", p.key)))?;
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
