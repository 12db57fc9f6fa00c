//! Listing people.

use holdfast_store::{PersonQuery, PersonSortField};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::people::{PersonDto, StatusDto};
use crate::error::AppError;
use crate::list::{ListParams, Page, SortKey};

impl SortKey for PersonSortField {
    const COLUMNS: &'static [(&'static str, Self)] = &[
        ("name", Self::Name),
        ("email", Self::Email),
        ("department", Self::Department),
        ("employment_status", Self::EmploymentStatus),
        ("start_date", Self::StartDate),
    ];
}

/// The people list's filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersonFilters {
    /// Only people in this employment status.
    pub status: Option<StatusDto>,
    /// Only people in this department (exact).
    pub department: Option<String>,
}

/// The people list's parameters.
pub type PeopleParams = ListParams<PersonSortField, PersonFilters>;

/// One page of people: search by word prefix over name, email and department.
///
/// # Errors
/// [`AppError::Internal`] when the store fails.
pub async fn list(st: &AppState, p: &PeopleParams) -> Result<Page<PersonDto>, AppError> {
    let after = p.after_pair::<String, _>()?;
    let q = PersonQuery {
        search: p.q.clone(),
        status: p.filters.status.map(Into::into),
        department: p.filters.department.clone(),
        sort: p.sort,
        descending: p.descending,
        after,
        limit: p.fetch(),
    };
    let page = st.store.list_people(&q).await?;
    Ok(p.page(
        page.items,
        page.total,
        |last| vec![p.sort.value_of(last), last.id.to_string()],
        |x| PersonDto::from(&x),
    ))
}

/// The person a form's picker names by work email; `None` when the field was left empty.
///
/// # Errors
/// 422 on `field` when nobody in the people list has that email.
pub async fn by_email(
    st: &AppState,
    field: &str,
    typed: &str,
) -> Result<Option<holdfast_core::person::Person>, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match st.store.person_by_email(typed).await? {
        Some(p) => Ok(Some(p)),
        None => Err(AppError::invalid(
            field,
            format!(
                "nobody in the people list has the work email \u{201c}{}\u{201d}; type a name and pick from the suggestions",
                typed.chars().take(100).collect::<String>()
            ),
        )),
    }
}

/// The names of the people with `ids`, read in one query, for lists that show who.
///
/// # Errors
/// [`AppError::Internal`] when the store fails.
pub async fn names(
    st: &AppState,
    ids: impl IntoIterator<Item = holdfast_core::ids::PersonId>,
) -> Result<
    std::collections::HashMap<holdfast_core::ids::PersonId, holdfast_core::person::Person>,
    AppError,
> {
    let mut ids: Vec<String> = ids.into_iter().map(|i| i.to_string()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(st
        .store
        .people_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Dispatches the events a write just raised (a person left, say) in the same request, so the
/// page can say what work it triggered instead of leaving it to the worker's next tick.
/// Returns the message to show.
///
/// # Errors
/// [`AppError::Internal`] when the store fails; the write itself has committed by then.
pub async fn dispatch_now(st: &AppState, saved: &str) -> Result<String, AppError> {
    let created = st
        .store
        .dispatch_events(&holdfast_store::Actor::System("dispatcher"), 100)
        .await?;
    Ok(match created {
        0 => format!("Saved {saved}."),
        1 => format!("Saved {saved}. 1 task was created by an interaction rule: see Tasks."),
        n => format!("Saved {saved}. {n} tasks were created by interaction rules: see Tasks."),
    })
}
