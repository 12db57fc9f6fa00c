//! `holdfast verify`: check the audit trail as an auditor would, layer by layer: the hash
//! chain, the signed checkpoints (and a witness copy of them), the append-only triggers, and
//! every stored evidence file against its hash. Each problem is named on its own line.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use holdfast_store::OpenMode;
use holdfast_store::checkpoints::{WITNESS_FORMAT, Witness};

use crate::Outcome;
use crate::cli::VerifyArgs;

pub async fn run(db: &str, key_path: &Path, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let witness = args.witness.as_deref().map(read_witness).transpose()?;
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let result = report(&store, key_path, witness.as_ref()).await;
    store.close().await;
    let (lines, ok) = result?;
    // A reader that stops early (`holdfast verify | head -1`) is not an error.
    let mut out = std::io::stdout().lock();
    for line in &lines {
        if let Err(e) = writeln!(out, "{line}") {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(e.into());
        }
    }
    Ok(if ok {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

async fn report(
    store: &holdfast_store::Store,
    key_path: &Path,
    witness: Option<&Witness>,
) -> anyhow::Result<(Vec<String>, bool)> {
    let mut lines = Vec::new();
    let mut ok = true;
    let chain = store.verify_chain().await?;
    match &chain.broken {
        None => {
            lines.push(format!("{} events verified, chain intact", chain.verified));
            lines.push(format!("head {}", chain.head));
        }
        Some(b) => {
            ok = false;
            lines.push(format!("chain broken: {b}"));
            lines.push(format!(
                "{} earlier {} verified",
                chain.verified,
                if chain.verified == 1 {
                    "event"
                } else {
                    "events"
                }
            ));
        }
    }
    let checkpoints = store.check_checkpoints(witness).await?;
    if let (Some(registered), Some(key)) = (
        &checkpoints.public_key,
        crate::commands::key::load(key_path).ok().flatten(),
    ) && *registered != key.public_hex()
    {
        ok = false;
        lines.push(format!(
            "checkpoint key replaced: the database registers {registered}, the key file {} holds {}",
            key_path.display(),
            key.public_hex()
        ));
    }
    if checkpoints.problems.is_empty() {
        lines.push(format!(
            "{} checkpoints verified{}",
            checkpoints.checkpoints,
            if witness.is_some() {
                ", witness matches"
            } else {
                ""
            }
        ));
    }
    for p in &checkpoints.problems {
        ok = false;
        lines.push(format!("checkpoint problem: {p}"));
    }
    for g in store.missing_guards().await? {
        ok = false;
        lines.push(format!(
            "append-only trigger missing: {} on {} (the table can be changed without trace)",
            g.trigger, g.table
        ));
    }
    let outside = store.rows_changed_outside().await?;
    if outside.is_empty() {
        lines.push("every audited record matches its history".to_owned());
    }
    for line in outside {
        ok = false;
        lines.push(format!("record changed outside Holdfast: {line}"));
    }
    let changed = store.changed_evidence().await?;
    for c in &changed {
        ok = false;
        lines.push(format!(
            "evidence changed: {} no longer has SHA-256 {} (its bytes were replaced)",
            if c.names.is_empty() {
                "a stored file".to_owned()
            } else {
                c.names.join(", ")
            },
            c.sha256
        ));
    }
    if changed.is_empty() {
        lines.push("every evidence file matches its SHA-256".to_owned());
    }
    Ok((lines, ok))
}

fn read_witness(path: &Path) -> anyhow::Result<Witness> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the witness {}", path.display()))?;
    let w: Witness = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a Holdfast witness", path.display()))?;
    anyhow::ensure!(
        w.format == WITNESS_FORMAT,
        "{} is not a Holdfast witness (format {:?})",
        path.display(),
        w.format
    );
    Ok(w)
}
