//! Login accounts and roles.

use std::fmt;
use std::str::FromStr;

use crate::ids::{PersonId, UserId};
use crate::person::EmailAddress;
use crate::validation::ValidationErrors;

/// What a login may do. The roles come from how an ISMS is run: see DESIGN.md.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Every employee: acknowledges policies, completes training, reports incidents.
    Member,
    /// Internal or external auditor: reads everything, writes findings.
    Auditor,
    /// Process owner: runs their processes and handles the tasks sent to them.
    Owner,
    /// ISMS manager or CISO: sets up and runs the ISMS.
    Manager,
    /// Administers the installation: accounts, tokens, configuration.
    Admin,
}

impl Role {
    /// Every role, from least to most privileged.
    pub const ALL: [Self; 5] = [
        Self::Member,
        Self::Auditor,
        Self::Owner,
        Self::Manager,
        Self::Admin,
    ];

    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Auditor => "auditor",
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    /// The role in words, for people.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Auditor => "Auditor",
            Self::Owner => "Process owner",
            Self::Manager => "ISMS manager",
            Self::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the five roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be one of admin, manager, owner, auditor, member, not {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A login account as stored (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserAccount {
    /// The account id.
    pub id: UserId,
    /// The login email.
    pub email: EmailAddress,
    /// The person this account belongs to, if linked.
    pub person_id: Option<PersonId>,
    /// What the account may do.
    pub role: Role,
    /// A disabled account cannot log in; it is kept for the audit trail.
    pub disabled: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// The shortest password accepted. Length beats composition rules for strength.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted, so hashing cost stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A password that meets the length policy. Its `Debug` never shows the text, so it cannot
/// leak into logs.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the length policy.
    ///
    /// # Errors
    /// A message for the `password` field when it is too short or too long.
    pub fn parse(raw: String) -> Result<Self, ValidationErrors> {
        let n = raw.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err(ValidationErrors::one(
                "password",
                format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(ValidationErrors::one(
                "password",
                format!("the password must have at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(Self(raw))
    }

    /// The password text, for hashing.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_passwords_under_twelve_characters() {
        let err = NewPassword::parse("elevenchars".into()).expect_err("too short");
        assert_eq!(err.errors[0].field, "password");
        assert!(NewPassword::parse("twelve chars".into()).is_ok());
    }

    #[test]
    fn password_debug_does_not_show_the_secret() {
        let p = NewPassword::parse("correct horse battery".into()).expect("ok");
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn roles_parse_from_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}

/// A bearer token for machines, as listed (the secret is shown once, at creation, and
/// stored only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    /// The token's id.
    pub id: crate::ids::TokenId,
    /// Whose token it is; it acts on their behalf.
    pub user_id: UserId,
    /// What the token is for, as its creator named it.
    pub name: String,
    /// What the token may do: never more than its creator may.
    pub role: Role,
    /// When it was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it was last used, to the nearest [`TOKEN_USE_RESOLUTION_MINUTES`].
    #[serde(skip)]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A token lives this many days unless its creator asks for fewer or more: a forgotten
/// token stops working on its own.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The longest a token may live: a year, so every token is looked at again.
pub const MAX_TOKEN_DAYS: i64 = 365;
/// A token's last use is written at most this often, so using it costs no write per call.
pub const TOKEN_USE_RESOLUTION_MINUTES: i64 = 10;

/// When a token created at `now` to live `days` (default [`DEFAULT_TOKEN_DAYS`]) expires.
///
/// # Errors
/// A message for `expires_in_days` outside 1 to [`MAX_TOKEN_DAYS`].
pub fn token_expiry(
    days: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, crate::ValidationErrors> {
    match days.unwrap_or(DEFAULT_TOKEN_DAYS) {
        d @ 1..=MAX_TOKEN_DAYS => Ok(now + chrono::Duration::days(d)),
        _ => Err(crate::ValidationErrors::one(
            "expires_in_days",
            format!(
                "a token lives 1 to {MAX_TOKEN_DAYS} days ({DEFAULT_TOKEN_DAYS} when not given)"
            ),
        )),
    }
}

impl ApiToken {
    /// Whether the token may still be used at `now`.
    #[must_use]
    pub fn is_usable(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }

    /// Whether a use at `now` should be written down as its last use.
    #[must_use]
    pub fn use_is_news(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.last_used_at.is_none_or(|last| {
            now - last >= chrono::Duration::minutes(TOKEN_USE_RESOLUTION_MINUTES)
        })
    }
}
