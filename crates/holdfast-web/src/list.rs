//! The list kit: every list, in the API and on pages, reads its parameters through
//! [`ListParams`] (`limit`, an opaque cursor, `sort`, `q` and the list's own filters), pages by
//! one keyset algorithm ([`ListParams::page`]) and answers one shape ([`Page`]). Pages build
//! their pager, sortable headers and search box from the same parameters, so each keeps the
//! others' state.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use holdfast_store::Total;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: u32 = 500;
/// The longest search text accepted; no name or title is longer.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The columns a list may be sorted by, each with the name the API and the pages use.
pub trait SortKey: Copy + Default + PartialEq + Send + Sync + 'static {
    /// Every column in the order headers show them; the first is the default.
    const COLUMNS: &'static [(&'static str, Self)];

    /// The column's API name.
    fn name(self) -> &'static str {
        Self::COLUMNS
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| *n)
    }
}

/// The order of a list that has only one (newest first, by due date…): `sort` is refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixedOrder;

impl SortKey for FixedOrder {
    const COLUMNS: &'static [(&'static str, Self)] = &[];
}

/// Filters of a list that has none: any other parameter is refused by name.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilters {}

/// A list request, parsed and checked.
#[derive(Debug, Clone)]
pub struct ListParams<S, F = NoFilters> {
    /// Items per page.
    pub limit: u32,
    /// The sort key of the last item on the previous page.
    pub after: Option<Vec<String>>,
    /// The sort column.
    pub sort: S,
    /// Descending order.
    pub descending: bool,
    /// Search text, trimmed; `None` when blank.
    pub q: Option<String>,
    /// The list's own filters.
    pub filters: F,
    /// Whether a cursor was given (this is not the first page).
    pub paged: bool,
}

#[derive(Serialize, serde::Deserialize)]
struct CursorBody {
    /// The order the cursor was made for (`-name`): a cursor from another order would skip rows.
    s: String,
    /// The sort key of the last item shown.
    k: Vec<String>,
}

fn bad_cursor() -> AppError {
    AppError::invalid(
        "cursor",
        "this cursor is not one the API gave out for this order; start from the first page",
    )
}

impl<S: SortKey, F: Default> ListParams<S, F> {
    /// The first page in the default order, unfiltered: what a form shows beside a list
    /// when it re-renders after a rejected post.
    #[must_use]
    pub fn first_page() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
            sort: S::COLUMNS.first().map_or_else(S::default, |(_, s)| *s),
            descending: false,
            q: None,
            filters: F::default(),
            paged: false,
        }
    }
}

