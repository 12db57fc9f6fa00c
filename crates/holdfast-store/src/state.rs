//! "State matches history": every audited record's current row must equal what its audit
//! events say it became. A row changed with SQL (`update user_account set role = 'admin'`)
//! leaves no event, so the trail still verifies; replaying the trail and comparing shows it.
//! Only the fields Holdfast records in events are compared; bookkeeping (a token's last
//! use, a session's idle time) is not history.

use std::collections::HashMap;

use futures::TryStreamExt;
use serde_json::Value;
use sqlx::Row;

use crate::{Store, StoreError};

/// An audited table: its rows, the events about them, and the fields compared (the event's
/// JSON key and the SQL that reads the same fact from the row as text).
struct Audited {
    table: &'static str,
    /// Which rows are live (a deleted rule stays as a row, its history ends in a deletion).
    live: &'static str,
    entity_type: &'static str,
    fields: &'static [(&'static str, &'static str)],
}

const AUDITED: [Audited; 16] = [
    Audited {
        table: "organisation",
        live: "1 = 1",
        entity_type: "organisation",
        fields: &[("name", "name"), ("time_zone", "time_zone")],
    },
    Audited {
        table: "location",
        live: "1 = 1",
        entity_type: "location",
        fields: &[("name", "name"), ("kind", "kind")],
    },
    Audited {
        table: "calendar_feed",
        live: "1 = 1",
        entity_type: "calendar_feed",
        fields: &[
            ("kind", "kind"),
            ("subject_id", "subject_id"),
            ("created_by", "created_by"),
            ("revoked_at", "revoked_at"),
        ],
    },
    Audited {
        table: "readiness_acceptance",
        live: "1 = 1",
        entity_type: "readiness_acceptance",
        fields: &[
            ("finding_id", "finding_id"),
            ("reason", "reason"),
            ("expires_on", "expires_on"),
            ("accepted_by", "accepted_by"),
        ],
    },
    Audited {
        table: "user_account",
        live: "1 = 1",
        entity_type: "user_account",
        fields: &[
            ("email", "email"),
            ("role", "role"),
            ("person_id", "person_id"),
            (
                "disabled",
                "case when disabled_at is null then 'false' else 'true' end",
            ),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "person",
        live: "1 = 1",
        entity_type: "person",
        fields: &[
            ("name", "name"),
            ("email", "email"),
            ("department", "department"),
            ("manager_id", "manager_id"),
            ("employment_status", "employment_status"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "api_token",
        live: "1 = 1",
        entity_type: "api_token",
        fields: &[
            ("user_id", "user_id"),
            ("name", "name"),
            ("role", "role"),
            ("expires_at", "expires_at"),
            ("revoked_at", "revoked_at"),
        ],
    },
    Audited {
        table: "process",
        live: "1 = 1",
        entity_type: "process",
        fields: &[
            ("key", "key"),
            ("name", "name"),
            ("objective", "objective"),
            ("owner_id", "owner_id"),
            ("deputy_id", "deputy_id"),
            ("status", "status"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "activity",
        live: "1 = 1",
        entity_type: "activity",
        fields: &[
            ("process_id", "process_id"),
            ("due_date", "due_date"),
            ("assignee_id", "assignee_id"),
            ("state", "state"),
            ("closed_at", "closed_at"),
            ("comment", "comment"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "task",
        live: "1 = 1",
        entity_type: "task",
        fields: &[
            ("title", "title"),
            ("process_id", "process_id"),
            ("owner_id", "owner_id"),
            ("due_at", "due_at"),
            ("priority", "priority"),
            ("status", "status"),
            ("completed_at", "completed_at"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "interaction_rule",
        live: "deleted_at is null",
        entity_type: "interaction_rule",
        fields: &[
            ("from_process", "from_process"),
            ("event", "event"),
            ("to_process", "to_process"),
            ("task_title", "task_title"),
            ("priority", "priority"),
            ("sla_hours", "cast(sla_hours as text)"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "risk",
        live: "1 = 1",
        entity_type: "risk",
        fields: &[
            ("title", "title"),
            ("threat", "threat"),
            ("vulnerability", "vulnerability"),
            ("owner_id", "owner_id"),
            ("process_id", "process_id"),
            // Its version also moves with each assessment, whose own record is the history.
            ("treatment", "treatment"),
        ],
    },
    Audited {
        table: "asset",
        live: "1 = 1",
        entity_type: "asset",
        fields: &[
            ("name", "name"),
            ("kind", "kind"),
            ("owner_id", "owner_id"),
            ("classification", "classification"),
            ("location", "location"),
            ("confidentiality", "cast(confidentiality as text)"),
            ("integrity", "cast(integrity as text)"),
            ("availability", "cast(availability as text)"),
            ("lifecycle", "lifecycle"),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "context_issue",
        live: "1 = 1",
        entity_type: "context_issue",
        fields: &[
            ("kind", "kind"),
            ("category", "category"),
            ("title", "title"),
            ("effect", "effect"),
            ("owner_id", "owner_id"),
            ("review_due", "review_due"),
            (
                "active",
                "case when active = 1 then 'true' else 'false' end",
            ),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "interested_party",
        live: "1 = 1",
        entity_type: "interested_party",
        fields: &[
            ("name", "name"),
            ("kind", "kind"),
            ("expectations", "expectations"),
            ("owner_id", "owner_id"),
            ("review_due", "review_due"),
            (
                "active",
                "case when active = 1 then 'true' else 'false' end",
            ),
            ("version", "cast(version as text)"),
        ],
    },
    Audited {
        table: "requirement",
        live: "1 = 1",
        entity_type: "requirement",
        fields: &[
            ("party_id", "party_id"),
            ("kind", "kind"),
            ("citation", "citation"),
            ("text", "text"),
            ("version", "cast(version as text)"),
        ],
    },
];

/// The most rows of one table named; the rest are counted.
const NAMED_PER_TABLE: usize = 20;

/// A fact as text, the way both an event and a row can give it.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Whether two texts state the same fact: equal, or the same instant written with a
/// different precision.
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a != b => {
            match (
                chrono::DateTime::parse_from_rfc3339(a),
                chrono::DateTime::parse_from_rfc3339(b),
            ) {
                (Ok(x), Ok(y)) => x.timestamp_micros() == y.timestamp_micros(),
                _ => false,
            }
        }
        (a, b) => a == b,
    }
}

impl Store {
    /// Replays the trail and names every audited row that differs from its history, that
    /// has none, or whose history says it exists but which is gone.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure; [`StoreError::Corrupt`] for an event that is not
    /// JSON.
    pub async fn rows_changed_outside(&self) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for a in &AUDITED {
            let history = self.replay(a).await?;
            let mut seen = std::collections::HashSet::new();
            let mut named = 0usize;
            let mut more = 0usize;
            let mut note = |line: String, found: &mut Vec<String>| {
                if named < NAMED_PER_TABLE {
                    found.push(line);
                    named += 1;
                } else {
                    more += 1;
                }
            };
            let exprs: Vec<&str> = a.fields.iter().map(|(_, sql)| *sql).collect();
            let sql = format!(
                "select id, {} from {} where {} order by id",
                exprs.join(", "),
                a.table,
                a.live
            );
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let id: String = r.try_get(0)?;
                let Some(recorded) = history.get(&id) else {
                    note(
                        format!(
                            "{} {id} has no history: it was written outside Holdfast",
                            a.entity_type
                        ),
                        &mut found,
                    );
                    continue;
                };
                seen.insert(id.clone());
                for (i, (key, _)) in a.fields.iter().enumerate() {
                    let Some(said) = recorded.get(*key) else {
                        continue;
                    };
                    let now: Option<String> = r.try_get(i + 1)?;
                    if !same(now.as_deref(), said.as_deref()) {
                        note(
                            format!(
                                "{} {id}: {key} is {} but its history says {} (changed outside Holdfast)",
                                a.entity_type,
                                now.as_deref()
                                    .map_or("empty".to_owned(), |v| format!("{v:?}")),
                                said.as_deref()
                                    .map_or("empty".to_owned(), |v| format!("{v:?}")),
                            ),
                            &mut found,
                        );
                    }
                }
            }
            drop(rows);
            for id in history.keys().filter(|id| !seen.contains(*id)) {
                note(
                    format!(
                        "{} {id} is in the trail but its row is gone: removed outside Holdfast",
                        a.entity_type
                    ),
                    &mut found,
                );
            }
            if more > 0 {
                found.push(format!("… and {more} more {} rows", a.entity_type));
            }
        }
        Ok(found)
    }

    /// What the trail says each record of `a` is now: every event's after-state folded in
    /// order, so a partial event (a login, a revocation) changes only what it names.
    async fn replay(
        &self,
        a: &Audited,
    ) -> Result<HashMap<String, HashMap<&'static str, Option<String>>>, StoreError> {
        let mut state: HashMap<String, HashMap<&'static str, Option<String>>> = HashMap::new();
        let mut rows = sqlx::query(
            "select entity_id, after_json from audit_event where entity_type = $1 order by seq",
        )
        .bind(a.entity_type)
        .fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let id: String = r.try_get(0)?;
            let after: String = r.try_get(1)?;
            let after: Value = serde_json::from_str(&after).map_err(StoreError::corrupt)?;
            match after {
                Value::Object(fields) => {
                    let entry = state.entry(id).or_default();
                    for (key, _) in a.fields {
                        if let Some(v) = fields.get(*key) {
                            entry.insert(key, text_of(v));
                        }
                    }
                }
                Value::Null => {
                    state.remove(&id);
                }
                _ => {}
            }
        }
        Ok(state)
    }
}
