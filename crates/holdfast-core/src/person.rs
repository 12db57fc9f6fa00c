//! People: the employees and contractors of the organisation. Their employment status drives
//! the joiner-mover-leaver process, so it is a closed set of states, not free text.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::ids::{OrganisationId, PersonId};
use crate::validation::ValidationErrors;

/// A validated email address: trimmed, lower-cased, one `@` with text either side and a dot
/// in the domain. Deliverability is not checked; that is the mail server's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address as typed by a person.
    ///
    /// # Errors
    /// A message for the `email` field when the text is not a plausible address.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let s = raw.trim().to_lowercase();
        let bad = |m: &str| Err(ValidationErrors::one(field, m));
        if s.is_empty() {
            return bad("an email address is required");
        }
        crate::text::check(field, &s, crate::text::EMAIL_MAX, crate::text::Lines::One)?;
        let Some((local, domain)) = s.split_once('@') else {
            return bad("an email address needs an @, as in name@example.com");
        };
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || s.chars().any(char::is_whitespace)
        {
            return bad("this is not a valid email address; use the form name@example.com");
        }
        Ok(Self(s))
    }

    /// The address as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a person stands in the joiner-mover-leaver lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    /// Employed and working.
    Active,
    /// Notice given; access reviews and hand-over are due.
    Leaving,
    /// No longer employed; every access must be revoked.
    Left,
}

impl EmploymentStatus {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Leaving => "leaving",
            Self::Left => "left",
        }
    }

    /// The status in words, for people.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Leaving => "Leaving (gave notice)",
            Self::Left => "Left",
        }
    }
}

impl fmt::Display for EmploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An employment status that is not one of `active`, `leaving`, `left`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("employment status must be active, leaving or left, not {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for EmploymentStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "leaving" => Ok(Self::Leaving),
            "left" => Ok(Self::Left),
            other => Err(UnknownStatus(other.to_owned())),
        }
    }
}

/// A person as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    /// The person's id.
    pub id: PersonId,
    /// The organisation they belong to.
    pub organisation_id: OrganisationId,
    /// Full name.
    pub name: String,
    /// Work email, unique within the installation.
    pub email: EmailAddress,
    /// Department (HR, IT, Finance…).
    pub department: String,
    /// Line manager, the escalation target for their overdue work.
    pub manager_id: Option<PersonId>,
    /// Lifecycle state.
    pub employment_status: EmploymentStatus,
    /// First working day.
    pub start_date: NaiveDate,
    /// Last working day, once known.
    pub end_date: Option<NaiveDate>,
    /// Optimistic-concurrency version, incremented on every change.
    pub version: i64,
}

/// The validated input for a new person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Full name, trimmed, 1–200 characters.
    pub name: String,
    /// Work email.
    pub email: EmailAddress,
    /// Department, trimmed, 1–100 characters.
    pub department: String,
    /// Line manager.
    pub manager_id: Option<PersonId>,
    /// Lifecycle state.
    pub employment_status: EmploymentStatus,
    /// First working day.
    pub start_date: NaiveDate,
    /// Last working day, not before the first.
    pub end_date: Option<NaiveDate>,
}

/// A required, trimmed, single-line text of bounded length (see [`crate::text`]).
///
/// # Errors
/// A message for `field` when the text is blank, too long or holds a control character.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, ValidationErrors> {
    crate::text::required(field, raw, max, crate::text::Lines::One)
}

impl NewPerson {
    /// Validates a new person's fields together, reporting every bad field at once.
    ///
    /// # Errors
    /// One entry per bad field.
    pub fn parse(
        name: &str,
        email: &str,
        department: &str,
        manager_id: Option<PersonId>,
        employment_status: EmploymentStatus,
        start_date: NaiveDate,
        end_date: Option<NaiveDate>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(required_text("name", name, 200));
        let email = errors.check(EmailAddress::parse("email", email));
        let department = errors.check(required_text("department", department, 100));
        errors.check(crate::text::check_date("start_date", start_date));
        if let Some(end) = end_date {
            errors.check(crate::text::check_date("end_date", end));
        }
        if end_date.is_some_and(|end| end < start_date) {
            errors.push("end_date", "the end date cannot be before the start date");
        }
        if employment_status == EmploymentStatus::Left && end_date.is_none() {
            errors.push("end_date", "a person who has left needs an end date");
        }
        match (name, email, department) {
            (Some(name), Some(email), Some(department)) if errors.errors.is_empty() => Ok(Self {
                name,
                email,
                department,
                manager_id,
                employment_status,
                start_date,
                end_date,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let e = EmailAddress::parse("email", "  Ada@Example.COM ").expect("valid");
        assert_eq!(e.as_str(), "ada@example.com");
    }

    #[test]
    fn rejects_implausible_emails_with_the_field_named() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            let err = EmailAddress::parse("email", raw).expect_err(raw);
            assert_eq!(err.errors[0].field, "email", "{raw}");
        }
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let err = NewPerson::parse(
            " ",
            "nope",
            "",
            None,
            EmploymentStatus::Active,
            date("2026-01-10"),
            Some(date("2026-01-01")),
        )
        .expect_err("invalid");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "department", "end_date"]);
    }

    #[test]
    fn a_person_who_left_needs_an_end_date() {
        let err = NewPerson::parse(
            "Ada",
            "ada@example.com",
            "IT",
            None,
            EmploymentStatus::Left,
            date("2020-01-01"),
            None,
        )
        .expect_err("invalid");
        assert_eq!(err.errors[0].field, "end_date");
    }

    #[test]
    fn employment_status_round_trips_through_text() {
        for s in [
            EmploymentStatus::Active,
            EmploymentStatus::Leaving,
            EmploymentStatus::Left,
        ] {
            assert_eq!(s.as_str().parse::<EmploymentStatus>(), Ok(s));
        }
        assert!("retired".parse::<EmploymentStatus>().is_err());
    }
}

/// Changes to a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonChanges {
    /// New name.
    pub name: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// New department.
    pub department: Option<String>,
    /// New manager (`Some(None)` removes the manager).
    pub manager_id: Option<Option<PersonId>>,
    /// New lifecycle state.
    pub employment_status: Option<EmploymentStatus>,
    /// New first working day.
    pub start_date: Option<NaiveDate>,
    /// New last working day (`Some(None)` clears it).
    pub end_date: Option<Option<NaiveDate>>,
}

impl Person {
    /// The person after `changes`, validated as a whole, with the version moved on.
    ///
    /// # Errors
    /// One entry per bad field, as for a new person, plus a person cannot manage themselves.
    pub fn apply(&self, changes: &PersonChanges) -> Result<Self, ValidationErrors> {
        let next = NewPerson::parse(
            changes.name.as_deref().unwrap_or(&self.name),
            changes.email.as_deref().unwrap_or(self.email.as_str()),
            changes.department.as_deref().unwrap_or(&self.department),
            changes.manager_id.unwrap_or(self.manager_id),
            changes.employment_status.unwrap_or(self.employment_status),
            changes.start_date.unwrap_or(self.start_date),
            changes.end_date.unwrap_or(self.end_date),
        )?;
        if next.manager_id == Some(self.id) {
            return Err(ValidationErrors::one(
                "manager_id",
                "a person cannot be their own manager",
            ));
        }
        Ok(Self {
            id: self.id,
            organisation_id: self.organisation_id,
            name: next.name,
            email: next.email,
            department: next.department,
            manager_id: next.manager_id,
            employment_status: next.employment_status,
            start_date: next.start_date,
            end_date: next.end_date,
            version: self.version + 1,
        })
    }
}
