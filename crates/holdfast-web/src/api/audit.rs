//! `/api/v1/audit-events`: browse and verify the audit trail.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use holdfast_core::audit::StoredEvent;
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::Serialize;

use super::Page;
use crate::AppState;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadAuditTrail);
    r.add(
        route(
            Method::GET,
            "/api/v1/audit-events",
            read,
            Kind::Api,
            "Browse the audit trail, newest first (filter by entity, actor, time)",
        )
        .gives::<Page<EventDto>>(),
        list,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/audit-events/verify",
            read,
            Kind::Api,
            "Recompute the hash chain",
        )
        .gives::<ChainDto>(),
        verify,
    )
}

/// One audit event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventDto {
    /// Position in the chain.
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Kind of record.
    pub entity_type: String,
    /// Which record.
    pub entity_id: String,
    /// What happened.
    pub action: String,
    /// The record before.
    pub before: serde_json::Value,
    /// The record after.
    pub after: serde_json::Value,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl From<&StoredEvent> for EventDto {
    fn from(e: &StoredEvent) -> Self {
        let parse = |s: &str| {
            serde_json::from_str(s).unwrap_or_else(|_| serde_json::Value::String(s.to_owned()))
        };
        Self {
            seq: e.event.seq,
            at: e.event.at.clone(),
            actor: e.event.actor.clone(),
            entity_type: e.event.entity_type.clone(),
            entity_id: e.event.entity_id.clone(),
            action: e.event.action.clone(),
            before: parse(&e.event.before),
            after: parse(&e.event.after),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// The chain's state.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChainDto {
    /// Whether every event verified.
    pub intact: bool,
    /// Events verified before the first break (all when intact).
    pub verified: i64,
    /// Hash of the last verified event.
    pub head: String,
    /// The first broken event and what is wrong with it.
    pub broken: Option<String>,
    /// Signed checkpoints of the trail.
    pub checkpoints: usize,
    /// What is wrong with the checkpoints or the append-only triggers, in words; empty
    /// when every checkpoint matches and every trigger is in place.
    pub problems: Vec<String>,
}

pub(crate) fn time_bound(
    field: &str,
    raw: Option<&str>,
    end_of_day: bool,
) -> Result<Option<String>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        return Ok(Some(format!("{}T00:00:00.000000Z", d.format("%Y-%m-%d"))));
    }
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| {
            Some(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            )
        })
        .map_err(|_| {
            AppError::invalid(
                field,
                format!("{field} must be a date (2026-12-01) or an RFC 3339 time"),
            )
        })
}

async fn list(
    State(st): State<AppState>,
    caller: crate::auth::Caller,
    p: crate::service::audit::AuditParams,
) -> Result<Json<Page<EventDto>>, AppError> {
    Ok(Json(
        crate::service::audit::list(&st, caller.role(), &p).await?,
    ))
}

impl ChainDto {
    /// A verification as shown.
    #[must_use]
    pub fn of(r: holdfast_store::ChainReport) -> Self {
        Self {
            intact: r.broken.is_none(),
            verified: r.verified,
            head: r.head,
            broken: r.broken.map(|b| b.to_string()),
            checkpoints: 0,
            problems: Vec::new(),
        }
    }

    /// With the checkpoints and the append-only triggers checked too.
    ///
    /// # Errors
    /// As the store.
    pub async fn with_checkpoints(mut self, st: &AppState) -> Result<Self, AppError> {
        let report = st.store.check_checkpoints(None).await?;
        self.checkpoints = report.checkpoints;
        self.problems = report.problems;
        for g in st.store.missing_guards().await? {
            self.problems.push(format!(
                "append-only trigger {} on {} is missing",
                g.trigger, g.table
            ));
        }
        Ok(self)
    }
}

/// The whole chain rehashed now: what an auditor asks the API for.
pub(crate) async fn chain(st: &AppState) -> Result<ChainDto, AppError> {
    ChainDto::of(st.store.verify_chain().await?)
        .with_checkpoints(st)
        .await
}

async fn verify(State(st): State<AppState>) -> Result<Json<ChainDto>, AppError> {
    Ok(Json(chain(&st).await?))
}
