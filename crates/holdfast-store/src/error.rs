//! What can go wrong in the store, in terms the caller can act on.

use holdfast_core::ValidationErrors;

/// A store failure. Each variant notes the HTTP status the web layer answers with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL cannot be used (usage error; CLI exit 2).
    #[error("{0}")]
    InvalidUrl(String),
    /// The database cannot be reached or opened (503 / CLI exit 2). Holds the URL without
    /// its password, and the cause.
    #[error("cannot open the database {0}: {1}")]
    Unreachable(String, String),
    /// A migration failed (500 / CLI exit 2).
    #[error("cannot bring the database schema up to date: {0}")]
    Migration(String),
    /// The input is invalid (422), one entry per field.
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    /// The record does not exist (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change conflicts with stored data, such as a duplicate email (409).
    #[error("{message}")]
    Conflict {
        /// The field in conflict.
        field: &'static str,
        /// What conflicts, for a person to read.
        message: String,
    },
    /// The record changed since the caller read it (412): an optimistic-concurrency miss.
    #[error("{0} was changed by someone else; reload it and apply your change again")]
    Stale(&'static str),
    /// An import file is unusable (422 / CLI exit 2).
    #[error("{0}")]
    Import(String),
    /// The operation is not available on this database (CLI exit 2).
    #[error("{0}")]
    Unsupported(String),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Stored data is not what this version of Holdfast wrote (500).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Any other database failure (500).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

/// Maps a unique-constraint violation on `table.column` to a conflict on `field`; any other
/// error passes through. PostgreSQL reports the constraint name (`table_column_key`, as the
/// migrations name them), SQLite the `table.column`.
pub(crate) fn on_unique(
    e: sqlx::Error,
    table_column: &str,
    field: &'static str,
    message: impl FnOnce() -> String,
) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        let constraint = format!("{}_key", table_column.replace('.', "_"));
        if db.constraint() == Some(constraint.as_str()) || db.message().contains(table_column) {
            return StoreError::Conflict {
                field,
                message: message(),
            };
        }
    }
    StoreError::Database(e)
}
