//! The audit trail: appending events inside write transactions, and verifying the chain.

use std::fmt;

use holdfast_core::audit::{
    ChainBreak, ChainVerifier, Event, GENESIS, StoredEvent, Suspect, canonical_json,
};
use holdfast_core::ids::UserId;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::rows::now_text;
use crate::{Store, StoreError};

/// Who made a change, as the audit trail names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A logged-in user or API token owner.
    User(UserId),
    /// A command run by an operator on the server (`init`, `import`).
    Cli(&'static str),
    /// Holdfast itself (scheduler, demo data).
    System(&'static str),
    /// Someone not logged in (a failed login attempt).
    Anonymous,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::Cli(cmd) => write!(f, "cli:{cmd}"),
            Self::System(job) => write!(f, "system:{job}"),
            Self::Anonymous => f.write_str("anonymous"),
        }
    }
}

/// An open write transaction. Every change made through it is recorded with [`WriteTx::record`]
/// and nothing is visible to anyone until [`WriteTx::commit`]; dropping it rolls back.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    actor: String,
}

impl Store {
    /// Opens a write transaction on behalf of `actor`: the store's unit of work. Its first
    /// statement takes the audit-trail lock (see `dialect.rs`), so writers
    /// queue in one order and never deadlock on each other's rows.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the transaction cannot start.
    pub async fn write(&self, actor: &Actor) -> Result<WriteTx, StoreError> {
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if let Some(lock) = self.backend.lock_audit_trail() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        Ok(WriteTx {
            tx,
            actor: actor.to_string(),
        })
    }
}

impl WriteTx {
    /// Appends one audit event for a change made in this transaction: what kind of record,
    /// which one, what happened, and the record before and after (`None` when it did not
    /// exist). Returns the event's sequence number.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure; the whole transaction should then be dropped.
    pub async fn record(
        &mut self,
        entity_type: &str,
        entity_id: &str,
        action: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<i64, StoreError> {
        // The transaction took the audit-trail lock first and holds it to commit, so the
        // head read here is the one this append follows. Readers are not blocked.
        let head = sqlx::query("select seq, hash from audit_event order by seq desc limit 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        let (prev_seq, prev_hash) = match head {
            Some(row) => {
                let seq: i64 = row.try_get("seq")?;
                let hash: String = row.try_get("hash")?;
                (seq, hash.parse().map_err(StoreError::corrupt)?)
            }
            None => (0, GENESIS),
        };
        let null = serde_json::Value::Null;
        let event = Event {
            seq: prev_seq + 1,
            at: now_text(),
            actor: self.actor.clone(),
            entity_type: entity_type.to_owned(),
            entity_id: entity_id.to_owned(),
            action: action.to_owned(),
            before: canonical_json(before.unwrap_or(&null)),
            after: canonical_json(after.unwrap_or(&null)),
        };
        let hash = event.hash_after(&prev_hash);
        sqlx::query(
            r"insert into audit_event
                (seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash)
              values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(event.seq)
        .bind(&event.at)
        .bind(&event.actor)
        .bind(&event.entity_type)
        .bind(&event.entity_id)
        .bind(&event.action)
        .bind(&event.before)
        .bind(&event.after)
        .bind(prev_hash.to_hex())
        .bind(hash.to_hex())
        .execute(&mut *self.tx)
        .await?;
        Ok(event.seq)
    }

    /// Makes the changes and their audit events durable together.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the commit fails; nothing is then stored.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The outcome of verifying the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events that verified before the first break (all of them when intact).
    pub verified: i64,
    /// Hash of the last verified event, for an auditor to note and compare next time:
    /// a chain cut short at its end still verifies, but no longer ends in this hash.
    pub head: String,
    /// The same head as a hash, to go on verifying from.
    pub head_hash: holdfast_core::audit::ChainHash,
    /// The first broken event, if any.
    pub broken: Option<ChainBreak>,
}

/// Events read per round trip when verifying.
const VERIFY_CHUNK: i64 = 20_000;

/// Splits `{bytes}:{value}` off the front of a verification chunk.
fn framed_field(text: &str) -> Result<(&str, &str), StoreError> {
    let bad = || StoreError::corrupt("the audit trail could not be read back as written");
    let (len, rest) = text.split_once(':').ok_or_else(bad)?;
    let len: usize = len.parse().map_err(|_| bad())?;
    if rest.len() < len || !rest.is_char_boundary(len) {
        return Err(bad());
    }
    Ok(rest.split_at(len))
}

pub(crate) fn stored_event(row: &AnyRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        event: Event {
            seq: row.try_get(0)?,
            at: row.try_get(1)?,
            actor: row.try_get(2)?,
            entity_type: row.try_get(3)?,
            entity_id: row.try_get(4)?,
            action: row.try_get(5)?,
            before: row.try_get(6)?,
            after: row.try_get(7)?,
        },
        prev_hash: row.try_get(8)?,
        hash: row.try_get(9)?,
    })
}

/// A point of the chain this process verified (the one before the newest event it
/// verified), and when it last verified all of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checkpoint {
    verified: i64,
    head: holdfast_core::audit::ChainHash,
    in_full_at: chrono::DateTime<chrono::Utc>,
}

