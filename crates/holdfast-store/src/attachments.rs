//! Evidence attached to records: a run's required items, and the proof on a task (the
//! revocation export for a leaver, the training record for a joiner). An upload is stored
//! and attached in one transaction, so a refused attachment leaves no stray file behind.

use holdfast_core::activity::{Activity, ActivityState};
use holdfast_core::ids::{ActivityId, TaskId};

use crate::activities::{activity_json, load};
use crate::evidence::{
    EVIDENCE_COLUMNS, Evidence, NewEvidence, attach, evidence_from_row, insert_evidence,
};
use crate::tasks::task_json;
use crate::{Actor, Store, StoreError, WriteTx};

/// One evidence item attached to a record, under the requirement it meets (a run) or what
/// it shows (a task).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The record's id.
    pub record_id: String,
    /// The requirement met, or what it shows.
    pub requirement: String,
    /// The evidence.
    pub evidence: Evidence,
}

async fn attach_to_activity(
    w: &mut WriteTx,
    id: ActivityId,
    requirement: &str,
    evidence_id: &str,
) -> Result<Activity, StoreError> {
    let before = load(w, id).await?;
    if !before.is_open() {
        return Err(holdfast_core::ValidationErrors::one(
            "state",
            "this run is closed; reopen it with a reason to add evidence",
        )
        .into());
    }
    let required = crate::activities::evidence_required(w, before.process_id).await?;
    if !required.iter().any(|r| r == requirement) {
        return Err(holdfast_core::ValidationErrors::one(
            "requirement",
            format!("this process asks for: {}", required.join(", ")),
        )
        .into());
    }
    attach(w, evidence_id, "activity", &id.to_string(), requirement).await?;
    // The first evidence shows the work has begun.
    if before.state == ActivityState::Planned {
        sqlx::query(
            "update activity set state = $1, version = version + 1, updated_at = $2 where id = $3",
        )
        .bind(ActivityState::InProgress.as_str())
        .bind(crate::rows::now_text())
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
    }
    let after = load(w, id).await?;
    w.record(
        "activity",
        &id.to_string(),
        "evidence_attached",
        Some(&activity_json(&before)),
        Some(&activity_json(&after)),
    )
    .await?;
    Ok(after)
}

async fn attach_to_task(
    w: &mut WriteTx,
    store: &Store,
    id: TaskId,
    shows: &str,
    evidence_id: &str,
) -> Result<(), StoreError> {
    let shows = holdfast_core::person::required_text("shows", shows, 200)?;
    let task = store.task(id).await?;
    if !task.status.is_open() {
        return Err(holdfast_core::ValidationErrors::one(
            "status",
            "this task is finished; evidence goes with open work",
        )
        .into());
    }
    attach(w, evidence_id, "task", &id.to_string(), &shows).await?;
    let mut after = task_json(&task);
    after["evidence_attached"] = serde_json::json!({"shows": shows, "evidence_id": evidence_id});
    w.record(
        "task",
        &id.to_string(),
        "evidence_attached",
        None,
        Some(&after),
    )
    .await?;
    Ok(())
}

impl Store {
    /// Attaches stored evidence to a run under a requirement's name.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the run is closed or the name is not one the process
    /// requires; [`StoreError::NotFound`].
    pub async fn attach_evidence_to_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        requirement: &str,
        evidence_id: &str,
    ) -> Result<Activity, StoreError> {
        let mut w = self.write(actor).await?;
        let after = attach_to_activity(&mut w, id, requirement, evidence_id).await?;
        w.commit().await?;
        Ok(after)
    }

    /// Stores an upload and attaches it to a run, together or not at all.
    ///
    /// # Errors
    /// As [`Store::store_evidence`] and [`Store::attach_evidence_to_activity`].
    pub async fn upload_evidence_to_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        requirement: &str,
        new: NewEvidence,
        description: &str,
    ) -> Result<Activity, StoreError> {
        let mut w = self.write(actor).await?;
        let ev = insert_evidence(&mut w, actor, new, description).await?;
        let after = attach_to_activity(&mut w, id, requirement, &ev.id).await?;
        w.commit().await?;
        Ok(after)
    }

    /// Attaches stored evidence to an open task, named by what it shows.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the task is done or cancelled, the name is blank or the
    /// evidence does not exist; [`StoreError::NotFound`] for an unknown task.
    pub async fn attach_evidence_to_task(
        &self,
        actor: &Actor,
        id: TaskId,
        shows: &str,
        evidence_id: &str,
    ) -> Result<Vec<(String, Evidence)>, StoreError> {
        let mut w = self.write(actor).await?;
        attach_to_task(&mut w, self, id, shows, evidence_id).await?;
        w.commit().await?;
        self.task_evidence(id).await
    }

    /// Stores an upload and attaches it to an open task, together or not at all.
    ///
    /// # Errors
    /// As [`Store::store_evidence`] and [`Store::attach_evidence_to_task`].
    pub async fn upload_evidence_to_task(
        &self,
        actor: &Actor,
        id: TaskId,
        shows: &str,
        new: NewEvidence,
        description: &str,
    ) -> Result<Vec<(String, Evidence)>, StoreError> {
        let mut w = self.write(actor).await?;
        let ev = insert_evidence(&mut w, actor, new, description).await?;
        attach_to_task(&mut w, self, id, shows, &ev.id).await?;
        w.commit().await?;
        self.task_evidence(id).await
    }

    /// The evidence attached to a task, in the order it was attached, each with what it
    /// shows.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown task.
    pub async fn task_evidence(&self, id: TaskId) -> Result<Vec<(String, Evidence)>, StoreError> {
        self.task(id).await?;
        Ok(self
            .attachments("task", &[id.to_string()])
            .await?
            .into_iter()
            .map(|a| (a.requirement, a.evidence))
            .collect())
    }

    /// The evidence attached to these records of one type (`activity`, `task`), in the order
    /// it was attached, read in chunks that keep within both databases' limits on bound
    /// parameters.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn attachments(
        &self,
        record_type: &str,
        ids: &[String],
    ) -> Result<Vec<Attachment>, StoreError> {
        let columns = EVIDENCE_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let placeholders = (2..=chunk.len() + 1)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "select a.record_id, a.requirement, {columns} from evidence_attachment a \
                 join evidence e on e.id = a.evidence_id \
                 where a.record_type = $1 and a.record_id in ({placeholders}) order by a.created_at, a.id"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(record_type);
            for id in chunk {
                query = query.bind(id);
            }
            for r in query.fetch_all(&self.pool).await? {
                use sqlx::Row;
                out.push(Attachment {
                    record_id: r.try_get("record_id")?,
                    requirement: r.try_get("requirement")?,
                    evidence: evidence_from_row(&r)?,
                });
            }
        }
        Ok(out)
    }
}
