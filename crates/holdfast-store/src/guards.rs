//! The triggers that make the audit trail, stored evidence, checkpoints and the risk
//! register's dated records (published methods, assessments, decisions), the published
//! Statements of Applicability and the scope's versions and approvals append-only in
//! the database (see the migration `trail_append_only_and_checkpoints`). `verify` checks they
//! are all present and enabled: an administrator who drops one to edit history leaves that
//! mark even if they recreate nothing else.

use crate::url::Backend;
use crate::{Store, StoreError};

/// One append-only trigger: its table and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    /// The guarded table.
    pub table: &'static str,
    /// The trigger's name.
    pub trigger: &'static str,
}

const fn g(table: &'static str, trigger: &'static str) -> Guard {
    Guard { table, trigger }
}

const SQLITE: [Guard; 20] = [
    g("audit_event", "audit_event_refuse_update"),
    g("audit_event", "audit_event_refuse_delete"),
    g("evidence", "evidence_refuse_update"),
    g("evidence", "evidence_refuse_delete"),
    g("evidence_blob", "evidence_blob_refuse_update"),
    g("evidence_blob", "evidence_blob_refuse_delete"),
    g("audit_checkpoint", "audit_checkpoint_refuse_update"),
    g("audit_checkpoint", "audit_checkpoint_refuse_delete"),
    g("risk_method", "risk_method_refuse_update"),
    g("risk_method", "risk_method_refuse_delete"),
    g("risk_assessment", "risk_assessment_refuse_update"),
    g("risk_assessment", "risk_assessment_refuse_delete"),
    g("risk_decision", "risk_decision_refuse_update"),
    g("risk_decision", "risk_decision_refuse_delete"),
    g("soa_version", "soa_version_refuse_update"),
    g("soa_version", "soa_version_refuse_delete"),
    g("scope_version", "scope_version_refuse_update"),
    g("scope_version", "scope_version_refuse_delete"),
    g("scope_approval", "scope_approval_refuse_update"),
    g("scope_approval", "scope_approval_refuse_delete"),
];

const POSTGRES: [Guard; 11] = [
    g("audit_event", "audit_event_append_only"),
    g("audit_event", "audit_event_no_truncate"),
    g("evidence", "evidence_append_only"),
    g("evidence_blob", "evidence_blob_append_only"),
    g("audit_checkpoint", "audit_checkpoint_append_only"),
    g("risk_method", "risk_method_append_only"),
    g("risk_assessment", "risk_assessment_append_only"),
    g("risk_decision", "risk_decision_append_only"),
    g("soa_version", "soa_version_append_only"),
    g("scope_version", "scope_version_append_only"),
    g("scope_approval", "scope_approval_append_only"),
];

/// The append-only triggers a database of `backend` must have.
#[must_use]
pub fn guards(backend: Backend) -> &'static [Guard] {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The SQL an administrator would run to lift `guard` (for tamper tests, which play one).
#[must_use]
pub fn lift_sql(backend: Backend, guard: &Guard) -> String {
    match backend {
        Backend::Sqlite => format!("drop trigger {}", guard.trigger),
        Backend::Postgres => format!(
            "alter table {} disable trigger {}",
            guard.table, guard.trigger
        ),
    }
}

impl Store {
    /// The append-only triggers that are missing or disabled.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the catalogue cannot be read.
    pub async fn missing_guards(&self) -> Result<Vec<Guard>, StoreError> {
        let mut missing = Vec::new();
        for guard in guards(self.backend) {
            let sql = match self.backend {
                Backend::Sqlite => {
                    "select count(*) from sqlite_master where type = 'trigger' and name = $1 and tbl_name = $2"
                }
                Backend::Postgres => {
                    "select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid \
                     where t.tgname = $1 and c.relname = $2 and t.tgenabled <> 'D'"
                }
            };
            let n: i64 = sqlx::query_scalar(sql)
                .bind(guard.trigger)
                .bind(guard.table)
                .fetch_one(&self.pool)
                .await?;
            if n == 0 {
                missing.push(*guard);
            }
        }
        Ok(missing)
    }
}
