//! The risk method's published versions, the risk register, its assessments and decisions.
//!
//! Methods, assessments and decisions are only ever inserted (the database refuses anything
//! else, see [`crate::guards`]). The latest assessment's level, rank and review date are
//! copied onto the risk's row in the assessment's own transaction, so the register filters
//! and sorts on an index at any size instead of joining every risk's history.

use chrono::NaiveDate;
use holdfast_core::ValidationErrors;
use holdfast_core::ids::{
    PersonId, ProcessId, RiskAssessmentId, RiskDecisionId, RiskId, RiskMethodId,
};
use holdfast_core::interaction::EventKind;
use holdfast_core::process::check_process_person;
use holdfast_core::risk::{
    Assessment, AssessmentInput, Authority, Decider, Decision, DecisionInput, DecisionKind, Method,
    MethodVersion, Rating, Register, Risk, RiskFields, RiskRecord, Subject, Treatment,
    authority_of,
};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::rows::{
    date_text, json_text, now_text, parse_date, parse_id, parse_opt_date, parse_opt_id, parse_time,
    time_text,
};
use crate::{Actor, Store, StoreError, WriteTx};

/// Clauses whose process owners and deputies are top management for risk decisions: the
/// leadership (5.1) and management-review (9.3) processes.
pub const TOP_MANAGEMENT_CLAUSES: [&str; 2] = ["5.1", "9.3"];

/// A risk with the register's view of its latest assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegisterEntry {
    /// The risk.
    pub risk: Risk,
    /// The latest assessment's residual level, if assessed.
    pub current_level: Option<String>,
    /// When it is due for reassessment.
    pub review_due: Option<NaiveDate>,
    /// Its register number (R-001 is 1), the reference order's key.
    pub number: i64,
    /// The residual level's rank in its method (lowest 0; -1 unassessed), the level order's
    /// key.
    pub rank: i64,
}

/// How many risks sit at one rating of one method version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatCell {
    /// The method version they were rated under.
    pub method_version: i64,
    /// The rating.
    pub rating: Rating,
    /// How many.
    pub risks: i64,
}

/// How the register is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RiskOrder {
    /// By reference, R-001 first.
    #[default]
    Reference,
    /// Highest residual level first, then by reference; unassessed risks last.
    Level,
}

/// A filtered page of the register.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    /// Owned by this person.
    pub owner_id: Option<PersonId>,
    /// With this treatment option.
    pub treatment: Option<Treatment>,
    /// At this residual level (a level key of the current method).
    pub level: Option<String>,
    /// Only those whose review is due before this day (past due when it is today).
    pub review_before: Option<NaiveDate>,
    /// Whose title, threat or vulnerability holds this text, in any case.
    pub search: Option<String>,
    /// Sort order.
    pub order: RiskOrder,
    /// Only those after this key of the order: (rank or 0, number).
    pub after: Option<(i64, i64)>,
    /// At most this many.
    pub limit: u32,
}

const RISK_COLUMNS: &str = "r.id, r.number, r.title, r.threat, r.vulnerability, r.owner_id, r.process_id, r.treatment, r.version, r.current_level, r.review_due, coalesce(r.current_rank, -1)";

const ASSESSMENT_COLUMNS: &str = "id, risk_id, method_id, method_version, inherent_likelihood, inherent_impact, current_likelihood, current_impact, target_likelihood, target_impact, inherent_level, current_level, target_level, rationale, assessor_id, assessed_on, review_due, recorded_at";

const DECISION_COLUMNS: &str = "id, risk_id, kind, decided_by, authority, decided_at, rationale, expires_on, subject_json, subject_sha256";

