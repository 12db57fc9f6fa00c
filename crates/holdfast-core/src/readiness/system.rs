//! Clause 4.4: the ISMS exists as running processes, and the processes interact through
//! rules whose SLAs hold.

use super::context::Ctx;
use super::{Check, Finding, RecordKind, RecordRef, Severity};
use crate::map;
use crate::process::ProcessStatus;
use crate::task::SlaOutcome;

pub(super) fn no_active_process(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if !ctx.operating.is_empty() {
        return;
    }
    let drafts: Vec<RecordRef> = ctx
        .s
        .processes
        .iter()
        .filter(|p| p.status == ProcessStatus::Draft)
        .map(Ctx::process_ref)
        .collect();
    let explanation = if drafts.is_empty() {
        "Holdfast holds no process at all. Clause 4.4 requires the organisation to establish, implement and maintain an ISMS with its processes; there is nothing to audit.".to_owned()
    } else {
        format!(
            "{} processes are defined but none is active: the ISMS exists on paper only. Clause 4.4 requires it to be implemented and maintained.",
            drafts.len()
        )
    };
    out.push(ctx.finding(
        check,
        "4.4",
        "",
        Severity::Major,
        "No process of the ISMS is in operation".into(),
        explanation,
        drafts,
        ctx.as_of.today,
    ));
}

pub(super) fn silo(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in ctx.operating.iter().filter(|p| ctx.running(p)) {
        let linked = ctx.s.rules.iter().any(|r| {
            r.active
                && r.links_processes()
                && (r.from_process == p.id || r.to_process == p.id)
                && [r.from_process, r.to_process].iter().all(|id| {
                    ctx.process
                        .get(id)
                        .is_some_and(|q| q.status != ProcessStatus::Retired)
                })
        });
        if linked {
            continue;
        }
        out.push(ctx.finding(
            check,
            "4.4",
            &p.id.to_string(),
            Severity::Observation,
            format!("Process \"{}\" interacts with no other process", p.name),
            format!(
                "No interaction leads into or out of \"{}\". Clause 4.4 speaks of the processes and their interactions; a process in a silo is rarely what the organisation really does.",
                p.name
            ),
            vec![Ctx::process_ref(p)],
            ctx.since(p),
        ));
    }
}

pub(super) fn interaction_sla(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for r in &ctx.s.rules {
        let (Some(from), Some(to)) = (
            ctx.process.get(&r.from_process),
            ctx.process.get(&r.to_process),
        ) else {
            continue;
        };
        // A retired process does no more work; its history is not a live defect.
        if from.status == ProcessStatus::Retired || to.status == ProcessStatus::Retired {
            continue;
        }
        let tasks = ctx.tasks_by_rule.get(&r.id).into_iter().flatten().copied();
        // Work sent to a paused process during its pause is not held against it.
        let judged: Vec<_> = map::judged(r, tasks, ctx.period, ctx.as_of)
            .filter(|(t, _)| {
                to.pause
                    .as_ref()
                    .is_none_or(|p| !p.covers(ctx.day(t.due_at)))
            })
            .collect();
        let mut breached: Vec<_> = judged
            .iter()
            .filter(|(_, o)| *o == SlaOutcome::Breached)
            .map(|(t, _)| *t)
            .collect();
        if breached.is_empty() {
            continue;
        }
        breached.sort_by_key(|t| (t.due_at, t.id));
        let open = breached
            .iter()
            .filter(|t| !t.finished_by(ctx.as_of.now))
            .count();
        // Repeated breaches are a minor: two or more, or one in ten of the period's tasks. A
        // single breach among many is isolated, an observation.
        let severity = if breached.len() >= 2 || breached.len() * 10 >= judged.len() {
            Severity::Minor
        } else {
            Severity::Observation
        };
        let title = if r.links_processes() {
            format!(
                "Interaction \"{}\" → \"{}\" on {} missed its SLA",
                from.name, to.name, r.event
            )
        } else {
            format!(
                "Escalation within \"{}\" on {} missed its SLA",
                from.name, r.event
            )
        };
        let first_seen = ctx.day(breached[0].due_at);
        let records = std::iter::once(RecordRef {
            kind: RecordKind::Rule,
            id: r.id.to_string(),
            label: format!("{} → {}: {}", from.name, to.name, r.task_title),
            date: None,
        })
        .chain(breached.iter().map(|t| RecordRef {
            kind: RecordKind::Task,
            id: t.id.to_string(),
            label: t.title.clone(),
            date: Some(ctx.day(t.due_at)),
        }))
        .collect();
        out.push(ctx.finding(
            check,
            "4.4",
            &r.id.to_string(),
            severity,
            title,
            format!(
                "{} of {} task(s) created by this interaction in the audit period from {} missed the {}-hour SLA ({} still open). Clause 4.4 requires the interactions between processes to work, not only to be drawn.",
                breached.len(),
                judged.len(),
                ctx.period.from,
                r.sla_hours,
                open
            ),
            records,
            first_seen,
        ));
    }
}
