//! `holdfast checkpoint`: sign a checkpoint now and copy the checkpoints out as a witness,
//! to keep where the database's administrators cannot write (another system, an auditor's
//! mailbox). `holdfast verify --witness` compares with it later.

use std::path::Path;

use anyhow::Context;
use holdfast_store::OpenMode;
use holdfast_store::checkpoints::{WITNESS_FORMAT, Witness};

use crate::Outcome;
use crate::cli::CheckpointArgs;
use crate::commands::{check_out_path, partial_path};

pub async fn run(db: &str, key_path: &Path, args: CheckpointArgs) -> anyhow::Result<Outcome> {
    if let Some(out) = &args.out {
        check_out_path(out, args.force)?;
    }
    let key = crate::commands::key::load(key_path)?.with_context(|| {
        format!(
            "no signing key at {}: run holdfast init, or pass --signing-key",
            key_path.display()
        )
    })?;
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let result = async {
        match store
            .sign_checkpoint(&key, holdfast_store::clock::now())
            .await?
        {
            Some(c) => println!(
                "checkpoint {} signed: {} events, head {}",
                c.number, c.seq, c.head
            ),
            None => println!("the trail has not grown since the last checkpoint"),
        }
        if let Some(out) = &args.out {
            let witness = Witness {
                format: WITNESS_FORMAT.to_owned(),
                public_key: key.public_hex(),
                checkpoints: store.checkpoints().await?,
            };
            let tmp = partial_path(out)?;
            std::fs::write(&tmp, serde_json::to_vec_pretty(&witness)?)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "{} checkpoints copied to {}",
                witness.checkpoints.len(),
                out.display()
            );
        }
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result?;
    Ok(Outcome::Success)
}
