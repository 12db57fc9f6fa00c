//! Evidence: uploaded files stored once per content (addressed by SHA-256), or links; each
//! with who added it, when, and what it shows.

use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use crate::rows::now_text;
use crate::{Actor, Store, StoreError, WriteTx};

/// A stored evidence item (without its content).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    /// Id.
    pub id: String,
    /// `file` or `link`.
    pub kind: String,
    /// SHA-256 of a file's content.
    pub sha256: Option<String>,
    /// A link's URL.
    pub url: Option<String>,
    /// A file's name as uploaded.
    pub filename: Option<String>,
    /// A file's content type.
    pub content_type: Option<String>,
    /// A file's size in bytes.
    pub size: Option<i64>,
    /// What it shows.
    pub description: String,
    /// Who added it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A file or link to store as evidence.
#[derive(Debug, Clone)]
pub enum NewEvidence {
    /// An uploaded file.
    File {
        /// Name as uploaded.
        filename: String,
        /// Content type, as checked by the caller.
        content_type: String,
        /// The bytes.
        content: Vec<u8>,
    },
    /// A link to where the evidence lives.
    Link {
        /// The URL.
        url: String,
    },
}

pub(crate) const EVIDENCE_COLUMNS: &str =
    "id, kind, sha256, url, filename, content_type, size, description, created_by, created_at";

pub(crate) async fn attach(
    w: &mut WriteTx,
    evidence_id: &str,
    record_type: &str,
    record_id: &str,
    requirement: &str,
) -> Result<(), StoreError> {
    let exists: Option<String> = sqlx::query_scalar("select id from evidence where id = $1")
        .bind(evidence_id)
        .fetch_optional(&mut *w.tx)
        .await?;
    if exists.is_none() {
        return Err(holdfast_core::ValidationErrors::one(
            "evidence_id",
            "no evidence with this id exists; upload it first",
        )
        .into());
    }
    sqlx::query(
        "insert into evidence_attachment (id, evidence_id, record_type, record_id, requirement, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(evidence_id)
    .bind(record_type)
    .bind(record_id)
    .bind(requirement)
    .bind(now_text())
    .execute(&mut *w.tx)
    .await?;
    Ok(())
}

/// Stores evidence inside the caller's write, so storing and attaching it commit together.
pub(crate) async fn insert_evidence(
    w: &mut WriteTx,
    actor: &Actor,
    new: NewEvidence,
    description: &str,
) -> Result<Evidence, StoreError> {
    let description = holdfast_core::text::required(
        "description",
        description,
        holdfast_core::text::LONG_MAX,
        holdfast_core::text::Lines::Many,
    )?;
    let now = now_text();
    let id = Uuid::now_v7().to_string();
    let ev = match new {
        NewEvidence::File {
            filename,
            content_type,
            content,
        } => {
            if content.is_empty() {
                return Err(
                    holdfast_core::ValidationErrors::one("file", "the file is empty").into(),
                );
            }
            let filename = holdfast_core::text::file_name("file", &filename)?;
            let sha = hex_digest(&content);
            let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
            sqlx::query(
                    "insert into evidence_blob (sha256, content, size, created_at, updated_at) values ($1, $2, $3, $4, $4) on conflict (sha256) do nothing",
                )
                .bind(&sha)
                .bind(content)
                .bind(size)
                .bind(&now)
                .execute(&mut *w.tx)
                .await?;
            Evidence {
                id: id.clone(),
                kind: "file".into(),
                sha256: Some(sha),
                url: None,
                filename: Some(filename),
                content_type: Some(content_type),
                size: Some(size),
                description,
                created_by: actor.to_string(),
                created_at: now.clone(),
            }
        }
        NewEvidence::Link { url } => {
            let url = url.trim().to_owned();
            holdfast_core::text::check("url", &url, 2000, holdfast_core::text::Lines::One)?;
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
                return Err(holdfast_core::ValidationErrors::one(
                    "url",
                    "a link must be an http or https URL",
                )
                .into());
            }
            Evidence {
                id: id.clone(),
                kind: "link".into(),
                sha256: None,
                url: Some(url),
                filename: None,
                content_type: None,
                size: None,
                description,
                created_by: actor.to_string(),
                created_at: now.clone(),
            }
        }
    };
    sqlx::query(
            r"insert into evidence (id, kind, sha256, url, filename, content_type, size, description, created_by, created_at, updated_at)
              values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&ev.id)
        .bind(&ev.kind)
        .bind(ev.sha256.clone())
        .bind(ev.url.clone())
        .bind(ev.filename.clone())
        .bind(ev.content_type.clone())
        .bind(ev.size)
        .bind(&ev.description)
        .bind(&ev.created_by)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
    let after = serde_json::to_value(&ev).map_err(StoreError::corrupt)?;
    w.record("evidence", &ev.id, "create", None, Some(&after))
        .await?;
    Ok(ev)
}

impl Store {
    /// Stores evidence. A file's content is stored once however often it is uploaded.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty file, a blank description or a link that is not
    /// http(s).
    pub async fn store_evidence(
        &self,
        actor: &Actor,
        new: NewEvidence,
        description: &str,
    ) -> Result<Evidence, StoreError> {
        let mut w = self.write(actor).await?;
        let ev = insert_evidence(&mut w, actor, new, description).await?;
        w.commit().await?;
        Ok(ev)
    }

    /// Reads an evidence item and, for files, its content.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn evidence(&self, id: &str) -> Result<(Evidence, Option<Vec<u8>>), StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {EVIDENCE_COLUMNS} from evidence where id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("evidence"))?;
        let ev = evidence_from_row(&r)?;
        let content = match &ev.sha256 {
            Some(sha) => Some(
                sqlx::query_scalar("select content from evidence_blob where sha256 = $1")
                    .bind(sha)
                    .fetch_one(&self.pool)
                    .await?,
            ),
            None => None,
        };
        Ok((ev, content))
    }

    /// How many distinct file contents are stored (content addressing keeps duplicates out).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn evidence_blob_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("select count(*) from evidence_blob")
            .fetch_one(&self.pool)
            .await?)
    }
}

pub(crate) fn evidence_from_row(r: &sqlx::any::AnyRow) -> Result<Evidence, StoreError> {
    Ok(Evidence {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        sha256: r.try_get("sha256")?,
        url: r.try_get("url")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        description: r.try_get("description")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn hex_digest(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
