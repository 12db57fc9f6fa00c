//! What is waiting for the person behind a login: the dashboard's personal strip.

use holdfast_core::clock::AsOf;
use holdfast_store::{ActivityQuery, TaskQuery};

use crate::auth::Caller;

/// The caller's own figures; `None` for a login not linked to a person.
#[derive(Debug, Clone, Copy)]
pub struct Mine {
    /// Open runs given to them and past their due date.
    pub runs_overdue: i64,
    /// Open runs given to them.
    pub runs_open: i64,
    /// Open tasks given to them.
    pub tasks_open: i64,
}

/// What to count for the caller's strip: overdue runs, open runs and open tasks given to
/// them; `None` for a login not linked to a person.
#[must_use]
pub fn queries(caller: &Caller, now: AsOf) -> Option<([ActivityQuery; 2], [TaskQuery; 1])> {
    let person = caller.account.person_id?;
    let open = ActivityQuery {
        assignee_id: Some(person),
        open_only: true,
        ..Default::default()
    };
    let overdue = ActivityQuery {
        due_until: now.today.pred_opt(),
        ..open.clone()
    };
    let tasks = TaskQuery {
        owner_id: Some(person),
        open_only: true,
        ..Default::default()
    };
    Some(([overdue, open], [tasks]))
}

/// The strip from the counts of [`queries`], in their order.
#[must_use]
pub fn mine_of(runs: &[i64], tasks: &[i64]) -> Mine {
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    Mine {
        runs_overdue: at(runs, 0),
        runs_open: at(runs, 1),
        tasks_open: at(tasks, 0),
    }
}
