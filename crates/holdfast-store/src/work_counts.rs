//! Several counts of runs and tasks in one statement: the dashboard's personal strip asks for
//! three at once, and with SQLite each statement is a hand-off between threads.

use crate::activities::{ACTIVITY_FILTER, ActivityQuery};
use crate::rows::{date_text, time_text};
use crate::tasks::{TASK_FILTER, TaskQuery, label_pattern, search_pattern};
use crate::{Store, StoreError};

/// A value bound to a count's filter.
enum Bind {
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
        let mut parts = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        for q in runs {
            parts.push(format!(
                "(select count(*) from activity a where {})",
                shifted(ACTIVITY_FILTER, binds.len())
            ));
            binds.extend(activity_binds(q));
        }
        for q in tasks {
            parts.push(format!(
                "(select count(*) from task t where {})",
                shifted(TASK_FILTER, binds.len())
            ));
            binds.extend(task_binds(q));
        }
        if parts.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!("select {}", parts.join(", "))));
        for b in binds {
            query = match b {
                Bind::Text(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        let row = query.fetch_one(&self.pool).await?;
        let mut counts = (0..parts.len())
            .map(|i| sqlx::Row::try_get::<i64, _>(&row, i))
            .collect::<Result<Vec<_>, _>>()?;
        let task_counts = counts.split_off(runs.len());
        Ok((counts, task_counts))
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
