//! The context registers of clauses 4.1 and 4.2 and the scope's versions (4.3).
//!
//! The registers are live rows; the audit trail written in each change's transaction is
//! their history, so [`Store::context_changes`] answers "what changed since the last
//! management review" from the same events an auditor verifies. Scope versions and their
//! approvals are only ever inserted (see [`crate::guards`]).

use chrono::{DateTime, Utc};
use holdfast_core::ValidationErrors;
use holdfast_core::audit::StoredEvent;
use holdfast_core::context::{
    ContextState, Issue, IssueFields, Party, PartyFields, Requirement, RequirementFields, Scope,
    ScopeApproval, ScopeDraft, ScopeVersion,
};
use holdfast_core::ids::{ContextIssueId, InterestedPartyId, PersonId, ProcessId, RequirementId};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::rows::{
    date_text, from_json_text, json_text, now_text, parse_date, parse_id, parse_opt_id, parse_time,
    time_text,
};
use crate::{Actor, Store, StoreError, WriteTx};

/// The record kinds whose history is the context's history.
pub const CONTEXT_RECORDS: [&str; 3] = ["context_issue", "interested_party", "requirement"];

/// The reference people cite for issue `number`.
#[must_use]
pub fn issue_reference(number: i64) -> String {
    format!("I-{number:03}")
}

const ISSUE_COLUMNS: &str =
    "id, number, kind, category, title, effect, owner_id, review_due, active, version";
const PARTY_COLUMNS: &str = "id, name, kind, expectations, owner_id, review_due, active, version";
const REQUIREMENT_COLUMNS: &str = "id, party_id, kind, citation, text, version, created_at";

fn issue_from(r: &AnyRow) -> Result<Issue, StoreError> {
    Ok(Issue {
        id: parse_id(&r.try_get::<String, _>(0)?)?,
        reference: issue_reference(r.try_get(1)?),
        kind: r
            .try_get::<String, _>(2)?
            .parse()
            .map_err(StoreError::corrupt)?,
        category: r
            .try_get::<String, _>(3)?
            .parse()
            .map_err(StoreError::corrupt)?,
        title: r.try_get(4)?,
        effect: r.try_get(5)?,
        owner_id: parse_opt_id(r.try_get(6)?)?,
        review_due: parse_date(&r.try_get::<String, _>(7)?)?,
        active: r.try_get::<i64, _>(8)? == 1,
        version: r.try_get(9)?,
    })
}

fn party_from(r: &AnyRow) -> Result<Party, StoreError> {
    Ok(Party {
        id: parse_id(&r.try_get::<String, _>(0)?)?,
        name: r.try_get(1)?,
        kind: r
            .try_get::<String, _>(2)?
            .parse()
            .map_err(StoreError::corrupt)?,
        expectations: r.try_get(3)?,
        owner_id: parse_opt_id(r.try_get(4)?)?,
        review_due: parse_date(&r.try_get::<String, _>(5)?)?,
        active: r.try_get::<i64, _>(6)? == 1,
        version: r.try_get(7)?,
    })
}

fn json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(v).map_err(StoreError::corrupt)
}

async fn organisation_id(store: &Store) -> Result<String, StoreError> {
    let org = store
        .organisation()
        .await?
        .ok_or_else(|| ValidationErrors::one("organisation", "create the organisation first"))?;
    Ok(org.id.to_string())
}

