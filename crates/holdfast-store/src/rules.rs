//! Interaction rules: data, not code. Full records: created, edited, disabled and deleted
//! with optimistic concurrency, each checked against the others so none fires forever or
//! twice. A deleted rule keeps its row, because the tasks it made still name it.

use holdfast_core::ids::{ProcessId, RuleId};
use holdfast_core::interaction::{Assignee, Condition, EventKind, InteractionRule, check_rule};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::rows::{from_json_text, json_text, now_text, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};

const RULE_COLUMNS: &str = "id, from_process, event, condition_json, to_process, task_title, priority, sla_hours, assign_to, evidence_required, disabled_at, version";

/// A rule to add, or what an edit replaces a rule with.
#[derive(Debug, Clone)]
pub struct NewRule {
    /// Where the event happens.
    pub from_process: ProcessId,
    /// The event.
    pub event: EventKind,
    /// Only when this holds.
    pub condition: Option<Condition>,
    /// Where the task goes.
    pub to_process: ProcessId,
    /// The task's title.
    pub task_title: String,
    /// Its priority.
    pub priority: String,
    /// Its SLA in hours.
    pub sla_hours: i64,
    /// Who does the task.
    pub assign_to: Assignee,
    /// Whether its tasks may only be marked done with evidence attached.
    pub evidence_required: bool,
}

fn rule_from_row(r: &AnyRow) -> Result<InteractionRule, StoreError> {
    let event: String = r.try_get("event")?;
    Ok(InteractionRule {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        from_process: parse_id(&r.try_get::<String, _>("from_process")?)?,
        event: event.parse().map_err(StoreError::corrupt)?,
        condition: r
            .try_get::<Option<String>, _>("condition_json")?
            .as_deref()
            .map(from_json_text)
            .transpose()?,
        to_process: parse_id(&r.try_get::<String, _>("to_process")?)?,
        task_title: r.try_get("task_title")?,
        priority: r.try_get("priority")?,
        sla_hours: r.try_get("sla_hours")?,
        assign_to: r
            .try_get::<String, _>("assign_to")?
            .parse()
            .map_err(StoreError::corrupt)?,
        evidence_required: r.try_get::<i64, _>("evidence_required")? != 0,
        active: r.try_get::<Option<String>, _>("disabled_at")?.is_none(),
        version: r.try_get("version")?,
    })
}

fn rule_json(r: &InteractionRule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "from_process": r.from_process, "event": r.event, "condition": r.condition, "to_process": r.to_process,
        "task_title": r.task_title, "priority": r.priority, "sla_hours": r.sla_hours, "assign_to": r.assign_to,
        "evidence_required": r.evidence_required, "active": r.active, "version": r.version,
    })
}

/// Every rule not deleted, read inside a write.
async fn rules_in(w: &mut WriteTx) -> Result<Vec<InteractionRule>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {RULE_COLUMNS} from interaction_rule where deleted_at is null"
    )))
    .fetch_all(&mut *w.tx)
    .await?;
    rows.iter().map(rule_from_row).collect()
}

async fn load(w: &mut WriteTx, id: RuleId) -> Result<InteractionRule, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {RULE_COLUMNS} from interaction_rule where id = $1 and deleted_at is null"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or(StoreError::NotFound("interaction rule"))?;
    rule_from_row(&row)
}

/// Checks `rule` against the processes it links and every other rule.
async fn validate(w: &mut WriteTx, rule: &InteractionRule) -> Result<(), StoreError> {
    let mut errors = holdfast_core::ValidationErrors::default();
    let mut from_emits = Vec::new();
    for (field, id) in [
        ("from_process", rule.from_process),
        ("to_process", rule.to_process),
    ] {
        match crate::processes::load_process(w, id).await {
            Ok(p) if p.status == holdfast_core::process::ProcessStatus::Retired => {
                errors.push(
                    field,
                    format!("\"{}\" is retired and takes part in no interaction", p.name),
                );
            }
            Ok(p) => {
                if field == "from_process" {
                    from_emits = p.emits;
                }
            }
            Err(StoreError::NotFound(_)) => errors.push(field, "no process with this id exists"),
            Err(e) => return Err(e),
        }
    }
    if !errors.errors.is_empty() {
        return Err(errors.into());
    }
    let others = rules_in(w).await?;
    Ok(check_rule(rule, &from_emits, &others)?)
}

