//! Who is calling: a person with a session cookie or a machine with a bearer token. Sessions
//! and tokens are random 256-bit secrets; the database holds only their SHA-256.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use holdfast_core::account::{Role, UserAccount};
use holdfast_core::policy::{self, Action};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "holdfast_session";
/// Header carrying the CSRF token on cookie-authenticated API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Prefix of API tokens, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "hf_";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session.
    Session {
        /// SHA-256 of the cookie value.
        token_hash: String,
        /// The session's CSRF token.
        csrf_token: String,
    },
    /// A bearer token, limited to its own role.
    Token {
        /// The token's role.
        role: Role,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account acting.
    pub account: UserAccount,
    /// How it authenticated.
    pub credential: Credential,
    /// A one-time message from the form post that redirected here ("Saved").
    pub flash: Option<String>,
}

impl Caller {
    /// The role the policy is asked about: a token's own role, never more than its owner's.
    #[must_use]
    pub fn role(&self) -> Role {
        match &self.credential {
            Credential::Session { .. } => self.account.role,
            Credential::Token { role } if policy::within(*role, self.account.role) => *role,
            // The owner was demoted after creating the token: the token shrinks with them.
            Credential::Token { .. } => self.account.role,
        }
    }

    /// Whether the policy allows this caller `action`.
    #[must_use]
    pub fn may(&self, action: Action) -> bool {
        policy::allows(self.role(), action)
    }

    /// The audit-trail actor for changes this caller makes.
    #[must_use]
    pub fn actor(&self) -> holdfast_store::Actor {
        holdfast_store::Actor::User(self.account.id)
    }

    /// The session's CSRF token, for forms.
    #[must_use]
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::Token { .. } => "",
        }
    }
}

/// A fresh random secret: 32 bytes from the operating system, hex-encoded.
///
/// # Errors
/// [`AppError::Internal`] when the operating system has no randomness to give.
pub fn random_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// SHA-256 of a secret, as stored.
#[must_use]
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Reads one cookie's value from the request headers.
#[must_use]
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Finds and checks the caller's credential. `Ok(None)` means nobody is logged in (or the
/// session expired, which ends it).
///
/// # Errors
/// [`AppError::Internal`] when the database fails.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Option<Caller>, AppError> {
    let now = holdfast_store::clock::now();
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let Some(token) = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
            return Ok(None);
        };
        let Some((stored, account)) = state
            .store
            .api_token_by_hash(&secret_hash(token.trim()))
            .await?
        else {
            return Ok(None);
        };
        if !stored.is_usable(now) || account.disabled {
            return Ok(None);
        }
        if stored.use_is_news(now) {
            state.store.note_api_token_use(stored.id, now).await?;
        }
        return Ok(Some(Caller {
            flash: None,
            account,
            credential: Credential::Token { role: stored.role },
        }));
    }
    let Some(secret) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = secret_hash(secret);
    let Some(session) = state.store.session(&token_hash).await? else {
        return Ok(None);
    };
    if now >= session.idle_expires_at
        || now >= session.absolute_expires_at
        || session.account.disabled
    {
        state
            .store
            .end_session(&session.account, &token_hash, "expired")
            .await?;
        return Ok(None);
    }
    // Extend the idle window at most once a minute, not on every request.
    let idle =
        chrono::Duration::from_std(state.config.session_idle).unwrap_or(chrono::Duration::hours(1));
    let renewed = (now + idle).min(session.absolute_expires_at);
    if renewed - session.idle_expires_at > chrono::Duration::minutes(1) {
        state.store.touch_session(&token_hash, renewed).await?;
    }
    Ok(Some(Caller {
        flash: None,
        account: session.account,
        credential: Credential::Session {
            token_hash,
            csrf_token: session.csrf_token,
        },
    }))
}

/// Checks the CSRF token of a state-changing, cookie-authenticated request: from the
/// `X-CSRF-Token` header, or for form posts the `_csrf` field (checked by the form handler,
/// which has the body; see [`check_form_csrf`]).
///
/// # Errors
/// [`AppError::Csrf`] when the header is missing or wrong.
pub fn check_header_csrf(caller: &Caller, parts: &Parts) -> Result<(), AppError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let Credential::Session { csrf_token, .. } = &caller.credential else {
        return Ok(());
    };
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

/// Checks the `_csrf` field of a form post against the session.
///
/// # Errors
/// [`AppError::Csrf`] when it does not match.
pub fn check_form_csrf(caller: &Caller, sent: &str) -> Result<(), AppError> {
    match &caller.credential {
        Credential::Session { csrf_token, .. }
            if constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(AppError::Csrf),
    }
}

