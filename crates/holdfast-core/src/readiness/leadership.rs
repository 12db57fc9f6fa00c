//! Clause 5.3 (roles, responsibilities and authorities): every process in operation is
//! answered for by someone employed, and open work is not left with people who have gone.

use super::context::Ctx;
use super::rhythm::MANDATORY;
use super::{Check, Finding, Severity};
use crate::person::{EmploymentStatus, Person};

fn person<'a>(ctx: &Ctx<'a>, id: Option<crate::ids::PersonId>) -> Option<&'a Person> {
    id.and_then(|id| ctx.people.get(&id).copied())
}

fn stays(p: Option<&Person>) -> bool {
    p.is_some_and(|p| p.employment_status == EmploymentStatus::Active)
}

pub(super) fn owner_missing(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in &ctx.operating {
        let owner = person(ctx, p.owner_id);
        let (problem, since) = match owner {
            Some(o) if o.employment_status != EmploymentStatus::Left => continue,
            Some(o) => (
                format!("is owned by {}, who has left", o.name),
                o.end_date.unwrap_or(ctx.as_of.today),
            ),
            None => ("has no owner".to_owned(), ctx.since(p)),
        };
        let deputy = person(ctx, p.deputy_id);
        let covered = stays(deputy);
        let cover_ends = Ctx::plus(since, ctx.settings.owner_cover_days);
        if covered && ctx.as_of.today <= cover_ends {
            continue;
        }
        let mandatory = MANDATORY.iter().any(|c| p.serves(c));
        let severity = if !covered && mandatory {
            Severity::Major
        } else {
            Severity::Minor
        };
        let mut records = vec![Ctx::process_ref(p)];
        records.extend(owner.map(Ctx::person_ref));
        let cover = match deputy {
            Some(d) if covered => format!(
                " The deputy, {}, has stood in for more than {} days.",
                d.name, ctx.settings.owner_cover_days
            ),
            _ => " There is no deputy who stays to stand in.".to_owned(),
        };
        out.push(ctx.finding(
            check,
            "5.3",
            &p.id.to_string(),
            severity,
            format!("Process \"{}\" {problem}", p.name),
            format!(
                "The process \"{}\" is in operation but nobody answers for it.{cover} Clause 5.3 requires responsibilities for the ISMS processes to be assigned{}.",
                p.name,
                if mandatory {
                    ", and this process serves a clause the standard requires to operate"
                } else {
                    ""
                }
            ),
            records,
            if covered { Ctx::plus(cover_ends, 1) } else { since },
        ));
    }
}

pub(super) fn owner_leaving(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in &ctx.operating {
        let Some(o) = person(ctx, p.owner_id) else {
            continue;
        };
        if o.employment_status != EmploymentStatus::Leaving {
            continue;
        }
        let last_day = o
            .end_date
            .map_or_else(String::new, |d| format!(" (last day {d})"));
        out.push(ctx.finding(
            check,
            "5.3",
            &p.id.to_string(),
            Severity::Observation,
            format!("The owner of \"{}\" is leaving", p.name),
            format!(
                "{} owns \"{}\" and is on notice{last_day}. Responsibilities should pass to someone who stays before they go.",
                o.name, p.name
            ),
            vec![Ctx::process_ref(p), Ctx::person_ref(o)],
            ctx.as_of.today,
        ));
    }
}

pub(super) fn assignee_left(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for p in ctx.operating.iter().filter(|p| ctx.running(p)) {
        let stranded: Vec<_> = ctx
            .runs_of(p.id)
            .iter()
            .filter(|a| a.is_open() && ctx.state_of(a) == super::context::CycleState::Open)
            .filter_map(|a| {
                let who = person(ctx, a.assignee_id)?;
                (who.employment_status == EmploymentStatus::Left).then_some((a, who))
            })
            .collect();
        let Some((_, who)) = stranded.first() else {
            continue;
        };
        let names = stranded
            .iter()
            .map(|(_, w)| w.name.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ");
        out.push(ctx.finding(
            check,
            "5.3",
            &p.id.to_string(),
            Severity::Observation,
            format!(
                "{} open run(s) of \"{}\" are assigned to someone who left",
                stranded.len(),
                p.name
            ),
            format!(
                "Open runs of \"{}\" are still given to {names}, who left. Nobody will carry them out unless they are given to someone who stays.",
                p.name
            ),
            std::iter::once(Ctx::process_ref(p))
                .chain(stranded.iter().map(|(a, _)| Ctx::run_ref(p, a)))
                .collect(),
            who.end_date.unwrap_or(ctx.as_of.today),
        ));
    }
}
