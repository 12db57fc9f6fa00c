//! `/api/v1/assets`: the asset inventory, its classification scheme, and imports of CSV or
//! XLSX tables with a preview and a row-by-row report.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use holdfast_core::ValidationErrors;
use holdfast_core::asset::{Asset, AssetFields, RowError, Scheme, check_table};
use holdfast_core::ids::AssetId;
use holdfast_core::policy::Action;
use holdfast_store::{AssetQuery, Total};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, Page, if_match, keyed, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::import_file;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

/// The largest table an import accepts.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The most row errors a report lists; the rest are counted.
const MAX_REPORTED: usize = 1_000;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadAssets);
    let manage = Access::Login(Action::ManageAssets);
    r.add(
        route(
            Method::GET,
            "/api/v1/assets",
            read,
            Kind::Api,
            "The asset inventory by reference (filter by kind, owner, classification; search name and location)",
        )
        .gives::<Page<AssetDto>>(),
        list,
    )
    .add(
        route(Method::POST, "/api/v1/assets", manage, Kind::Api, "Add an asset")
            .takes::<AssetBody>()
            .gives::<AssetDto>(),
        create,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/assets/import",
            manage,
            Kind::Api,
            "Import a CSV (text/csv) or XLSX table of assets: ?preview=true checks it and stores nothing; otherwise every row is imported or none, with each bad row and field reported",
        )
        .body_limit(MAX_IMPORT_BYTES)
        .gives::<ImportDto>(),
        import,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/assets/scheme",
            read,
            Kind::Api,
            "The classification scheme: its labels, least sensitive first",
        )
        .gives::<SchemeDto>(),
        show_scheme,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/assets/scheme",
            manage,
            Kind::Api,
            "Replace the classification scheme (a label assets carry cannot be dropped)",
        )
        .takes::<SchemeDto>()
        .gives::<SchemeDto>(),
        replace_scheme,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/assets/{id}",
            read,
            Kind::Api,
            "Read one asset (ETag = version)",
        )
        .gives::<AssetDto>(),
        show,
    )
    .add(
        route(
            Method::PUT,
            "/api/v1/assets/{id}",
            manage,
            Kind::Api,
            "Replace an asset's fields (needs If-Match)",
        )
        .takes::<AssetBody>()
        .gives::<AssetDto>(),
        replace,
    )
}

/// An asset as sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetBody {
    /// Its name.
    pub name: String,
    /// `information`, `software`, `hardware`, `service`, `people` or `site`.
    pub kind: String,
    /// Its owner: an active person's id.
    pub owner_id: String,
    /// A label of the classification scheme.
    pub classification: String,
    /// Where it is.
    #[serde(default)]
    pub location: String,
    /// 1 (low) to 3 (high).
    pub confidentiality: u8,
    /// 1 to 3.
    pub integrity: u8,
    /// 1 to 3.
    pub availability: u8,
    /// `planned`, `in_use` (default), `retiring` or `disposed`.
    #[serde(default)]
    pub lifecycle: Option<String>,
}

impl AssetBody {
    fn fields(self) -> Result<AssetFields, AppError> {
        let mut e = ValidationErrors::default();
        let kind = keyed(&mut e, "kind", &self.kind);
        let owner_id = self
            .owner_id
            .trim()
            .parse()
            .map_err(|_| e.push("owner_id", "owner_id must be a person id"))
            .ok();
        let lifecycle = match self.lifecycle.as_deref() {
            None | Some("") => Some(holdfast_core::asset::Lifecycle::InUse),
            Some(l) => keyed(&mut e, "lifecycle", l),
        };
        match (kind, owner_id, lifecycle) {
            (Some(kind), Some(owner_id), Some(lifecycle)) if e.errors.is_empty() => {
                Ok(AssetFields {
                    name: self.name,
                    kind,
                    owner_id,
                    classification: self.classification,
                    location: self.location,
                    confidentiality: self.confidentiality,
                    integrity: self.integrity,
                    availability: self.availability,
                    lifecycle,
                })
            }
            _ => Err(AppError::Invalid(e)),
        }
    }
}

/// An asset.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AssetDto {
    /// Id.
    pub id: String,
    /// `A-0001`.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Owner (person id).
    pub owner_id: String,
    /// Label.
    pub classification: String,
    /// Location.
    pub location: String,
    /// Confidentiality, 1 to 3.
    pub confidentiality: u8,
    /// Integrity, 1 to 3.
    pub integrity: u8,
    /// Availability, 1 to 3.
    pub availability: u8,
    /// Lifecycle.
    pub lifecycle: String,
    /// Version (ETag).
    pub version: i64,
}

impl From<&Asset> for AssetDto {
    fn from(a: &Asset) -> Self {
        Self {
            id: a.id.to_string(),
            reference: a.reference.clone(),
            name: a.name.clone(),
            kind: a.kind.as_str().to_owned(),
            owner_id: a.owner_id.to_string(),
            classification: a.classification.clone(),
            location: a.location.clone(),
            confidentiality: a.confidentiality,
            integrity: a.integrity,
            availability: a.availability,
            lifecycle: a.lifecycle.as_str().to_owned(),
            version: a.version,
        }
    }
}

/// The classification scheme.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeDto {
    /// Labels, least sensitive first.
    pub labels: Vec<String>,
}

/// The inventory's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssetFilters {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only assets owned by this person (id).
    pub owner_id: Option<String>,
    /// Only this label.
    pub classification: Option<String>,
}

/// The inventory's parameters.
pub type AssetParams = ListParams<FixedOrder, AssetFilters>;

