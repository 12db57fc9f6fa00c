//! The asset inventory and the classification scheme its labels come from.
//!
//! The inventory pages by number on indexes for each filter, its total is a maintained tally,
//! and an import writes every row or none in one transaction, each asset with its own event
//! in the audit trail.

use holdfast_core::ValidationErrors;
use holdfast_core::asset::{Asset, AssetFields, AssetKind, CheckedRow, RowError, Scheme};
use holdfast_core::ids::{AssetId, PersonId};
use holdfast_core::person::EmploymentStatus;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::rows::{from_json_text, json_text, now_text, parse_id};
use crate::{Actor, Store, StoreError, WriteTx};

/// The reference people cite for asset `number`.
#[must_use]
pub fn asset_reference(number: i64) -> String {
    format!("A-{number:04}")
}

/// A filtered page of the inventory, by number.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    /// Of this kind.
    pub kind: Option<AssetKind>,
    /// Owned by this person.
    pub owner_id: Option<PersonId>,
    /// With this label.
    pub classification: Option<String>,
    /// Whose name or location holds this text, in any case.
    pub search: Option<String>,
    /// After this number.
    pub after: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

impl AssetQuery {
    fn unfiltered(&self) -> bool {
        self.kind.is_none()
            && self.owner_id.is_none()
            && self.classification.is_none()
            && self.search.is_none()
    }
}

const COLUMNS: &str = "id, number, name, kind, owner_id, classification, location, confidentiality, integrity, availability, lifecycle, version";