/// The register's filters, shared by its pages and its count so they always agree.
const RISK_FILTER: &str = r"($1 is null or r.owner_id = $1) and ($2 is null or r.treatment = $2)
    and ($3 is null or r.current_level = $3) and ($4 is null or r.review_due < $4)
    and ($5 is null or lower(r.title) like $5 escape '\' or lower(r.threat) like $5 escape '\'
         or lower(r.vulnerability) like $5 escape '\')";

fn search_pattern(q: &RiskQuery) -> Option<String> {
    q.search.as_deref().map(|s| {
        let escaped = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

/// The reference people cite for risk `number`.
#[must_use]
pub fn reference(number: i64) -> String {
    format!("R-{number:03}")
}

fn method_from(row: &AnyRow) -> Result<MethodVersion, StoreError> {
    let json: String = row.try_get(2)?;
    let draft: holdfast_core::risk::MethodDraft =
        serde_json::from_str(&json).map_err(StoreError::corrupt)?;
    Ok(MethodVersion {
        id: parse_id(&row.try_get::<String, _>(0)?)?,
        version: row.try_get(1)?,
        method: draft.validate().map_err(StoreError::corrupt)?,
        published_by: parse_opt_id(row.try_get(3)?)?,
        published_at: parse_time(&row.try_get::<String, _>(4)?)?,
    })
}

fn rating(l: i64, i: i64) -> Result<Rating, StoreError> {
    let v = |n: i64| u8::try_from(n).map_err(StoreError::corrupt);
    Ok(Rating {
        likelihood: v(l)?,
        impact: v(i)?,
    })
}

fn assessment_from(row: &AnyRow) -> Result<Assessment, StoreError> {
    let target = match (
        row.try_get::<Option<i64>, _>(8)?,
        row.try_get::<Option<i64>, _>(9)?,
    ) {
        (Some(l), Some(i)) => Some(rating(l, i)?),
        _ => None,
    };
    Ok(Assessment {
        id: parse_id(&row.try_get::<String, _>(0)?)?,
        risk_id: parse_id(&row.try_get::<String, _>(1)?)?,
        method_id: parse_id(&row.try_get::<String, _>(2)?)?,
        method_version: row.try_get(3)?,
        inherent: rating(row.try_get(4)?, row.try_get(5)?)?,
        current: rating(row.try_get(6)?, row.try_get(7)?)?,
        target,
        inherent_level: row.try_get(10)?,
        current_level: row.try_get(11)?,
        target_level: row.try_get(12)?,
        rationale: row.try_get(13)?,
        assessor_id: parse_opt_id(row.try_get(14)?)?,
        assessed_on: parse_date(&row.try_get::<String, _>(15)?)?,
        review_due: parse_date(&row.try_get::<String, _>(16)?)?,
        recorded_at: parse_time(&row.try_get::<String, _>(17)?)?,
    })
}

fn decision_from(row: &AnyRow) -> Result<Decision, StoreError> {
    let kind: DecisionKind = row
        .try_get::<String, _>(2)?
        .parse()
        .map_err(StoreError::corrupt)?;
    let authority: Authority = row
        .try_get::<String, _>(4)?
        .parse()
        .map_err(StoreError::corrupt)?;
    Ok(Decision {
        id: parse_id(&row.try_get::<String, _>(0)?)?,
        risk_id: parse_id(&row.try_get::<String, _>(1)?)?,
        kind,
        decided_by: parse_id(&row.try_get::<String, _>(3)?)?,
        authority,
        decided_at: parse_time(&row.try_get::<String, _>(5)?)?,
        rationale: row.try_get(6)?,
        expires_on: parse_date(&row.try_get::<String, _>(7)?)?,
        subject: serde_json::from_str(&row.try_get::<String, _>(8)?)
            .map_err(StoreError::corrupt)?,
        subject_sha256: row.try_get(9)?,
    })
}

fn entry_from(
    row: &AnyRow,
    controls: Vec<String>,
    assets: Vec<holdfast_core::ids::AssetId>,
) -> Result<RegisterEntry, StoreError> {
    let number: i64 = row.try_get(1)?;
    let treatment: String = row.try_get(7)?;
    let risk = Risk {
        id: parse_id(&row.try_get::<String, _>(0)?)?,
        reference: reference(number),
        title: row.try_get(2)?,
        threat: row.try_get(3)?,
        vulnerability: row.try_get(4)?,
        owner_id: parse_opt_id(row.try_get(5)?)?,
        process_id: parse_opt_id(row.try_get(6)?)?,
        treatment: treatment.parse().map_err(StoreError::corrupt)?,
        controls,
        assets,
        version: row.try_get(8)?,
    };
    Ok(RegisterEntry {
        risk,
        current_level: row.try_get(9)?,
        review_due: parse_opt_date(row.try_get(10)?)?,
        number,
        rank: row.try_get(11)?,
    })
}

fn risk_json(r: &Risk) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "reference": r.reference, "title": r.title, "threat": r.threat,
        "vulnerability": r.vulnerability, "owner_id": r.owner_id, "process_id": r.process_id,
        "treatment": r.treatment, "controls": r.controls, "assets": r.assets, "version": r.version,
    })
}

/// Checks that an owner is an employed person and a process exists, naming the field.
pub(crate) async fn check_links(
    w: &mut WriteTx,
    owner: Option<PersonId>,
    process: Option<ProcessId>,
) -> Result<(), StoreError> {
    let mut errors = ValidationErrors::default();
    if let Some(id) = owner {
        match crate::people::load_person(w, id).await {
            Ok(person) => {
                errors.check(check_process_person("owner_id", &person));
            }
            Err(StoreError::NotFound(_)) => {
                errors.push("owner_id", "no person with this id exists")
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(id) = process {
        let n: i64 = sqlx::query_scalar("select count(*) from process where id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *w.tx)
            .await?;
        if n == 0 {
            errors.push("process_id", "no process with this id exists");
        }
    }
    errors.into_result(|| ()).map_err(Into::into)
}

async fn write_controls(
    w: &mut WriteTx,
    id: RiskId,
    controls: &[String],
) -> Result<(), StoreError> {
    sqlx::query("delete from risk_control where risk_id = $1")
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
    for c in controls {
        sqlx::query("insert into risk_control (risk_id, control) values ($1, $2)")
            .bind(id.to_string())
            .bind(c)
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(())
}

/// Replaces the assets a risk concerns; each must be in the inventory.
async fn write_assets(
    w: &mut WriteTx,
    id: RiskId,
    assets: &[holdfast_core::ids::AssetId],
) -> Result<(), StoreError> {
    let mut e = ValidationErrors::default();
    for (n, a) in assets.iter().enumerate() {
        let found: i64 = sqlx::query_scalar("select count(*) from asset where id = $1")
            .bind(a.to_string())
            .fetch_one(&mut *w.tx)
            .await?;
        if found == 0 {
            e.push(
                &format!("assets[{n}]"),
                "no asset with this id is in the inventory",
            );
        }
    }
    e.into_result(|| ())?;
    sqlx::query("delete from risk_asset where risk_id = $1")
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
    for a in assets {
        sqlx::query("insert into risk_asset (risk_id, asset_id) values ($1, $2)")
            .bind(id.to_string())
            .bind(a.to_string())
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(())
}

/// The Annex A order of control ids, `5.9` before `5.10`.
fn sort_controls(controls: &mut [String]) {
    controls.sort_by_key(|c| holdfast_core::risk::control_order(c));
}

impl Store {
    /// Publishes `method` as the next version. Earlier versions stay as they were: their
    /// assessments keep the meaning they had.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] before the organisation exists.
    pub async fn publish_risk_method(
        &self,
        actor: &Actor,
        by: Option<PersonId>,
        method: Method,
    ) -> Result<MethodVersion, StoreError> {
        let org = self.organisation().await?.ok_or_else(|| {
            ValidationErrors::one("organisation", "create the organisation first")
        })?;
        let mut w = self.write(actor).await?;
        let last: Option<i64> = sqlx::query_scalar("select max(version) from risk_method")
            .fetch_one(&mut *w.tx)
            .await?;
        let published = MethodVersion {
            id: RiskMethodId::from_uuid(Uuid::now_v7()),
            version: last.unwrap_or(0) + 1,
            method,
            published_by: by,
            published_at: crate::clock::now(),
        };
        sqlx::query(
            "insert into risk_method (id, organisation_id, version, method_json, published_by, published_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(published.id.to_string())
        .bind(org.id.to_string())
        .bind(published.version)
        .bind(json_text(published.method.draft())?)
        .bind(by.map(|p| p.to_string()))
        .bind(time_text(published.published_at))
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::to_value(&published).map_err(StoreError::corrupt)?;
        w.record(
            "risk_method",
            &published.id.to_string(),
            "publish",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(published)
    }

    /// Every published version, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_methods(&self) -> Result<Vec<MethodVersion>, StoreError> {
        let rows = sqlx::query(
            "select id, version, method_json, published_by, published_at from risk_method order by version desc",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(method_from).collect()
    }

    /// The version in force: the newest.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn current_risk_method(&self) -> Result<Option<MethodVersion>, StoreError> {
        let row = sqlx::query(
            "select id, version, method_json, published_by, published_at from risk_method order by version desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(method_from).transpose()
    }

    /// One version by number.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn risk_method(&self, version: i64) -> Result<MethodVersion, StoreError> {
        let row = sqlx::query(
            "select id, version, method_json, published_by, published_at from risk_method where version = $1",
        )
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("risk method version"))?;
        method_from(&row)
    }

    /// Adds a risk to the register, numbered after the last one.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for bad text, an unknown control, an owner who is not an
    /// active person or an unknown process.
    pub async fn create_risk(&self, actor: &Actor, fields: RiskFields) -> Result<Risk, StoreError> {
        let fields = fields.validate()?;
        let org = self.organisation().await?.ok_or_else(|| {
            ValidationErrors::one("organisation", "create the organisation first")
        })?;
        let mut w = self.write(actor).await?;
        check_links(&mut w, fields.owner_id, fields.process_id).await?;
        let last: Option<i64> = sqlx::query_scalar("select max(number) from risk")
            .fetch_one(&mut *w.tx)
            .await?;
        let number = last.unwrap_or(0) + 1;
        let risk = Risk {
            id: RiskId::from_uuid(Uuid::now_v7()),
            reference: reference(number),
            title: fields.title,
            threat: fields.threat,
            vulnerability: fields.vulnerability,
            owner_id: fields.owner_id,
            process_id: fields.process_id,
            treatment: fields.treatment,
            controls: fields.controls,
            assets: fields.assets,
            version: 1,
        };
        let now = now_text();
        sqlx::query(
            "insert into risk (id, organisation_id, number, title, threat, vulnerability, owner_id, process_id, treatment, version, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(risk.id.to_string())
        .bind(org.id.to_string())
        .bind(number)
        .bind(&risk.title)
        .bind(&risk.threat)
        .bind(&risk.vulnerability)
        .bind(risk.owner_id.map(|p| p.to_string()))
        .bind(risk.process_id.map(|p| p.to_string()))
        .bind(risk.treatment.as_str())
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        write_controls(&mut w, risk.id, &risk.controls).await?;
        write_assets(&mut w, risk.id, &risk.assets).await?;
        w.record(
            "risk",
            &risk.id.to_string(),
            "create",
            None,
            Some(&risk_json(&risk)),
        )
        .await?;
        w.commit().await?;
        Ok(risk)
    }

    /// Replaces a risk's fields, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`], or as [`Store::create_risk`].
    pub async fn update_risk(
        &self,
        actor: &Actor,
        id: RiskId,
        expected_version: i64,
        fields: RiskFields,
    ) -> Result<Risk, StoreError> {
        let fields = fields.validate()?;
        let before = self.risk(id).await?.risk;
        if before.version != expected_version {
            return Err(StoreError::Stale("risk"));
        }
        let mut w = self.write(actor).await?;
        check_links(&mut w, fields.owner_id, fields.process_id).await?;
        let after = Risk {
            title: fields.title,
            threat: fields.threat,
            vulnerability: fields.vulnerability,
            owner_id: fields.owner_id,
            process_id: fields.process_id,
            treatment: fields.treatment,
            controls: fields.controls,
            assets: fields.assets,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = sqlx::query(
            "update risk set title = $1, threat = $2, vulnerability = $3, owner_id = $4, process_id = $5, treatment = $6, version = version + 1, updated_at = $7 where id = $8 and version = $9",
        )
        .bind(&after.title)
        .bind(&after.threat)
        .bind(&after.vulnerability)
        .bind(after.owner_id.map(|p| p.to_string()))
        .bind(after.process_id.map(|p| p.to_string()))
        .bind(after.treatment.as_str())
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("risk"));
        }
        write_controls(&mut w, id, &after.controls).await?;
        write_assets(&mut w, id, &after.assets).await?;
        w.record(
            "risk",
            &id.to_string(),
            "update",
            Some(&risk_json(&before)),
            Some(&risk_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// One risk with its register view.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn risk(&self, id: RiskId) -> Result<RegisterEntry, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "select {RISK_COLUMNS} from risk r where r.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("risk"))?;
        let controls: Vec<String> =
            sqlx::query_scalar("select control from risk_control where risk_id = $1")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?;
        let mut controls = controls;
        sort_controls(&mut controls);
        let mut assets = self.assets_of(Some(&[id.to_string()])).await?;
        entry_from(
            &row,
            controls,
            assets.remove(&id.to_string()).unwrap_or_default(),
        )
    }

    /// A page of the register: at most `q.limit` entries after `q.after` in `q.order`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_page(&self, q: &RiskQuery) -> Result<Vec<RegisterEntry>, StoreError> {
        let (order, keyset) = match q.order {
            RiskOrder::Reference => ("r.number", "($6 is null or r.number > $7)"),
            RiskOrder::Level => (
                "coalesce(r.current_rank, -1) desc, r.number",
                "($6 is null or coalesce(r.current_rank, -1) < $6 or (coalesce(r.current_rank, -1) = $6 and r.number > $7))",
            ),
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {RISK_COLUMNS} from risk r where {RISK_FILTER} and {keyset} order by {order} limit $8"
        )))
        .bind(q.owner_id.map(|p| p.to_string()))
        .bind(q.treatment.map(|t| t.as_str()))
        .bind(q.level.clone())
        .bind(q.review_before.map(date_text))
        .bind(search_pattern(q))
        .bind(q.after.map(|(rank, _)| rank))
        .bind(q.after.map(|(_, number)| number))
        .bind(i64::from(q.limit.clamp(1, 10_000)))
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
        let mut controls = self.controls_of(&ids).await?;
        let mut assets = self.assets_of(Some(&ids)).await?;
        rows.iter()
            .zip(&ids)
            .map(|(row, id)| {
                entry_from(
                    row,
                    controls.remove(id).unwrap_or_default(),
                    assets.remove(id).unwrap_or_default(),
                )
            })
            .collect()
    }

    /// How many risks match the query's filters, counted up to [`crate::COUNT_CAP`].
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn count_risks(&self, q: &RiskQuery) -> Result<crate::Total, StoreError> {
        let binds = [
            q.owner_id.map(|p| p.to_string()),
            q.treatment.map(|t| t.as_str().to_owned()),
            q.level.clone(),
            q.review_before.map(date_text),
            search_pattern(q),
        ];
        let sql = format!(
            "select count(*) from (select 1 from risk r where {RISK_FILTER} limit {}) as capped",
            crate::COUNT_CAP + 1
        );
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        Ok(crate::listing::capped(query.fetch_one(&self.pool).await?))
    }

    /// Risk id → the assets it concerns, sorted: for `ids`, or every risk when `None`.
    async fn assets_of(
        &self,
        ids: Option<&[String]>,
    ) -> Result<std::collections::HashMap<String, Vec<holdfast_core::ids::AssetId>>, StoreError>
    {
        let mut out: std::collections::HashMap<String, Vec<holdfast_core::ids::AssetId>> =
            Default::default();
        let rows = match ids {
            Some([]) => return Ok(out),
            Some(ids) => {
                let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
                let mut q = sqlx::query(AssertSqlSafe(format!(
                    "select risk_id, asset_id from risk_asset where risk_id in ({})",
                    marks.join(", ")
                )));
                for id in ids {
                    q = q.bind(id.clone());
                }
                q.fetch_all(&self.pool).await?
            }
            None => {
                sqlx::query("select risk_id, asset_id from risk_asset")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        for row in rows {
            out.entry(row.try_get(0)?)
                .or_default()
                .push(parse_id(&row.try_get::<String, _>(1)?)?);
        }
        for v in out.values_mut() {
            v.sort();
        }
        Ok(out)
    }

    async fn controls_of(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<String>>, StoreError> {
        let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "select risk_id, control from risk_control where risk_id in ({})",
            marks.join(", ")
        )));
        for id in ids {
            q = q.bind(id.clone());
        }
        for row in q.fetch_all(&self.pool).await? {
            out.entry(row.try_get(0)?)
                .or_default()
                .push(row.try_get(1)?);
        }
        for v in out.values_mut() {
            sort_controls(v);
        }
        Ok(out)
    }

    /// Records an assessment of a risk under the method in force, rated on `today`, and
    /// makes it the register's view of the risk.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] without a published method or for ratings off its scales;
    /// [`StoreError::Stale`] when the risk moved on from `expected_version`.
    pub async fn assess_risk(
        &self,
        actor: &Actor,
        id: RiskId,
        expected_version: i64,
        assessor: Option<PersonId>,
        input: AssessmentInput,
        today: NaiveDate,
    ) -> Result<Assessment, StoreError> {
        let method = self.current_risk_method().await?.ok_or_else(|| {
            ValidationErrors::one(
                "method",
                "publish a risk method first: its scales say what a rating means",
            )
        })?;
        let rated = input.rate(&method.method, today)?;
        let before = self.risk(id).await?;
        if before.risk.version != expected_version {
            return Err(StoreError::Stale("risk"));
        }
        let a = Assessment {
            id: RiskAssessmentId::from_uuid(Uuid::now_v7()),
            risk_id: id,
            method_id: method.id,
            method_version: method.version,
            inherent: rated.input.inherent,
            current: rated.input.current,
            target: rated.input.target,
            inherent_level: rated.inherent_level,
            current_level: rated.current_level,
            target_level: rated.target_level,
            rationale: rated.input.rationale,
            assessor_id: assessor,
            assessed_on: rated.input.assessed_on,
            review_due: rated.review_due,
            recorded_at: crate::clock::now(),
        };
        let mut w = self.write(actor).await?;
        insert_assessment(&mut w, &a).await?;
        let rank = method.method.rank(&a.current_level).unwrap_or(0);
        let changed = sqlx::query(
            "update risk set latest_assessment_id = $1, current_level = $2, current_rank = $3, review_due = $4, version = version + 1, updated_at = $5 where id = $6 and version = $7",
        )
        .bind(a.id.to_string())
        .bind(&a.current_level)
        .bind(i64::try_from(rank).unwrap_or(0))
        .bind(date_text(a.review_due))
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("risk"));
        }
        let after = serde_json::to_value(&a).map_err(StoreError::corrupt)?;
        w.record(
            "risk_assessment",
            &a.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(a)
    }

    /// A risk's assessments, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_assessments(&self, id: RiskId) -> Result<Vec<Assessment>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {ASSESSMENT_COLUMNS} from risk_assessment where risk_id = $1 order by recorded_at desc, id desc"
        )))
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(assessment_from).collect()
    }

    /// Whether `person` is top management: owner or deputy of an active process serving
    /// one of [`TOP_MANAGEMENT_CLAUSES`].
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn is_top_management(&self, person: PersonId) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from process p join process_clause c on c.process_id = p.id \
             where p.status = 'active' and c.clause in ($1, $2) and (p.owner_id = $3 or p.deputy_id = $3)",
        )
        .bind(TOP_MANAGEMENT_CLAUSES[0])
        .bind(TOP_MANAGEMENT_CLAUSES[1])
        .bind(person.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Records a decision by `person` on the risk as its latest assessment stands, with the
    /// authority its residual level demands, freezing what was decided on. An acceptance of
    /// the residual risk is the `risk_accepted` event of the risk-management process.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the risk is not assessed, the decider lacks the
    /// authority, or the input is bad; [`StoreError::Stale`] when the risk moved on.
    pub async fn decide_on_risk(
        &self,
        actor: &Actor,
        id: RiskId,
        expected_version: i64,
        person: PersonId,
        input: DecisionInput,
        as_of: holdfast_core::clock::AsOf,
    ) -> Result<Decision, StoreError> {
        let (today, at) = (as_of.today, as_of.now);
        let input = input.validate(today)?;
        let entry = self.risk(id).await?;
        if entry.risk.version != expected_version {
            return Err(StoreError::Stale("risk"));
        }
        let latest = self
            .risk_assessments(id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ValidationErrors::one("risk", "assess the risk before deciding on it")
            })?;
        let method = self.risk_method(latest.method_version).await?;
        let needed = method
            .method
            .level_by_key(&latest.current_level)
            .map_or(Authority::TopManagement, |l| l.authority);
        let decider = Decider {
            person,
            top_management: self.is_top_management(person).await?,
        };
        let authority = authority_of(decider, entry.risk.owner_id, needed)
            .map_err(|m| ValidationErrors::one("decided_by", m))?;
        let subject = Subject::of(&entry.risk, &latest);
        let d = Decision {
            id: RiskDecisionId::from_uuid(Uuid::now_v7()),
            risk_id: id,
            kind: input.kind,
            decided_by: person,
            authority,
            // As stored: the trail keeps microseconds.
            decided_at: chrono::SubsecRound::trunc_subsecs(at, 6),
            rationale: input.rationale,
            expires_on: input.expires_on,
            subject_sha256: subject.sha256(),
            subject,
        };
        let mut w = self.write(actor).await?;
        sqlx::query(AssertSqlSafe(format!(
            "insert into risk_decision ({DECISION_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(d.id.to_string())
        .bind(id.to_string())
        .bind(d.kind.as_str())
        .bind(person.to_string())
        .bind(d.authority.as_str())
        .bind(time_text(d.decided_at))
        .bind(&d.rationale)
        .bind(date_text(d.expires_on))
        .bind(json_text(&d.subject)?)
        .bind(&d.subject_sha256)
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::to_value(&d).map_err(StoreError::corrupt)?;
        w.record(
            "risk_decision",
            &d.id.to_string(),
            "create",
            None,
            Some(&after),
        )
        .await?;
        if d.kind == DecisionKind::ResidualAcceptance {
            crate::events::emit_designated(
                &mut w,
                EventKind::RiskAccepted,
                ("risk", &id.to_string()),
                &format!("{} {}", entry.risk.reference, entry.risk.title),
                &[
                    ("level", latest.current_level.clone()),
                    ("authority", d.authority.as_str().to_owned()),
                ],
                at,
            )
            .await?;
        }
        w.commit().await?;
        Ok(d)
    }

    /// The register as the readiness engine reads it: every method version, every risk with
    /// its latest assessment and latest residual-risk acceptance. Four queries, whatever the
    /// register's size.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_register(&self) -> Result<Register, StoreError> {
        let methods = self.risk_methods().await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {RISK_COLUMNS} from risk r order by r.number"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut controls: std::collections::HashMap<String, Vec<String>> = Default::default();
        for row in sqlx::query("select risk_id, control from risk_control")
            .fetch_all(&self.pool)
            .await?
        {
            controls
                .entry(row.try_get(0)?)
                .or_default()
                .push(row.try_get(1)?);
        }
        let latest = sqlx::query(AssertSqlSafe(format!(
            "select {} from risk_assessment a join risk r on r.latest_assessment_id = a.id",
            ASSESSMENT_COLUMNS
                .split(", ")
                .map(|c| format!("a.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut latest: std::collections::HashMap<RiskId, Assessment> = latest
            .iter()
            .map(|r| assessment_from(r).map(|a| (a.risk_id, a)))
            .collect::<Result<_, _>>()?;
        let accepted = sqlx::query(AssertSqlSafe(format!(
            "select {DECISION_COLUMNS} from risk_decision d where d.kind = 'residual_acceptance' \
             and d.decided_at = (select max(d2.decided_at) from risk_decision d2 \
                                 where d2.risk_id = d.risk_id and d2.kind = 'residual_acceptance')"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut accepted: std::collections::HashMap<RiskId, Decision> = accepted
            .iter()
            .map(|r| decision_from(r).map(|d| (d.risk_id, d)))
            .collect::<Result<_, _>>()?;
        let mut assets = self.assets_of(None).await?;
        let mut risks = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get(0)?;
            let mut c = controls.remove(&id).unwrap_or_default();
            sort_controls(&mut c);
            let entry = entry_from(row, c, assets.remove(&id).unwrap_or_default())?;
            risks.push(RiskRecord {
                latest: latest.remove(&entry.risk.id),
                acceptance: accepted.remove(&entry.risk.id),
                risk: entry.risk,
            });
        }
        Ok(Register { methods, risks })
    }

    /// How many risks' latest assessments sit in each cell, per method version: inherent
    /// when `inherent`, else the current (residual) rating. One grouped query; the heatmaps
    /// cost the same at any register size.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_heat(&self, inherent: bool) -> Result<Vec<HeatCell>, StoreError> {
        let (l, i) = if inherent {
            ("a.inherent_likelihood", "a.inherent_impact")
        } else {
            ("a.current_likelihood", "a.current_impact")
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select a.method_version, {l}, {i}, count(*) from risk r join risk_assessment a on a.id = r.latest_assessment_id \
             group by a.method_version, {l}, {i}"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HeatCell {
                    method_version: r.try_get(0)?,
                    rating: rating(r.try_get(1)?, r.try_get(2)?)?,
                    risks: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// A risk's decisions, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn risk_decisions(&self, id: RiskId) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {DECISION_COLUMNS} from risk_decision where risk_id = $1 order by decided_at desc, id desc"
        )))
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_from).collect()
    }
}

async fn insert_assessment(w: &mut WriteTx, a: &Assessment) -> Result<(), StoreError> {
    sqlx::query(AssertSqlSafe(format!(
        "insert into risk_assessment ({ASSESSMENT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    )))
    .bind(a.id.to_string())
    .bind(a.risk_id.to_string())
    .bind(a.method_id.to_string())
    .bind(a.method_version)
    .bind(i64::from(a.inherent.likelihood))
    .bind(i64::from(a.inherent.impact))
    .bind(i64::from(a.current.likelihood))
    .bind(i64::from(a.current.impact))
    .bind(a.target.map(|t| i64::from(t.likelihood)))
    .bind(a.target.map(|t| i64::from(t.impact)))
    .bind(&a.inherent_level)
    .bind(&a.current_level)
    .bind(a.target_level.clone())
    .bind(&a.rationale)
    .bind(a.assessor_id.map(|p| p.to_string()))
    .bind(date_text(a.assessed_on))
    .bind(date_text(a.review_due))
    .bind(time_text(a.recorded_at))
    .execute(&mut *w.tx)
    .await?;
    Ok(())
}