/// The store's query for these parameters.
///
/// # Errors
/// 422 naming the filter or cursor that does not parse.
pub fn query(p: &AssetParams) -> Result<AssetQuery, AppError> {
    let mut e = ValidationErrors::default();
    let kind = p
        .filters
        .kind
        .as_deref()
        .and_then(|k| keyed(&mut e, "kind", k));
    let owner_id = p.filters.owner_id.as_deref().and_then(|s| {
        s.parse()
            .map_err(|_| e.push("owner_id", "owner_id must be a person id"))
            .ok()
    });
    let after = match p.after.as_ref().and_then(|k| k.first()) {
        None => None,
        Some(k) => Some(k.parse::<i64>().map_err(|_| {
            AppError::invalid(
                "cursor",
                "this cursor is not one the API gave out; start from the first page",
            )
        })?),
    };
    if !e.errors.is_empty() {
        return Err(AppError::Invalid(e));
    }
    Ok(AssetQuery {
        kind,
        owner_id,
        classification: p.filters.classification.clone(),
        search: p.q.clone(),
        after,
        limit: p.fetch(),
    })
}

/// One page of the inventory and its total.
///
/// # Errors
/// As [`query`]; [`AppError::Internal`] when the store fails.
pub async fn page(
    st: &AppState,
    p: &AssetParams,
) -> Result<(Page<AssetDto>, Vec<Asset>), AppError> {
    let q = query(p)?;
    let rows = st.store.asset_page(&q).await?;
    let total: Total = st.store.count_assets(&q).await?;
    let limit = usize::try_from(p.limit).unwrap_or(usize::MAX);
    let shown: Vec<Asset> = rows.iter().take(limit).cloned().collect();
    let page = p.page(
        rows,
        total,
        |a| {
            let number: i64 = a
                .reference
                .trim_start_matches("A-")
                .parse()
                .unwrap_or_default();
            vec![number.to_string()]
        },
        |a| AssetDto::from(&a),
    );
    Ok((page, shown))
}

async fn list(
    State(st): State<AppState>,
    p: AssetParams,
) -> Result<Json<Page<AssetDto>>, AppError> {
    Ok(Json(page(&st, &p).await?.0))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<AssetBody>,
) -> Result<Response, AppError> {
    let a = st.store.create_asset(&caller.actor(), b.fields()?).await?;
    let mut resp = with_etag(a.version, AssetDto::from(&a));
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: AssetId = path_id(&id, "asset")?;
    let a = st.store.asset(id).await?;
    Ok(with_etag(a.version, AssetDto::from(&a)))
}

async fn replace(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<AssetBody>,
) -> Result<Response, AppError> {
    let id: AssetId = path_id(&id, "asset")?;
    let version = if_match(&headers)?;
    let a = st
        .store
        .update_asset(&caller.actor(), id, version, b.fields()?)
        .await?;
    Ok(with_etag(a.version, AssetDto::from(&a)))
}

async fn show_scheme(State(st): State<AppState>) -> Result<Json<SchemeDto>, AppError> {
    Ok(Json(SchemeDto {
        labels: st.store.asset_scheme().await?.labels,
    }))
}

async fn replace_scheme(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<SchemeDto>,
) -> Result<Json<SchemeDto>, AppError> {
    let s = st
        .store
        .set_asset_scheme(&caller.actor(), Scheme { labels: b.labels })
        .await?;
    Ok(Json(SchemeDto { labels: s.labels }))
}

/// `?preview=true` checks without storing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Check only.
    #[serde(default)]
    pub preview: bool,
}

/// What an import did, or would do.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportDto {
    /// Whether this was a preview (nothing stored).
    pub preview: bool,
    /// How many assets were (or would be) imported.
    pub assets: usize,
    /// The first rows as they would be stored, to check the columns were read right.
    pub sample: Vec<ImportedRowDto>,
}

/// A row as it would be stored.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportedRowDto {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Owner (person id).
    pub owner_id: String,
    /// Label.
    pub classification: String,
    /// C, I, A.
    pub cia: [u8; 3],
    /// Lifecycle.
    pub lifecycle: String,
}

/// The row errors as a problem's field errors: `lines[7].kind` names line 7 of the file.
fn report(errors: Vec<RowError>) -> AppError {
    let mut v = ValidationErrors::default();
    let n = errors.len();
    for e in errors.iter().take(MAX_REPORTED) {
        v.push(
            &format!("lines[{}].{}", e.line, e.field),
            format!("line {}: {}", e.line, e.message),
        );
    }
    if n > MAX_REPORTED {
        v.push(
            "file",
            format!(
                "… and {} more problems; correct these and try again",
                n - MAX_REPORTED
            ),
        );
    }
    AppError::Invalid(v)
}

async fn import(
    State(st): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportDto>), AppError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = import_file::format_of(kind)?;
    let table = import_file::table(format, &body)?;
    let scheme = st.store.asset_scheme().await?;
    let rows = check_table(&table, &scheme).map_err(report)?;
    let fields = st
        .store
        .import_assets(&caller.actor(), rows, !q.preview)
        .await?
        .map_err(report)?;
    let dto = ImportDto {
        preview: q.preview,
        assets: fields.len(),
        sample: fields
            .iter()
            .take(20)
            .map(|f| ImportedRowDto {
                name: f.name.clone(),
                kind: f.kind.as_str().to_owned(),
                owner_id: f.owner_id.to_string(),
                classification: f.classification.clone(),
                cia: [f.confidentiality, f.integrity, f.availability],
                lifecycle: f.lifecycle.as_str().to_owned(),
            })
            .collect(),
    };
    let status = if q.preview {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(dto)))
}
