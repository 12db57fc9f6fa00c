//! `/api/v1/soa`: the Statement of Applicability — the live view with its derived reasons,
//! gaps and drift from the published version; decisions per control; published versions and
//! their XLSX and CSV files.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use holdfast_core::policy::Action;
use holdfast_core::soa::{self, DecisionInput, Row, Version};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiJson, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadRisks);
    let manage = Access::Login(Action::ManageRisks);
    r.add(
        route(
            Method::GET,
            "/api/v1/soa",
            read,
            Kind::Api,
            "The live Statement of Applicability: 93 rows with derived reasons, gaps, and drift from the published version",
        )
        .gives::<SoaDto>(),
        live,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/soa/controls/{control}",
            manage,
            Kind::Api,
            "Decide a control: applicable or not, why, status; If-Match to change an earlier decision",
        )
        .takes::<ControlBody>()
        .gives::<ControlDto>(),
        decide,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/soa/versions",
            read,
            Kind::Api,
            "Published versions of the Statement of Applicability, newest first",
        )
        .gives::<Vec<VersionSummaryDto>>(),
        versions,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/soa/versions",
            manage,
            Kind::Api,
            "Approve and publish the live Statement of Applicability as the next frozen version",
        )
        .gives::<VersionSummaryDto>(),
        publish,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/soa/versions/{number}",
            read,
            Kind::Api,
            "One published version with its rows",
        )
        .gives::<VersionDto>(),
        version,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/soa/versions/{number}/xlsx",
            read,
            Kind::Api,
            "A published version as an XLSX workbook",
        ),
        xlsx,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/soa/versions/{number}/csv",
            read,
            Kind::Api,
            "A published version as CSV",
        ),
        csv,
    )
}

/// One line of the SoA.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RowDto {
    /// Control id.
    pub control: String,
    /// Theme.
    pub theme: String,
    /// Title.
    pub title: String,
    /// `null` while undecided.
    pub applicable: Option<bool>,
    /// Why.
    pub justification: String,
    /// Risks whose treatment cites it (derived).
    pub risks: Vec<String>,
    /// Requirements of interested parties it addresses (derived).
    pub obligations: Vec<String>,
    /// Included as good practice.
    pub best_practice: bool,
    /// `not_started`, `planned`, `partial`, `implemented`; `null` when excluded or undecided.
    pub status: Option<String>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Processes in operation that implement it (derived).
    pub processes: Vec<String>,
}

impl From<&Row> for RowDto {
    fn from(r: &Row) -> Self {
        Self {
            control: r.control.clone(),
            theme: r.theme.clone(),
            title: r.title.clone(),
            applicable: r.applicable,
            justification: r.justification.clone(),
            risks: r.risks.clone(),
            obligations: r.obligations.clone(),
            best_practice: r.best_practice,
            status: r.status.map(|s| s.as_str().to_owned()),
            owner: r.owner.clone(),
            processes: r.processes.clone(),
        }
    }
}

/// A gap: a control risk treatment cites that is excluded or not implemented.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GapDto {
    /// Control.
    pub control: String,
    /// `excluded` or `not_implemented`.
    pub kind: String,
    /// The risks relying on it.
    pub risks: Vec<String>,
    /// The requirements of interested parties asking for it.
    pub obligations: Vec<String>,
}

/// A line that changed since the published version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DriftDto {
    /// Control.
    pub control: String,
    /// What changed.
    pub changed: Vec<String>,
}

/// A published version, without its rows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionSummaryDto {
    /// Its number.
    pub number: i64,
    /// SHA-256 of its rows.
    pub sha256: String,
    /// Who approved it (person id).
    pub published_by: Option<String>,
    /// When.
    pub published_at: DateTime<Utc>,
}

impl From<&Version> for VersionSummaryDto {
    fn from(v: &Version) -> Self {
        Self {
            number: v.number,
            sha256: v.sha256.clone(),
            published_by: v.published_by.map(|p| p.to_string()),
            published_at: v.published_at,
        }
    }
}

/// A published version with its rows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionDto {
    /// The version.
    #[serde(flatten)]
    pub version: VersionSummaryDto,
    /// Its rows as approved.
    pub rows: Vec<RowDto>,
}

/// The live SoA.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SoaDto {
    /// One row per control, in Annex A order.
    pub rows: Vec<RowDto>,
    /// Controls with no decision yet.
    pub undecided: usize,
    /// Controls treatments rely on that are excluded or not implemented.
    pub gaps: Vec<GapDto>,
    /// The newest published version.
    pub published: Option<VersionSummaryDto>,
    /// Lines that differ from it.
    pub drift: Vec<DriftDto>,
}

/// A decision on one control.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlBody {
    /// Whether the control applies.
    pub applicable: bool,
    /// Why, whichever way: required.
    pub justification: String,
    /// How far it is implemented, when it applies: `not_started`, `planned`, `partial`,
    /// `implemented`.
    #[serde(default)]
    pub status: Option<String>,
    /// Included as good practice besides the derived reasons.
    #[serde(default)]
    pub best_practice: bool,
    /// Who answers for it (an active person's id).
    #[serde(default)]
    pub owner_id: Option<String>,
}

