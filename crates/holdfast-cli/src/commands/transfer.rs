//! `holdfast export` and `holdfast import`.

use std::fs::File;
use std::io::BufWriter;

use anyhow::Context;
use holdfast_store::{ImportDocument, OpenMode, StoreError};

use crate::Outcome;
use crate::cli::{ExportArgs, ImportArgs};
use crate::commands::{check_out_path, open, partial_path};

pub async fn export(db: &str, args: ExportArgs) -> anyhow::Result<Outcome> {
    let (target, pack) = match (&args.out, &args.audit_pack) {
        (_, Some(pack)) => (pack.clone(), true),
        (Some(out), None) => (out.clone(), false),
        (None, None) => anyhow::bail!("say where to write: --out FILE or --audit-pack FILE"),
    };
    check_out_path(&target, args.force)?;
    let store = open(db, OpenMode::MustExist).await?;
    let tmp = partial_path(&target)?;
    let result = async {
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let events = if pack {
            Some(store.write_audit_pack(&mut out).await?)
        } else {
            store.export(&mut out).await?;
            None
        };
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        anyhow::Ok(events)
    }
    .await;
    store.close().await;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    match result? {
        Some(n) => println!(
            "audit pack of {n} events written to {}; check it with scripts/verify-audit-pack.py",
            target.display()
        ),
        None => println!("exported to {}", target.display()),
    }
    Ok(Outcome::Success)
}

pub async fn import(db: &str, args: ImportArgs) -> anyhow::Result<Outcome> {
    let file =
        File::open(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let doc = tokio::task::spawn_blocking(move || ImportDocument::parse(file))
        .await
        .context("the import reader stopped")?
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;

    // If this import creates the SQLite file and then fails, remove the file again: a failed
    // import leaves nothing behind.
    let url = holdfast_store::DatabaseUrl::parse(db)?;
    let new_file = url.sqlite_path().filter(|p| !p.exists());
    let result = async {
        let store = open(db, OpenMode::CreateIfMissing).await?;
        let r = store.import(&doc).await;
        store.close().await;
        r.map_err(|e: StoreError| anyhow::Error::from(e))
    }
    .await;
    if let (Err(_), Some(path)) = (&result, &new_file) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    result?;
    println!("imported {}", args.file.display());
    Ok(Outcome::Success)
}