impl<S: SortKey, F: DeserializeOwned + Serialize> ListParams<S, F> {
    /// Parses a query string.
    ///
    /// # Errors
    /// 422 naming `limit`, `sort`, `cursor` or `q` when out of range; 400 naming an unknown
    /// or malformed filter.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| AppError::BadRequest(format!("bad query parameters: {e}")))?;
        let (mut limit, mut cursor, mut sort, mut q) = (None, None, None, None);
        let mut rest = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                "limit" => limit = Some(v),
                "cursor" => cursor = Some(v),
                "sort" => sort = Some(v),
                "q" => q = Some(v),
                // Forms send an empty select as `status=`: that means "any".
                _ if v.is_empty() => {}
                _ => rest.push((k, v)),
            }
        }
        let encoded = serde_urlencoded::to_string(&rest)
            .map_err(|e| AppError::BadRequest(format!("bad query parameters: {e}")))?;
        let filters: F = serde_urlencoded::from_str(&encoded)
            .map_err(|e| AppError::BadRequest(format!("bad query parameters: {e}")))?;
        let limit = match limit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    AppError::invalid(
                        "limit",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                    )
                })?,
        };
        let (sort, descending) = Self::parse_sort(sort.as_deref())?;
        let q = q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if q.as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(AppError::invalid(
                "q",
                format!("search for at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let mut params = Self {
            limit,
            after: None,
            sort,
            descending,
            q,
            filters,
            paged: false,
        };
        if let Some(c) = cursor.as_deref().filter(|c| !c.is_empty()) {
            let body: CursorBody = hex::decode(c)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(bad_cursor)?;
            if body.s != params.sort_param() || body.k.is_empty() {
                return Err(bad_cursor());
            }
            params.after = Some(body.k);
            params.paged = true;
        }
        Ok(params)
    }

    fn parse_sort(raw: Option<&str>) -> Result<(S, bool), AppError> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok((
                S::COLUMNS.first().map_or_else(S::default, |(_, s)| *s),
                false,
            ));
        };
        let (descending, name) = raw.strip_prefix('-').map_or((false, raw), |n| (true, n));
        if S::COLUMNS.is_empty() {
            return Err(AppError::invalid(
                "sort",
                "this list has one order and cannot be sorted",
            ));
        }
        S::COLUMNS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| (*s, descending))
            .ok_or_else(|| {
                let names: Vec<_> = S::COLUMNS.iter().map(|(n, _)| *n).collect();
                AppError::invalid(
                    "sort",
                    format!("sort by {} (prefix - for descending)", names.join(", ")),
                )
            })
    }

    /// The `sort` value of this order (`name`, `-start_date`); empty for a fixed order.
    #[must_use]
    pub fn sort_param(&self) -> String {
        let name = self.sort.name();
        if self.descending && !name.is_empty() {
            format!("-{name}")
        } else {
            name.to_owned()
        }
    }

    /// The cursor's key as a pair (sort value, id) of typed values.
    ///
    /// # Errors
    /// 422 naming `cursor` when the key does not parse as this list's.
    pub fn after_pair<A: std::str::FromStr, B: std::str::FromStr>(
        &self,
    ) -> Result<Option<(A, B)>, AppError> {
        let Some(k) = &self.after else {
            return Ok(None);
        };
        match (k.first().map(|v| v.parse()), k.get(1).map(|v| v.parse())) {
            (Some(Ok(a)), Some(Ok(b))) if k.len() == 2 => Ok(Some((a, b))),
            _ => Err(bad_cursor()),
        }
    }

    /// How many rows to read: a page and one more, which only says a next page exists.
    #[must_use]
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// The page of `rows` (read with [`Self::fetch`]), its total and the cursor after its
    /// last item, whose sort key `key` gives.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        total: Total,
        key: impl Fn(&R) -> Vec<String>,
        item: impl FnMut(R) -> T,
    ) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = rows.last().filter(|_| more).map(|last| {
            let body = CursorBody {
                s: self.sort_param(),
                k: key(last),
            };
            hex::encode(serde_json::to_vec(&body).unwrap_or_default())
        });
        Page {
            items: rows.into_iter().map(item).collect(),
            total: total.n,
            total_capped: total.capped,
            next_cursor,
        }
    }

    /// A page of a short list held whole in memory (a person's tokens, the processes): the
    /// same keyset paging, with `key` giving each item's place in the list's order.
    pub fn page_in_memory<R, T>(
        &self,
        all: Vec<R>,
        key: impl Fn(&R) -> Vec<String>,
        item: impl FnMut(R) -> T,
    ) -> Page<T> {
        self.page_in_memory_ordered(all, false, key, item)
    }

    /// As [`Self::page_in_memory`], for a list whose one order is descending (newest first).
    pub fn page_in_memory_ordered<R, T>(
        &self,
        mut all: Vec<R>,
        newest_first: bool,
        key: impl Fn(&R) -> Vec<String>,
        item: impl FnMut(R) -> T,
    ) -> Page<T> {
        let descending = self.descending != newest_first;
        all.sort_by_cached_key(&key);
        if descending {
            all.reverse();
        }
        let total = Total::exact(i64::try_from(all.len()).unwrap_or(i64::MAX));
        let rows: Vec<R> = match &self.after {
            None => all,
            Some(after) => all
                .into_iter()
                .filter(|r| {
                    let k = key(r);
                    if descending { k < *after } else { k > *after }
                })
                .collect(),
        };
        let rows: Vec<R> = rows
            .into_iter()
            .take(usize::try_from(self.fetch()).unwrap_or(usize::MAX))
            .collect();
        self.page(rows, total, key, item)
    }

    /// The query string of this list with `cursor` and `sort` replaced, keeping the search,
    /// the filters and the page size: for pagers and sortable headers.
    #[must_use]
    pub fn query_with(&self, cursor: Option<&str>, sort: Option<&str>) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(q) = &self.q {
            pairs.push(("q".into(), q.clone()));
        }
        if let Ok(filters) = serde_urlencoded::to_string(&self.filters) {
            pairs.extend(
                serde_urlencoded::from_str::<Vec<(String, String)>>(&filters).unwrap_or_default(),
            );
        }
        let sort = sort.map_or_else(|| self.sort_param(), str::to_owned);
        if !sort.is_empty() && Some(sort.as_str()) != S::COLUMNS.first().map(|(n, _)| *n) {
            pairs.push(("sort".into(), sort));
        }
        if self.limit != DEFAULT_LIMIT {
            pairs.push(("limit".into(), self.limit.to_string()));
        }
        if let Some(c) = cursor {
            pairs.push(("cursor".into(), c.to_owned()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// What a page's pager, headers and search box need.
    #[must_use]
    pub fn view<T>(&self, path: &str, page: &Page<T>) -> ListView {
        let href = |query: String| {
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        let columns = S::COLUMNS
            .iter()
            .map(|(name, s)| {
                let current = *s == self.sort;
                let next = if current && !self.descending {
                    format!("-{name}")
                } else {
                    (*name).to_owned()
                };
                SortLink {
                    name,
                    href: href(self.query_with(None, Some(&next))),
                    aria_sort: match (current, self.descending) {
                        (false, _) => "none",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    },
                }
            })
            .collect();
        ListView {
            path: path.to_owned(),
            q: self.q.clone().unwrap_or_default(),
            sort: self.sort_param(),
            total: if page.total_capped {
                format!("{}+", page.total)
            } else {
                page.total.to_string()
            },
            first_href: self.paged.then(|| href(self.query_with(None, None))),
            next_href: page
                .next_cursor
                .as_deref()
                .map(|c| href(self.query_with(Some(c), None))),
            columns,
            hidden: serde_urlencoded::to_string(&self.filters)
                .ok()
                .and_then(|f| serde_urlencoded::from_str::<Vec<(String, String)>>(&f).ok())
                .unwrap_or_default(),
        }
    }
}

impl<S, F> FromRequestParts<crate::AppState> for ListParams<S, F>
where
    S: SortKey,
    F: DeserializeOwned + Serialize + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _st: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::parse(parts.uri.query().unwrap_or(""))
    }
}

/// A page of items with the total and the cursor of the next page.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all (at least this many when `total_capped`).
    pub total: i64,
    /// True when counting stopped at `total`: narrow the search for an exact figure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A whole short list as one page (the answer to a write that returns the list it changed).
    #[must_use]
    pub fn whole(items: Vec<T>) -> Self {
        Self {
            total: i64::try_from(items.len()).unwrap_or(i64::MAX),
            total_capped: false,
            next_cursor: None,
            items,
        }
    }
}