impl Store {
    /// Records an internal or external issue as the next `I-nnn`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad field or owner.
    pub async fn create_issue(
        &self,
        actor: &Actor,
        fields: IssueFields,
    ) -> Result<Issue, StoreError> {
        let f = fields.validate()?;
        let org = organisation_id(self).await?;
        let mut w = self.write(actor).await?;
        crate::risks::check_links(&mut w, f.owner_id, None).await?;
        let last: Option<i64> = sqlx::query_scalar("select max(number) from context_issue")
            .fetch_one(&mut *w.tx)
            .await?;
        let number = last.unwrap_or(0) + 1;
        let issue = Issue {
            id: ContextIssueId::from_uuid(Uuid::now_v7()),
            reference: issue_reference(number),
            kind: f.kind,
            category: f.category,
            title: f.title,
            effect: f.effect,
            owner_id: f.owner_id,
            review_due: f.review_due,
            active: f.active,
            version: 1,
        };
        let now = now_text();
        sqlx::query(
            "insert into context_issue (id, organisation_id, number, kind, category, title, effect, owner_id, review_due, active, version, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
        )
        .bind(issue.id.to_string())
        .bind(org)
        .bind(number)
        .bind(issue.kind.as_str())
        .bind(issue.category.as_str())
        .bind(&issue.title)
        .bind(&issue.effect)
        .bind(issue.owner_id.map(|p| p.to_string()))
        .bind(date_text(issue.review_due))
        .bind(i64::from(issue.active))
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "context_issue",
            &issue.id.to_string(),
            "create",
            None,
            Some(&json(&issue)?),
        )
        .await?;
        w.commit().await?;
        Ok(issue)
    }

    /// Replaces an issue's fields (a review is a change of its review date), if it is still
    /// at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`], or as [`Store::create_issue`].
    pub async fn update_issue(
        &self,
        actor: &Actor,
        id: ContextIssueId,
        expected_version: i64,
        fields: IssueFields,
    ) -> Result<Issue, StoreError> {
        let f = fields.validate()?;
        let before = self.issue(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("issue"));
        }
        let mut w = self.write(actor).await?;
        crate::risks::check_links(&mut w, f.owner_id, None).await?;
        let after = Issue {
            kind: f.kind,
            category: f.category,
            title: f.title,
            effect: f.effect,
            owner_id: f.owner_id,
            review_due: f.review_due,
            active: f.active,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = sqlx::query(
            "update context_issue set kind = $1, category = $2, title = $3, effect = $4, owner_id = $5, review_due = $6, active = $7, \
             version = version + 1, updated_at = $8 where id = $9 and version = $10",
        )
        .bind(after.kind.as_str())
        .bind(after.category.as_str())
        .bind(&after.title)
        .bind(&after.effect)
        .bind(after.owner_id.map(|p| p.to_string()))
        .bind(date_text(after.review_due))
        .bind(i64::from(after.active))
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("issue"));
        }
        w.record(
            "context_issue",
            &id.to_string(),
            "update",
            Some(&json(&before)?),
            Some(&json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// One issue.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn issue(&self, id: ContextIssueId) -> Result<Issue, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "select {ISSUE_COLUMNS} from context_issue where id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("issue"))?;
        issue_from(&row)
    }

    /// Every issue, retired ones included, by reference. The register is the organisation's
    /// few dozen issues, not a list that grows with its size.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn issues(&self) -> Result<Vec<Issue>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {ISSUE_COLUMNS} from context_issue order by number"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(issue_from).collect()
    }

    /// Records an interested party.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad field or owner.
    pub async fn create_party(
        &self,
        actor: &Actor,
        fields: PartyFields,
    ) -> Result<Party, StoreError> {
        let f = fields.validate()?;
        let org = organisation_id(self).await?;
        let mut w = self.write(actor).await?;
        crate::risks::check_links(&mut w, f.owner_id, None).await?;
        let party = Party {
            id: InterestedPartyId::from_uuid(Uuid::now_v7()),
            name: f.name,
            kind: f.kind,
            expectations: f.expectations,
            owner_id: f.owner_id,
            review_due: f.review_due,
            active: f.active,
            version: 1,
        };
        let now = now_text();
        sqlx::query(
            "insert into interested_party (id, organisation_id, name, kind, expectations, owner_id, review_due, active, version, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
        )
        .bind(party.id.to_string())
        .bind(org)
        .bind(&party.name)
        .bind(party.kind.as_str())
        .bind(&party.expectations)
        .bind(party.owner_id.map(|p| p.to_string()))
        .bind(date_text(party.review_due))
        .bind(i64::from(party.active))
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        w.record(
            "interested_party",
            &party.id.to_string(),
            "create",
            None,
            Some(&json(&party)?),
        )
        .await?;
        w.commit().await?;
        Ok(party)
    }

    /// Replaces a party's fields, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`], or as [`Store::create_party`].
    pub async fn update_party(
        &self,
        actor: &Actor,
        id: InterestedPartyId,
        expected_version: i64,
        fields: PartyFields,
    ) -> Result<Party, StoreError> {
        let f = fields.validate()?;
        let before = self.party(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("interested party"));
        }
        let mut w = self.write(actor).await?;
        crate::risks::check_links(&mut w, f.owner_id, None).await?;
        let after = Party {
            name: f.name,
            kind: f.kind,
            expectations: f.expectations,
            owner_id: f.owner_id,
            review_due: f.review_due,
            active: f.active,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = sqlx::query(
            "update interested_party set name = $1, kind = $2, expectations = $3, owner_id = $4, review_due = $5, active = $6, \
             version = version + 1, updated_at = $7 where id = $8 and version = $9",
        )
        .bind(&after.name)
        .bind(after.kind.as_str())
        .bind(&after.expectations)
        .bind(after.owner_id.map(|p| p.to_string()))
        .bind(date_text(after.review_due))
        .bind(i64::from(after.active))
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("interested party"));
        }
        w.record(
            "interested_party",
            &id.to_string(),
            "update",
            Some(&json(&before)?),
            Some(&json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// One party.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn party(&self, id: InterestedPartyId) -> Result<Party, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "select {PARTY_COLUMNS} from interested_party where id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("interested party"))?;
        party_from(&row)
    }

    /// Every party, retired ones included, by name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn parties(&self) -> Result<Vec<Party>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {PARTY_COLUMNS} from interested_party order by name, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(party_from).collect()
    }

    /// Records a requirement of `party` and what addresses it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown party; [`StoreError::Invalid`] for a bad
    /// field, control or process.
    pub async fn add_requirement(
        &self,
        actor: &Actor,
        party: InterestedPartyId,
        fields: RequirementFields,
    ) -> Result<Requirement, StoreError> {
        let f = fields.validate()?;
        self.party(party).await?;
        let mut w = self.write(actor).await?;
        check_processes(&mut w, &f.process_ids).await?;
        let now = crate::clock::now();
        let r = Requirement {
            id: RequirementId::from_uuid(Uuid::now_v7()),
            party_id: party,
            kind: f.kind,
            citation: f.citation,
            text: f.text,
            controls: f.controls,
            process_ids: f.process_ids,
            recorded_on: now.date_naive(),
            version: 1,
        };
        sqlx::query(
            "insert into requirement (id, party_id, kind, citation, text, version, created_at, updated_at) values ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(r.id.to_string())
        .bind(party.to_string())
        .bind(r.kind.as_str())
        .bind(&r.citation)
        .bind(&r.text)
        .bind(time_text(now))
        .execute(&mut *w.tx)
        .await?;
        write_links(&mut w, r.id, &r.controls, &r.process_ids).await?;
        w.record(
            "requirement",
            &r.id.to_string(),
            "create",
            None,
            Some(&json(&r)?),
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }

    /// Replaces a requirement's fields and links, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`StoreError::Stale`], [`StoreError::NotFound`], or as [`Store::add_requirement`].
    pub async fn update_requirement(
        &self,
        actor: &Actor,
        id: RequirementId,
        expected_version: i64,
        fields: RequirementFields,
    ) -> Result<Requirement, StoreError> {
        let f = fields.validate()?;
        let before = self.requirement(id).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale("requirement"));
        }
        let mut w = self.write(actor).await?;
        check_processes(&mut w, &f.process_ids).await?;
        let after = Requirement {
            kind: f.kind,
            citation: f.citation,
            text: f.text,
            controls: f.controls,
            process_ids: f.process_ids,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = sqlx::query(
            "update requirement set kind = $1, citation = $2, text = $3, version = version + 1, updated_at = $4 where id = $5 and version = $6",
        )
        .bind(after.kind.as_str())
        .bind(&after.citation)
        .bind(&after.text)
        .bind(now_text())
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Stale("requirement"));
        }
        write_links(&mut w, id, &after.controls, &after.process_ids).await?;
        w.record(
            "requirement",
            &id.to_string(),
            "update",
            Some(&json(&before)?),
            Some(&json(&after)?),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// One requirement with its links.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn requirement(&self, id: RequirementId) -> Result<Requirement, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "select {REQUIREMENT_COLUMNS} from requirement where id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("requirement"))?;
        let mut all = self.requirements_from(vec![row]).await?;
        all.pop().ok_or(StoreError::NotFound("requirement"))
    }

    /// Every requirement with its links, by party and then as recorded.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn requirements(&self) -> Result<Vec<Requirement>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "select {REQUIREMENT_COLUMNS} from requirement order by party_id, created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        self.requirements_from(rows).await
    }

    async fn requirements_from(&self, rows: Vec<AnyRow>) -> Result<Vec<Requirement>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(Requirement {
                id: parse_id(&r.try_get::<String, _>(0)?)?,
                party_id: parse_id(&r.try_get::<String, _>(1)?)?,
                kind: r
                    .try_get::<String, _>(2)?
                    .parse()
                    .map_err(StoreError::corrupt)?,
                citation: r.try_get(3)?,
                text: r.try_get(4)?,
                controls: vec![],
                process_ids: vec![],
                version: r.try_get(5)?,
                recorded_on: parse_time(&r.try_get::<String, _>(6)?)?.date_naive(),
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let index: std::collections::HashMap<RequirementId, usize> =
            out.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        // One query per link table for every requirement: the register is small.
        for row in sqlx::query("select requirement_id, control from requirement_control")
            .fetch_all(&self.pool)
            .await?
        {
            let id: RequirementId = parse_id(&row.try_get::<String, _>(0)?)?;
            if let Some(&i) = index.get(&id) {
                out[i].controls.push(row.try_get(1)?);
            }
        }
        for row in sqlx::query("select requirement_id, process_id from requirement_process")
            .fetch_all(&self.pool)
            .await?
        {
            let id: RequirementId = parse_id(&row.try_get::<String, _>(0)?)?;
            if let Some(&i) = index.get(&id) {
                out[i]
                    .process_ids
                    .push(parse_id(&row.try_get::<String, _>(1)?)?);
            }
        }
        for r in &mut out {
            r.controls
                .sort_by_key(|c| holdfast_core::catalog::control_order(c));
            r.process_ids.sort();
        }
        Ok(out)
    }

    /// The changes to the issues, parties and requirements at or after `since`, oldest
    /// first: the 9.3.2 b) and c) input of a management review.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn context_changes(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "select seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash \
             from audit_event where entity_type in ($1, $2, $3) and occurred_at >= $4 order by seq limit 1000",
        )
        .bind(CONTEXT_RECORDS[0])
        .bind(CONTEXT_RECORDS[1])
        .bind(CONTEXT_RECORDS[2])
        .bind(time_text(since))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(crate::audit::stored_event)
            .collect::<Result<_, _>>()?)
    }

    /// Proposes the next version of the scope, frozen with its SHA-256.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad statement or line (an exclusion without a
    /// justification, a process that does not exist).
    pub async fn propose_scope(
        &self,
        actor: &Actor,
        by: Option<PersonId>,
        draft: ScopeDraft,
    ) -> Result<ScopeVersion, StoreError> {
        let scope = draft.validate()?;
        let org = organisation_id(self).await?;
        let mut w = self.write(actor).await?;
        let processes: Vec<ProcessId> = scope
            .entries
            .iter()
            .filter_map(|e| match e.element {
                holdfast_core::context::Element::Process { process_id } => process_id,
                _ => None,
            })
            .collect();
        check_processes(&mut w, &processes).await?;
        let last: Option<i64> = sqlx::query_scalar("select max(number) from scope_version")
            .fetch_one(&mut *w.tx)
            .await?;
        let v = ScopeVersion {
            number: last.unwrap_or(0) + 1,
            sha256: scope.digest(),
            scope,
            proposed_by: by,
            proposed_at: chrono::SubsecRound::trunc_subsecs(crate::clock::now(), 6),
            approval: None,
        };
        sqlx::query(
            "insert into scope_version (number, organisation_id, scope_json, sha256, proposed_by, proposed_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(v.number)
        .bind(org)
        .bind(json_text(&v.scope)?)
        .bind(&v.sha256)
        .bind(by.map(|p| p.to_string()))
        .bind(time_text(v.proposed_at))
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::json!({
            "number": v.number, "sha256": v.sha256, "proposed_by": by,
            "entries": v.scope.entries.len(), "exclusions": v.scope.exclusions().count(),
        });
        w.record(
            "scope_version",
            &v.number.to_string(),
            "propose",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(v)
    }

    /// Top management's approval of scope version `number`, of the content whose SHA-256
    /// the approver saw: the version in force becomes this one.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when `person` is not top management, the hash is not the
    /// version's, or the version is already approved; [`StoreError::NotFound`].
    pub async fn approve_scope(
        &self,
        actor: &Actor,
        number: i64,
        person: PersonId,
        sha256: &str,
    ) -> Result<ScopeVersion, StoreError> {
        let v = self.scope_version(number).await?;
        let mut e = ValidationErrors::default();
        if v.approval.is_some() {
            e.push(
                "number",
                format!("scope version {number} is already approved"),
            );
        }
        if v.sha256 != sha256.trim() {
            e.push(
                "sha256",
                "this is not the SHA-256 of the version as proposed; reload it and approve what you read",
            );
        }
        if !self.is_top_management(person).await? {
            e.push(
                "approved_by",
                "only top management (the owner or deputy of the leadership or management-review process) approves the scope",
            );
        }
        if !e.errors.is_empty() {
            return Err(e.into());
        }
        let at = chrono::SubsecRound::trunc_subsecs(crate::clock::now(), 6);
        let mut w = self.write(actor).await?;
        sqlx::query(
            "insert into scope_approval (number, sha256, approved_by, approved_at) values ($1, $2, $3, $4)",
        )
        .bind(number)
        .bind(&v.sha256)
        .bind(person.to_string())
        .bind(time_text(at))
        .execute(&mut *w.tx)
        .await?;
        let after = serde_json::json!({
            "number": number, "sha256": v.sha256, "approved_by": person,
        });
        w.record(
            "scope_version",
            &number.to_string(),
            "approve",
            None,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(ScopeVersion {
            approval: Some(ScopeApproval {
                approved_by: person,
                approved_at: at,
            }),
            ..v
        })
    }

    /// Every scope version with its approval, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn scope_versions(&self) -> Result<Vec<ScopeVersion>, StoreError> {
        let rows = sqlx::query(
            "select v.number, v.scope_json, v.sha256, v.proposed_by, v.proposed_at, a.approved_by, a.approved_at \
             from scope_version v left join scope_approval a on a.number = v.number order by v.number",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(scope_from).collect()
    }

    /// One scope version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn scope_version(&self, number: i64) -> Result<ScopeVersion, StoreError> {
        let row = sqlx::query(
            "select v.number, v.scope_json, v.sha256, v.proposed_by, v.proposed_at, a.approved_by, a.approved_at \
             from scope_version v left join scope_approval a on a.number = v.number where v.number = $1",
        )
        .bind(number)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("scope version"))?;
        scope_from(&row)
    }

    /// The registers and the scope, for the readiness engine.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn context_state(&self) -> Result<ContextState, StoreError> {
        Ok(ContextState {
            issues: self.issues().await?,
            parties: self.parties().await?,
            requirements: self.requirements().await?,
            scopes: self.scope_versions().await?,
        })
    }

    /// Control → the requirements it addresses, as the SoA's reason lines.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub(crate) async fn obligations(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<String>>, StoreError> {
        let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
        let rows = sqlx::query(
            "select c.control, r.kind, r.citation, p.name from requirement_control c \
             join requirement r on r.id = c.requirement_id join interested_party p on p.id = r.party_id \
             where p.active = 1 order by p.name, r.citation",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let kind: holdfast_core::context::RequirementKind = row
                .try_get::<String, _>(1)?
                .parse()
                .map_err(StoreError::corrupt)?;
            let citation: String = row.try_get(2)?;
            let party: String = row.try_get(3)?;
            out.entry(row.try_get(0)?)
                .or_default()
                .push(kind.reason(&citation, &party));
        }
        Ok(out)
    }
}

