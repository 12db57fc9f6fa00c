//! Clauses with a rhythm of their own: risk assessment (6.1.2, 8.2), internal audit (9.2),
//! management review (9.3) and corrective action (10.2). Each must be served by a process in
//! operation, and performed within its limit (12 months) however the process's cadence was
//! kept: an auditor writes up a management review not held for 13 months against 9.3 as a
//! major, and a skipped run does not stretch that limit.

use chrono::{Months, NaiveDate};

use super::context::{Ctx, CycleState};
use super::registry::clause_of;
use super::{Check, Finding, RecordRef, Severity};
use crate::ids::ProcessId;
use crate::process::Process;

/// Clauses whose activity must recur within the clause limit, with what it is called.
const RHYTHM: [(&str, &str); 4] = [
    ("8.2", "risk assessment"),
    ("9.2", "internal audit"),
    ("9.3", "management review"),
    ("10.2", "review of nonconformities and corrective actions"),
];

/// Clauses the standard requires a recurring process for: a process that serves one is
/// mandatory, and one of them served by no process is a major.
pub(super) const MANDATORY: [&str; 5] = ["6.1.2", "8.2", "9.2", "9.3", "10.2"];

/// Whether `p` serves the rhythm of `clause` (a risk assessment process may name 6.1.2 or
/// 8.2).
fn serves(p: &Process, clause: &str) -> bool {
    p.serves(clause) || (clause == "8.2" && p.serves("6.1.2"))
}

/// The clause a missed cycle of `p` is written up against: the first of its clauses that
/// has its own rhythm, or 8.1 (operational planning and control).
pub(super) fn judged_against(p: &Process) -> &'static str {
    for c in &p.clauses {
        match c.as_str() {
            "8.1" => return "8.1",
            "6.1.2" | "8.2" => return "8.2",
            "9.2" => return "9.2",
            "9.3" => return "9.3",
            "10.2" => return "10.2",
            _ => {}
        }
    }
    "8.1"
}

/// A clause whose limit has passed.
pub(super) struct Lapse {
    pub clause: &'static str,
    pub what: &'static str,
    pub processes: Vec<ProcessId>,
    pub last: Option<NaiveDate>,
    pub since: NaiveDate,
    pub deadline: NaiveDate,
}

/// Every rhythm clause whose limit has passed on the day judged.
pub(super) fn lapses(ctx: &Ctx<'_>) -> Vec<Lapse> {
    let mut out = Vec::new();
    for (clause, what) in RHYTHM {
        let serving: Vec<&Process> = ctx
            .operating
            .iter()
            .copied()
            .filter(|p| serves(p, clause))
            .collect();
        let Some(since) = serving.iter().map(|p| ctx.since(p)).min() else {
            continue;
        };
        let last = serving.iter().filter_map(|p| ctx.last_done(p.id)).max();
        let from = last.unwrap_or(since);
        let deadline = from
            .checked_add_months(Months::new(ctx.settings.clause_limit_months))
            .map_or(NaiveDate::MAX, |d| {
                Ctx::plus(d, ctx.settings.clause_limit_grace_days)
            });
        if ctx.as_of.today > deadline {
            out.push(Lapse {
                clause,
                what,
                processes: serving.iter().map(|p| p.id).collect(),
                last,
                since,
                deadline,
            });
        }
    }
    out
}

pub(super) fn lapsed(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    let clause = clause_of(check);
    for l in ctx.lapses.iter().filter(|l| l.clause == clause) {
        let mut records = Vec::new();
        for id in &l.processes {
            let Some(p) = ctx.process.get(id) else {
                continue;
            };
            records.push(Ctx::process_ref(p));
            records.extend(
                ctx.cycles(p)
                    .iter()
                    .filter(|c| !matches!(c.state, CycleState::Done(_)))
                    .map(|c| Ctx::cycle_ref(p, c)),
            );
        }
        let months = ctx.settings.clause_limit_months;
        let (title, seen) = match l.last {
            Some(last) => (format!("No {} completed since {last}", l.what), last),
            None => (
                format!(
                    "No {} completed since the ISMS started on {}",
                    l.what, l.since
                ),
                l.since,
            ),
        };
        out.push(ctx.finding(
            check,
            l.clause,
            "",
            Severity::Major,
            title,
            format!(
                "Clause {} requires the {} at planned intervals; the last was {} and {months} months have passed (limit {}). Skipped or open runs do not count: the requirement is not operating.",
                l.clause,
                l.what,
                l.last.map_or_else(|| "never held".to_owned(), |d| format!("completed on {d}")),
                l.deadline
            ),
            records,
            Ctx::plus(l.deadline, 1).max(seen),
        ));
    }
}

pub(super) fn no_process(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    // Without any process in operation, 4.4/no-active-process says it once.
    if ctx.operating.is_empty() {
        return;
    }
    let clause = clause_of(check);
    if ctx.operating.iter().any(|p| p.serves(clause)) {
        return;
    }
    let title = crate::catalog::clause(clause).map_or("", |c| c.title);
    let drafts: Vec<RecordRef> = ctx
        .s
        .processes
        .iter()
        .filter(|p| p.serves(clause) && !ctx.in_operation(p))
        .map(Ctx::process_ref)
        .collect();
    out.push(ctx.finding(
        check,
        clause,
        "",
        Severity::Major,
        format!("No process in operation serves clause {clause} ({title})"),
        format!(
            "Clause {clause} ({title}) must operate, but no active process names it among the clauses it serves{}. An auditor finds the requirement not implemented.",
            if drafts.is_empty() {
                String::new()
            } else {
                format!("; {} that would is not active", drafts.len())
            }
        ),
        drafts,
        ctx.operating
            .iter()
            .map(|p| ctx.since(p))
            .min()
            .unwrap_or(ctx.as_of.today),
    ));
}
