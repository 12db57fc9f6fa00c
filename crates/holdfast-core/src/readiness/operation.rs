//! Clause 8.1 (operational planning and control): processes carried out as planned, on
//! time, with the evidence they require. A missed cycle is written up against the clause the
//! process serves (a missed management review against 9.3), once per process.

use super::context::{Ctx, Cycle, CycleState};
use super::rhythm::judged_against;
use super::{Check, Finding, Severity};
use crate::process::Process;

/// "Monthly, on the 1st" as it reads inside a sentence.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// The open cycles of a running process that a lapsed clause does not already report.
fn open_cycles<'a>(ctx: &Ctx<'a>, p: &Process) -> Vec<Cycle<'a>> {
    if !ctx.running(p) || ctx.lapsed.contains(&p.id) {
        return Vec::new();
    }
    ctx.cycles(p)
        .into_iter()
        .filter(|c| c.state == CycleState::Open)
        .collect()
}

/// Never run after the grace: no run ever completed, and the first open cycle due more than
/// the grace ago.
fn is_never_run(ctx: &Ctx<'_>, p: &Process, open: &[Cycle<'_>]) -> bool {
    !ctx.ever_done(p.id)
        && open.first().is_some_and(|first| {
            Ctx::plus(first.due, ctx.settings.first_run_grace_days) < ctx.as_of.today
        })
}

pub(super) fn never_run(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in &ctx.operating {
        let open = open_cycles(ctx, p);
        if !is_never_run(ctx, p, &open) {
            continue;
        }
        let first = open[0].due;
        let clause = judged_against(p);
        out.push(ctx.finding(
            check,
            clause,
            &p.id.to_string(),
            Severity::Major,
            format!("Process \"{}\" is documented but has never run", p.name),
            format!(
                "\"{}\" has been due since {first} ({}), yet no run was ever completed. Clause {clause} requires evidence that it was carried out as planned; a process that exists only on paper is shelf-ware.",
                p.name,
                p.cadence.describe()
            ),
            std::iter::once(Ctx::process_ref(p))
                .chain(open.iter().map(|c| Ctx::cycle_ref(p, c)))
                .collect(),
            Ctx::plus(first, ctx.settings.first_run_grace_days + 1),
        ));
    }
}

pub(super) fn process_late(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in &ctx.operating {
        let open = open_cycles(ctx, p);
        // Until a process has run once, its first runs have the grace of a new process;
        // after it, never having run is one finding of its own.
        if open.is_empty() || !ctx.ever_done(p.id) {
            continue;
        }
        let missed = open.iter().filter(|c| ctx.missed(p, c)).count();
        let severity = match missed {
            0 => Severity::Observation,
            1 => Severity::Minor,
            _ => Severity::Major,
        };
        let clause = judged_against(p);
        let dates: Vec<String> = open.iter().map(|c| c.due.to_string()).collect();
        let state = match missed {
            0 => "is late".to_owned(),
            1 => "missed a cycle".to_owned(),
            n => format!("missed {n} cycles"),
        };
        out.push(ctx.finding(
            check,
            clause,
            &p.id.to_string(),
            severity,
            format!("Process \"{}\" {state}", p.name),
            format!(
                "\"{}\" runs {}; {} run(s) due {} are still open. Clause {clause} asks that it is carried out as planned.",
                p.name,
                lower_first(&p.cadence.describe()),
                open.len(),
                dates.join(", ")
            ),
            std::iter::once(Ctx::process_ref(p))
                .chain(open.iter().map(|c| Ctx::cycle_ref(p, c)))
                .collect(),
            Ctx::plus(open[0].due, 1),
        ));
    }
}

pub(super) fn closed_late(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    let tolerance = ctx.settings.late_close_tolerance_days;
    for p in &ctx.operating {
        let late: Vec<_> = ctx
            .cycles(p)
            .into_iter()
            .filter_map(|c| match c.state {
                CycleState::Done(on)
                    if ctx.period.contains(on) && on > Ctx::plus(c.due, tolerance) =>
                {
                    Some((c, on))
                }
                _ => None,
            })
            .collect();
        let Some(first) = late.first() else { continue };
        let detail: Vec<String> = late
            .iter()
            .map(|(c, on)| format!("due {} closed {on}", c.due))
            .collect();
        out.push(ctx.finding(
            check,
            "8.1",
            &p.id.to_string(),
            Severity::Minor,
            format!(
                "Process \"{}\" closed {} run(s) more than {tolerance} days late",
                p.name,
                late.len()
            ),
            format!(
                "In the audit period, runs of \"{}\" were closed well after their due dates ({}). Clause 8.1 asks that processes are carried out as planned.",
                p.name,
                detail.join("; ")
            ),
            std::iter::once(Ctx::process_ref(p))
                .chain(late.iter().map(|(c, _)| Ctx::cycle_ref(p, c)))
                .collect(),
            first.1,
        ));
    }
}

pub(super) fn evidence_missing(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in &ctx.operating {
        let mut runs = Vec::new();
        let mut missing_names: Vec<&str> = Vec::new();
        for a in ctx.runs_of(p.id) {
            let CycleState::Done(on) = ctx.state_of(a) else {
                continue;
            };
            if !ctx.period.contains(on) {
                continue;
            }
            let missing = a.missing_evidence(&a.required_evidence);
            if missing.is_empty() {
                continue;
            }
            for m in missing {
                if !missing_names.contains(&m) {
                    missing_names.push(m);
                }
            }
            runs.push((a, on));
        }
        let Some(first) = runs.iter().map(|(_, on)| *on).min() else {
            continue;
        };
        out.push(ctx.finding(
            check,
            "8.1",
            &p.id.to_string(),
            Severity::Minor,
            format!(
                "{} closed run(s) of \"{}\" lack required evidence",
                runs.len(),
                p.name
            ),
            format!(
                "Runs of \"{}\" were closed in the audit period without evidence their process required at the time: {}. Clause 8.1 asks for documented information to the extent necessary to have confidence that the process was carried out as planned.",
                p.name,
                missing_names.join(", ")
            ),
            std::iter::once(Ctx::process_ref(p))
                .chain(runs.iter().map(|(a, _)| Ctx::run_ref(p, a)))
                .collect(),
            first,
        ));
    }
}