/// The chain's state as the trail's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    /// The verification.
    pub report: ChainReport,
    /// When every event was last rehashed; later events were verified on from there.
    pub in_full_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Store {
    /// Recomputes the whole chain from the stored events, streaming them in sequence order
    /// so memory stays flat, and reports the first broken event.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the events cannot be read; a broken chain is not an
    /// error but a report.
    pub async fn verify_chain(&self) -> Result<ChainReport, StoreError> {
        self.verify_chain_from(ChainVerifier::new()).await
    }

    /// The chain's state at a cost that does not grow with the trail: the whole chain is
    /// rehashed when this process has not done so within `full_every` (or ever), and
    /// otherwise the newest event it verified last time and every event after it. A cut or
    /// an edit of that event is caught at once; an edit of an older event, at the next full
    /// pass.
    ///
    /// # Errors
    /// As [`Store::verify_chain`].
    pub async fn chain_status(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        full_every: chrono::Duration,
    ) -> Result<ChainStatus, StoreError> {
        let known = *self
            .checkpoint
            .lock()
            .map_err(|_| StoreError::corrupt("the chain checkpoint lock was poisoned"))?;
        // The checkpoint holds the point before the last event verified, so the last one is
        // rehashed again each time and an edit of it is caught at once.
        let resume = known.filter(|c| now - c.in_full_at < full_every);
        let (report, in_full_at) = match resume {
            Some(c) => (
                self.verify_chain_from(ChainVerifier::resume(c.verified, c.head))
                    .await?,
                c.in_full_at,
            ),
            None => (self.verify_chain().await?, now),
        };
        let next = if report.broken.is_none() && report.verified > 0 {
            let before_last: String =
                sqlx::query_scalar("select prev_hash from audit_event where seq = $1")
                    .bind(report.verified)
                    .fetch_one(&self.pool)
                    .await?;
            Some(Checkpoint {
                verified: report.verified - 1,
                head: before_last.parse().map_err(StoreError::corrupt)?,
                in_full_at,
            })
        } else if report.broken.is_none() {
            Some(Checkpoint {
                verified: 0,
                head: holdfast_core::audit::GENESIS,
                in_full_at,
            })
        } else {
            None
        };
        *self
            .checkpoint
            .lock()
            .map_err(|_| StoreError::corrupt("the chain checkpoint lock was poisoned"))? = next;
        Ok(ChainStatus {
            in_full_at: report.broken.is_none().then_some(in_full_at),
            report,
        })
    }

    async fn verify_chain_from(
        &self,
        mut verifier: ChainVerifier,
    ) -> Result<ChainReport, StoreError> {
        let mut suspect = None;
        // Events come in chunks, each as one text built by the database in which every field
        // is written as `{bytes}:{value}`: one value per chunk instead of ten per event to hand
        // across, and no escaping to undo, so each event is hashed where it lies.
        let fields = [
            "cast(seq as text)",
            "occurred_at",
            "actor",
            "entity_type",
            "entity_id",
            "action",
            "before_json",
            "after_json",
            "prev_hash",
            "hash",
        ];
        let framed: Vec<String> = fields
            .iter()
            .map(|f| match self.backend {
                crate::url::Backend::Sqlite => format!("length(cast({f} as blob)) || ':' || {f}"),
                crate::url::Backend::Postgres => format!("octet_length({f}) || ':' || {f}"),
            })
            .collect();
        let sql = match self.backend {
            crate::url::Backend::Sqlite => format!(
                "select coalesce(group_concat({}, ''), '') from (select * from audit_event where seq > $1 order by seq limit $2)",
                framed.join(" || ")
            ),
            crate::url::Backend::Postgres => format!(
                "select coalesce(string_agg({}, '' order by seq), '') from (select * from audit_event where seq > $1 order by seq limit $2) as chunk",
                framed.join(" || ")
            ),
        };
        'chunks: loop {
            let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(verifier.verified())
                .bind(VERIFY_CHUNK)
                .fetch_one(&self.pool)
                .await?;
            let mut rest = text.as_str();
            let mut n = 0i64;
            while !rest.is_empty() {
                let mut f: [&str; 10] = [""; 10];
                for slot in &mut f {
                    let (value, tail) = framed_field(rest)?;
                    *slot = value;
                    rest = tail;
                }
                n += 1;
                let event = holdfast_core::audit::EventRef {
                    seq: f[0].parse().map_err(StoreError::corrupt)?,
                    at: f[1],
                    actor: f[2],
                    entity_type: f[3],
                    entity_id: f[4],
                    action: f[5],
                    before: f[6],
                    after: f[7],
                };
                if let Err(s) = verifier.check_ref(event, f[8], f[9]) {
                    suspect = Some(s);
                    break 'chunks;
                }
            }
            if n < VERIFY_CHUNK {
                break;
            }
        }
        let broken = match suspect {
            None => None,
            Some(Suspect::Broken(b)) => Some(b),
            Some(Suspect::Unlinked { seq, claims_prev }) => {
                let linked: Option<i64> =
                    sqlx::query_scalar("select seq from audit_event where hash = $1")
                        .bind(&claims_prev)
                        .fetch_optional(&self.pool)
                        .await?;
                Some(verifier.classify_unlinked(seq, linked))
            }
        };
        Ok(ChainReport {
            verified: verifier.verified(),
            head: verifier.head().to_hex(),
            head_hash: verifier.head(),
            broken,
        })
    }

    /// How many events the audit trail holds.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it cannot be counted.
    pub async fn audit_event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("select count(*) from audit_event")
            .fetch_one(&self.pool)
            .await?)
    }
}
