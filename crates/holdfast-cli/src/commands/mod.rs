//! One module per subcommand.

pub mod backup;
pub mod check;
pub mod checkpoint;
pub mod demo;
pub mod demo_assets;
pub mod demo_context;
pub mod demo_processes;
pub mod demo_risks;
pub mod demo_soa;
pub mod init;
pub mod key;
pub mod serve;
pub mod transfer;
pub mod verify;

use std::path::Path;

use anyhow::{Context, bail};
use holdfast_store::{DatabaseUrl, OpenMode, Store};

/// Opens the configured database, bringing its schema up to date.
pub async fn open(url: &str, mode: OpenMode) -> anyhow::Result<Store> {
    let url = DatabaseUrl::parse(url)?;
    let store = Store::open(&url, mode).await?;
    store.migrate().await?;
    Ok(store)
}

/// Refuses to overwrite `out` unless `force` is set, before any work is done.
pub fn check_out_path(out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() && !force {
        bail!(
            "{} already exists; choose another file or pass --force to replace it",
            out.display()
        );
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!(
            "cannot write {}: the folder {} does not exist",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}

/// A temporary path beside `out`, renamed into place when the file is complete, so `out` is
/// never left half-written.
pub fn partial_path(out: &Path) -> anyhow::Result<std::path::PathBuf> {
    let name = out.file_name().context("the output path names no file")?;
    Ok(out.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}