/// A sortable column header's link.
#[derive(Debug, Clone)]
pub struct SortLink {
    /// The column's API name.
    pub name: &'static str,
    /// The list sorted by this column (or reversed, when it is the current one).
    pub href: String,
    /// `aria-sort` for the header.
    pub aria_sort: &'static str,
}

/// What the list partials (search box, sortable headers, pager) show.
#[derive(Debug, Clone)]
pub struct ListView {
    /// The list's path.
    pub path: String,
    /// The search text, as typed.
    pub q: String,
    /// The current `sort`.
    pub sort: String,
    /// The total as shown ("10000+" when capped).
    pub total: String,
    /// Back to the first page, when not on it.
    pub first_href: Option<String>,
    /// The next page, when there is one.
    pub next_href: Option<String>,
    /// One link per sortable column.
    pub columns: Vec<SortLink>,
    /// The filters, for hidden fields of the search form.
    pub hidden: Vec<(String, String)>,
}

impl ListView {
    /// The header link of `column`.
    #[must_use]
    pub fn column(&self, column: &str) -> Option<&SortLink> {
        self.columns.iter().find(|c| c.name == column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    enum By {
        #[default]
        Name,
        Start,
    }

    impl SortKey for By {
        const COLUMNS: &'static [(&'static str, Self)] =
            &[("name", By::Name), ("start", By::Start)];
    }