/// Compares secrets without revealing through timing where they first differ.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The authenticated caller, as put in the request by the authorisation layer.
impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let State(state) = State::<AppState>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal("state".into()))?;
        authenticate(&state, parts)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

/// The client's address for throttling and the audit trail.
#[must_use]
pub fn client_address(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// The outcome of a successful login: the account and the cookie and CSRF values to hand out.
#[derive(Debug)]
pub struct LoggedIn {
    /// Who logged in.
    pub account: UserAccount,
    /// The session cookie's value (shown once, stored hashed).
    pub session_secret: String,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// When the session ends regardless of use.
    pub absolute_expires_at: chrono::DateTime<chrono::Utc>,
}

/// A hash verified when the email has no account, so a wrong email takes as long as a wrong
/// password and response times do not reveal which accounts exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3G3bPXL8ZPnMVO2+7Lb5jvZ8TH1pL6vqiqzjrZgAbGk";

/// The throttle keys of an attempt on `email` from `client`: one per account, one per
/// address, each counted on its own.
fn throttle_keys(email: &str, client: &str) -> Vec<String> {
    vec![
        format!("{}{email}", holdfast_store::THROTTLE_ACCOUNT_KEY),
        format!("client:{client}"),
    ]
}

/// Verifies a password against `hash` under the throttle: the attempt is counted before the
/// hash is checked (so forty concurrent guesses are forty counted attempts, and only those
/// the back-off allows are ever evaluated), and refused while any of `keys` is locked.
///
/// # Errors
/// [`AppError::TooManyRequests`] while locked out.
pub async fn throttled_verify(
    state: &AppState,
    keys: &[String],
    password: &str,
    hash: String,
) -> Result<bool, AppError> {
    let now = holdfast_store::clock::now();
    if let Some(until) = state.store.reserve_login_attempt(keys, now).await? {
        return Err(AppError::TooManyRequests((until - now).num_seconds() + 1));
    }
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || holdfast_store::verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Checks an email and password, with throttling per account and per client address, and
/// starts a session. Successes and failures are audit events.
///
/// # Errors
/// [`AppError::Invalid`] for an email no address can be (too long, control characters),
/// before anything is counted or stored; [`AppError::TooManyRequests`] while locked out,
/// [`AppError::Unauthenticated`] for wrong credentials or a disabled account (one message for
/// all, so accounts cannot be probed).
pub async fn login(
    state: &AppState,
    client: &str,
    email: &str,
    password: &str,
) -> Result<LoggedIn, AppError> {
    holdfast_core::text::check(
        "email",
        email,
        holdfast_core::text::EMAIL_MAX,
        holdfast_core::text::Lines::One,
    )?;
    holdfast_core::text::check(
        "password",
        password,
        holdfast_core::text::LONG_MAX,
        holdfast_core::text::Lines::One,
    )?;
    let now = holdfast_store::clock::now();
    let normalised = email.trim().to_lowercase();
    let keys = throttle_keys(&normalised, client);
    let account = match holdfast_core::person::EmailAddress::parse("email", email) {
        Ok(e) => state.store.user_account_for_login(&e).await?,
        Err(_) => None,
    };
    let (hash, account) = match account {
        Some((a, h)) => (h, Some(a)),
        None => (DUMMY_HASH.to_owned(), None),
    };
    let ok = throttled_verify(state, &keys, password, hash).await?;
    let account = match account {
        Some(a) if ok && !a.disabled => a,
        _ => {
            state
                .store
                .record_login_failure(&normalised, client)
                .await?;
            return Err(AppError::BadCredentials);
        }
    };
    let session_secret = random_secret()?;
    let csrf_token = random_secret()?;
    let idle =
        chrono::Duration::from_std(state.config.session_idle).unwrap_or(chrono::Duration::hours(1));
    let absolute = chrono::Duration::from_std(state.config.session_absolute)
        .unwrap_or(chrono::Duration::hours(12));
    let session = holdfast_store::NewSession {
        token_hash: secret_hash(&session_secret),
        csrf_token: csrf_token.clone(),
        idle_expires_at: now + idle.min(absolute),
        absolute_expires_at: now + absolute,
    };
    state
        .store
        .start_session(&account, client, &keys, &session)
        .await?;
    Ok(LoggedIn {
        account,
        session_secret,
        csrf_token,
        absolute_expires_at: session.absolute_expires_at,
    })
}

/// The `Set-Cookie` value that carries a new session.
#[must_use]
pub fn session_cookie(state: &AppState, secret: &str) -> String {
    let max_age = state.config.session_absolute.as_secs();
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
#[must_use]
pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}
