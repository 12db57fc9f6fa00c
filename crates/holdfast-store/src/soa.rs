//! The Statement of Applicability: decisions per control, the links its reasons are
//! derived from, and its published versions (inserted only; see [`crate::guards`]).

use holdfast_core::ValidationErrors;
use holdfast_core::ids::PersonId;
use holdfast_core::soa::{self, Applicability, Decision, DecisionInput, Links, Row, Version};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::rows::{json_text, now_text, parse_opt_id, parse_time, time_text};
use crate::{Actor, Store, StoreError, WriteTx};

const COLUMNS: &str =
    "control, applicable, status, best_practice, justification, owner_id, version";

fn decision_from(r: &AnyRow) -> Result<Decision, StoreError> {
    let applicable: i64 = r.try_get(1)?;
    let status: Option<String> = r.try_get(2)?;
    let applicability = match (applicable, status) {
        (1, Some(s)) => Applicability::Included {
            status: s.parse().map_err(StoreError::corrupt)?,
            best_practice: r.try_get::<i64, _>(3)? == 1,
        },
        (0, None) => Applicability::Excluded,
        other => return Err(StoreError::corrupt(format!("SoA decision {other:?}"))),
    };
    Ok(Decision {
        control: r.try_get(0)?,
        applicability,
        justification: r.try_get(4)?,
        owner_id: parse_opt_id(r.try_get(5)?)?,
        version: r.try_get(6)?,
    })
}

fn version_from(r: &AnyRow) -> Result<Version, StoreError> {
    Ok(Version {
        number: r.try_get(0)?,
        rows: serde_json::from_str(&r.try_get::<String, _>(1)?).map_err(StoreError::corrupt)?,
        sha256: r.try_get(2)?,
        published_by: parse_opt_id(r.try_get(3)?)?,
        published_at: parse_time(&r.try_get::<String, _>(4)?)?,
    })
}

impl Store {
    /// Every control's decision (controls without one are undecided).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn soa_decisions(&self) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from soa_decision order by control"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_from).collect()
    }

    /// Records the decision on `control`: a first decision when `expected_version` is
    /// `None`, otherwise a change of the decision at that version.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad decision or owner; [`StoreError::Stale`] when the
    /// decision moved on (or already exists when a first one was meant).
    pub async fn decide_control(
        &self,
        actor: &Actor,
        control: &str,
        expected_version: Option<i64>,
        input: DecisionInput,
    ) -> Result<Decision, StoreError> {
        let mut done = self
            .decide_controls(actor, vec![(control.to_owned(), expected_version, input)])
            .await?;
        done.pop().ok_or(StoreError::NotFound("SoA decision"))
    }

    /// Records several decisions in one transaction: all of them or none.
    ///
    /// # Errors
    /// As [`Store::decide_control`], for the first that fails.
    pub async fn decide_controls(
        &self,
        actor: &Actor,
        decisions: Vec<(String, Option<i64>, DecisionInput)>,
    ) -> Result<Vec<Decision>, StoreError> {
        let org = self.organisation().await?.ok_or_else(|| {
            ValidationErrors::one("organisation", "create the organisation first")
        })?;
        let mut checked = Vec::with_capacity(decisions.len());
        for (control, expected, input) in decisions {
            let owner_id = input.owner_id;
            let (control, applicability, justification) = input.validate(&control)?;
            checked.push((control, expected, applicability, justification, owner_id));
        }
        let mut w = self.write(actor).await?;
        let mut out = Vec::with_capacity(checked.len());
        for (control, expected_version, applicability, justification, owner_id) in checked {
            crate::risks::check_links(&mut w, owner_id, None).await?;
            out.push(
                write_decision(
                    &mut w,
                    &org.id.to_string(),
                    control,
                    expected_version,
                    applicability,
                    justification,
                    owner_id,
                )
                .await?,
            );
        }
        w.commit().await?;
        Ok(out)
    }

    /// What the SoA derives from: the risks citing each control, the processes in operation
    /// implementing it, and the names of the decisions' owners.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn soa_links(&self) -> Result<Links, StoreError> {
        let mut links = Links::default();
        for r in sqlx::query(
            "select c.control, r.number from risk_control c join risk r on r.id = c.risk_id order by r.number",
        )
        .fetch_all(&self.pool)
        .await?
        {
            links
                .risks
                .entry(r.try_get(0)?)
                .or_default()
                .push(crate::risks::reference(r.try_get(1)?));
        }
        for r in sqlx::query(
            "select c.control, p.name from process_control c join process p on p.id = c.process_id \
             where p.status = 'active' order by p.name",
        )
        .fetch_all(&self.pool)
        .await?
        {
            links
                .processes
                .entry(r.try_get(0)?)
                .or_default()
                .push(r.try_get(1)?);
        }
        links.obligations = self.obligations().await?;
        let owners: Vec<String> = sqlx::query_scalar(
            "select distinct owner_id from soa_decision where owner_id is not null",
        )
        .fetch_all(&self.pool)
        .await?;
        links.names = self
            .people_by_ids(&owners)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        Ok(links)
    }

    /// The live SoA, one row per control.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn soa_rows(&self) -> Result<Vec<Row>, StoreError> {
        let decisions = self.soa_decisions().await?;
        let links = self.soa_links().await?;
        Ok(soa::rows(&decisions, &links))
    }

    /// Publishes the live SoA as the next version, approved by `by`: its rows frozen with
    /// their SHA-256.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] while any control is undecided (naming them).
    pub async fn publish_soa(
        &self,
        actor: &Actor,
        by: Option<PersonId>,
    ) -> Result<Version, StoreError> {
        let org = self.organisation().await?.ok_or_else(|| {
            ValidationErrors::one("organisation", "create the organisation first")
        })?;
        let mut w = self.write(actor).await?;
        // Read inside the write so the frozen rows are the ones the lock holder saw.
        let rows = self.soa_rows().await?;
        let open: Vec<&str> = soa::undecided(&rows)
            .iter()
            .map(|r| r.control.as_str())
            .collect();
        if !open.is_empty() {
            let shown: Vec<&str> = open.iter().take(10).copied().collect();
            return Err(ValidationErrors::one(
                "controls",
                format!(
                    "{} control(s) have no decision yet ({}{}); decide every control before publishing",
                    open.len(),
                    shown.join(", "),
                    if open.len() > shown.len() { ", …" } else { "" }
                ),
            )
            .into());
        }
        let last: Option<i64> = sqlx::query_scalar("select max(number) from soa_version")
            .fetch_one(&mut *w.tx)
            .await?;
        let v = Version {
            number: last.unwrap_or(0) + 1,
            sha256: soa::digest(&rows),
            rows,
            published_by: by,
            published_at: chrono::SubsecRound::trunc_subsecs(crate::clock::now(), 6),
        };
        sqlx::query(
            "insert into soa_version (number, organisation_id, rows_json, sha256, published_by, published_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(v.number)
        .bind(org.id.to_string())
        .bind(json_text(&v.rows)?)
        .bind(&v.sha256)
        .bind(by.map(|p| p.to_string()))
        .bind(time_text(v.published_at))
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::json!({
            "number": v.number, "sha256": v.sha256, "published_by": by, "controls": v.rows.len(),
        });
        w.record(
            "soa_version",
            &v.number.to_string(),
            "publish",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(v)
    }

    /// Every published version, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn soa_versions(&self) -> Result<Vec<Version>, StoreError> {
        let rows = sqlx::query(
            "select number, rows_json, sha256, published_by, published_at from soa_version order by number desc",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from).collect()
    }

    /// The newest published version, if any.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn latest_soa_version(&self) -> Result<Option<Version>, StoreError> {
        let row = sqlx::query(
            "select number, rows_json, sha256, published_by, published_at from soa_version order by number desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(version_from).transpose()
    }

    /// One published version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn soa_version(&self, number: i64) -> Result<Version, StoreError> {
        let row = sqlx::query(
            "select number, rows_json, sha256, published_by, published_at from soa_version where number = $1",
        )
        .bind(number)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("SoA version"))?;
        version_from(&row)
    }
}