    #[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Filters {
        status: Option<String>,
    }

    type P = ListParams<By, Filters>;

    fn rows(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("n{i:03}"), i)).collect()
    }

    #[test]
    fn defaults_are_the_first_column_and_fifty() {
        let p = P::parse("").expect("parse");
        assert_eq!((p.limit, p.sort, p.descending), (50, By::Name, false));
    }

    #[test]
    fn a_cursor_walks_every_row_once_in_order() {
        let all = rows(23);
        let mut seen = Vec::new();
        let mut query = "limit=5".to_owned();
        loop {
            let p = P::parse(&query).expect("parse");
            let page = p.page_in_memory(all.clone(), |r| vec![r.0.clone()], |r| r.1);
            assert_eq!(page.total, 23);
            seen.extend(page.items);
            match page.next_cursor {
                Some(c) => query = format!("limit=5&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, (0..23).collect::<Vec<_>>());
    }

    #[test]
    fn a_cursor_from_another_order_is_refused_by_name() {
        let p = P::parse("limit=1").expect("parse");
        let page = p.page_in_memory(rows(3), |r| vec![r.0.clone()], |r| r.1);
        let c = page.next_cursor.expect("more");
        let e = P::parse(&format!("sort=-name&cursor={c}")).expect_err("other order");
        assert!(e.to_string().contains("cursor"), "{e}");
        assert!(P::parse("cursor=zz").is_err());
    }

    #[test]
    fn bad_limits_sorts_and_filters_are_named() {
        for (q, word) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=x", "limit"),
            ("sort=age", "sort by name, start"),
            ("colour=red", "colour"),
        ] {
            let e = P::parse(q).expect_err(q);
            let text = match &e {
                AppError::Invalid(v) => format!("{} {}", v.errors[0].field, v.errors[0].message),
                other => other.to_string(),
            };
            assert!(text.contains(word), "{q}: {text}");
        }
        let long = "x".repeat(MAX_SEARCH_CHARS + 1);
        assert!(P::parse(&format!("q={long}")).is_err());
    }

    #[test]
    fn an_empty_filter_means_any_and_blank_search_is_none() {
        let p = P::parse("status=&q=++").expect("parse");
        assert!(p.filters.status.is_none());
        assert!(p.q.is_none());
    }

    #[test]
    fn links_keep_search_filters_and_order() {
        let p = P::parse("q=anna&status=left&sort=-start").expect("parse");
        let page = p.page_in_memory(rows(60), |r| vec![r.0.clone()], |r| r.1);
        let v = p.view("/people", &page);
        let next = v.next_href.clone().expect("next");
        assert!(
            next.starts_with("/people?q=anna&status=left&sort=-start&cursor="),
            "{next}"
        );
        let name = v.column("name").expect("column");
        assert_eq!(
            name.href, "/people?q=anna&status=left",
            "the default order is left out"
        );
        assert_eq!(v.column("start").map(|c| c.aria_sort), Some("descending"));
        assert_eq!(
            v.column("start").map(|c| c.href.as_str()),
            Some("/people?q=anna&status=left&sort=start")
        );
    }

    #[test]
    fn a_fixed_order_refuses_sort() {
        assert!(ListParams::<FixedOrder>::parse("sort=name").is_err());
        assert!(ListParams::<FixedOrder>::parse("limit=3").is_ok());
    }
}
