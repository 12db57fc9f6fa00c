//! Signed checkpoints of the audit trail, the key that signs them, and the checks that
//! compare the trail with them (see [`holdfast_core::checkpoint`]).

use holdfast_core::checkpoint::{self, Checkpoint, Key, Problem};
use sqlx::Row;

use crate::rows::time_text;
use crate::{Store, StoreError};

const COLUMNS: &str = "number, seq, head, signed_at, prev, signature";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Checkpoint, sqlx::Error> {
    Ok(Checkpoint {
        number: r.try_get("number")?,
        seq: r.try_get("seq")?,
        head: r.try_get("head")?,
        at: r.try_get("signed_at")?,
        prev: r.try_get("prev")?,
        signature: r.try_get("signature")?,
    })
}

/// What the checkpoints say about the trail.
#[derive(Debug, Clone, Default)]
pub struct CheckpointReport {
    /// How many checkpoints there are.
    pub checkpoints: usize,
    /// The public key they are checked against, if one is registered.
    pub public_key: Option<String>,
    /// Everything wrong, in words.
    pub problems: Vec<String>,
}

impl Store {
    /// The registered public key that checkpoints verify against.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn signing_public_key(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "select public_key from signing_key order by created_at desc, public_key limit 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Registers `key`'s public half, unless a key is registered already.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a different key is registered: checkpoints signed by one
    /// key cannot be continued by another.
    pub async fn register_signing_key(&self, key: &Key) -> Result<(), StoreError> {
        let public = key.public_hex();
        match self.signing_public_key().await? {
            Some(p) if p == public => Ok(()),
            Some(p) => Err(holdfast_core::ValidationErrors::one(
                "signing_key",
                format!("this database's checkpoints are signed by key {p}, not by the key file given ({public})"),
            )
            .into()),
            None => {
                sqlx::query("insert into signing_key (public_key, created_at) values ($1, $2)")
                    .bind(&public)
                    .bind(time_text(crate::clock::now()))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    }

    /// Every checkpoint, in number order.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from audit_checkpoint order by number"
        )))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Signs a checkpoint of the trail as it stands, if it grew since the last one (or none
    /// exists). The trail is verified first, incrementally: a trail that no longer verifies is
    /// never signed, so a checkpoint never blesses tampering.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the chain is broken or `key` is not the registered key.
    pub async fn sign_checkpoint(
        &self,
        key: &Key,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Checkpoint>, StoreError> {
        self.register_signing_key(key).await?;
        let status = self.chain_status(now, chrono::Duration::hours(1)).await?;
        if let Some(b) = status.report.broken {
            return Err(holdfast_core::ValidationErrors::one(
                "audit_trail",
                format!("the trail does not verify ({b}); no checkpoint was signed"),
            )
            .into());
        }
        let mut tx = self.pool.begin().await?;
        let last = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from audit_checkpoint order by number desc limit 1"
        )))
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| from_row(&r))
        .transpose()?;
        let head: Option<(i64, String)> =
            sqlx::query_as("select seq, hash from audit_event order by seq desc limit 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (seq, hash) = head.unwrap_or((0, holdfast_core::audit::GENESIS.to_hex()));
        if last.as_ref().is_some_and(|l| l.seq == seq) {
            return Ok(None);
        }
        let c = key.sign(last.as_ref(), seq, &hash, &time_text(now));
        sqlx::query(
            "insert into audit_checkpoint (number, seq, head, signed_at, prev, signature) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.number)
        .bind(c.seq)
        .bind(&c.head)
        .bind(&c.at)
        .bind(&c.prev)
        .bind(&c.signature)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(c))
    }

    /// Checks every checkpoint against the registered key and the trail; with a `witness`
    /// (checkpoints copied out earlier, and the key they were signed with), also that each
    /// witnessed checkpoint is still here unchanged and the key is the same.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn check_checkpoints(
        &self,
        witness: Option<&Witness>,
    ) -> Result<CheckpointReport, StoreError> {
        let checkpoints = self.checkpoints().await?;
        let public_key = self.signing_public_key().await?;
        let mut problems = Vec::new();
        let trail: i64 = sqlx::query_scalar("select coalesce(max(seq), 0) from audit_event")
            .fetch_one(&self.pool)
            .await?;
        // The hashes of the events the checkpoints name, in one statement however many.
        let hashes: std::collections::HashMap<i64, String> = sqlx::query_as(
            "select e.seq, e.hash from audit_event e where e.seq in (select seq from audit_checkpoint)",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .collect();
        match &public_key {
            None if !checkpoints.is_empty() => {
                problems.push("checkpoints exist but no signing key is registered: the key was removed".to_owned());
            }
            None => problems.push(
                "no signing key is registered: run holdfast init with the signing key so the trail is checkpointed".to_owned(),
            ),
            Some(pk) => {
                if checkpoints.is_empty() {
                    problems.push("a signing key is registered but there is no checkpoint: the checkpoints were removed".to_owned());
                }
                problems.extend(
                    checkpoint::check(&checkpoints, pk, trail, |s| hashes.get(&s).cloned())
                        .iter()
                        .map(Problem::to_string),
                );
            }
        }
        if let Some(w) = witness {
            if public_key.as_deref() != Some(w.public_key.as_str()) {
                problems.push(format!(
                    "the witness was signed by key {}, but this database registers {}: the key was replaced",
                    w.public_key,
                    public_key.as_deref().unwrap_or("none")
                ));
            }
            for seen in &w.checkpoints {
                match checkpoints.iter().find(|c| c.number == seen.number) {
                    None => problems.push(format!(
                        "witnessed checkpoint {} (event {}) is gone from the database",
                        seen.number, seen.seq
                    )),
                    Some(c) if c != seen => problems.push(format!(
                        "checkpoint {} differs from the witnessed copy: it was rewritten",
                        seen.number
                    )),
                    Some(_) => {}
                }
            }
        }
        Ok(CheckpointReport {
            checkpoints: checkpoints.len(),
            public_key,
            problems,
        })
    }
}