async fn write_decision(
    w: &mut WriteTx,
    org: &str,
    control: String,
    expected_version: Option<i64>,
    applicability: Applicability,
    justification: String,
    owner_id: Option<PersonId>,
) -> Result<Decision, StoreError> {
    let before = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from soa_decision where control = $1"
    )))
    .bind(&control)
    .fetch_optional(&mut *w.tx)
    .await?
    .as_ref()
    .map(decision_from)
    .transpose()?;
    let (status, best_practice) = match applicability {
        Applicability::Included {
            status,
            best_practice,
        } => (Some(status.as_str()), i64::from(best_practice)),
        Applicability::Excluded => (None, 0),
    };
    let applicable = i64::from(matches!(applicability, Applicability::Included { .. }));
    let now = now_text();
    let version = match (&before, expected_version) {
        (None, None) => {
            sqlx::query(
                "insert into soa_decision (control, organisation_id, applicable, status, best_practice, justification, owner_id, version, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
            )
            .bind(&control)
            .bind(org)
            .bind(applicable)
            .bind(status)
            .bind(best_practice)
            .bind(&justification)
            .bind(owner_id.map(|p| p.to_string()))
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
            1
        }
        (Some(b), Some(v)) if b.version == v => {
            sqlx::query(
                "update soa_decision set applicable = $1, status = $2, best_practice = $3, justification = $4, owner_id = $5, \
                 version = version + 1, updated_at = $6 where control = $7 and version = $8",
            )
            .bind(applicable)
            .bind(status)
            .bind(best_practice)
            .bind(&justification)
            .bind(owner_id.map(|p| p.to_string()))
            .bind(&now)
            .bind(&control)
            .bind(v)
            .execute(&mut *w.tx)
            .await?;
            v + 1
        }
        _ => return Err(StoreError::Stale("SoA decision")),
    };
    let after = Decision {
        control,
        applicability,
        justification,
        owner_id,
        version,
    };
    let before_json = before
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(StoreError::corrupt)?;
    let after_json = serde_json::to_value(&after).map_err(StoreError::corrupt)?;
    w.record(
        "soa_decision",
        &after.control,
        if before.is_some() { "update" } else { "create" },
        before_json.as_ref(),
        Some(&after_json),
    )
    .await?;
    Ok(after)
}
