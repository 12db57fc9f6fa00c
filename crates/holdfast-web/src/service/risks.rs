//! Listing the risk register.

use chrono::NaiveDate;
use holdfast_store::{RiskOrder, RiskQuery};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::risks::RegisterEntryDto;
use crate::error::AppError;
use crate::list::{ListParams, Page, SortKey};

impl SortKey for RiskOrder {
    const COLUMNS: &'static [(&'static str, Self)] =
        &[("reference", Self::Reference), ("level", Self::Level)];
}

/// The register's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFilters {
    /// Only risks owned by this person (id).
    pub owner_id: Option<String>,
    /// Only risks with this treatment option.
    pub treatment: Option<String>,
    /// Only risks at this residual level (a level key of the method).
    pub level: Option<String>,
    /// Only risks whose review is due before this day; today's date lists the overdue.
    pub review_due_before: Option<NaiveDate>,
}

/// The register's parameters.
pub type RiskParams = ListParams<RiskOrder, RiskFilters>;

/// The store's query for these parameters, the filters checked.
///
/// # Errors
/// 422 naming the filter that does not parse, or a descending sort.
pub fn query(p: &RiskParams) -> Result<RiskQuery, AppError> {
    let mut e = holdfast_core::ValidationErrors::default();
    if p.descending {
        e.push(
            "sort",
            "the register sorts by reference (R-001 first) or by level (highest first); drop the '-'",
        );
    }
    let owner_id = p.filters.owner_id.as_deref().and_then(|s| {
        s.parse()
            .map_err(|_| e.push("owner_id", "owner_id must be a person id"))
            .ok()
    });
    let treatment = p
        .filters
        .treatment
        .as_deref()
        .and_then(|s| s.parse().map_err(|m: String| e.push("treatment", m)).ok());
    let after = p.after_pair::<i64, i64>()?;
    if !e.errors.is_empty() {
        return Err(AppError::Invalid(e));
    }
    Ok(RiskQuery {
        owner_id,
        treatment,
        level: p.filters.level.clone(),
        review_before: p.filters.review_due_before,
        search: p.q.clone(),
        order: p.sort,
        after,
        limit: p.fetch(),
    })
}

/// One page of the register and its total.
///
/// # Errors
/// As [`query`]; [`AppError::Internal`] when the store fails.
pub async fn list(st: &AppState, p: &RiskParams) -> Result<Page<RegisterEntryDto>, AppError> {
    let q = query(p)?;
    let rows = st.store.risk_page(&q).await?;
    let total = st.store.count_risks(&q).await?;
    let order = p.sort;
    Ok(p.page(
        rows,
        total,
        |last| {
            let rank = match order {
                RiskOrder::Reference => 0,
                RiskOrder::Level => last.rank,
            };
            vec![rank.to_string(), last.number.to_string()]
        },
        |e| RegisterEntryDto::from(&e),
    ))
}
