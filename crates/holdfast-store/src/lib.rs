//! Holdfast's memory: one store over SQLite (the embedded default) or PostgreSQL (for larger
//! and multi-instance deployments), with versioned migrations and the hash-chained audit
//! trail.
//!
//! Both databases are driven through sqlx's `Any` driver with the same SQL: the schema keeps
//! to types both dialects share, so each use case is written once and the store test suite
//! runs it against both real databases. Where the dialects differ (how a writer takes the
//! audit-trail lock, pragmas, migrations) the [`Backend`] decides.
//!
//! Every write goes through [`Store::write`], the unit of work: one transaction that takes
//! the audit-trail lock first, writes the rows, appends one audit event per change with the
//! record before and after, and records the domain events the change causes. The change, its
//! record and its consequences commit together or not at all.

mod accounts;
mod activities;
mod assets;
mod assignment;
mod attachments;
mod audit;
mod backup;
mod browse;
mod calendar;
pub mod checkpoints;
pub mod clock;
mod context;
mod dialect;
mod dispatch;
mod error;
mod events;
mod evidence;
pub mod guards;
mod library;
mod listing;
mod notifications;
mod organisations;
mod overdue;
mod people;
mod planning;
mod processes;
mod readiness;
mod risks;
mod rows;
mod rules;
mod sessions;
mod soa;
mod state;
mod tasks;
mod tokens;
mod transfer;
mod url;
mod work_counts;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use accounts::{NewUserAccount, UserAccountPatch, hash_password, verify_password};
pub use activities::{ActivityQuery, PastRun, PlannedRun};
pub use assets::{AssetQuery, asset_reference};
pub use attachments::Attachment;
pub use audit::{Actor, ChainReport, ChainStatus, WriteTx};
pub use browse::{AuditQuery, Counts, OperationCounts};
pub use context::{CONTEXT_RECORDS, issue_reference};
pub use dispatch::FailedEvent;
pub use error::StoreError;
pub use evidence::{Evidence, NewEvidence};
pub use listing::{COUNT_CAP, Total};
pub use notifications::{NewNotification, Notification};
pub use people::{PersonPage, PersonQuery, PersonSortField};
pub use readiness::SnapshotSize;
pub use risks::{
    RegisterEntry, RiskOrder, RiskQuery, TOP_MANAGEMENT_CLAUSES, reference as risk_reference,
};
pub use rules::NewRule;
pub use sessions::{NewSession, SessionRecord, THROTTLE_ACCOUNT_KEY};
pub use tasks::{NewTask, TaskQuery};
pub use transfer::{EXPORT_FORMAT_VERSION, ImportDocument, derived_tables, exported_tables};
pub use url::{Backend, DatabaseUrl};
pub use work_counts::DashboardCounts;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether opening a store may create an SQLite file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `init`, `demo` and `import` start new databases.
    CreateIfMissing,
    /// Everything else must find an existing database, so a typo in a path is an error
    /// rather than a new empty ISMS.
    MustExist,
}

/// A connection pool to one Holdfast database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// How far this process last verified the audit chain in full, so the trail's page goes
    /// on from there instead of rehashing every event on every load.
    checkpoint: std::sync::Arc<std::sync::Mutex<Option<audit::Checkpoint>>>,
    /// The organisation once it exists: it is never changed after it is created, and every
    /// request that needs "today" asks for its time zone.
    organisation: std::sync::Arc<std::sync::OnceLock<holdfast_core::organisation::Organisation>>,
}

impl Store {
    /// Connects to the database at `url`.
    ///
    /// # Errors
    /// [`StoreError::InvalidUrl`] when the URL is not a `sqlite://` or `postgres://` URL,
    /// [`StoreError::Unreachable`] when the database cannot be reached or opened.
    pub async fn open(url: &DatabaseUrl, mode: OpenMode) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = url.backend();
        let connect_url = url.connect_url(mode)?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite has one writer at a time; a few readers beside it are plenty.
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Reads come from memory-mapped pages and a 16 MiB page cache per
                        // connection rather than a read() per page: lists and searches on a
                        // large organisation stop paying a system call for every row.
                        conn.execute(
                            "pragma journal_mode = wal; pragma foreign_keys = on; \
                             pragma busy_timeout = 30000; pragma synchronous = normal; \
                             pragma cache_size = -16384; pragma mmap_size = 268435456; \
                             pragma temp_store = memory;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let unreachable = |e: sqlx::Error| StoreError::Unreachable(url.redacted(), e.to_string());
        // One direct connection first: a pool only reports that it timed out, while the
        // connection says why (refused, unknown host, bad password, missing database).
        let probe = tokio::time::timeout(
            Duration::from_secs(10),
            AnyConnection::connect(&connect_url),
        )
        .await
        .map_err(|_| StoreError::Unreachable(url.redacted(), "no answer within 10 seconds".into()))?
        .map_err(unreachable)?;
        probe.close().await.map_err(unreachable)?;
        let pool = options.connect(&connect_url).await.map_err(unreachable)?;
        Ok(Self {
            pool,
            backend,
            checkpoint: std::sync::Arc::default(),
            organisation: std::sync::Arc::default(),
        })
    }

    /// Creates or upgrades the schema to the latest migration. Safe to run on every start
    /// and from several instances at once (migrations take a database lock).
    ///
    /// # Errors
    /// [`StoreError::Migration`] when a migration fails or the database holds migrations this
    /// version of Holdfast does not know.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Which database this store talks to.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Waits for open connections to finish and closes them, so SQLite checkpoints its
    /// write-ahead log and PostgreSQL sees clean disconnects.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The underlying pool, for the store's own modules and tests that must reach past the
    /// store (tamper tests write raw SQL as an attacker would).
    #[must_use]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
