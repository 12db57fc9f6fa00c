//! People. A change of employment status is its own audit action, because the
//! joiner-mover-leaver process reacts to it.

use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmailAddress, EmploymentStatus, NewPerson, Person, PersonChanges};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::on_unique;
use crate::events::emit_designated;
use crate::listing::Total;
use crate::rows::{date_text, now_text, parse_date, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};
use holdfast_core::interaction::EventKind;

pub(crate) const PERSON_COLUMNS: &str = "id, organisation_id, name, email, department, manager_id, \
     employment_status, start_date, end_date, version";

/// A column people can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonSortField {
    /// Full name (the default).
    #[default]
    Name,
    /// Email.
    Email,
    /// Department.
    Department,
    /// First working day.
    StartDate,
    /// Employment status.
    EmploymentStatus,
}

impl PersonSortField {
    /// Parses the API name of a sort column.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => Self::Name,
            "email" => Self::Email,
            "department" => Self::Department,
            "start_date" => Self::StartDate,
            "employment_status" => Self::EmploymentStatus,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Department => "department",
            Self::StartDate => "start_date",
            Self::EmploymentStatus => "employment_status",
        }
    }

    /// The value a person has in this column, as stored (for cursors).
    #[must_use]
    pub fn value_of(self, p: &Person) -> String {
        match self {
            Self::Name => p.name.clone(),
            Self::Email => p.email.to_string(),
            Self::Department => p.department.clone(),
            Self::StartDate => date_text(p.start_date),
            Self::EmploymentStatus => p.employment_status.as_str().to_owned(),
        }
    }
}

/// Which people to list: a free-text search over name, email and department, filters, a
/// sort order and a page after the previous page's last row (keyset pagination stays fast
/// on deep pages).
#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    /// Case-insensitive text to find in name, email or department.
    pub search: Option<String>,
    /// Only people in this employment status.
    pub status: Option<EmploymentStatus>,
    /// Only people in this department (exact).
    pub department: Option<String>,
    /// Sort column.
    pub sort: PersonSortField,
    /// Sort descending.
    pub descending: bool,
    /// Continue after this (sort value, id).
    pub after: Option<(String, PersonId)>,
    /// How many rows to read, 1 to 501 (a page and the row that says another follows).
    pub limit: u32,
}

/// One page of people and the total matching the query.
#[derive(Debug, Clone, Default)]
pub struct PersonPage {
    /// The people, ordered by name then id.
    pub items: Vec<Person>,
    /// How many people match the query in all.
    pub total: Total,
}

pub(crate) fn person_from_row(r: &AnyRow) -> Result<Person, StoreError> {
    person_from_json(PersonJson(
        r.try_get("id")?,
        r.try_get("organisation_id")?,
        r.try_get("name")?,
        r.try_get("email")?,
        r.try_get("department")?,
        r.try_get("manager_id")?,
        r.try_get("employment_status")?,
        r.try_get("start_date")?,
        r.try_get("end_date")?,
        r.try_get("version")?,
    ))
}

/// A person's stored columns in [`PERSON_COLUMNS`] order: a row, or one element of a page
/// SQLite hands over as JSON.
#[derive(serde::Deserialize)]
pub(crate) struct PersonJson(
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
);

fn person_from_json(j: PersonJson) -> Result<Person, StoreError> {
    let PersonJson(id, organisation, name, email, department, manager, status, start, end, version) =
        j;
    Ok(Person {
        id: parse_id(&id)?,
        organisation_id: parse_id(&organisation)?,
        name,
        email: EmailAddress::parse("email", &email).map_err(StoreError::corrupt)?,
        department,
        manager_id: manager.as_deref().map(parse_id).transpose()?,
        employment_status: status.parse().map_err(StoreError::corrupt)?,
        start_date: parse_date(&start)?,
        end_date: end.as_deref().map(parse_date).transpose()?,
        version,
    })
}