/// A decision as stored.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ControlDto {
    /// Control.
    pub control: String,
    /// Applies.
    pub applicable: bool,
    /// Why.
    pub justification: String,
    /// Status.
    pub status: Option<String>,
    /// Good practice.
    pub best_practice: bool,
    /// Owner (person id).
    pub owner_id: Option<String>,
    /// Version (ETag).
    pub version: i64,
}

async fn live(State(st): State<AppState>) -> Result<Json<SoaDto>, AppError> {
    let rows = st.store.soa_rows().await?;
    let published = st.store.latest_soa_version().await?;
    let drift = published
        .as_ref()
        .map(|p| soa::drift(&p.rows, &rows))
        .unwrap_or_default();
    Ok(Json(SoaDto {
        undecided: soa::undecided(&rows).len(),
        gaps: soa::gaps(&rows)
            .into_iter()
            .map(|g| GapDto {
                control: g.control,
                kind: match g.kind {
                    soa::GapKind::Excluded => "excluded",
                    soa::GapKind::NotImplemented => "not_implemented",
                }
                .to_owned(),
                risks: g.risks,
                obligations: g.obligations,
            })
            .collect(),
        drift: drift
            .into_iter()
            .map(|d| DriftDto {
                control: d.control,
                changed: d.changed.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect(),
        published: published.as_ref().map(VersionSummaryDto::from),
        rows: rows.iter().map(RowDto::from).collect(),
    }))
}

async fn decide(
    State(st): State<AppState>,
    caller: Caller,
    Path(control): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ControlBody>,
) -> Result<Response, AppError> {
    let expected = match headers.get(header::IF_MATCH) {
        Some(_) => Some(super::if_match(&headers)?),
        None => None,
    };
    let mut e = holdfast_core::ValidationErrors::default();
    let status = b.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        s.parse::<soa::Status>()
            .map_err(|m| e.push("status", m))
            .ok()
    });
    let owner_id = b
        .owner_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| {
            s.trim()
                .parse()
                .map_err(|_| e.push("owner_id", "owner_id must be a person id"))
                .ok()
        });
    if !e.errors.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let d = st
        .store
        .decide_control(
            &caller.actor(),
            &control,
            expected,
            DecisionInput {
                applicable: b.applicable,
                justification: b.justification,
                status,
                best_practice: b.best_practice,
                owner_id,
            },
        )
        .await?;
    let (status, best_practice) = match d.applicability {
        soa::Applicability::Included {
            status,
            best_practice,
        } => (Some(status.as_str().to_owned()), best_practice),
        soa::Applicability::Excluded => (None, false),
    };
    let created = d.version == 1;
    let mut resp = with_etag(
        d.version,
        ControlDto {
            applicable: status.is_some(),
            control: d.control,
            justification: d.justification,
            status,
            best_practice,
            owner_id: d.owner_id.map(|p| p.to_string()),
            version: d.version,
        },
    );
    if created {
        *resp.status_mut() = StatusCode::CREATED;
    }
    Ok(resp)
}

async fn versions(State(st): State<AppState>) -> Result<Json<Vec<VersionSummaryDto>>, AppError> {
    Ok(Json(
        st.store
            .soa_versions()
            .await?
            .iter()
            .map(VersionSummaryDto::from)
            .collect(),
    ))
}

async fn publish(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<VersionSummaryDto>), AppError> {
    let v = st
        .store
        .publish_soa(&caller.actor(), caller.account.person_id)
        .await?;
    Ok((StatusCode::CREATED, Json(VersionSummaryDto::from(&v))))
}

async fn load(st: &AppState, number: &str) -> Result<Version, AppError> {
    let n: i64 = number
        .parse()
        .map_err(|_| AppError::NotFound("SoA version"))?;
    Ok(st.store.soa_version(n).await?)
}

async fn version(
    State(st): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<VersionDto>, AppError> {
    let v = load(&st, &number).await?;
    Ok(Json(VersionDto {
        version: VersionSummaryDto::from(&v),
        rows: v.rows.iter().map(RowDto::from).collect(),
    }))
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Result<Response, AppError> {
    let mut resp = Body::from(bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::headers::attachment(name))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(resp)
}

async fn xlsx(
    State(st): State<AppState>,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let v = load(&st, &number).await?;
    let by = match v.published_by {
        Some(p) => st
            .store
            .people_by_ids(&[p.to_string()])
            .await?
            .pop()
            .map_or_else(|| p.to_string(), |p| p.name),
        None => "an administrator".to_owned(),
    };
    let bytes = crate::soa_export::xlsx(&v, &by).map_err(|e| AppError::Internal(e.to_string()))?;
    download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &crate::soa_export::file_name(&v, "xlsx"),
    )
}

async fn csv(State(st): State<AppState>, Path(number): Path<String>) -> Result<Response, AppError> {
    let v = load(&st, &number).await?;
    download(
        crate::soa_export::csv(&v).into_bytes(),
        "text/csv; charset=utf-8",
        &crate::soa_export::file_name(&v, "csv"),
    )
}
