//! The few places SQLite and PostgreSQL differ; every other statement is one SQL text for
//! both, run through sqlx's `Any` driver.

use crate::Backend;

impl Backend {
    /// How a write transaction starts. SQLite takes the write lock at once (`begin
    /// immediate`), so two writers queue instead of failing half-way when both try to
    /// upgrade a read lock.
    pub(crate) const fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "begin immediate",
            Self::Postgres => "begin",
        }
    }

    /// The statement that serialises writers on the audit trail, run first in every write
    /// transaction, before any row lock: one appender at a time across connections and
    /// instances, and no writer can hold a row another needs while waiting for the trail.
    /// SQLite's `begin immediate` already is that lock.
    pub(crate) const fn lock_audit_trail(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            // A transaction-scoped advisory lock, released at commit or rollback. The key is
            // fixed: "HOLDFAST" as ASCII.
            Self::Postgres => Some("select pg_advisory_xact_lock(5207665251640902484)"),
        }
    }
}
