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

/// Checks a password against a stored Argon2id hash. Runs in constant time for a given hash.
#[must_use]
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

async fn hash_password(password: NewPassword) -> Result<String, StoreError> {
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

fn account_from_row(r: &AnyRow) -> Result<UserAccount, StoreError> {
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
            on_unique(e, "user_account.email", "email", || {
                format!("an account for {} already exists", account.email)
            })
        })?;
        let after = serde_json::to_value(&account).map_err(StoreError::corrupt)?;
        w.record(
            "user_account",
            &account.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(account)
    }

    /// Finds an account and its password hash by login email, for authentication.
    ///
    /// # Errors
    /// [`StoreError::Database`] when it cannot be read.
    pub async fn user_account_for_login(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(UserAccount, String)>, StoreError> {
        let row = sqlx::query(
            "select id, email, person_id, role, disabled_at, version, password_hash from user_account where email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account_from_row(&r)?, r.try_get("password_hash")?)))
            .transpose()
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
