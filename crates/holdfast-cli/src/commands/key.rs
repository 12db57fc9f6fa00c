//! The checkpoint signing key: a file outside the database, readable by its owner only, so
//! that whoever can write to the database still cannot sign a checkpoint.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use holdfast_core::checkpoint::Key;

/// Where the key lives when `--signing-key` is not given: beside an SQLite database file,
/// or `holdfast-signing.key` in the working directory for PostgreSQL.
#[must_use]
pub fn default_path(db_url: &str) -> PathBuf {
    match db_url.strip_prefix("sqlite://") {
        Some(path) if !path.is_empty() && !path.starts_with(':') => {
            let path = path.split('?').next().unwrap_or(path);
            PathBuf::from(format!("{path}.signing-key"))
        }
        _ => PathBuf::from("holdfast-signing.key"),
    }
}

/// Reads the key at `path`, if the file exists.
///
/// # Errors
/// When the file exists but cannot be read or holds no key.
pub fn load(path: &Path) -> anyhow::Result<Option<Key>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            Ok(Some(Key::parse(&text).with_context(|| {
                format!("signing key {}", path.display())
            })?))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read the signing key {}", path.display())),
    }
}

/// Reads the key at `path`, creating a new one (mode 0600) when there is none; `true` when
/// it was created.
///
/// # Errors
/// When the file cannot be read or written.
pub fn load_or_create(path: &Path) -> anyhow::Result<(Key, bool)> {
    if let Some(key) = load(path)? {
        return Ok((key, false));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    let key = Key::from_seed(seed);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the signing key {}", path.display()))?;
    file.write_all(key.to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the signing key {}", path.display()))?;
    Ok((key, true))
}