const FILTER: &str = r"($1 is null or kind = $1) and ($2 is null or owner_id = $2)
    and ($3 is null or classification = $3)
    and ($4 is null or lower(name) like $4 escape '\' or lower(location) like $4 escape '\')";

fn asset_from(r: &AnyRow) -> Result<Asset, StoreError> {
    let small = |i: usize| -> Result<u8, StoreError> {
        u8::try_from(r.try_get::<i64, _>(i)?).map_err(StoreError::corrupt)
    };
    Ok(Asset {
        id: parse_id(&r.try_get::<String, _>(0)?)?,
        reference: asset_reference(r.try_get(1)?),
        name: r.try_get(2)?,
        kind: r
            .try_get::<String, _>(3)?
            .parse()
            .map_err(StoreError::corrupt)?,
        owner_id: parse_id(&r.try_get::<String, _>(4)?)?,
        classification: r.try_get(5)?,
        location: r.try_get(6)?,
        confidentiality: small(7)?,
        integrity: small(8)?,
        availability: small(9)?,
        lifecycle: r
            .try_get::<String, _>(10)?
            .parse()
            .map_err(StoreError::corrupt)?,
        version: r.try_get(11)?,
    })
}

fn search_pattern(s: Option<&str>) -> Option<String> {
    s.map(|s| {
        let escaped = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

fn json(a: &Asset) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(a).map_err(StoreError::corrupt)
}

async fn check_owner(w: &mut WriteTx, owner: PersonId) -> Result<(), StoreError> {
    crate::risks::check_links(w, Some(owner), None).await
}

async fn insert(
    w: &mut WriteTx,
    org: &str,
    number: i64,
    f: AssetFields,
    now: &str,
) -> Result<Asset, StoreError> {
    let a = Asset {
        id: AssetId::from_uuid(Uuid::now_v7()),
        reference: asset_reference(number),
        name: f.name,
        kind: f.kind,
        owner_id: f.owner_id,
        classification: f.classification,
        location: f.location,
        confidentiality: f.confidentiality,
        integrity: f.integrity,
        availability: f.availability,
        lifecycle: f.lifecycle,
        version: 1,
    };
    sqlx::query(
        "insert into asset (id, organisation_id, number, name, kind, owner_id, classification, location, confidentiality, integrity, availability, lifecycle, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
    )
    .bind(a.id.to_string())
    .bind(org)
    .bind(number)
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(a.owner_id.to_string())
    .bind(&a.classification)
    .bind(&a.location)
    .bind(i64::from(a.confidentiality))
    .bind(i64::from(a.integrity))
    .bind(i64::from(a.availability))
    .bind(a.lifecycle.as_str())
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    w.record("asset", &a.id.to_string(), "create", None, Some(&json(&a)?))
        .await?;
    Ok(a)
}

async fn next_number(w: &mut WriteTx) -> Result<i64, StoreError> {
    let last: Option<i64> = sqlx::query_scalar("select max(number) from asset")
        .fetch_one(&mut *w.tx)
        .await?;
    Ok(last.unwrap_or(0) + 1)
}

async fn organisation_id(store: &Store) -> Result<String, StoreError> {
    let org = store
        .organisation()
        .await?
        .ok_or_else(|| ValidationErrors::one("organisation", "create the organisation first"))?;
    Ok(org.id.to_string())
}

impl Store {
    /// The classification scheme: the organisation's own, or the default.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn asset_scheme(&self) -> Result<Scheme, StoreError> {
        let raw: Option<String> = sqlx::query_scalar("select labels_json from asset_scheme")
            .fetch_optional(&self.pool)
            .await?;
        match raw {
            Some(s) => Ok(Scheme {
                labels: from_json_text(&s)?,
            }),
            None => Ok(Scheme::default()),
        }
    }

    /// Replaces the scheme. A label an asset carries cannot be dropped: relabel the assets
    /// first, so no asset is left with a label that means nothing.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for bad labels or a label in use.
    pub async fn set_asset_scheme(
        &self,
        actor: &Actor,
        scheme: Scheme,
    ) -> Result<Scheme, StoreError> {
        let scheme = scheme.validate()?;
        let org = organisation_id(self).await?;
        let before = self.asset_scheme().await?;
        let mut w = self.write(actor).await?;
        let used: Vec<String> = sqlx::query_scalar("select distinct classification from asset")
            .fetch_all(&mut *w.tx)
            .await?;
        let dropped: Vec<&String> = used.iter().filter(|u| !scheme.labels.contains(u)).collect();
        if !dropped.is_empty() {
            let names: Vec<&str> = dropped.iter().map(|s| s.as_str()).collect();
            return Err(ValidationErrors::one(
                "labels",
                format!(
                    "assets are classified {}; relabel them before removing the label",
                    names.join(", ")
                ),
            )
            .into());
        }
        sqlx::query(
            "insert into asset_scheme (organisation_id, labels_json, version, updated_at) values ($1, $2, 1, $3) \
             on conflict (organisation_id) do update set labels_json = excluded.labels_json, version = asset_scheme.version + 1, updated_at = excluded.updated_at",
        )
        .bind(&org)
        .bind(json_text(&scheme.labels)?)
        .bind(now_text())
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "asset_scheme",
            &org,
            "update",
            Some(&serde_json::json!({ "labels": before.labels })),
            Some(&serde_json::json!({ "labels": scheme.labels })),
        )
        .await?;
        w.commit().await?;
        Ok(scheme)
    }

    /// Adds an asset as the next `A-nnnn`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad field or an owner who is not an active person.
    pub async fn create_asset(
        &self,
        actor: &Actor,
        fields: AssetFields,
    ) -> Result<Asset, StoreError> {
        let f = fields.validate(&self.asset_scheme().await?)?;
        let org = organisation_id(self).await?;
        let mut w = self.write(actor).await?;
        check_owner(&mut w, f.owner_id).await?;
        let number = next_number(&mut w).await?;
        let a = insert(&mut w, &org, number, f, &now_text()).await?;
        w.commit().await?;
        Ok(a)
    }

    /// Replaces an asset's fields, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`], or as [`Store::create_asset`].
    pub async fn update_asset(
        &self,
        actor: &Actor,
        id: AssetId,
        expected_version: i64,
        fields: AssetFields,
    ) -> Result<Asset, StoreError> {
        let f = fields.validate(&self.asset_scheme().await?)?;
        let before = self.asset(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("asset"));
        }
        let mut w = self.write(actor).await?;
        check_owner(&mut w, f.owner_id).await?;
        let after = Asset {
            name: f.name,
            kind: f.kind,
            owner_id: f.owner_id,
            classification: f.classification,
            location: f.location,
            confidentiality: f.confidentiality,
            integrity: f.integrity,
            availability: f.availability,
            lifecycle: f.lifecycle,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = sqlx::query(
            "update asset set name = $1, kind = $2, owner_id = $3, classification = $4, location = $5, confidentiality = $6, integrity = $7, \
             availability = $8, lifecycle = $9, version = version + 1, updated_at = $10 where id = $11 and version = $12",
        )
        .bind(&after.name)
        .bind(after.kind.as_str())
        .bind(after.owner_id.to_string())
        .bind(&after.classification)
        .bind(&after.location)
        .bind(i64::from(after.confidentiality))
        .bind(i64::from(after.integrity))
        .bind(i64::from(after.availability))
        .bind(after.lifecycle.as_str())
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("asset"));
        }
        w.record(
            "asset",
            &id.to_string(),
            "update",
            Some(&json(&before)?),
            Some(&json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// One asset.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn asset(&self, id: AssetId) -> Result<Asset, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "select {COLUMNS} from asset where id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("asset"))?;
        asset_from(&row)
    }

    /// One page of the inventory, by number.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn asset_page(&self, q: &AssetQuery) -> Result<Vec<Asset>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {COLUMNS} from asset where {FILTER} and ($5 is null or number > $5) order by number limit $6"
        )))
        .bind(q.kind.map(|k| k.as_str().to_owned()))
        .bind(q.owner_id.map(|p| p.to_string()))
        .bind(q.classification.clone())
        .bind(search_pattern(q.search.as_deref()))
        .bind(q.after)
        .bind(i64::from(q.limit.clamp(1, 501)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(asset_from).collect()
    }

    /// How many assets match: the maintained tally unfiltered, otherwise counted up to
    /// [`crate::COUNT_CAP`].
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn count_assets(&self, q: &AssetQuery) -> Result<crate::Total, StoreError> {
        if q.unfiltered() {
            return Ok(crate::Total::exact(
                crate::listing::tally(&self.pool, "asset").await?,
            ));
        }
        let sql = format!(
            "select count(*) from (select 1 from asset where {FILTER} limit {}) as capped",
            crate::COUNT_CAP + 1
        );
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(q.kind.map(|k| k.as_str().to_owned()))
            .bind(q.owner_id.map(|p| p.to_string()))
            .bind(q.classification.clone())
            .bind(search_pattern(q.search.as_deref()))
            .fetch_one(&self.pool)
            .await?;
        Ok(crate::listing::capped(n))
    }

    /// Imports checked rows: every owner must be an active person (named by email). With
    /// `commit` false nothing is written (a preview); with it, every row is written in one
    /// transaction or none is.
    ///
    /// # Errors
    /// `Ok(Err(rows))` naming each row whose owner is unknown or gone; [`StoreError`] when
    /// the database fails.
    pub async fn import_assets(
        &self,
        actor: &Actor,
        rows: Vec<CheckedRow>,
        commit: bool,
    ) -> Result<Result<Vec<AssetFields>, Vec<RowError>>, StoreError> {
        let mut emails: Vec<&str> = rows.iter().map(|r| r.owner_email.as_str()).collect();
        emails.sort_unstable();
        emails.dedup();
        let mut people: std::collections::HashMap<String, (PersonId, EmploymentStatus)> =
            std::collections::HashMap::new();
        for chunk in emails.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "select id, email, employment_status from person where email in ({})",
                marks.join(", ")
            )));
            for e in chunk {
                q = q.bind(*e);
            }
            for r in q.fetch_all(&self.pool).await? {
                let status: String = r.try_get(2)?;
                people.insert(
                    r.try_get(1)?,
                    (
                        parse_id(&r.try_get::<String, _>(0)?)?,
                        status.parse().map_err(StoreError::corrupt)?,
                    ),
                );
            }
        }
        let mut errors = Vec::new();
        let mut fields = Vec::with_capacity(rows.len());
        for r in &rows {
            match people.get(&r.owner_email) {
                Some((id, status)) if *status != EmploymentStatus::Left => {
                    fields.push(r.with_owner(*id));
                }
                Some(_) => errors.push(RowError {
                    line: r.line,
                    field: "owner_email".into(),
                    message: format!(
                        "{} has left; an asset's owner is someone employed",
                        r.owner_email
                    ),
                }),
                None => errors.push(RowError {
                    line: r.line,
                    field: "owner_email".into(),
                    message: format!("no person has the email {}", r.owner_email),
                }),
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        if !commit {
            return Ok(Ok(fields));
        }
        let org = organisation_id(self).await?;
        let mut w = self.write(actor).await?;
        let mut number = next_number(&mut w).await?;
        let now = now_text();
        for f in &fields {
            insert(&mut w, &org, number, f.clone(), &now).await?;
            number += 1;
        }
        w.commit().await?;
        Ok(Ok(fields))
    }
}
