//! Login sessions and login throttling. Logins and logouts are audit events; a session's
//! idle-expiry bump on each request is bookkeeping, not a change to the ISMS, and is not.

use chrono::{DateTime, Utc};
use holdfast_core::account::UserAccount;
use holdfast_core::throttle::delay_after;
use sqlx::Row;

use crate::accounts::{ACCOUNT_COLUMNS, account_from_row};
use crate::rows::{now_text, parse_time, time_text};
use crate::{Actor, Store, StoreError};

/// A session to create after a successful login.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie value.
    pub token_hash: String,
    /// The session's CSRF token, sent back with every state-changing request.
    pub csrf_token: String,
    /// When the session ends if unused.
    pub idle_expires_at: DateTime<Utc>,
    /// When the session ends regardless of use.
    pub absolute_expires_at: DateTime<Utc>,
}

/// A stored session and its account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The logged-in account.
    pub account: UserAccount,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// When it ends if unused.
    pub idle_expires_at: DateTime<Utc>,
    /// When it ends regardless.
    pub absolute_expires_at: DateTime<Utc>,
}

impl Store {
    /// Starts a session after a successful login and records it. The attempt reserved by
    /// [`Store::reserve_login_attempt`] is given back: the account's own counter starts
    /// again, but an address's counter only loses this attempt, so logging into one's own
    /// account cannot buy more guesses at others.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn start_session(
        &self,
        account: &UserAccount,
        client: &str,
        throttle_keys: &[String],
        s: &NewSession,
    ) -> Result<(), StoreError> {
        let mut w = self.write(&Actor::User(account.id)).await?;
        let now = now_text();
        sqlx::query(
            r"insert into session (token_hash, user_id, csrf_token, created_at, updated_at, idle_expires_at, absolute_expires_at)
              values ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(account.id.to_string())
        .bind(&s.csrf_token)
        .bind(&now)
        .bind(time_text(s.idle_expires_at))
        .bind(time_text(s.absolute_expires_at))
        .execute(&mut *w.tx)
        .await?;
        for key in throttle_keys {
            let sql = if key.starts_with(THROTTLE_ACCOUNT_KEY) {
                "delete from login_throttle where throttle_key = $1"
            } else {
                "update login_throttle set failures = failures - 1, locked_until = null where throttle_key = $1 and failures > 0"
            };
            sqlx::query(sql).bind(key).execute(&mut *w.tx).await?;
        }
        let after = serde_json::json!({"email": account.email, "client": client});
        w.record(
            "user_account",
            &account.id.to_string(),
            "login_succeeded",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await
    }

    /// The session with this token hash, if it exists (expiry is the caller's decision).
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {ACCOUNT_COLUMNS}, s.csrf_token, s.idle_expires_at, s.absolute_expires_at
              from session s join user_account a on a.id = s.user_id where s.token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                account: account_from_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                idle_expires_at: parse_time(&r.try_get::<String, _>("idle_expires_at")?)?,
                absolute_expires_at: parse_time(&r.try_get::<String, _>("absolute_expires_at")?)?,
            })
        })
        .transpose()
    }

    /// Extends a session's idle expiry.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "update session set idle_expires_at = $1, updated_at = $2 where token_hash = $3",
        )
        .bind(time_text(idle_expires_at))
        .bind(now_text())
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends a session (logout, or expiry noticed), recording why.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn end_session(
        &self,
        account: &UserAccount,
        token_hash: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let mut w = self.write(&Actor::User(account.id)).await?;
        let n = sqlx::query("delete from session where token_hash = $1")
            .bind(token_hash)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n > 0 {
            let after = serde_json::json!({"email": account.email, "reason": reason});
            w.record(
                "user_account",
                &account.id.to_string(),
                "logout",
                None,
                Some(&after),
            )
            .await?;
        }
        w.commit().await
    }

    /// Counts an attempt against every key *before* the password is verified, so that
    /// concurrent guesses cannot all slip in before the first failure is counted: each key's
    /// counter goes up and its lock is set as if this attempt fails. While any key is locked
    /// the attempt is refused, nothing is counted, and the time the lock ends is returned.
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn reserve_login_attempt(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let stamp = time_text(now);
        for key in keys {
            // The conditional upsert is one atomic step on both databases: a concurrent
            // attempt waits for this one and then sees the lock it set.
            let counted: Option<i64> = sqlx::query_scalar(
                r"insert into login_throttle (throttle_key, failures, locked_until, created_at, updated_at)
                  values ($1, 1, null, $2, $2)
                  on conflict (throttle_key) do update set failures = login_throttle.failures + 1, updated_at = $2
                  where login_throttle.locked_until is null or login_throttle.locked_until <= $2
                  returning failures",
            )
            .bind(key)
            .bind(&stamp)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(failures) = counted else {
                let until: Option<String> = sqlx::query_scalar(
                    "select locked_until from login_throttle where throttle_key = $1",
                )
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                tx.rollback().await?;
                return Ok(Some(until.map_or(Ok(now), |u| parse_time(&u))?));
            };
            if let Some(delay) = delay_after(failures) {
                sqlx::query("update login_throttle set locked_until = $1 where throttle_key = $2")
                    .bind(time_text(now + delay))
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(None)
    }

    /// Records a failed login, already counted by [`Store::reserve_login_attempt`].
    ///
    /// # Errors
    /// [`StoreError::Database`] on failure.
    pub async fn record_login_failure(&self, email: &str, client: &str) -> Result<(), StoreError> {
        let mut w = self.write(&Actor::Anonymous).await?;
        let after = serde_json::json!({"email": email, "client": client});
        w.record("login", email, "login_failed", None, Some(&after))
            .await?;
        w.commit().await
    }
}

/// The prefix of a throttle key that counts one account's attempts (the other counts one
/// client address's).
pub const THROTTLE_ACCOUNT_KEY: &str = "account:";