/// Checkpoints copied out of Holdfast, to compare with later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Witness {
    /// The format, `holdfast-witness`.
    pub format: String,
    /// The public key the checkpoints are signed with.
    pub public_key: String,
    /// The checkpoints, in number order.
    pub checkpoints: Vec<Checkpoint>,
}

/// The name a witness document carries.
pub const WITNESS_FORMAT: &str = "holdfast-witness";

/// A stored evidence file whose bytes no longer match the SHA-256 they were stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedEvidence {
    /// The hash it was stored under.
    pub sha256: String,
    /// The names it was uploaded under.
    pub names: Vec<String>,
}

impl Store {
    /// Re-hashes every stored evidence file, one at a time, and names each whose bytes were
    /// swapped (a download would otherwise serve the new bytes under the old hash).
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn changed_evidence(&self) -> Result<Vec<ChangedEvidence>, StoreError> {
        use futures::TryStreamExt;
        let mut changed = Vec::new();
        {
            let mut rows = sqlx::query("select sha256, content from evidence_blob order by sha256")
                .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let stored: String = r.try_get(0)?;
                let content: Vec<u8> = r.try_get(1)?;
                if crate::evidence::hex_digest(&content) != stored {
                    changed.push(ChangedEvidence {
                        sha256: stored,
                        names: Vec::new(),
                    });
                }
            }
        }
        for c in &mut changed {
            c.names = sqlx::query_scalar(
                "select coalesce(filename, description) from evidence where sha256 = $1 order by id",
            )
            .bind(&c.sha256)
            .fetch_all(&self.pool)
            .await?;
        }
        Ok(changed)
    }
}

/// The name an audit pack carries.
pub const AUDIT_PACK_FORMAT: &str = "holdfast-audit-pack";

impl Store {
    /// Writes an audit pack: the public key, every checkpoint and every event with its stored
    /// hashes, `before` and `after` as the exact canonical text that was hashed. An external
    /// auditor checks it with `scripts/verify-audit-pack.py`, without Holdfast.
    ///
    /// # Errors
    /// [`StoreError::Io`] when writing fails, [`StoreError::Database`] when reading does.
    pub async fn write_audit_pack(&self, out: &mut impl std::io::Write) -> Result<i64, StoreError> {
        use futures::TryStreamExt;
        let public_key = self.signing_public_key().await?;
        let checkpoints = self.checkpoints().await?;
        let head = serde_json::json!({
            "format": AUDIT_PACK_FORMAT,
            "version": 1,
            "public_key": public_key,
            "checkpoints": checkpoints,
        });
        let head = head.to_string();
        // The events go in last, streamed, inside the same object.
        out.write_all(&head.as_bytes()[..head.len() - 1])?;
        out.write_all(b",\"events\":[")?;
        let mut rows = sqlx::query(
            r"select seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash
              from audit_event order by seq",
        )
        .fetch(&self.pool);
        let mut n = 0i64;
        while let Some(r) = rows.try_next().await? {
            let e = crate::audit::stored_event(&r)?;
            let v = serde_json::json!({
                "seq": e.event.seq, "at": e.event.at, "actor": e.event.actor,
                "entity_type": e.event.entity_type, "entity_id": e.event.entity_id,
                "action": e.event.action, "before": e.event.before, "after": e.event.after,
                "prev_hash": e.prev_hash, "hash": e.hash,
            });
            out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, &v).map_err(std::io::Error::from)?;
            n += 1;
        }
        out.write_all(b"\n]}\n")?;
        out.flush()?;
        Ok(n)
    }
}
