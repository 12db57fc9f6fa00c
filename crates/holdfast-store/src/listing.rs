//! What every list shares: a total that costs the same at any size, and full-text search.
//! Unfiltered and filtered-by-category totals are read from maintained tallies (kept by
//! triggers in the writing transaction); a search's total is counted up to [`COUNT_CAP`] and
//! then said to be "at least", so no request ever counts a whole table.

use sqlx::AnyPool;
use sqlx::AssertSqlSafe;

use crate::{Backend, StoreError};

/// Counting stops here: beyond it a person needs a narrower search, not an exact figure.
pub const COUNT_CAP: i64 = 10_000;

/// How many records a list holds in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Total {
    /// The count, or [`COUNT_CAP`] when counting stopped there.
    pub n: i64,
    /// True when there are at least `n` records and counting stopped.
    pub capped: bool,
}

impl Total {
    /// An exact count.
    #[must_use]
    pub fn exact(n: i64) -> Self {
        Self {
            n: n.max(0),
            capped: false,
        }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.capped {
            write!(f, "{}+", self.n)
        } else {
            write!(f, "{}", self.n)
        }
    }
}

/// The maintained tally called `name`; zero when nothing was ever counted under it.
pub(crate) async fn tally(pool: &AnyPool, name: &str) -> Result<i64, StoreError> {
    let n: Option<i64> = sqlx::query_scalar("select n from tally where name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(n.unwrap_or(0).max(0))
}

/// Counts the rows of `select 1 from …` (`from_where`, after `with` common table expressions,
/// with its binds) up to [`COUNT_CAP`].
pub(crate) async fn capped_count(
    pool: &AnyPool,
    with: &str,
    from_where: &str,
    binds: &[String],
) -> Result<Total, StoreError> {
    let sql = format!(
        "{with}select count(*) from (select 1 from {from_where} limit {}) as capped",
        COUNT_CAP + 1
    );
    let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    Ok(capped(q.fetch_one(pool).await?))
}

/// A count taken with `limit COUNT_CAP + 1`, said as "at least" when it reached the cap.
pub(crate) fn capped(n: i64) -> Total {
    if n > COUNT_CAP {
        Total {
            n: COUNT_CAP,
            capped: true,
        }
    } else {
        Total::exact(n)
    }
}

/// The full-text query for `terms` in each dialect's syntax, every term a word prefix. Terms
/// hold only letters and digits ([`holdfast_core::search::terms`]), so none can change the
/// query's structure; the result is still bound, never spliced into SQL.
pub(crate) fn match_expression(backend: Backend, terms: &[String]) -> String {
    match backend {
        Backend::Sqlite => terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
        Backend::Postgres => terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_term_is_a_word_prefix_in_both_dialects() {
        let t = vec!["anna".to_owned(), "ros".to_owned()];
        assert_eq!(match_expression(Backend::Sqlite, &t), "\"anna\"* \"ros\"*");
        assert_eq!(match_expression(Backend::Postgres, &t), "anna:* & ros:*");
    }

    #[test]
    fn a_capped_total_reads_as_at_least() {
        let t = Total {
            n: COUNT_CAP,
            capped: true,
        };
        assert_eq!(t.to_string(), "10000+");
        assert_eq!(Total::exact(-3).to_string(), "0");
    }
}
