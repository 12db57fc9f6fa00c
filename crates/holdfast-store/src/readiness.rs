//! Loads the snapshot of records the readiness engine reads, bounded by the audit period so
//! its cost follows the period's activity, not the organisation's whole history: the runs
//! and tasks of the period, whatever is still open, each process's latest completed run,
//! and the people the checks judge. And stores managers' acceptances of observations.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::clock::AsOf;
use holdfast_core::readiness::{Acceptance, Period, Report, Settings, Snapshot, check};
use sqlx::Row;
use uuid::Uuid;

use crate::rows::{date_text, now_text, parse_date, parse_time, placeholders, time_text};
use crate::{Actor, Store, StoreError};

/// How many rows of each kind a snapshot holds, for benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSize {
    /// Processes.
    pub processes: usize,
    /// Runs.
    pub runs: usize,
    /// Rules.
    pub rules: usize,
    /// Tasks.
    pub tasks: usize,
    /// People.
    pub people: usize,
}

impl SnapshotSize {
    /// The sizes of `s`.
    #[must_use]
    pub fn of(s: &Snapshot) -> Self {
        Self {
            processes: s.processes.len(),
            runs: s.activities.len(),
            rules: s.rules.len(),
            tasks: s.tasks.len(),
            people: s.people.len(),
        }
    }
}

impl Store {
    /// The readiness engine's report as of the clock: the one function the web dashboard,
    /// the API, the readiness page and `holdfast check` call.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn readiness(&self, as_of: AsOf, settings: Settings) -> Result<Report, StoreError> {
        let period = Period::ending(as_of.today, settings.period_months);
        let snapshot = self.readiness_snapshot(as_of, period).await?;
        Ok(check(&snapshot, as_of, settings))
    }

    /// Every record the readiness engine needs to judge `period` as of the clock.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn readiness_snapshot(
        &self,
        as_of: AsOf,
        period: Period,
    ) -> Result<Snapshot, StoreError> {
        let processes = self.list_processes().await?;
        // A day early: the period is in local days, stored times are UTC.
        let from = date_text(period.from.pred_opt().unwrap_or(period.from));
        let now = time_text(as_of.now);
        let mut conn = self.pool.acquire().await?;
        let activities = crate::activities::select_runs(
            &mut conn,
            r"where a.due_date >= $1 or a.closed_at >= $1 or a.state in ('planned', 'in_progress') or a.closed_at > $2
                 or a.id in (select a2.id from activity a2 join
                     (select process_id, max(closed_at) as last from activity where state = 'done' and closed_at <= $2
                      group by process_id) l on l.process_id = a2.process_id and a2.closed_at = l.last
                   where a2.state = 'done')
              order by a.due_date, a.id",
            vec![Some(from.clone()), Some(now.clone())],
        )
        .await?;
        let task_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {} from task t
              where t.due_at >= $1 or t.status in ('open', 'in_progress') or t.completed_at > $2
              order by t.due_at, t.id",
            crate::tasks::TASK_COLUMNS
        )))
        .bind(&from)
        .bind(&now)
        .fetch_all(&mut *conn)
        .await?;
        let tasks = crate::tasks::tasks_from_rows(&mut conn, &task_rows).await?;
        drop(conn);
        let rules = self.list_rules().await?;
        let mut judged: BTreeSet<String> = BTreeSet::new();
        for p in &processes {
            judged.extend(
                p.owner_id
                    .iter()
                    .chain(&p.deputy_id)
                    .map(ToString::to_string),
            );
        }
        for a in activities.iter().filter(|a| a.is_open()) {
            judged.extend(a.assignee_id.map(|p| p.to_string()));
        }
        let risks = self.risk_register().await?;
        for r in &risks.risks {
            judged.extend(r.risk.owner_id.map(|p| p.to_string()));
        }
        let ids: Vec<String> = judged.into_iter().collect();
        let people = self.people_by_ids(&ids).await?;
        let acceptances = self.acceptances(as_of.today).await?;
        Ok(Snapshot {
            processes,
            activities,
            rules,
            tasks,
            people,
            acceptances,
            risks,
            soa: holdfast_core::readiness::SoaState {
                live: self.soa_rows().await?,
                published: self.latest_soa_version().await?,
            },
            context: self.context_state().await?,
        })
    }

    /// The acceptances that have not expired by `today`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn acceptances(&self, today: NaiveDate) -> Result<Vec<Acceptance>, StoreError> {
        let rows = sqlx::query(
            "select id, finding_id, reason, expires_on, accepted_by, created_at from readiness_acceptance \
             where expires_on >= $1 order by created_at, id",
        )
        .bind(date_text(today))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Acceptance {
                    id: r.try_get("id")?,
                    finding_id: r.try_get("finding_id")?,
                    reason: r.try_get("reason")?,
                    expires_on: parse_date(&r.try_get::<String, _>("expires_on")?)?,
                    accepted_by: r.try_get("accepted_by")?,
                    accepted_at: parse_time(&r.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// Records a manager's acceptance of the observation `finding_id`, with a reason, until
    /// `expires_on` (at most a year ahead). Whether the finding is an open observation is
    /// for the caller to establish from the engine's report.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a missing reason or an expiry not in the coming year.
    pub async fn accept_finding(
        &self,
        actor: &Actor,
        accepted_by: &str,
        finding_id: &str,
        reason: &str,
        expires_on: Option<NaiveDate>,
        as_of: AsOf,
    ) -> Result<Acceptance, StoreError> {
        let mut errors = ValidationErrors::default();
        let reason = errors.check(holdfast_core::text::long(
            "reason",
            reason,
            "say why this observation is accepted",
        ));
        let latest = as_of.today + chrono::Duration::days(366);
        match expires_on {
            None => errors.push("expires_on", "say until when the observation is accepted"),
            Some(d) if d <= as_of.today => {
                errors.push("expires_on", "the acceptance must end after today")
            }
            Some(d) if d > latest => errors.push(
                "expires_on",
                format!("an acceptance can last a year at most, until {latest}"),
            ),
            Some(_) => {}
        }
        let (Some(reason), Some(expires_on)) = (reason, expires_on) else {
            return Err(errors.into());
        };
        if !errors.errors.is_empty() {
            return Err(errors.into());
        }
        let a = Acceptance {
            id: Uuid::now_v7().to_string(),
            finding_id: finding_id.to_owned(),
            reason,
            expires_on,
            accepted_by: accepted_by.to_owned(),
            accepted_at: as_of.now,
        };
        let mut w = self.write(actor).await?;
        sqlx::query(
            "insert into readiness_acceptance (id, finding_id, reason, expires_on, accepted_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&a.id)
        .bind(&a.finding_id)
        .bind(&a.reason)
        .bind(date_text(a.expires_on))
        .bind(&a.accepted_by)
        .bind(time_text(a.accepted_at))
        .bind(now_text())
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "readiness_acceptance",
            &a.id,
            "create",
            None,
            Some(&serde_json::to_value(&a).map_err(StoreError::corrupt)?),
        )
        .await?;
        w.commit().await?;
        Ok(a)
    }

    /// The people with these ids, in chunks of 500 (one query each).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    /// The people with these ids, in no particular order; ids that name no one are left out.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn people_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<holdfast_core::person::Person>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "select {} from person where id in {}",
                crate::people::PERSON_COLUMNS,
                placeholders(1, chunk.len())
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(crate::people::person_from_row(&r)?);
            }
        }
        Ok(out)
    }
}
