//! `holdfast backup`: a consistent copy of a live SQLite database.

use holdfast_store::{Backend, DatabaseUrl, OpenMode};

use crate::Outcome;
use crate::cli::BackupArgs;
use crate::commands::{check_out_path, open};

pub async fn run(db: &str, args: BackupArgs) -> anyhow::Result<Outcome> {
    if DatabaseUrl::parse(db)?.backend() == Backend::Postgres {
        anyhow::bail!(
            "backup copies SQLite databases only; for PostgreSQL use pg_dump, for example: pg_dump --format=custom --file=holdfast.dump \"$HOLDFAST_DATABASE_URL\""
        );
    }
    check_out_path(&args.out, args.force)?;
    let store = open(db, OpenMode::MustExist).await?;
    let result = store.backup(&args.out).await;
    store.close().await;
    result?;
    println!("backed up to {}", args.out.display());
    Ok(Outcome::Success)
}
