//! People. A change of employment status is its own audit action, because the
//! joiner-mover-leaver process reacts to it.

use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmailAddress, EmploymentStatus, NewPerson, Person};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::on_unique;
use crate::rows::{date_text, now_text, parse_date, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};

const PERSON_COLUMNS: &str = "id, organisation_id, name, email, department, manager_id, \
     employment_status, start_date, end_date, version";

/// Which people to list: a free-text search over name, email and department, and a page
/// after the last name and id of the previous page (keyset pagination stays fast on deep
/// pages).
#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    /// Case-insensitive text to find in name, email or department.
    pub search: Option<String>,
    /// Only people in this employment status.
    pub status: Option<EmploymentStatus>,
    /// Continue after this (name, id).
    pub after: Option<(String, PersonId)>,
    /// Page size, 1 to 500.
    pub limit: u32,
}

/// One page of people and the total matching the query.
#[derive(Debug, Clone)]
pub struct PersonPage {
    /// The people, ordered by name then id.
    pub items: Vec<Person>,
    /// How many people match the query in all.
    pub total: i64,
}

fn person_from_row(r: &AnyRow) -> Result<Person, StoreError> {
    let manager: Option<String> = r.try_get("manager_id")?;
    let end: Option<String> = r.try_get("end_date")?;
    let email: String = r.try_get("email")?;
    let status: String = r.try_get("employment_status")?;
    Ok(Person {
        id: parse_id(&r.try_get::<String, _>("id")?)?,
        organisation_id: parse_id(&r.try_get::<String, _>("organisation_id")?)?,
        name: r.try_get("name")?,
        email: EmailAddress::parse("email", &email).map_err(StoreError::corrupt)?,
        department: r.try_get("department")?,
        manager_id: manager.as_deref().map(parse_id).transpose()?,
        employment_status: status.parse().map_err(StoreError::corrupt)?,
        start_date: parse_date(&r.try_get::<String, _>("start_date")?)?,
        end_date: end.as_deref().map(parse_date).transpose()?,
        version: r.try_get("version")?,
    })
}

fn to_json(p: &Person) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(p).map_err(StoreError::corrupt)
}

async fn load_person(w: &mut WriteTx, id: PersonId) -> Result<Person, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {PERSON_COLUMNS} from person where id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or(StoreError::NotFound("person"))?;
    person_from_row(&row)
}

impl Store {
    /// Adds a person to the organisation.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the email is taken, [`StoreError::Invalid`] when the
    /// manager does not exist.
    pub async fn create_person(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        new: NewPerson,
    ) -> Result<Person, StoreError> {
        let person = Person {
            id: PersonId::from_uuid(Uuid::now_v7()),
            organisation_id,
            name: new.name,
            email: new.email,
            department: new.department,
            manager_id: new.manager_id,
            employment_status: new.employment_status,
            start_date: new.start_date,
            end_date: new.end_date,
            version: 1,
        };
        let mut w = self.write(actor).await?;
        if let Some(manager) = person.manager_id {
            load_person(&mut w, manager).await.map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ValidationErrors::one("manager_id", "no person with this id exists").into()
                }
                other => other,
            })?;
        }
        let now = now_text();
        sqlx::query(
            r"insert into person (id, organisation_id, name, email, department, manager_id,
                 employment_status, start_date, end_date, version, created_at, updated_at)
              values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(person.id.to_string())
        .bind(person.organisation_id.to_string())
        .bind(&person.name)
        .bind(person.email.as_str())
        .bind(&person.department)
        .bind(person.manager_id.map(|m| m.to_string()))
        .bind(person.employment_status.as_str())
        .bind(date_text(person.start_date))
        .bind(person.end_date.map(date_text))
        .bind(&now)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| {
            on_unique(e, "person.email", "email", || {
                format!("a person with the email {} already exists", person.email)
            })
        })?;
        w.record(
            "person",
            &person.id.to_string(),
            "create",
            None,
            Some(&to_json(&person)?),
        )
        .await?;
        w.commit().await?;
        Ok(person)
    }

    /// Reads one person.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such person.
    pub async fn person(&self, id: PersonId) -> Result<Person, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {PERSON_COLUMNS} from person where id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("person"))?;
        person_from_row(&row)
    }

    /// Moves a person through the joiner-mover-leaver lifecycle, if they are still at
    /// `expected_version` (otherwise nothing changes and [`StoreError::Stale`] is returned).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Stale`], or [`StoreError::Invalid`] when a
    /// person who left would have no end date.
    pub async fn set_employment_status(
        &self,
        actor: &Actor,
        id: PersonId,
        expected_version: i64,
        status: EmploymentStatus,
        end_date: Option<NaiveDate>,
    ) -> Result<Person, StoreError> {
        let mut w = self.write(actor).await?;
        let before = load_person(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("person"));
        }
        let mut after = before.clone();
        after.employment_status = status;
        after.end_date = end_date.or(before.end_date);
        after.version += 1;
        if status == EmploymentStatus::Left && after.end_date.is_none() {
            return Err(ValidationErrors::one(
                "end_date",
                "a person who has left needs an end date",
            )
            .into());
        }
        if after.end_date.is_some_and(|end| end < after.start_date) {
            return Err(ValidationErrors::one(
                "end_date",
                "the end date cannot be before the start date",
            )
            .into());
        }
        let updated = sqlx::query(
            r"update person set employment_status = $1, end_date = $2, version = $3, updated_at = $4
              where id = $5 and version = $6",
        )
        .bind(status.as_str())
        .bind(after.end_date.map(date_text))
        .bind(after.version)
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Stale("person"));
        }
        w.record(
            "person",
            &id.to_string(),
            "employment_status_changed",
            Some(&to_json(&before)?),
            Some(&to_json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Lists people by name, a page at a time.
    ///
    /// # Errors
    /// [`StoreError::Database`] when they cannot be read.
    pub async fn list_people(&self, q: &PersonQuery) -> Result<PersonPage, StoreError> {
        let pattern = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.to_lowercase()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let status = q.status.map(EmploymentStatus::as_str);
        // Optional filters are written as `$n is null or …` so one statement serves every
        // combination and both databases plan it the same way.
        let filter = r"($1 is null or lower(name) like $1 escape '\' or email like $1 escape '\'
                        or lower(department) like $1 escape '\')
                       and ($2 is null or employment_status = $2)";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from person where {filter}"
        )))
        .bind(pattern.clone())
        .bind(status)
        .fetch_one(&self.pool)
        .await?;
        let (after_name, after_id) = match &q.after {
            Some((n, id)) => (Some(n.clone()), Some(id.to_string())),
            None => (None, None),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            r"select {PERSON_COLUMNS} from person where {filter}
              and ($3 is null or name > $3 or (name = $3 and id > $4))
              order by name, id limit $5"
        )))
        .bind(pattern)
        .bind(status)
        .bind(after_name)
        .bind(after_id)
        .bind(i64::from(q.limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
        Ok(PersonPage { items, total })
    }
}
