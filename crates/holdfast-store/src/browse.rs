//! Read models for browsing: the audit trail with filters, the dashboard's counts, locations.

use holdfast_core::audit::StoredEvent;
use holdfast_core::ids::{LocationId, OrganisationId};
use holdfast_core::organisation::{Location, LocationKind};
use sqlx::Row;
use uuid::Uuid;

use crate::audit::stored_event;
use crate::rows::{now_text, parse_id};
use crate::{Actor, Store, StoreError};

/// Which audit events to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only events about this kind of record.
    pub entity_type: Option<String>,
    /// Only events about this record.
    pub entity_id: Option<String>,
    /// Only events by this actor (`user:<id>`, `cli:init`).
    pub actor: Option<String>,
    /// Only events at or after this time (RFC 3339 or a date).
    pub from: Option<String>,
    /// Only events before this time.
    pub to: Option<String>,
    /// Continue with events older than this sequence number.
    pub before_seq: Option<i64>,
    /// Rows to read, 1 to 501.
    pub limit: u32,
    /// Kinds of record the reader may not see (from
    /// [`holdfast_core::policy::audit_records_hidden_from`]).
    pub hidden: &'static [&'static str],
}

/// The counts the dashboard shows.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    /// People employed now.
    pub people_active: i64,
    /// People who gave notice.
    pub people_leaving: i64,
    /// People who left.
    pub people_left: i64,
    /// Departments with at least one person.
    pub departments: i64,
    /// Login accounts, enabled.
    pub user_accounts: i64,
    /// API tokens in use (not revoked).
    pub api_tokens: i64,
    /// Locations in the organisation.
    pub locations: i64,
    /// Events in the audit trail.
    pub audit_events: i64,
    /// Of those, events about login accounts (hidden from readers who may not read accounts).
    pub account_audit_events: i64,
}

/// How the ISMS is operating now, for the dashboard.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OperationCounts {
    /// Active processes.
    pub processes_active: i64,
    /// Open runs past their due date.
    pub runs_overdue: i64,
    /// Open runs due in the next seven days.
    pub runs_due_this_week: i64,
    /// Open tasks.
    pub tasks_open: i64,
    /// Open tasks past their deadline: SLAs breached now.
    pub tasks_breached: i64,
}

impl Store {
    /// Lists audit events matching the query, newest first, and how many match in all.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn list_audit_events(
        &self,
        q: &AuditQuery,
    ) -> Result<(Vec<StoredEvent>, crate::Total), StoreError> {
        let mut filter = r"($1 is null or entity_type = $1) and ($2 is null or entity_id = $2)
            and ($3 is null or actor = $3) and ($4 is null or occurred_at >= $4) and ($5 is null or occurred_at < $5)".to_owned();
        if !q.hidden.is_empty() {
            // Static record-type names from the policy, never user text.
            let names: Vec<String> = q.hidden.iter().map(|t| format!("'{t}'")).collect();
            filter.push_str(&format!(" and entity_type not in ({})", names.join(", ")));
        }
        let unfiltered = q.entity_type.is_none()
            && q.entity_id.is_none()
            && q.actor.is_none()
            && q.from.is_none()
            && q.to.is_none();
        let total = if unfiltered {
            let all = crate::listing::tally(&self.pool, "audit_event").await?;
            let hidden = if q.hidden.is_empty() {
                0
            } else {
                crate::listing::tally(&self.pool, "audit_event.accounts").await?
            };
            crate::Total::exact(all - hidden)
        } else {
            // Every filter is a bound value or null; the literal filter text is the same for all.
            let sql = format!(
                "select count(*) from (select 1 from audit_event where {filter} limit {}) as capped",
                crate::COUNT_CAP + 1
            );
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(q.entity_type.clone())
                .bind(q.entity_id.clone())
                .bind(q.actor.clone())
                .bind(q.from.clone())
                .bind(q.to.clone())
                .fetch_one(&self.pool)
                .await?;
            if n > crate::COUNT_CAP {
                crate::Total {
                    n: crate::COUNT_CAP,
                    capped: true,
                }
            } else {
                crate::Total::exact(n)
            }
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash
              from audit_event where {filter} and ($6 is null or seq < $6) order by seq desc limit $7"
        )))
        .bind(q.entity_type.clone())
        .bind(q.entity_id.clone())
        .bind(q.actor.clone())
        .bind(q.from.clone())
        .bind(q.to.clone())
        .bind(q.before_seq)
        .bind(i64::from(q.limit.clamp(1, 501)))
        .fetch_all(&self.pool)
        .await?;
        let events = rows.iter().map(stored_event).collect::<Result<_, _>>()?;
        Ok((events, total))
    }

    /// The dashboard's counts, read from the tallies the writing transactions maintain, so
    /// the dashboard costs the same on 100,000 people as on 100.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let as_of = holdfast_core::clock::AsOf::at(
            crate::clock::now(),
            holdfast_core::clock::time_zone("UTC"),
        );
        Ok(self.dashboard_counts(as_of, &[], &[]).await?.counts)
    }

    /// Departments in use, alphabetically, for filters.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn departments(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("select distinct department from person order by department")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Adds a location to the organisation.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name.
    pub async fn create_location(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        name: &str,
        kind: LocationKind,
    ) -> Result<Location, StoreError> {
        let location = Location {
            id: LocationId::from_uuid(Uuid::now_v7()),
            name: holdfast_core::person::required_text("name", name, 200)?,
            kind,
        };
        let now = now_text();
        let mut w = self.write(actor).await?;
        sqlx::query("insert into location (id, organisation_id, name, kind, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)")
            .bind(location.id.to_string())
            .bind(organisation_id.to_string())
            .bind(&location.name)
            .bind(kind.as_str())
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        let after = serde_json::to_value(&location).map_err(StoreError::corrupt)?;
        w.record(
            "location",
            &location.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(location)
    }

    /// The organisation's locations by name.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn locations(&self) -> Result<Vec<Location>, StoreError> {
        let rows = sqlx::query("select id, name, kind from location order by name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Location {
                    id: parse_id(&r.try_get::<String, _>("id")?)?,
                    name: r.try_get("name")?,
                    kind: kind.parse().map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }
}