async fn write_rule(
    w: &mut WriteTx,
    rule: &InteractionRule,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let now = now_text();
    let sql = if expected.is_some() {
        r"update interaction_rule set from_process = $2, event = $3, condition_json = $4, to_process = $5, task_title = $6,
             priority = $7, sla_hours = $8, assign_to = $9, disabled_at = $10, version = $11, updated_at = $12,
             evidence_required = $13
          where id = $1 and version = $14 and deleted_at is null"
    } else {
        r"insert into interaction_rule (id, from_process, event, condition_json, to_process, task_title, priority, sla_hours,
             assign_to, disabled_at, version, created_at, updated_at, evidence_required)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)"
    };
    let q = sqlx::query(sql)
        .bind(rule.id.to_string())
        .bind(rule.from_process.to_string())
        .bind(rule.event.as_str())
        .bind(rule.condition.as_ref().map(json_text).transpose()?)
        .bind(rule.to_process.to_string())
        .bind(&rule.task_title)
        .bind(&rule.priority)
        .bind(rule.sla_hours)
        .bind(rule.assign_to.as_str())
        .bind((!rule.active).then(|| now.clone()))
        .bind(rule.version)
        .bind(now.clone())
        .bind(i64::from(rule.evidence_required));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    let n = q.execute(&mut *w.tx).await?.rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale("interaction rule"))
    }
}

impl Store {
    /// Adds an interaction rule.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the field: an SLA outside an hour to a year, an
    /// unknown fact, an event its `from` process never emits, an identical rule, a rule
    /// that would fire forever, an unknown or retired process.
    pub async fn create_rule(
        &self,
        actor: &Actor,
        new: NewRule,
    ) -> Result<InteractionRule, StoreError> {
        let rule = InteractionRule {
            id: RuleId::from_uuid(Uuid::now_v7()),
            from_process: new.from_process,
            event: new.event,
            condition: new.condition,
            to_process: new.to_process,
            task_title: new.task_title.trim().to_owned(),
            priority: new.priority,
            sla_hours: new.sla_hours,
            assign_to: new.assign_to,
            evidence_required: new.evidence_required,
            active: true,
            version: 1,
        };
        let mut w = self.write(actor).await?;
        validate(&mut w, &rule).await?;
        write_rule(&mut w, &rule, None).await?;
        w.record(
            "interaction_rule",
            &rule.id.to_string(),
            "create",
            None,
            Some(&rule_json(&rule)),
        )
        .await?;
        w.commit().await?;
        Ok(rule)
    }

    /// Replaces a rule's definition and whether it is active, if it is still at
    /// `expected_version`. Tasks it made before keep their deadlines.
    ///
    /// # Errors
    /// As [`Store::create_rule`], and [`StoreError::Stale`], [`StoreError::NotFound`].
    pub async fn update_rule(
        &self,
        actor: &Actor,
        id: RuleId,
        expected_version: i64,
        new: NewRule,
        active: bool,
    ) -> Result<InteractionRule, StoreError> {
        let mut w = self.write(actor).await?;
        let before = load(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("interaction rule"));
        }
        let after = InteractionRule {
            id,
            from_process: new.from_process,
            event: new.event,
            condition: new.condition,
            to_process: new.to_process,
            task_title: new.task_title.trim().to_owned(),
            priority: new.priority,
            sla_hours: new.sla_hours,
            assign_to: new.assign_to,
            evidence_required: new.evidence_required,
            active,
            version: before.version + 1,
        };
        validate(&mut w, &after).await?;
        write_rule(&mut w, &after, Some(expected_version)).await?;
        let action = match (before.active, after.active) {
            (true, false) => "disabled",
            (false, true) => "enabled",
            _ => "update",
        };
        w.record(
            "interaction_rule",
            &id.to_string(),
            action,
            Some(&rule_json(&before)),
            Some(&rule_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Deletes a rule if it is still at `expected_version`: it stops firing and is no longer
    /// listed; the tasks it made stay, naming it.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`].
    pub async fn delete_rule(
        &self,
        actor: &Actor,
        id: RuleId,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor).await?;
        let before = load(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("interaction rule"));
        }
        let now = now_text();
        sqlx::query(
            "update interaction_rule set deleted_at = $1, updated_at = $1, version = version + 1 where id = $2",
        )
        .bind(&now)
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "interaction_rule",
            &id.to_string(),
            "delete",
            Some(&rule_json(&before)),
            None,
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// One rule (not deleted).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn rule(&self, id: RuleId) -> Result<InteractionRule, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {RULE_COLUMNS} from interaction_rule where id = $1 and deleted_at is null"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("interaction rule"))?;
        rule_from_row(&row)
    }

    /// Every rule not deleted, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_rules(&self) -> Result<Vec<InteractionRule>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {RULE_COLUMNS} from interaction_rule where deleted_at is null order by created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rule_from_row).collect()
    }
}
