//! Login accounts. Passwords are stored only as Argon2id hashes, and the audit trail records
//! account changes without the hash.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use holdfast_core::account::{NewPassword, Role, UserAccount};
use holdfast_core::ids::{PersonId, UserId};
use holdfast_core::person::EmailAddress;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::on_unique;
use crate::rows::{now_text, parse_id};
use crate::{Actor, Store, StoreError};

pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.email, a.person_id, a.role, a.disabled_at, a.version";

/// The validated input for a new login account.
#[derive(Debug, Clone)]
pub struct NewUserAccount {
    /// Login email.
    pub email: EmailAddress,
    /// What the account may do.
    pub role: Role,
    /// The person it belongs to, if any.
    pub person_id: Option<PersonId>,
    /// Its first password.
    pub password: NewPassword,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserAccountPatch {
    /// New role.
    pub role: Option<Role>,
    /// Disable (`true`) or re-enable (`false`).
    pub disabled: Option<bool>,
    /// Link the account to a person (`Some(Some(id))`) or unlink it (`Some(None)`): the
    /// person is whose work *My work* shows.
    pub person_id: Option<Option<holdfast_core::ids::PersonId>>,
}

/// Checks a password against a stored Argon2id hash.
#[must_use]
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

/// Hashes a password with Argon2id and a fresh salt.
///
/// # Errors
/// [`StoreError::Corrupt`] if hashing fails, which only a broken environment causes.
pub async fn hash_password(password: NewPassword) -> Result<String, StoreError> {
    // Argon2 takes tens of milliseconds of CPU by design; keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::corrupt(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::corrupt(format!("password hashing task failed: {e}")))?
}

pub(crate) fn account_from_row(r: &AnyRow) -> Result<UserAccount, StoreError> {
    let person: Option<String> = r.try_get("person_id")?;
    let email: String = r.try_get("email")?;
    let role: String = r.try_get("role")?;
    Ok(UserAccount {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        email: EmailAddress::parse("email", &email).map_err(StoreError::corrupt)?,
        person_id: person.as_deref().map(parse_id).transpose()?,
        role: role.parse().map_err(StoreError::corrupt)?,
        disabled: r.try_get::<Option<String>, _>("disabled_at")?.is_some(),
        version: r.try_get("version")?,
    })
}

fn to_json(a: &UserAccount) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(a).map_err(StoreError::corrupt)
}

impl Store {
    /// Creates a login account.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the email already has an account.
    pub async fn create_user_account(
        &self,
        actor: &Actor,
        new: NewUserAccount,
    ) -> Result<UserAccount, StoreError> {
        let account = UserAccount {
            id: UserId::from_uuid(Uuid::now_v7()),
            email: new.email,
            person_id: new.person_id,
            role: new.role,
            disabled: false,
            version: 1,
        };
        let hash = hash_password(new.password).await?;
        let now = now_text();
        let mut w = self.write(actor).await?;
        sqlx::query(
            r"insert into user_account (id, email, person_id, password_hash, role, version, created_at, updated_at)
              values ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(account.id.to_string())
        .bind(account.email.as_str())
        .bind(account.person_id.map(|p| p.to_string()))
        .bind(&hash)
        .bind(account.role.as_str())
        .bind(&now)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| {
            if let sqlx::Error::Database(db) = &e
                && db.is_foreign_key_violation()
            {
                return holdfast_core::ValidationErrors::one("person_id", "no person with this id exists").into();
            }
            on_unique(e, "user_account.email", "email", || format!("an account for {} already exists", account.email))
        })?;
        w.record(
            "user_account",
            &account.id.to_string(),
            "create",
            None,
            Some(&to_json(&account)?),
        )
        .await?;
        w.commit().await?;
        Ok(account)
    }