fn scope_from(r: &AnyRow) -> Result<ScopeVersion, StoreError> {
    let scope: Scope = from_json_text(&r.try_get::<String, _>(1)?)?;
    let approved_by: Option<String> = r.try_get(5)?;
    let approved_at: Option<String> = r.try_get(6)?;
    let approval = match (approved_by, approved_at) {
        (Some(by), Some(at)) => Some(ScopeApproval {
            approved_by: parse_id(&by)?,
            approved_at: parse_time(&at)?,
        }),
        _ => None,
    };
    Ok(ScopeVersion {
        number: r.try_get(0)?,
        scope,
        sha256: r.try_get(2)?,
        proposed_by: parse_opt_id(r.try_get(3)?)?,
        proposed_at: parse_time(&r.try_get::<String, _>(4)?)?,
        approval,
    })
}

async fn check_processes(w: &mut WriteTx, ids: &[ProcessId]) -> Result<(), StoreError> {
    let mut e = ValidationErrors::default();
    for (n, id) in ids.iter().enumerate() {
        let found: i64 = sqlx::query_scalar("select count(*) from process where id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *w.tx)
            .await?;
        if found == 0 {
            e.push(
                &format!("process_ids[{n}]"),
                "no process with this id exists",
            );
        }
    }
    e.into_result(|| ()).map_err(Into::into)
}

async fn write_links(
    w: &mut WriteTx,
    id: RequirementId,
    controls: &[String],
    processes: &[ProcessId],
) -> Result<(), StoreError> {
    for table in ["requirement_control", "requirement_process"] {
        sqlx::query(AssertSqlSafe(format!(
            "delete from {table} where requirement_id = $1"
        )))
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
    }
    for c in controls {
        sqlx::query("insert into requirement_control (requirement_id, control) values ($1, $2)")
            .bind(id.to_string())
            .bind(c)
            .execute(&mut *w.tx)
            .await?;
    }
    for p in processes {
        sqlx::query("insert into requirement_process (requirement_id, process_id) values ($1, $2)")
            .bind(id.to_string())
            .bind(p.to_string())
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(())
}
