//! Several counts of runs and tasks in one statement: the dashboard's personal strip asks for
//! three at once, and with SQLite each statement is a hand-off between threads.

use crate::activities::{ACTIVITY_FILTER, ActivityQuery};
use crate::rows::{date_text, time_text};
use crate::tasks::{TASK_FILTER, TaskQuery, label_pattern, search_pattern};
use crate::{Store, StoreError};

/// A value bound to a count's filter.
pub(crate) enum Bind {
    Text(Option<String>),
    Int(i64),
}

fn activity_binds(q: &ActivityQuery) -> [Bind; 6] {
    [
        Bind::Text(q.process_id.map(|p| p.to_string())),
        Bind::Text(q.assignee_id.map(|p| p.to_string())),
        Bind::Int(i64::from(q.open_only)),
        Bind::Text(q.due_until.map(date_text)),
        Bind::Text(q.due_from.map(date_text)),
        Bind::Int(i64::from(q.in_operation)),
    ]
}

fn task_binds(q: &TaskQuery) -> [Bind; 6] {
    [
        Bind::Text(q.owner_id.map(|p| p.to_string())),
        Bind::Text(q.process_id.map(|p| p.to_string())),
        Bind::Int(i64::from(q.open_only)),
        Bind::Text(label_pattern(q)),
        Bind::Text(search_pattern(q)),
        Bind::Text(q.due_before.map(time_text)),
    ]
}

/// `filter` with each placeholder `$n` moved up by `by`, read in one pass so `$1` never
/// catches the `$1` of a `$12` written before it.
fn shifted(filter: &str, by: usize) -> String {
    let mut out = String::with_capacity(filter.len() + 8);
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

/// Counts read together: each part is an expression with its own placeholders `$1`…,
/// moved up as the parts are put side by side in one `select`.
#[derive(Default)]
pub(crate) struct Counts {
    exprs: Vec<String>,
    binds: Vec<Bind>,
}

impl Counts {
    /// Adds expressions that share `binds` (their placeholders count from `$1`).
    pub(crate) fn push(&mut self, exprs: &[String], binds: Vec<Bind>) {
        let by = self.binds.len();
        self.exprs.extend(exprs.iter().map(|e| shifted(e, by)));
        self.binds.extend(binds);
    }

    fn runs(&mut self, q: &ActivityQuery) {
        self.push(
            &[format!(
                "(select count(*) from activity a where {ACTIVITY_FILTER})"
            )],
            activity_binds(q).into(),
        );
    }

    fn tasks(&mut self, q: &TaskQuery) {
        self.push(
            &[format!("(select count(*) from task t where {TASK_FILTER})")],
            task_binds(q).into(),
        );
    }

    /// Reads every count, in the order added.
    pub(crate) async fn read(self, pool: &sqlx::AnyPool) -> Result<Vec<i64>, StoreError> {
        if self.exprs.is_empty() {
            return Ok(Vec::new());
        }
        let n = self.exprs.len();
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {}",
            self.exprs.join(", ")
        )));
        for b in self.binds {
            query = match b {
                Bind::Text(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        let row = query.fetch_one(pool).await?;
        Ok((0..n)
            .map(|i| sqlx::Row::try_get::<i64, _>(&row, i))
            .collect::<Result<Vec<_>, _>>()?)
    }
}

/// The dashboard's figures, and the caller's own, from one statement.
#[derive(Debug, Clone, Default)]
pub struct DashboardCounts {
    /// The maintained tallies.
    pub counts: crate::browse::Counts,
    /// The operating rhythm.
    pub operation: crate::browse::OperationCounts,
    /// One figure per run query asked for.
    pub runs: Vec<i64>,
    /// One figure per task query asked for.
    pub tasks: Vec<i64>,
}

impl Store {
    /// The number of runs each of `runs` matches and of tasks each of `tasks` matches, read
    /// in one statement, in the order asked.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn count_work(
        &self,
        runs: &[ActivityQuery],
        tasks: &[TaskQuery],
    ) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        let mut c = Counts::default();
        runs.iter().for_each(|q| c.runs(q));
        tasks.iter().for_each(|q| c.tasks(q));
        let mut counts = c.read(&self.pool).await?;
        let task_counts = counts.split_off(runs.len().min(counts.len()));
        Ok((counts, task_counts))
    }

    /// Everything the dashboard counts (tallies, the operating rhythm as of `as_of`) and the
    /// figures of `runs` and `tasks` beside them, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn dashboard_counts(
        &self,
        as_of: holdfast_core::clock::AsOf,
        runs: &[ActivityQuery],
        tasks: &[TaskQuery],
    ) -> Result<DashboardCounts, StoreError> {
        let mut c = Counts::default();
        let tallies = crate::browse::tally_exprs();
        let o = tallies.len();
        c.push(&tallies, Vec::new());
        let (exprs, binds) = crate::browse::operation_exprs(as_of);
        c.push(
            &exprs,
            binds.into_iter().map(|b| Bind::Text(Some(b))).collect(),
        );
        runs.iter().for_each(|q| c.runs(q));
        tasks.iter().for_each(|q| c.tasks(q));
        let v = c.read(&self.pool).await?;
        let at = |i: usize| v.get(i).copied().unwrap_or(0).max(0);
        Ok(DashboardCounts {
            counts: crate::browse::counts_of(&v),
            operation: crate::browse::OperationCounts {
                processes_active: at(o),
                runs_overdue: at(o + 1),
                runs_due_this_week: at(o + 2),
                tasks_open: at(o + 3),
                tasks_breached: at(o + 4),
            },
            runs: v.iter().skip(o + 5).take(runs.len()).copied().collect(),
            tasks: v.iter().skip(o + 5 + runs.len()).copied().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_move_up_once_each() {
        assert_eq!(
            super::shifted("$1 = a and ($2 is null or b = $2) and c = $6", 6),
            "$7 = a and ($8 is null or b = $8) and c = $12"
        );
        assert_eq!(super::shifted("$1 and $12", 0), "$1 and $12");
    }
}
