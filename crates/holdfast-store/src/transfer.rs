//! Export and import of a whole database as one versioned JSON document.
//!
//! The document lists every table row by row, each row an object with sorted keys on its own
//! line, so exports diff well and two exports of the same data are byte-identical. Export
//! streams rows from the database to the writer; memory does not grow with the data. Import
//! validates the whole document first and then writes it in one transaction, audit trail
//! included, so the restored chain verifies exactly as the original did. Exports contain
//! password hashes: keep them as safe as the database.

use std::io::Write;

use futures::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Store, StoreError};

/// The version of the export document format this Holdfast writes and reads.
pub const EXPORT_FORMAT_VERSION: i64 = 1;
const FORMAT_NAME: &str = "holdfast-export";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Text,
    OptText,
    Int,
    OptInt,
    /// Bytes, exported as hex.
    Blob,
}

struct Table {
    name: &'static str,
    order_by: &'static str,
    columns: &'static [(&'static str, Col)],
}

/// Every table, parents before children so import satisfies foreign keys. A migration that
/// adds a table adds it here; a test fails if one is forgotten.
const TABLES: &[Table] = &[
    Table {
        name: "organisation",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("name", Col::Text),
            ("time_zone", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "person",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("name", Col::Text),
            ("email", Col::Text),
            ("department", Col::Text),
            ("manager_id", Col::OptText),
            ("employment_status", Col::Text),
            ("start_date", Col::Text),
            ("end_date", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "user_account",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("email", Col::Text),
            ("person_id", Col::OptText),
            ("password_hash", Col::Text),
            ("role", Col::Text),
            ("disabled_at", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "location",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("name", Col::Text),
            ("kind", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "process",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("key", Col::Text),
            ("name", Col::Text),
            ("objective", Col::Text),
            ("owner_id", Col::OptText),
            ("deputy_id", Col::OptText),
            ("raci_json", Col::Text),
            ("inputs_json", Col::Text),
            ("outputs_json", Col::Text),
            ("cadence", Col::Text),
            ("cadence_start", Col::Text),
            ("status", Col::Text),
            ("active_since", Col::OptText),
            ("planned_through", Col::OptText),
            ("paused_since", Col::OptText),
            ("paused_until", Col::OptText),
            ("pause_reason", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "process_clause",
        order_by: "process_id, clause",
        columns: &[
            ("process_id", Col::Text),
            ("position", Col::Int),
            ("clause", Col::Text),
        ],
    },
    Table {
        name: "process_control",
        order_by: "process_id, control",
        columns: &[
            ("process_id", Col::Text),
            ("position", Col::Int),
            ("control", Col::Text),
        ],
    },
    Table {
        name: "process_evidence",
        order_by: "process_id, name",
        columns: &[
            ("process_id", Col::Text),
            ("position", Col::Int),
            ("name", Col::Text),
        ],
    },
    Table {
        name: "process_event",
        order_by: "process_id, event",
        columns: &[("process_id", Col::Text), ("event", Col::Text)],
    },
    Table {
        name: "activity",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("process_id", Col::Text),
            ("due_date", Col::Text),
            ("due_at", Col::Text),
            ("assignee_id", Col::OptText),
            ("state", Col::Text),
            ("closed_at", Col::OptText),
            ("comment", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "activity_requirement",
        order_by: "activity_id, name",
        columns: &[
            ("activity_id", Col::Text),
            ("position", Col::Int),
            ("name", Col::Text),
        ],
    },
    Table {
        name: "evidence_blob",
        order_by: "sha256",
        columns: &[
            ("sha256", Col::Text),
            ("content", Col::Blob),
            ("size", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "evidence",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("kind", Col::Text),
            ("sha256", Col::OptText),
            ("url", Col::OptText),
            ("filename", Col::OptText),
            ("content_type", Col::OptText),
            ("size", Col::OptInt),
            ("description", Col::Text),
            ("created_by", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "evidence_attachment",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("evidence_id", Col::Text),
            ("record_type", Col::Text),
            ("record_id", Col::Text),
            ("requirement", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "interaction_rule",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("from_process", Col::Text),
            ("event", Col::Text),
            ("condition_json", Col::OptText),
            ("to_process", Col::Text),
            ("task_title", Col::Text),
            ("priority", Col::Text),
            ("sla_hours", Col::Int),
            ("assign_to", Col::Text),
            ("evidence_required", Col::Int),
            ("disabled_at", Col::OptText),
            ("deleted_at", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "task",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("title", Col::Text),
            ("description", Col::Text),
            ("process_id", Col::OptText),
            ("owner_id", Col::OptText),
            ("due_at", Col::Text),
            ("priority", Col::Text),
            ("status", Col::Text),
            ("source_type", Col::Text),
            ("source_id", Col::Text),
            ("rule_id", Col::OptText),
            ("event_id", Col::OptText),
            ("completed_at", Col::OptText),
            ("external_key", Col::OptText),
            ("external_url", Col::OptText),
            ("evidence_required", Col::Int),
            ("comment", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "domain_event",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("kind", Col::Text),
            ("process_id", Col::OptText),
            ("subject_type", Col::Text),
            ("subject_id", Col::Text),
            ("subject_name", Col::Text),
            ("facts_json", Col::Text),
            ("occurred_at", Col::Text),
            ("dispatched_at", Col::OptText),
            ("failed_at", Col::OptText),
            ("failure", Col::OptText),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "task_label",
        order_by: "task_id, label",
        columns: &[("task_id", Col::Text), ("label", Col::Text)],
    },
    Table {
        name: "readiness_acceptance",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("finding_id", Col::Text),
            ("reason", Col::Text),
            ("expires_on", Col::Text),
            ("accepted_by", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "notification",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("dedupe_key", Col::Text),
            ("kind", Col::Text),
            ("recipient", Col::Text),
            ("subject", Col::Text),
            ("body", Col::Text),
            ("record_type", Col::Text),
            ("record_id", Col::Text),
            ("status", Col::Text),
            ("attempts", Col::Int),
            ("sent_at", Col::OptText),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "job_lease",
        order_by: "name",
        columns: &[
            ("name", Col::Text),
            ("holder", Col::Text),
            ("lease_until", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "risk_method",
        order_by: "version",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("version", Col::Int),
            ("method_json", Col::Text),
            ("published_by", Col::OptText),
            ("published_at", Col::Text),
        ],
    },
    Table {
        name: "risk",
        order_by: "number",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("number", Col::Int),
            ("title", Col::Text),
            ("threat", Col::Text),
            ("vulnerability", Col::Text),
            ("owner_id", Col::OptText),
            ("process_id", Col::OptText),
            ("treatment", Col::Text),
            ("latest_assessment_id", Col::OptText),
            ("current_level", Col::OptText),
            ("current_rank", Col::OptInt),
            ("review_due", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "risk_control",
        order_by: "risk_id, control",
        columns: &[("risk_id", Col::Text), ("control", Col::Text)],
    },
    Table {
        name: "risk_assessment",
        order_by: "recorded_at, id",
        columns: &[
            ("id", Col::Text),
            ("risk_id", Col::Text),
            ("method_id", Col::Text),
            ("method_version", Col::Int),
            ("inherent_likelihood", Col::Int),
            ("inherent_impact", Col::Int),
            ("current_likelihood", Col::Int),
            ("current_impact", Col::Int),
            ("target_likelihood", Col::OptInt),
            ("target_impact", Col::OptInt),
            ("inherent_level", Col::Text),
            ("current_level", Col::Text),
            ("target_level", Col::OptText),
            ("rationale", Col::Text),
            ("assessor_id", Col::OptText),
            ("assessed_on", Col::Text),
            ("review_due", Col::Text),
            ("recorded_at", Col::Text),
        ],
    },
    Table {
        name: "risk_decision",
        order_by: "decided_at, id",
        columns: &[
            ("id", Col::Text),
            ("risk_id", Col::Text),
            ("kind", Col::Text),
            ("decided_by", Col::Text),
            ("authority", Col::Text),
            ("decided_at", Col::Text),
            ("rationale", Col::Text),
            ("expires_on", Col::Text),
            ("subject_json", Col::Text),
            ("subject_sha256", Col::Text),
        ],
    },
    Table {
        name: "soa_decision",
        order_by: "control",
        columns: &[
            ("control", Col::Text),
            ("organisation_id", Col::Text),
            ("applicable", Col::Int),
            ("status", Col::OptText),
            ("best_practice", Col::Int),
            ("justification", Col::Text),
            ("owner_id", Col::OptText),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "soa_version",
        order_by: "number",
        columns: &[
            ("number", Col::Int),
            ("organisation_id", Col::Text),
            ("rows_json", Col::Text),
            ("sha256", Col::Text),
            ("published_by", Col::OptText),
            ("published_at", Col::Text),
        ],
    },
    Table {
        name: "context_issue",
        order_by: "number",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("number", Col::Int),
            ("kind", Col::Text),
            ("category", Col::Text),
            ("title", Col::Text),
            ("effect", Col::Text),
            ("owner_id", Col::OptText),
            ("review_due", Col::Text),
            ("active", Col::Int),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "interested_party",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("name", Col::Text),
            ("kind", Col::Text),
            ("expectations", Col::Text),
            ("owner_id", Col::OptText),
            ("review_due", Col::Text),
            ("active", Col::Int),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "requirement",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("party_id", Col::Text),
            ("kind", Col::Text),
            ("citation", Col::Text),
            ("text", Col::Text),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "requirement_control",
        order_by: "requirement_id, control",
        columns: &[("requirement_id", Col::Text), ("control", Col::Text)],
    },
    Table {
        name: "requirement_process",
        order_by: "requirement_id, process_id",
        columns: &[("requirement_id", Col::Text), ("process_id", Col::Text)],
    },
    Table {
        name: "scope_version",
        order_by: "number",
        columns: &[
            ("number", Col::Int),
            ("organisation_id", Col::Text),
            ("scope_json", Col::Text),
            ("sha256", Col::Text),
            ("proposed_by", Col::OptText),
            ("proposed_at", Col::Text),
        ],
    },
    Table {
        name: "scope_approval",
        order_by: "number",
        columns: &[
            ("number", Col::Int),
            ("sha256", Col::Text),
            ("approved_by", Col::Text),
            ("approved_at", Col::Text),
        ],
    },
    Table {
        name: "asset_scheme",
        order_by: "organisation_id",
        columns: &[
            ("organisation_id", Col::Text),
            ("labels_json", Col::Text),
            ("version", Col::Int),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "asset",
        order_by: "number",
        columns: &[
            ("id", Col::Text),
            ("organisation_id", Col::Text),
            ("number", Col::Int),
            ("name", Col::Text),
            ("kind", Col::Text),
            ("owner_id", Col::Text),
            ("classification", Col::Text),
            ("location", Col::Text),
            ("confidentiality", Col::Int),
            ("integrity", Col::Int),
            ("availability", Col::Int),
            ("lifecycle", Col::Text),
            ("version", Col::Int),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "risk_asset",
        order_by: "risk_id, asset_id",
        columns: &[("risk_id", Col::Text), ("asset_id", Col::Text)],
    },
    Table {
        name: "calendar_feed",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("token_hash", Col::Text),
            ("kind", Col::Text),
            ("subject_id", Col::Text),
            ("created_by", Col::Text),
            ("revoked_at", Col::OptText),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "session",
        order_by: "token_hash",
        columns: &[
            ("token_hash", Col::Text),
            ("user_id", Col::Text),
            ("csrf_token", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
            ("idle_expires_at", Col::Text),
            ("absolute_expires_at", Col::Text),
        ],
    },
    Table {
        name: "api_token",
        order_by: "id",
        columns: &[
            ("id", Col::Text),
            ("user_id", Col::Text),
            ("name", Col::Text),
            ("role", Col::Text),
            ("token_hash", Col::Text),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
            ("expires_at", Col::OptText),
            ("revoked_at", Col::OptText),
            ("last_used_at", Col::OptText),
        ],
    },
    Table {
        name: "login_throttle",
        order_by: "throttle_key",
        columns: &[
            ("throttle_key", Col::Text),
            ("failures", Col::Int),
            ("locked_until", Col::OptText),
            ("created_at", Col::Text),
            ("updated_at", Col::Text),
        ],
    },
    Table {
        name: "audit_event",
        order_by: "seq",
        columns: &[
            ("seq", Col::Int),
            ("occurred_at", Col::Text),
            ("actor", Col::Text),
            ("entity_type", Col::Text),
            ("entity_id", Col::Text),
            ("action", Col::Text),
            ("before_json", Col::Text),
            ("after_json", Col::Text),
            ("prev_hash", Col::Text),
            ("hash", Col::Text),
        ],
    },
    Table {
        name: "signing_key",
        order_by: "public_key",
        columns: &[("public_key", Col::Text), ("created_at", Col::Text)],
    },
    Table {
        name: "audit_checkpoint",
        order_by: "number",
        columns: &[
            ("number", Col::Int),
            ("seq", Col::Int),
            ("head", Col::Text),
            ("signed_at", Col::Text),
            ("prev", Col::Text),
            ("signature", Col::Text),
        ],
    },
];

/// Names of every table Holdfast exports, for the completeness test.
#[must_use]
pub fn exported_tables() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

/// Tables derived from the exported ones (tallies, the search index and its shadow tables):
/// not exported, because the triggers that keep them rebuild them as an import writes.
#[must_use]
pub fn derived_tables() -> Vec<&'static str> {
    vec![
        "tally",
        "person_search",
        "person_fts",
        "person_fts_data",
        "person_fts_idx",
        "person_fts_content",
        "person_fts_docsize",
        "person_fts_config",
    ]
}

fn select_sql(t: &Table) -> String {
    let cols: Vec<_> = t.columns.iter().map(|(c, _)| *c).collect();
    format!(
        "select {} from {} order by {}",
        cols.join(", "),
        t.name,
        t.order_by
    )
}

fn row_to_json(t: &Table, row: &AnyRow) -> Result<Value, StoreError> {
    let mut obj = Map::new();
    for (i, (name, col)) in t.columns.iter().enumerate() {
        let v = match col {
            Col::Text => Value::String(row.try_get(i)?),
            Col::OptText => row
                .try_get::<Option<String>, _>(i)?
                .map_or(Value::Null, Value::String),
            Col::Int => Value::from(row.try_get::<i64, _>(i)?),
            Col::OptInt => row
                .try_get::<Option<i64>, _>(i)?
                .map_or(Value::Null, Value::from),
            Col::Blob => Value::String(hex_encode(&row.try_get::<Vec<u8>, _>(i)?)),
        };
        obj.insert((*name).to_owned(), v);
    }
    Ok(Value::Object(obj))
}

impl Store {
    /// The latest schema migration applied, recorded in exports so an import can refuse a
    /// document from a different schema.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it cannot be read.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "select coalesce(max(version), 0) from _sqlx_migrations where success",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Writes the whole database to `out`, streaming table by table.
    ///
    /// # Errors
    /// [`StoreError::Io`] when writing fails, [`StoreError::Database`] when reading does.
    pub async fn export(&self, out: &mut impl Write) -> Result<(), StoreError> {
        let schema = self.schema_version().await?;
        // One read transaction gives a consistent snapshot across tables on PostgreSQL
        // (repeatable read) and on SQLite (a read transaction sees one WAL snapshot).
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("set transaction isolation level repeatable read, read only")
                .execute(&mut *tx)
                .await?;
        }
        write!(
            out,
            "{{\"format\":\"{FORMAT_NAME}\",\"version\":{EXPORT_FORMAT_VERSION},\"schema_version\":{schema},\"tables\":{{"
        )?;
        for (ti, t) in TABLES.iter().enumerate() {
            write!(out, "{}\n\"{}\":[", if ti == 0 { "" } else { "," }, t.name)?;
            let sql = select_sql(t);
            let mut rows = sqlx::query(AssertSqlSafe(sql.as_str())).fetch(&mut *tx);
            let mut first = true;
            while let Some(row) = rows.try_next().await? {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                serde_json::to_writer(&mut *out, &row_to_json(t, &row)?)
                    .map_err(std::io::Error::from)?;
            }
            out.write_all(b"\n]")?;
        }
        out.write_all(b"\n}}\n")?;
        out.flush()?;
        drop(tx);
        Ok(())
    }

    /// Restores a document written by [`Store::export`] into this database, which must be
    /// empty. All or nothing: on any error nothing is stored.
    ///
    /// # Errors
    /// [`StoreError::Import`] when the document is unusable or the database is not empty.
    pub async fn import(&self, document: &ImportDocument) -> Result<(), StoreError> {
        let current = self.schema_version().await?;
        if document.schema_version != current {
            return Err(StoreError::Import(format!(
                "the export was made with database schema {}, but this Holdfast uses schema {current}; \
                 import it with the Holdfast version that made it",
                document.schema_version
            )));
        }
        let (events, checkpoints) = document.check_trail()?;
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        for t in TABLES {
            let n: i64 =
                sqlx::query_scalar(AssertSqlSafe(format!("select count(*) from {}", t.name)))
                    .fetch_one(&mut *tx)
                    .await?;
            if n > 0 {
                return Err(StoreError::Import(format!(
                    "the database is not empty (table {} has {n} rows); import only into a new, empty database",
                    t.name
                )));
            }
        }
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("pragma defer_foreign_keys = on")
                    .execute(&mut *tx)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query("set constraints all deferred")
                    .execute(&mut *tx)
                    .await?
            }
        };
        for (t, rows) in TABLES.iter().zip(&document.tables) {
            let cols: Vec<_> = t.columns.iter().map(|(c, _)| *c).collect();
            let params: Vec<_> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "insert into {} ({}) values ({})",
                t.name,
                cols.join(", "),
                params.join(", ")
            );
            for row in rows {
                let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
                for ((name, col), v) in t.columns.iter().zip(row) {
                    q = match (col, v) {
                        (Col::Int | Col::OptInt, Value::Number(n)) => q.bind(n.as_i64()),
                        (Col::OptInt, Value::Null) => q.bind(None::<i64>),
                        (Col::Blob, Value::String(s)) => q.bind(hex_decode(s).unwrap_or_default()),
                        (_, Value::String(s)) => q.bind(s.clone()),
                        (_, Value::Null) => q.bind(None::<String>),
                        _ => {
                            return Err(StoreError::corrupt(format!(
                                "unvalidated value in {name}"
                            )));
                        }
                    };
                }
                q.execute(&mut *tx).await.map_err(|e| {
                    StoreError::Import(format!("table {}: the database refused a row: {e}", t.name))
                })?;
            }
        }
        tx.commit()
            .await
            .map_err(|e| StoreError::Import(format!("the database refused the import: {e}")))?;
        // The trail goes on from the imported one and says where this database came from.
        let mut w = self.write(&crate::Actor::Cli("import")).await?;
        let after = serde_json::json!({"events": events, "checkpoints": checkpoints, "schema_version": document.schema_version});
        w.record("database", "import", "imported", None, Some(&after))
            .await?;
        w.commit().await
    }
}

/// A parsed and validated export document, ready to import.
#[derive(Debug)]
pub struct ImportDocument {
    schema_version: i64,
    /// Rows per table in [`TABLES`] order, each row's values in column order.
    tables: Vec<Vec<Vec<Value>>>,
}

impl ImportDocument {
    /// The rows of table `name`, with the position of each of its columns.
    fn rows_of(&self, name: &str) -> (Vec<&Vec<Value>>, impl Fn(&str) -> usize) {
        let i = TABLES
            .iter()
            .position(|t| t.name == name)
            .unwrap_or(usize::MAX);
        let rows = self
            .tables
            .get(i)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let columns: Vec<&str> = TABLES
            .get(i)
            .map(|t| t.columns.iter().map(|(c, _)| *c).collect())
            .unwrap_or_default();
        (rows, move |c: &str| {
            columns.iter().position(|x| *x == c).unwrap_or(usize::MAX)
        })
    }

    /// Verifies the document's audit trail and checkpoints before anything is written: an
    /// import must not launder a rewritten history into a fresh database. Returns how many
    /// events and checkpoints it holds.
    ///
    /// # Errors
    /// [`StoreError::Import`] naming the first broken event or the checkpoint problem.
    pub fn check_trail(&self) -> Result<(i64, usize), StoreError> {
        let text = |row: &Vec<Value>, i: usize| {
            row.get(i)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let int = |row: &Vec<Value>, i: usize| row.get(i).and_then(Value::as_i64).unwrap_or(0);
        let (events, col) = self.rows_of("audit_event");
        let mut verifier = holdfast_core::audit::ChainVerifier::new();
        let mut hashes = std::collections::HashMap::new();
        let by_hash: std::collections::HashMap<String, i64> = events
            .iter()
            .map(|r| (text(r, col("hash")), int(r, col("seq"))))
            .collect();
        for r in &events {
            let stored = holdfast_core::audit::StoredEvent {
                event: holdfast_core::audit::Event {
                    seq: int(r, col("seq")),
                    at: text(r, col("occurred_at")),
                    actor: text(r, col("actor")),
                    entity_type: text(r, col("entity_type")),
                    entity_id: text(r, col("entity_id")),
                    action: text(r, col("action")),
                    before: text(r, col("before_json")),
                    after: text(r, col("after_json")),
                },
                prev_hash: text(r, col("prev_hash")),
                hash: text(r, col("hash")),
            };
            if let Err(suspect) = verifier.check(&stored) {
                let b = match suspect {
                    holdfast_core::audit::Suspect::Broken(b) => b,
                    holdfast_core::audit::Suspect::Unlinked { seq, claims_prev } => {
                        verifier.classify_unlinked(seq, by_hash.get(&claims_prev).copied())
                    }
                };
                return Err(StoreError::Import(format!(
                    "the export's audit trail is broken ({b}); nothing was imported"
                )));
            }
            hashes.insert(stored.event.seq, stored.hash);
        }
        let (keys, kcol) = self.rows_of("signing_key");
        let (rows, ccol) = self.rows_of("audit_checkpoint");
        let checkpoints: Vec<holdfast_core::checkpoint::Checkpoint> = rows
            .iter()
            .map(|r| holdfast_core::checkpoint::Checkpoint {
                number: int(r, ccol("number")),
                seq: int(r, ccol("seq")),
                head: text(r, ccol("head")),
                at: text(r, ccol("signed_at")),
                prev: text(r, ccol("prev")),
                signature: text(r, ccol("signature")),
            })
            .collect();
        if let Some(key) = keys.first().map(|r| text(r, kcol("public_key"))) {
            let problems =
                holdfast_core::checkpoint::check(&checkpoints, &key, verifier.verified(), |s| {
                    hashes.get(&s).cloned()
                });
            if let Some(p) = problems.first() {
                return Err(StoreError::Import(format!(
                    "the export's checkpoints do not match its trail ({p}); nothing was imported"
                )));
            }
        } else if !checkpoints.is_empty() {
            return Err(StoreError::Import(
                "the export holds checkpoints but no signing key; nothing was imported".into(),
            ));
        }
        Ok((verifier.verified(), checkpoints.len()))
    }

    /// Parses and checks an export document: format, version and every row's columns and
    /// types. Errors name where the problem is (line and column for broken JSON, table, row
    /// and column for bad data).
    ///
    /// # Errors
    /// [`StoreError::Import`] describing the first problem.
    pub fn parse(reader: impl std::io::Read) -> Result<Self, StoreError> {
        let doc: Value = serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|e| {
            if e.is_io() {
                StoreError::Import(format!("cannot read the file: {e}"))
            } else {
                StoreError::Import(format!(
                    "the file is not a valid Holdfast export: broken JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                ))
            }
        })?;
        let bad =
            |m: String| StoreError::Import(format!("the file is not a valid Holdfast export: {m}"));
        let Value::Object(mut root) = doc else {
            return Err(bad("the top level must be a JSON object".into()));
        };
        if root.get("format").and_then(Value::as_str) != Some(FORMAT_NAME) {
            return Err(bad(format!("\"format\" must be \"{FORMAT_NAME}\"")));
        }
        match root.get("version").and_then(Value::as_i64) {
            Some(EXPORT_FORMAT_VERSION) => {}
            other => {
                return Err(bad(format!(
                    "\"version\" is {}, but this Holdfast reads version {EXPORT_FORMAT_VERSION}",
                    other.map_or_else(|| "missing".to_owned(), |v| v.to_string())
                )));
            }
        }
        let schema_version = root
            .get("schema_version")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad("\"schema_version\" must be a number".into()))?;
        let Some(Value::Object(mut tables)) = root.remove("tables") else {
            return Err(bad("\"tables\" must be an object".into()));
        };
        if let Some(unknown) = tables
            .keys()
            .find(|k| !TABLES.iter().any(|t| t.name == k.as_str()))
        {
            return Err(bad(format!("unknown table \"{unknown}\"")));
        }
        let mut out = Vec::with_capacity(TABLES.len());
        for t in TABLES {
            let Some(Value::Array(rows)) = tables.remove(t.name) else {
                return Err(bad(format!(
                    "table \"{}\" is missing or not a list",
                    t.name
                )));
            };
            let mut parsed = Vec::with_capacity(rows.len());
            for (i, row) in rows.into_iter().enumerate() {
                let Value::Object(mut obj) = row else {
                    return Err(bad(format!("{}[{i}] must be an object", t.name)));
                };
                let mut values = Vec::with_capacity(t.columns.len());
                for (name, col) in t.columns {
                    let v = obj.remove(*name).unwrap_or(Value::Null);
                    let ok = match col {
                        Col::Text => v.is_string(),
                        Col::OptText => v.is_string() || v.is_null(),
                        Col::Int => v.is_i64(),
                        Col::OptInt => v.is_i64() || v.is_null(),
                        Col::Blob => v.as_str().is_some_and(|s| hex_decode(s).is_some()),
                    };
                    if !ok {
                        let want = match col {
                            Col::Text => "a string",
                            Col::OptText => "a string or null",
                            Col::Int => "an integer",
                            Col::OptInt => "an integer or null",
                            Col::Blob => "hex-encoded bytes",
                        };
                        return Err(bad(format!("{}[{i}].{name} must be {want}", t.name)));
                    }
                    values.push(v);
                }
                if let Some(extra) = obj.keys().next() {
                    return Err(bad(format!(
                        "{}[{i}] has an unknown column \"{extra}\"",
                        t.name
                    )));
                }
                parsed.push(values);
            }
            out.push(parsed);
        }
        Ok(Self {
            schema_version,
            tables: out,
        })
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// serde_json appends " at line X column Y"; the message already says where.
fn strip_position(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}
