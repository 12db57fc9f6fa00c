//! Overdue runs as events: an open run of an active process past its due date emits
//! `activity_overdue` at each milestone (a day, a week), so interaction rules can react to it
//! like to any other event. Paused and retired processes have no open runs to escalate.

use chrono::{DateTime, Duration, Utc};
use holdfast_core::activity::{OVERDUE_MILESTONES, overdue_milestones};
use holdfast_core::ids::ProcessId;
use holdfast_core::interaction::EventKind;
use sqlx::Row;

use crate::events::emit;
use crate::rows::{parse_id, parse_time};
use crate::{Actor, Store, StoreError};

impl Store {
    /// Emits the `activity_overdue` events open runs have reached by `now` and not yet
    /// emitted, each at the moment its milestone was reached and with the milestone as the
    /// `days_overdue` fact, and records each in the audit trail. Safe to run from several
    /// instances: an event is kept once. Returns how many events were new.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn emit_overdue_events(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let first = OVERDUE_MILESTONES.iter().min().copied().unwrap_or(1);
        let rows = sqlx::query(
            r"select a.id, a.process_id, a.due_date, a.due_at, pr.name,
                     (select count(*) from domain_event e where e.kind = 'activity_overdue'
                      and e.subject_type = 'activity' and e.subject_id = a.id) as emitted
              from activity a join process pr on pr.id = a.process_id
              where a.state in ('planned', 'in_progress') and a.due_at <= $1 and pr.status = 'active'
              order by a.due_at, a.id",
        )
        .bind(crate::rows::time_text(now - Duration::days(first)))
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::new();
        for r in &rows {
            let reached = overdue_milestones(parse_time(&r.try_get::<String, _>("due_at")?)?, now);
            let emitted: i64 = r.try_get("emitted")?;
            if usize::try_from(emitted).unwrap_or(0) < reached.len() {
                due.push((r, reached));
            }
        }
        if due.is_empty() {
            return Ok(0);
        }
        let mut w = self.write(actor).await?;
        let mut new = 0;
        for (r, reached) in due {
            let id: String = r.try_get("id")?;
            let process: ProcessId = parse_id(&r.try_get::<String, _>("process_id")?)?;
            let subject = format!(
                "{} run of {}",
                r.try_get::<String, _>("name")?,
                r.try_get::<String, _>("due_date")?
            );
            for (days, at) in reached {
                let fresh = emit(
                    &mut w,
                    EventKind::ActivityOverdue,
                    Some(process),
                    ("activity", &id),
                    &subject,
                    &[("days_overdue", days.to_string())],
                    at,
                )
                .await?;
                if fresh {
                    let after = serde_json::json!({"days_overdue": days, "since": crate::rows::time_text(at)});
                    w.record("activity", &id, "overdue", None, Some(&after))
                        .await?;
                    new += 1;
                }
            }
        }
        w.commit().await?;
        Ok(new)
    }
}
