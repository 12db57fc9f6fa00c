//! API tokens.

use chrono::{DateTime, Utc};
use holdfast_core::account::{ApiToken, Role, UserAccount};
use holdfast_core::ids::{TokenId, UserId};
use holdfast_core::person::required_text;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::on_unique;
use crate::rows::{parse_id, parse_time, time_text};
use crate::{Actor, Store, StoreError};

const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, t.name, t.role, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

fn token_from_row(r: &AnyRow) -> Result<ApiToken, StoreError> {
    token_from_columns(r, "")
}

/// A token from columns named with `prefix` (`t_id`, `t_role` …) beside an account's.
fn token_from_columns(r: &AnyRow, prefix: &str) -> Result<ApiToken, StoreError> {
    let c = |name: &str| format!("{prefix}{name}");
    let opt_time = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<String>, _>(c(name).as_str())?
            .as_deref()
            .map(parse_time)
            .transpose()
    };
    let role: String = r.try_get(c("role").as_str())?;
    Ok(ApiToken {
        id: parse_id(&r.try_get::<String, _>(c("id").as_str())?)?,
        user_id: parse_id(&r.try_get::<String, _>(c("user_id").as_str())?)?,
        name: r.try_get(c("name").as_str())?,
        role: role.parse().map_err(StoreError::corrupt)?,
        created_at: parse_time(&r.try_get::<String, _>(c("created_at").as_str())?)?,
        expires_at: opt_time("expires_at")?,
        revoked_at: opt_time("revoked_at")?,
        last_used_at: opt_time("last_used_at")?,
    })
}

/// Revokes every live token of `owner` inside `w`, each revocation an audit event.
pub(crate) async fn revoke_all(
    w: &mut crate::audit::WriteTx,
    owner: UserId,
) -> Result<(), StoreError> {
    let now = crate::clock::now();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {TOKEN_COLUMNS} from api_token t where t.user_id = $1 and t.revoked_at is null"
    )))
    .bind(owner.to_string())
    .fetch_all(&mut *w.tx)
    .await?;
    for row in &rows {
        let before = token_from_row(row)?;
        sqlx::query("update api_token set revoked_at = $1, updated_at = $1 where id = $2")
            .bind(time_text(now))
            .bind(before.id.to_string())
            .execute(&mut *w.tx)
            .await?;
        let after = ApiToken {
            revoked_at: Some(now),
            ..before.clone()
        };
        w.record(
            "api_token",
            &before.id.to_string(),
            "revoke",
            Some(&serde_json::to_value(&before).map_err(StoreError::corrupt)?),
            Some(&serde_json::to_value(&after).map_err(StoreError::corrupt)?),
        )
        .await?;
    }
    Ok(())
}

impl Store {
    /// Stores a new token for `owner` under the hash of its secret.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        owner: UserId,
        name: &str,
        role: Role,
        token_hash: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken, StoreError> {
        let now = crate::clock::now();
        let token = ApiToken {
            id: TokenId::from_uuid(Uuid::now_v7()),
            user_id: owner,
            name: required_text("name", name, 100)?,
            role,
            created_at: now,
            expires_at,
            revoked_at: None,
            last_used_at: None,
        };
        let mut w = self.write(actor).await?;
        sqlx::query(
            r"insert into api_token (id, user_id, name, role, token_hash, created_at, updated_at, expires_at)
              values ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(token.id.to_string())
        .bind(owner.to_string())
        .bind(&token.name)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(time_text(now))
        .bind(expires_at.map(time_text))
        .execute(&mut *w.tx)
        .await
        .map_err(|e| on_unique(e, "api_token.token_hash", "token", || "token collision; try again".into()))?;
        let after = serde_json::to_value(&token).map_err(StoreError::corrupt)?;
        w.record(
            "api_token",
            &token.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(token)
    }

    /// Lists tokens, newest first: one user's, or everyone's when `owner` is `None`.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn list_api_tokens(
        &self,
        owner: Option<UserId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {TOKEN_COLUMNS} from api_token t where ($1 is null or t.user_id = $1) order by t.created_at desc, t.id desc limit 1000"
        )))
        .bind(owner.map(|o| o.to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Reads one token.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    pub async fn api_token(&self, id: TokenId) -> Result<ApiToken, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {TOKEN_COLUMNS} from api_token t where t.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("API token"))?;
        token_from_row(&row)
    }

    /// Revokes a token; it stops working at once and stays listed as revoked.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        id: TokenId,
    ) -> Result<ApiToken, StoreError> {
        let before = self.api_token(id).await?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        let now = crate::clock::now();
        let mut w = self.write(actor).await?;
        sqlx::query("update api_token set revoked_at = $1, updated_at = $1 where id = $2 and revoked_at is null")
            .bind(time_text(now))
            .bind(id.to_string())
            .execute(&mut *w.tx)
            .await?;
        let mut after = before.clone();
        after.revoked_at = Some(now);
        let (b, a) = (
            serde_json::to_value(&before).map_err(StoreError::corrupt)?,
            serde_json::to_value(&after).map_err(StoreError::corrupt)?,
        );
        w.record("api_token", &id.to_string(), "revoke", Some(&b), Some(&a))
            .await?;
        w.commit().await?;
        Ok(after)
    }

    /// The token with this secret hash and the account it acts for.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, UserAccount)>, StoreError> {
        // The token and its account in one statement: every API call starts here.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {}, t.id as t_id, t.user_id as t_user_id, t.name as t_name, t.role as t_role, \
             t.created_at as t_created_at, t.expires_at as t_expires_at, t.revoked_at as t_revoked_at, \
             t.last_used_at as t_last_used_at \
             from api_token t join user_account a on a.id = t.user_id where t.token_hash = $1",
            crate::accounts::ACCOUNT_COLUMNS
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            token_from_columns(&row, "t_")?,
            crate::accounts::account_from_row(&row)?,
        )))
    }

    /// Writes down that a token was used at `now` (bookkeeping, not an audit event).
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn note_api_token_use(
        &self,
        id: TokenId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("update api_token set last_used_at = $1 where id = $2")
            .bind(time_text(now))
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
