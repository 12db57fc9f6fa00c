//! Listing the audit trail.

use holdfast_store::AuditQuery;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::audit::{EventDto, time_bound};
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams, Page};

/// The audit trail's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilters {
    /// Only events about this kind of record (`person`, `process`).
    pub entity_type: Option<String>,
    /// Only events about this record.
    pub entity_id: Option<String>,
    /// Only events by this actor (`user:<id>`, `cli:init`).
    pub actor: Option<String>,
    /// From this date or time (inclusive).
    pub from: Option<String>,
    /// Up to this date (inclusive) or time (exclusive).
    pub to: Option<String>,
}

/// The audit trail's parameters: newest first.
pub type AuditParams = ListParams<FixedOrder, AuditFilters>;

/// One page of the audit trail, newest first, without the records `role` may not read.
///
/// # Errors
/// 422 naming `from` or `to` when not a date or time; as the store otherwise.
pub async fn list(
    st: &AppState,
    role: holdfast_core::account::Role,
    p: &AuditParams,
) -> Result<Page<EventDto>, AppError> {
    let f = &p.filters;
    let before_seq = match &p.after {
        None => None,
        Some(k) => Some(
            k.first()
                .and_then(|s| s.parse::<i64>().ok())
                .filter(|_| k.len() == 1)
                .ok_or_else(|| {
                    AppError::invalid("cursor", "this cursor is not one the API gave out")
                })?,
        ),
    };
    let q = AuditQuery {
        entity_type: f.entity_type.clone(),
        entity_id: f.entity_id.clone(),
        actor: f.actor.clone(),
        from: time_bound("from", f.from.as_deref(), false)?,
        to: time_bound("to", f.to.as_deref(), true)?,
        before_seq,
        limit: p.fetch(),
        hidden: holdfast_core::policy::audit_records_hidden_from(role),
    };
    let (events, total) = st.store.list_audit_events(&q).await?;
    Ok(p.page(
        events,
        total,
        |e| vec![e.event.seq.to_string()],
        |e| EventDto::from(&e),
    ))
}
