//! `/api/v1/activities` (the runs of processes) and `/api/v1/evidence`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::activity::{Activity, ActivityStatus};
use holdfast_core::evidence::{MAX_EVIDENCE_BYTES, check_upload};
use holdfast_core::policy::Action;
use holdfast_store::{Evidence, NewEvidence};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::scope::RunToWork;
use super::{ApiJson, Now, Page, if_match, path_id, with_etag};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadProcesses);
    let work = Access::Login(Action::WorkOnProcesses);
    let manage = Access::Login(Action::ManageProcesses);
    r.add(
        route(
            Method::GET,
            "/api/v1/activities",
            read,
            Kind::Api,
            "List runs in due order (filter by process_id, assignee_id, open; limit, cursor)",
        )
        .gives::<Page<ActivityDto>>(),
        list,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/activities/{id}",
            read,
            Kind::Api,
            "Read a run (ETag = version)",
        )
        .gives::<ActivityDto>(),
        show,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/activities/{id}/evidence",
            work,
            Kind::Api,
            "Attach stored evidence to a run under a required name",
        )
        .on_record()
        .takes::<AttachDto>()
        .gives::<ActivityDto>(),
        attach,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/activities/{id}/close",
            work,
            Kind::Api,
            "Close a run: all evidence attached and a comment (needs If-Match)",
        )
        .on_record()
        .takes::<CommentDto>()
        .gives::<ActivityDto>(),
        close,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/activities/{id}/skip",
            manage,
            Kind::Api,
            "Skip a run with a reason (ISMS managers; needs If-Match)",
        )
        .takes::<ReasonDto>()
        .gives::<ActivityDto>(),
        skip,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/activities/{id}/reopen",
            work,
            Kind::Api,
            "Reopen a closed run with a reason (needs If-Match)",
        )
        .on_record()
        .takes::<ReasonDto>()
        .gives::<ActivityDto>(),
        reopen,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/evidence",
            work,
            Kind::Api,
            "Store evidence: multipart with a `file` part, or JSON {url, description}",
        )
        .body_limit(MAX_EVIDENCE_BYTES + 64 * 1024)
        .gives::<EvidenceDto>(),
        upload,
    )
    .add(
        route(
            Method::GET,
            "/api/v1/evidence/{id}",
            read,
            Kind::Api,
            "Download an evidence file, or read a link",
        ),
        download,
    )
}

/// A run as the API shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivityDto {
    /// Id.
    pub id: String,
    /// The process.
    pub process_id: String,
    /// Local due date.
    pub due_date: chrono::NaiveDate,
    /// Due instant.
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// Assignee's person id.
    pub assignee_id: Option<String>,
    /// `planned`, `in_progress`, `overdue`, `done` or `skipped`.
    #[schemars(with = "String")]
    pub status: ActivityStatus,
    /// When closed or skipped.
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Closing comment or skip reason.
    pub comment: Option<String>,
    /// Names of the evidence attached.
    pub evidence: Vec<String>,
    /// Version (ETag).
    pub version: i64,
}

impl ActivityDto {
    /// The run as shown on `today`, when open runs past their due date are overdue.
    #[must_use]
    pub fn of(a: &Activity, today: chrono::NaiveDate) -> Self {
        Self {
            id: a.id.to_string(),
            process_id: a.process_id.to_string(),
            due_date: a.due_date,
            due_at: a.due_at,
            assignee_id: a.assignee_id.map(|p| p.to_string()),
            status: a.status(today),
            closed_at: a.closed_at,
            comment: a.comment.clone(),
            evidence: a.evidence.clone(),
            version: a.version,
        }
    }
}

/// Evidence to attach.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachDto {
    /// The required evidence name it meets.
    pub requirement: String,
    /// The stored evidence's id.
    pub evidence_id: String,
}

/// A closing comment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentDto {
    /// What was done.
    pub comment: String,
}

/// A reason.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonDto {
    /// Why.
    pub reason: String,
}

/// Stored evidence.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EvidenceDto {
    /// Id.
    pub id: String,
    /// `file` or `link`.
    pub kind: String,
    /// SHA-256 of a file.
    pub sha256: Option<String>,
    /// A link.
    pub url: Option<String>,
    /// File name.
    pub filename: Option<String>,
    /// Content type.
    pub content_type: Option<String>,
    /// Size in bytes.
    pub size: Option<i64>,
    /// What it shows.
    pub description: String,
    /// Who added it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