    /// Reads one account.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    pub async fn user_account(&self, id: UserId) -> Result<UserAccount, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS} from user_account a where a.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("user account"))?;
        account_from_row(&row)
    }

    /// The accounts with these ids, in one query (for lists that show who acted).
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn user_accounts_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<UserAccount>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "select {ACCOUNT_COLUMNS} from user_account a where a.id in {}",
                crate::rows::placeholders(1, chunk.len())
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(account_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Lists accounts by email, optionally those whose email contains `search`.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn list_user_accounts(
        &self,
        search: Option<&str>,
        after_email: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<UserAccount>, crate::Total), StoreError> {
        let pattern = search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern);
        let total = match &pattern {
            None => crate::Total::exact(
                sqlx::query_scalar("select count(*) from user_account")
                    .fetch_one(&self.pool)
                    .await?,
            ),
            Some(p) => {
                crate::listing::capped_count(
                    &self.pool,
                    "",
                    r"user_account a where a.email like $1 escape '\'",
                    std::slice::from_ref(p),
                )
                .await?
            }
        };
        // Emails are unique, so the email alone is the keyset.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {ACCOUNT_COLUMNS} from user_account a where ($1 is null or a.email like $1 escape '\')
              and ($2 is null or a.email > $2) order by a.email limit $3"
        )))
        .bind(pattern)
        .bind(after_email)
        .bind(i64::from(limit.clamp(1, 501)))
        .fetch_all(&self.pool)
        .await?;
        Ok((
            rows.iter()
                .map(account_from_row)
                .collect::<Result<_, _>>()?,
            total,
        ))
    }

    /// Finds an account and its password hash by login email, for authentication.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it cannot be read.
    pub async fn user_account_for_login(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(UserAccount, String)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {ACCOUNT_COLUMNS}, a.password_hash from user_account a where a.email = $1"
        )))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account_from_row(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// Changes an account's role or disables it, if it is still at `expected_version`.
    /// Disabling an account also ends its sessions.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Stale`].
    pub async fn update_user_account(
        &self,
        actor: &Actor,
        id: UserId,
        expected_version: i64,
        patch: &UserAccountPatch,
    ) -> Result<UserAccount, StoreError> {
        let before = self.user_account(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("user account"));
        }
        let mut after = before.clone();
        after.role = patch.role.unwrap_or(before.role);
        after.disabled = patch.disabled.unwrap_or(before.disabled);
        after.person_id = patch.person_id.unwrap_or(before.person_id);
        after.version += 1;
        let now = now_text();
        let mut w = self.write(actor).await?;
        if let Some(pid) = after
            .person_id
            .filter(|_| after.person_id != before.person_id)
        {
            let exists: Option<String> = sqlx::query_scalar("select id from person where id = $1")
                .bind(pid.to_string())
                .fetch_optional(&mut *w.tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::Invalid(holdfast_core::ValidationErrors::one(
                    "person_id",
                    "no person with that id",
                )));
            }
        }
        let n = sqlx::query(
            r"update user_account set role = $1,
                 disabled_at = case when $2 = 1 then coalesce(disabled_at, $3) else null end,
                 version = $4, updated_at = $3, person_id = $7
              where id = $5 and version = $6",
        )
        .bind(after.role.as_str())
        .bind(i64::from(after.disabled))
        .bind(&now)
        .bind(after.version)
        .bind(id.to_string())
        .bind(expected_version)
        .bind(after.person_id.map(|p| p.to_string()))
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Stale("user account"));
        }
        if after.disabled {
            sqlx::query("delete from session where user_id = $1")
                .bind(id.to_string())
                .execute(&mut *w.tx)
                .await?;
        }
        w.record(
            "user_account",
            &id.to_string(),
            "update",
            Some(&to_json(&before)?),
            Some(&to_json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Sets a new password, ends the account's other sessions (keeping `keep_session`) and
    /// revokes its API tokens.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the account does not exist.
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        password: NewPassword,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let account = self.user_account(id).await?;
        let hash = hash_password(password).await?;
        let mut w = self.write(actor).await?;
        sqlx::query("update user_account set password_hash = $1, updated_at = $2 where id = $3")
            .bind(&hash)
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("delete from session where user_id = $1 and token_hash <> $2")
            .bind(id.to_string())
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *w.tx)
            .await?;
        // A token made under the old password may be what leaked with it.
        crate::tokens::revoke_all(&mut w, id).await?;
        // The hash never enters the trail; that the password changed, and by whom, does.
        let after = serde_json::json!({"email": account.email});
        w.record(
            "user_account",
            &id.to_string(),
            "password_changed",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await
    }

    /// How many accounts have the given role.
    ///
    /// # Errors
    /// [`StoreError::Database`] when they cannot be counted.
    pub async fn count_user_accounts(&self, role: Role) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("select count(*) from user_account where role = $1")
                .bind(role.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

/// A `like` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