/// [`PERSON_COLUMNS`] each named as the person table's, for statements that join other tables
/// with columns of the same names (the full-text index has a name, email and department).
fn qualified_person_columns() -> String {
    PERSON_COLUMNS
        .split(',')
        .map(|c| format!("person.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tally that says search keys are out of name order, until they are renumbered.
pub(crate) const SEARCH_DISORDERED: &str = "person_search.disordered";

fn to_json(p: &Person) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(p).map_err(StoreError::corrupt)
}

pub(crate) async fn load_person(w: &mut WriteTx, id: PersonId) -> Result<Person, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {PERSON_COLUMNS} from person where id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or(StoreError::NotFound("person"))?;
    person_from_row(&row)
}

/// Values bound to a statement built from optional parts, numbered as they are added.
#[derive(Default)]
struct Binds(Vec<String>);

impl Binds {
    /// Adds a value and returns its placeholder (`$3`).
    fn push(&mut self, value: String) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }
}

/// Inserts one person and records it, inside the caller's transaction.
async fn insert_person(
    w: &mut WriteTx,
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
    if let Some(manager) = person.manager_id {
        load_person(w, manager).await.map_err(|e| match e {
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
    if person.employment_status == EmploymentStatus::Active {
        let facts = [("department", person.department.clone())];
        let subject = ("person", person.id.to_string());
        emit_designated(
            w,
            EventKind::PersonJoined,
            (subject.0, &subject.1),
            &person.name,
            &facts,
            crate::clock::now(),
        )
        .await?;
    }
    Ok(person)
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
        let mut w = self.write(actor).await?;
        let person = insert_person(&mut w, organisation_id, new).await?;
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

    /// The person with this work email (compared as stored: trimmed, lower case), if any.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {PERSON_COLUMNS} from person where email = $1"
        )))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person_from_row).transpose()
    }

    /// Applies `changes` to a person still at `expected_version` (otherwise nothing changes
    /// and [`StoreError::Stale`] is returned). A change of employment status is recorded as
    /// `employment_status_changed`, which the joiner-mover-leaver process reacts to.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Stale`], [`StoreError::Invalid`],
    /// [`StoreError::Conflict`] for an email in use.
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        expected_version: i64,
        changes: &PersonChanges,
    ) -> Result<Person, StoreError> {
        self.update_person_at(actor, id, expected_version, changes, crate::clock::now())
            .await
    }

    /// [`Store::update_person`] for a change that took effect at `at` (recorded late, or
    /// sample history): the events it sets off carry that time, so their SLAs count from it.
    ///
    /// # Errors
    /// As [`Store::update_person`].
    pub async fn update_person_at(
        &self,
        actor: &Actor,
        id: PersonId,
        expected_version: i64,
        changes: &PersonChanges,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Person, StoreError> {
        let mut w = self.write(actor).await?;
        let before = load_person(&mut w, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("person"));
        }
        let after = before.apply(changes)?;
        if let Some(manager) = after.manager_id.filter(|m| Some(*m) != before.manager_id) {
            load_person(&mut w, manager).await.map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ValidationErrors::one("manager_id", "no person with this id exists").into()
                }
                other => other,
            })?;
        }
        let updated = sqlx::query(
            r"update person set name = $1, email = $2, department = $3, manager_id = $4,
                 employment_status = $5, start_date = $6, end_date = $7, version = $8, updated_at = $9
              where id = $10 and version = $11",
        )
        .bind(&after.name)
        .bind(after.email.as_str())
        .bind(&after.department)
        .bind(after.manager_id.map(|m| m.to_string()))
        .bind(after.employment_status.as_str())
        .bind(date_text(after.start_date))
        .bind(after.end_date.map(date_text))
        .bind(after.version)
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| on_unique(e, "person.email", "email", || format!("a person with the email {} already exists", after.email)))?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Stale("person"));
        }
        let action = if after.employment_status == before.employment_status {
            "update"
        } else {
            "employment_status_changed"
        };
        w.record(
            "person",
            &id.to_string(),
            action,
            Some(&to_json(&before)?),
            Some(&to_json(&after)?),
        )
        .await?;
        if after.employment_status != before.employment_status {
            let kind = match after.employment_status {
                EmploymentStatus::Left => EventKind::PersonLeft,
                _ => EventKind::PersonStatusChanged,
            };
            let facts = [
                ("department", after.department.clone()),
                ("employment_status", after.employment_status.to_string()),
            ];
            emit_designated(
                &mut w,
                kind,
                ("person", &id.to_string()),
                &after.name,
                &facts,
                at,
            )
            .await?;
        }
        w.commit().await?;
        Ok(after)
    }

    /// Moves a person through the joiner-mover-leaver lifecycle; see [`Store::update_person`].
    ///
    /// # Errors
    /// As [`Store::update_person`].
    pub async fn set_employment_status(
        &self,
        actor: &Actor,
        id: PersonId,
        expected_version: i64,
        status: EmploymentStatus,
        end_date: Option<NaiveDate>,
    ) -> Result<Person, StoreError> {
        let changes = PersonChanges {
            employment_status: Some(status),
            end_date: end_date.map(Some),
            ..PersonChanges::default()
        };
        self.update_person(actor, id, expected_version, &changes)
            .await
    }

    /// Lists people a page at a time.
    ///
    /// # Errors
    /// [`StoreError::Database`] when they cannot be read.
    pub async fn list_people(&self, q: &PersonQuery) -> Result<PersonPage, StoreError> {
        // Only the filters in use enter the statement, so each combination gets a plan that
        // can use the indexes; every value is bound, and column names come from closed enums.
        let mut binds = Binds::default();
        let mut conditions: Vec<String> = Vec::new();
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let sqlite = self.backend == crate::Backend::Sqlite;
        // On SQLite a search reads from the full-text index first (the matches, then their
        // people), never walking the whole table to test each person against it; in name
        // order, the index's keys are the order itself, so a page reads one page of matches.
        let (mut with, mut from) = (String::new(), "person".to_owned());
        let mut in_key_order = false;
        if let Some(text) = search {
            let terms = holdfast_core::search::terms(text);
            if terms.is_empty() {
                // Nothing a person could look for: punctuation alone matches no one.
                return Ok(PersonPage::default());
            }
            let p = binds.push(crate::listing::match_expression(self.backend, &terms));
            if sqlite {
                in_key_order = q.sort == PersonSortField::Name
                    && crate::listing::tally(&self.pool, SEARCH_DISORDERED).await? == 0;
                if in_key_order {
                    from = "person_fts f join person_search s on s.rowid = f.rowid join person on person.id = s.person_id".to_owned();
                    conditions.push(format!("person_fts match {p}"));
                } else {
                    with = format!(
                        "with hits(hit_id) as (select s.person_id from person_fts f join person_search s on s.rowid = f.rowid where person_fts match {p}) "
                    );
                    from = "hits cross join person on person.id = hits.hit_id".to_owned();
                }
            } else {
                conditions.push(format!("search @@ to_tsquery('simple', {p})"));
            }
        }
        if let Some(status) = q.status {
            conditions.push(format!(
                "person.employment_status = {}",
                binds.push(status.as_str().to_owned())
            ));
        }
        if let Some(department) = &q.department {
            conditions.push(format!(
                "person.department = {}",
                binds.push(department.clone())
            ));
        }
        let filter = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" and ")
        };
        let filter_binds = binds.0.len();
        let col = q.sort.column();
        let (cmp, dir) = if q.descending {
            ("<", "desc")
        } else {
            (">", "asc")
        };
        let mut page_filter = filter.clone();
        if let Some((value, id)) = &q.after {
            let (v, i) = (binds.push(value.clone()), binds.push(id.to_string()));
            if in_key_order {
                // The key of the cursor's place in the order: its own, or its neighbour's if
                // the person was renamed or removed since the page was read.
                let (le, edge, order) = if q.descending {
                    (">=", i64::MAX.to_string(), "asc")
                } else {
                    ("<=", i64::MIN.to_string(), "desc")
                };
                page_filter.push_str(&format!(
                    " and f.rowid {cmp} coalesce((select s2.rowid from person p2 join person_search s2 on s2.person_id = p2.id \
                     where (p2.name, p2.id) {le} ({v}, {i}) order by p2.name {order}, p2.id {order} limit 1), {edge})"
                ));
            } else {
                // A row-value comparison, so the (column, id) index seeks straight to the page.
                page_filter.push_str(&format!(" and (person.{col}, person.id) {cmp} ({v}, {i})"));
            }
        }

        let tally_name = match (q.status, &q.department) {
            (None, None) => "person".to_owned(),
            (Some(s), None) => format!("person.status:{}", s.as_str()),
            (None, Some(d)) => format!("person.dept:{d}"),
            (Some(s), Some(d)) => format!("person.dept_status:{}:{d}", s.as_str()),
        };
        // One row more than a page may be asked for: it only tells the caller a next page exists.
        let limit = q.limit.clamp(1, 501);
        let order = if in_key_order {
            format!("f.rowid {dir}")
        } else {
            format!("person.{col} {dir}, person.id {dir}")
        };
        let columns = qualified_person_columns();
        let select = format!(
            "select {columns} from {from} where {page_filter} order by {order} limit {limit}"
        );
        let (total, items) = if sqlite {
            // SQLite hands rows over one by one between threads; the total and the page as
            // one JSON value cross once, so a list of fifty costs little more than one person.
            let total_expr = match search {
                // Matches alone are counted in the full-text index without reading a person.
                Some(_) if q.status.is_none() && q.department.is_none() => format!(
                    "(select count(*) from (select 1 from person_fts where person_fts match $1 limit {}))",
                    crate::listing::COUNT_CAP + 1
                ),
                Some(_) => format!(
                    "(select count(*) from (select 1 from {from} where {filter} limit {}))",
                    crate::listing::COUNT_CAP + 1
                ),
                None => format!(
                    "coalesce((select n from tally where name = ${}), 0)",
                    binds.0.len() + 1
                ),
            };
            let sql = format!(
                "{with}select {total_expr}, coalesce(json_group_array(json_array({PERSON_COLUMNS})), '[]') from ({select})"
            );
            let mut page = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for b in &binds.0 {
                page = page.bind(b.clone());
            }
            if search.is_none() {
                page = page.bind(tally_name);
            }
            let (n, text) = page.fetch_one(&self.pool).await?;
            let total = if search.is_some() {
                crate::listing::capped(n)
            } else {
                Total::exact(n)
            };
            let items = serde_json::from_str::<Vec<PersonJson>>(&text)
                .map_err(StoreError::corrupt)?
                .into_iter()
                .map(person_from_json)
                .collect::<Result<_, _>>()?;
            (total, items)
        } else {
            let total = if search.is_some() {
                crate::listing::capped_count(
                    &self.pool,
                    &with,
                    &format!("{from} where {filter}"),
                    &binds.0[..filter_binds],
                )
                .await?
            } else {
                Total::exact(crate::listing::tally(&self.pool, &tally_name).await?)
            };
            let mut page = sqlx::query(sqlx::AssertSqlSafe(format!("{with}{select}")));
            for b in &binds.0 {
                page = page.bind(b.clone());
            }
            let rows = page.fetch_all(&self.pool).await?;
            let items = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
            (total, items)
        };
        Ok(PersonPage { items, total })
    }

    /// Puts the search keys back in name order when a newcomer found no gap between their
    /// neighbours (see the migration that keys the index in name order). Until then a search
    /// sorts its matches, which is correct and only slower; the worker calls this each tick.
    /// Derived data, so nothing enters the audit trail. Returns whether it renumbered.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn renumber_search_keys(&self, actor: &Actor) -> Result<bool, StoreError> {
        if self.backend != crate::Backend::Sqlite
            || crate::listing::tally(&self.pool, SEARCH_DISORDERED).await? == 0
        {
            return Ok(false);
        }
        let mut w = self.write(actor).await?;
        let count: i64 = sqlx::query_scalar("select count(*) from person")
            .fetch_one(&mut *w.tx)
            .await?;
        // Gaps as wide as the key range allows, at most 2^40, so newcomers fit for long.
        let spacing = (i64::MAX / 2 / count.max(1)).clamp(2, 1 << 40);
        for statement in [
            "delete from person_fts".to_owned(),
            "delete from person_search".to_owned(),
            format!(
                "insert into person_search (rowid, person_id) select row_number() over (order by name, id) * {spacing}, id from person"
            ),
            "insert into person_fts (rowid, name, email, department) select s.rowid, p.name, p.email, p.department from person_search s join person p on p.id = s.person_id".to_owned(),
            format!("delete from tally where name = '{SEARCH_DISORDERED}'"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await?;
        Ok(true)
    }

    /// Adds many people in one transaction, one audit event each: for demo organisations and
    /// bulk onboarding, where a transaction per person would be slow.
    ///
    /// # Errors
    /// As [`Store::create_person`]; on any error none are added.
    pub async fn create_people(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        people: Vec<NewPerson>,
    ) -> Result<Vec<Person>, StoreError> {
        let mut w = self.write(actor).await?;
        let mut out = Vec::with_capacity(people.len());
        for new in people {
            let person = insert_person(&mut w, organisation_id, new).await?;
            out.push(person);
        }
        w.commit().await?;
        Ok(out)
    }
}