/// The dashboard's tallies as expressions, in [`Counts`] order: read from the tallies the
/// writing transactions maintain, so the dashboard costs the same on 100,000 people as on 100.
pub(crate) fn tally_exprs() -> Vec<String> {
    let t = |name: &str| format!("coalesce((select n from tally where name = '{name}'), 0)");
    vec![
        t("person.status:active"),
        t("person.status:leaving"),
        t("person.status:left"),
        // Departments in use: a range on the tally's primary key, one row per department.
        "(select count(*) from tally where name >= 'person.dept:' and name < 'person.dept;' and n > 0)".to_owned(),
        t("user_account.enabled"),
        t("api_token.live"),
        t("location"),
        t("audit_event"),
        t("audit_event.accounts"),
    ]
}

/// The operating rhythm as expressions, in [`OperationCounts`] order, with their binds.
/// Overdue as `Activity::is_overdue` decides it (open, due before today), counting only the
/// runs of processes in operation: a retired process's leftovers are history.
pub(crate) fn operation_exprs(as_of: holdfast_core::clock::AsOf) -> (Vec<String>, Vec<String>) {
    let (today, now) = (as_of.today, as_of.now);
    (
        vec![
            "(select count(*) from process where status = 'active')".to_owned(),
            "(select count(*) from activity a join process p on p.id = a.process_id \
              where a.state in ('planned', 'in_progress') and a.due_date < $1 and p.status in ('active', 'paused'))"
                .to_owned(),
            "(select count(*) from activity a join process p on p.id = a.process_id \
              where a.state in ('planned', 'in_progress') and a.due_date >= $1 and a.due_date < $2 and p.status in ('active', 'paused'))"
                .to_owned(),
            "(select count(*) from task where status in ('open', 'in_progress'))".to_owned(),
            "(select count(*) from task where status in ('open', 'in_progress') and due_at < $3)".to_owned(),
        ],
        vec![
            crate::rows::date_text(today),
            crate::rows::date_text(today + chrono::Duration::days(7)),
            crate::rows::time_text(now),
        ],
    )
}

/// [`Counts`] from the values of [`tally_exprs`], in their order.
pub(crate) fn counts_of(v: &[i64]) -> Counts {
    let at = |i: usize| v.get(i).copied().unwrap_or(0).max(0);
    Counts {
        people_active: at(0),
        people_leaving: at(1),
        people_left: at(2),
        departments: at(3),
        user_accounts: at(4),
        api_tokens: at(5),
        locations: at(6),
        audit_events: at(7),
        account_audit_events: at(8),
    }
}
