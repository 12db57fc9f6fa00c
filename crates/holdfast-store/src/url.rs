//! Database URLs: `sqlite://PATH` for the embedded default, `postgres://…` for a server.

use std::fmt;
use std::path::PathBuf;

use crate::{OpenMode, StoreError};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl DatabaseUrl {
    /// Parses a URL given on the command line or in the environment.
    ///
    /// # Errors
    /// [`StoreError::InvalidUrl`] naming the accepted forms.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let raw = raw.trim();
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::InvalidUrl(format!(
                "database URL {:?} is not supported: use sqlite://PATH or postgres://USER:PASSWORD@HOST/DATABASE",
                redact(raw)
            )));
        };
        let url = Self {
            raw: raw.to_owned(),
            backend,
        };
        if backend == Backend::Sqlite && url.sqlite_path().is_none() {
            return Err(StoreError::InvalidUrl(format!(
                "database URL {raw:?} names no file: use sqlite://PATH, for example sqlite://holdfast.db"
            )));
        }
        Ok(url)
    }

    /// The database kind.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password replaced by `***`, safe for logs and error messages.
    #[must_use]
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }

    /// The SQLite file path, for SQLite URLs.
    #[must_use]
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self
            .raw
            .strip_prefix("sqlite://")
            .or_else(|| self.raw.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub(crate) fn connect_url(&self, mode: OpenMode) -> Result<String, StoreError> {
        match (self.backend, mode) {
            (Backend::Postgres, _) => Ok(self.raw.clone()),
            (Backend::Sqlite, OpenMode::MustExist) => {
                let path = self.sqlite_path().unwrap_or_default();
                if !path.exists() {
                    return Err(StoreError::Unreachable(
                        self.redacted(),
                        format!(
                            "the file {} does not exist (run `holdfast init` to create it)",
                            path.display()
                        ),
                    ));
                }
                Ok(self.raw.clone())
            }
            (Backend::Sqlite, OpenMode::CreateIfMissing) => Ok(if self.raw.contains("mode=") {
                self.raw.clone()
            } else if self.raw.contains('?') {
                format!("{}&mode=rwc", self.raw)
            } else {
                format!("{}?mode=rwc", self.raw)
            }),
        }
    }
}

fn redact(raw: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host
    if let Some((scheme, rest)) = raw.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    raw.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sqlite_and_postgres_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://holdfast.db")
                .map(|u| u.backend())
                .ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://a:b@localhost/x")
                .map(|u| u.backend())
                .ok(),
            Some(Backend::Postgres)
        );
    }

    #[test]
    fn rejects_other_schemes_and_empty_paths() {
        assert!(matches!(
            DatabaseUrl::parse("mysql://x"),
            Err(StoreError::InvalidUrl(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("holdfast.db"),
            Err(StoreError::InvalidUrl(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite://"),
            Err(StoreError::InvalidUrl(_))
        ));
    }

    #[test]
    fn redaction_hides_the_password() {
        let u = DatabaseUrl::parse("postgres://holdfast:s3cret@db:5432/h").expect("valid");
        assert_eq!(u.redacted(), "postgres://holdfast:***@db:5432/h");
        assert!(!format!("{u:?}").contains("s3cret"));
    }
}