impl From<Evidence> for EvidenceDto {
    fn from(e: Evidence) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            sha256: e.sha256,
            url: e.url,
            filename: e.filename,
            content_type: e.content_type,
            size: e.size,
            description: e.description,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

async fn list(
    State(st): State<AppState>,
    Now(now): Now,
    p: crate::service::runs::RunsParams,
) -> Result<Json<Page<ActivityDto>>, AppError> {
    Ok(Json(crate::service::runs::list(&st, now, &p).await?))
}

async fn show(
    State(st): State<AppState>,
    Now(now): Now,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = st.store.activity(path_id(&id, "activity")?).await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}

async fn attach(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    RunToWork(run): RunToWork,
    ApiJson(body): ApiJson<AttachDto>,
) -> Result<Response, AppError> {
    let a = st
        .store
        .attach_evidence_to_activity(
            &caller.actor(),
            run.id,
            &body.requirement,
            &body.evidence_id,
        )
        .await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}

async fn close(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    RunToWork(run): RunToWork,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CommentDto>,
) -> Result<Response, AppError> {
    let a = st
        .store
        .close_activity(
            &caller.actor(),
            run.id,
            if_match(&headers)?,
            &body.comment,
            now.now,
        )
        .await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}

async fn skip(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReasonDto>,
) -> Result<Response, AppError> {
    let a = st
        .store
        .skip_activity(
            &caller.actor(),
            caller.role(),
            path_id(&id, "activity")?,
            if_match(&headers)?,
            &body.reason,
            now.now,
        )
        .await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}

async fn reopen(
    State(st): State<AppState>,
    caller: Caller,
    Now(now): Now,
    RunToWork(run): RunToWork,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReasonDto>,
) -> Result<Response, AppError> {
    let a = st
        .store
        .reopen_activity(
            &caller.actor(),
            run.id,
            if_match(&headers)?,
            &body.reason,
            now.now,
        )
        .await?;
    Ok(with_etag(a.version, ActivityDto::of(&a, now.today)))
}

/// Reads a multipart upload: the `file` part and an optional `description` part.
pub(crate) async fn read_upload(mut mp: Multipart) -> Result<(NewEvidence, String), AppError> {
    let mut file = None;
    let mut description = String::new();
    let mut extra: Vec<(String, String)> = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let filename = field.file_name().unwrap_or("evidence").to_owned();
                let ct = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                let ct = check_upload(&ct, &bytes)?;
                file = Some(NewEvidence::File {
                    filename,
                    content_type: ct,
                    content: bytes.to_vec(),
                });
            }
            "description" => description = field.text().await.map_err(multipart_error)?,
            other => extra.push((other.to_owned(), field.text().await.unwrap_or_default())),
        }
    }
    let file = file.ok_or_else(|| AppError::invalid("file", "choose a file to upload"))?;
    if description.trim().is_empty() {
        description = match &file {
            NewEvidence::File { filename, .. } => filename.clone(),
            NewEvidence::Link { url } => url.clone(),
        };
    }
    Ok((file, description))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(MAX_EVIDENCE_BYTES)
    } else {
        AppError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
    }
}

/// A link to store as evidence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkDto {
    url: String,
    description: String,
}

async fn upload(
    State(st): State<AppState>,
    caller: Caller,
    req: axum::extract::Request,
) -> Result<(StatusCode, Json<EvidenceDto>), AppError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (new, description) = if is_json {
        let ApiJson(link) =
            <ApiJson<LinkDto> as axum::extract::FromRequest<AppState>>::from_request(req, &st)
                .await?;
        (NewEvidence::Link { url: link.url }, link.description)
    } else {
        let mp = <Multipart as axum::extract::FromRequest<AppState>>::from_request(req, &st)
            .await
            .map_err(|_| {
                AppError::UnsupportedMediaType(
                    "send the evidence as multipart/form-data with a file field, or a link as JSON"
                        .into(),
                )
            })?;
        read_upload(mp).await?
    };
    let ev = st
        .store
        .store_evidence(&caller.actor(), new, &description)
        .await?;
    Ok((StatusCode::CREATED, Json(EvidenceDto::from(ev))))
}

async fn download(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (ev, content) = st.store.evidence(&id).await?;
    match content {
        Some(bytes) => {
            let mut resp = Body::from(bytes).into_response();
            let ct = ev
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into());
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&ct).map_err(|e| AppError::Internal(e.to_string()))?,
            );
            let disposition =
                crate::headers::attachment(ev.filename.as_deref().unwrap_or("evidence"));
            resp.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            );
            // A download is never run as a page, whatever its bytes.
            resp.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            );
            Ok(resp)
        }
        None => Ok(Json(EvidenceDto::from(ev)).into_response()),
    }
}
