//! Online backup of a live SQLite database.

use std::path::Path;

use crate::{Backend, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the live SQLite database to `out` with `vacuum into`,
    /// which reads one snapshot while other connections keep writing. The copy is written
    /// beside `out` first and renamed into place, so `out` is either complete or untouched.
    ///
    /// # Errors
    /// [`StoreError::Unsupported`] on PostgreSQL (use `pg_dump`), [`StoreError::Io`] or
    /// [`StoreError::Database`] when the copy fails.
    pub async fn backup(&self, out: &Path) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Unsupported(
                "backup copies SQLite databases only; for PostgreSQL use pg_dump, for example: pg_dump --format=custom --file=holdfast.dump DATABASE_URL".into(),
            ));
        }
        let file_name = out.file_name().ok_or_else(|| {
            StoreError::Io(std::io::Error::other(format!(
                "{} is not a file path",
                out.display()
            )))
        })?;
        let tmp = out.with_file_name(format!(
            ".{}.partial-{}",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&tmp);
        let result = sqlx::query("vacuum into $1")
            .bind(tmp.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await;
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        std::fs::rename(&tmp, out).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
        Ok(())
    }
}
