//! Interaction rules: data, not code. Checked against each other so none fires forever.

use holdfast_core::ids::{ProcessId, RuleId};
use holdfast_core::interaction::{Assignee, Condition, EventKind, InteractionRule, check_rule};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::processes::{from_json_text, json_text};
use crate::rows::{now_text, parse_id};
use crate::{Actor, Store, StoreError};

/// A rule to add.
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
        active: r.try_get::<Option<String>, _>("disabled_at")?.is_none(),
    })
}

fn rule_json(r: &InteractionRule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "from_process": r.from_process, "event": r.event, "condition": r.condition, "to_process": r.to_process,
        "task_title": r.task_title, "priority": r.priority, "sla_hours": r.sla_hours, "assign_to": r.assign_to, "active": r.active,
    })
}

impl Store {
    /// Adds an interaction rule.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a non-positive SLA or a rule that would fire forever;
    /// [`StoreError::NotFound`] for an unknown process.
    pub async fn create_rule(
        &self,
        actor: &Actor,
        new: NewRule,
    ) -> Result<InteractionRule, StoreError> {
        for p in [new.from_process, new.to_process] {
            self.process(p).await?;
        }
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
            active: true,
        };
        let mut w = self.write(actor).await?;
        let rows = sqlx::query("select id, from_process, event, condition_json, to_process, task_title, priority, sla_hours, assign_to, disabled_at from interaction_rule")
            .fetch_all(&mut *w.tx)
            .await?;
        let others = rows
            .iter()
            .map(rule_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        check_rule(&rule, &others)?;
        let now = now_text();
        sqlx::query(
            r"insert into interaction_rule (id, from_process, event, condition_json, to_process, task_title, priority, sla_hours, assign_to, version, created_at, updated_at)
              values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(rule.id.to_string())
        .bind(rule.from_process.to_string())
        .bind(rule.event.as_str())
        .bind(rule.condition.as_ref().map(json_text).transpose()?)
        .bind(rule.to_process.to_string())
        .bind(&rule.task_title)
        .bind(&rule.priority)
        .bind(rule.sla_hours)
        .bind(rule.assign_to.as_str())
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
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

    /// Every rule.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_rules(&self) -> Result<Vec<InteractionRule>, StoreError> {
        let rows = sqlx::query("select id, from_process, event, condition_json, to_process, task_title, priority, sla_hours, assign_to, disabled_at from interaction_rule order by created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rule_from_row).collect()
    }
}
