//! Clauses 6.1.2, 6.1.3 and 8.2 on the register itself: the method exists, every risk is
//! answered for, reassessed on time, rated under the method in force, and a residual risk
//! above appetite is accepted by whoever the method says may accept it, or treated in time.

use super::context::Ctx;
use super::{Check, Finding, RecordKind, RecordRef, Severity};
use crate::person::EmploymentStatus;
use crate::risk::{Authority, DecisionKind, RiskRecord, Standing, Subject};

/// The risks to judge: none while no process operates (an empty ISMS is one defect, 4.4's).
fn judged<'a>(ctx: &Ctx<'a>) -> &'a [RiskRecord] {
    if ctx.operating.is_empty() {
        &[]
    } else {
        &ctx.s.risks.risks
    }
}

/// The latest assessment as of the day judged (a later one did not exist yet).
fn latest<'a>(ctx: &Ctx<'_>, r: &'a RiskRecord) -> Option<&'a crate::risk::Assessment> {
    r.latest
        .as_ref()
        .filter(|a| a.assessed_on <= ctx.as_of.today)
}

fn risk_ref(r: &RiskRecord, date: Option<chrono::NaiveDate>) -> RecordRef {
    RecordRef {
        kind: RecordKind::Risk,
        id: r.risk.id.to_string(),
        label: format!("{} {}", r.risk.reference, r.risk.title),
        date,
    }
}

pub(super) fn no_method(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    // An ISMS with no process in operation is one defect, reported by 4.4; a new one has
    // its grace to publish a method.
    if ctx.s.risks.current().is_some() {
        return;
    }
    let Some(first_seen) = ctx.foundation_due() else {
        return;
    };
    out.push(ctx.finding(
        check,
        "6.1.2",
        "",
        Severity::Major,
        "No risk method is published".to_owned(),
        "Clause 6.1.2 requires risk criteria, including the criteria for accepting risks, so that repeated assessments give consistent, valid and comparable results. Without a published method no rating in the register means anything.".to_owned(),
        vec![],
        first_seen,
    ));
}

pub(super) fn owner_missing(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for r in judged(ctx) {
        let owner = r.risk.owner_id.and_then(|id| ctx.people.get(&id).copied());
        let (problem, since) = match owner {
            Some(p) if p.employment_status != EmploymentStatus::Left => continue,
            Some(p) => {
                let left = p.end_date.unwrap_or(ctx.as_of.today);
                if ctx.as_of.today <= Ctx::plus(left, ctx.settings.owner_cover_days) {
                    continue;
                }
                (format!("is owned by {}, who has left", p.name), left)
            }
            None => ("has no owner".to_owned(), ctx.as_of.today),
        };
        let mut records = vec![risk_ref(r, None)];
        records.extend(owner.map(Ctx::person_ref));
        out.push(ctx.finding(
            check,
            "6.1.2",
            &r.risk.id.to_string(),
            Severity::Minor,
            format!("Risk {} {problem}", r.risk.reference),
            format!(
                "Clause 6.1.2 c) 2) requires the risk owners to be identified. Risk {} \"{}\" {problem}, so nobody answers for its treatment or may accept it.",
                r.risk.reference, r.risk.title
            ),
            records,
            since,
        ));
    }
}

pub(super) fn review_overdue(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for r in judged(ctx) {
        let Some(a) = latest(ctx, r) else { continue };
        let counts_from = Ctx::plus(a.review_due, ctx.settings.risk_review_grace_days);
        if ctx.as_of.today <= counts_from {
            continue;
        }
        out.push(ctx.finding(
            check,
            "8.2",
            &r.risk.id.to_string(),
            Severity::Minor,
            format!("Risk {} was due for reassessment on {}", r.risk.reference, a.review_due),
            format!(
                "Clause 8.2 requires risk assessments at planned intervals. Risk {} \"{}\" was last assessed on {} at level {}, whose interval made it due again on {}; it has not been reassessed.",
                r.risk.reference, r.risk.title, a.assessed_on, a.current_level, a.review_due
            ),
            vec![risk_ref(r, Some(a.review_due))],
            Ctx::plus(counts_from, 1),
        ));
    }
}

pub(super) fn superseded(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    let Some(current) = ctx.s.risks.current() else {
        return;
    };
    let published = ctx.day(current.published_at);
    let counts_from = Ctx::plus(published, ctx.settings.rerate_grace_days);
    if ctx.as_of.today <= counts_from {
        return;
    }
    let old: Vec<RecordRef> = judged(ctx)
        .iter()
        .filter(|r| latest(ctx, r).is_some_and(|a| a.method_version < current.version))
        .map(|r| risk_ref(r, r.latest.as_ref().map(|a| a.assessed_on)))
        .collect();
    if old.is_empty() {
        return;
    }
    let n = old.len();
    let mut records = vec![RecordRef {
        kind: RecordKind::RiskMethod,
        id: current.id.to_string(),
        label: format!("Risk method version {}", current.version),
        date: Some(published),
    }];
    records.extend(old);
    out.push(ctx.finding(
        check,
        "6.1.2",
        &current.id.to_string(),
        Severity::Observation,
        format!(
            "{n} risk{} still rated under an earlier version of the risk method",
            if n == 1 { " is" } else { "s are" }
        ),
        format!(
            "Version {} of the risk method was published on {published}; the register's ratings are comparable only when they use the same criteria (6.1.2 b). Re-rate these risks under the current version.",
            current.version
        ),
        records,
        Ctx::plus(counts_from, 1),
    ));
}

pub(super) fn residual_not_accepted(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    for r in judged(ctx) {
        let Some(a) = latest(ctx, r) else { continue };
        let Some(level) = ctx
            .s
            .risks
            .version(a.method_version)
            .and_then(|m| m.method.level_by_key(&a.current_level))
        else {
            continue;
        };
        if !level.authority.above_threshold() {
            continue;
        }
        let subject = Subject::of(&r.risk, a);
        let accepted = r.acceptance.as_ref().is_some_and(|d| {
            d.kind == DecisionKind::ResidualAcceptance
                && d.standing(&subject, ctx.as_of.today) == Standing::Live
                && d.authority >= level.authority
        });
        if accepted {
            continue;
        }
        // The method's own time to treat is the grace: until then the plan may still bring
        // the risk within appetite.
        let allowed = Ctx::plus(a.assessed_on, level.treat_days.map_or(0, i64::from));
        if ctx.as_of.today <= allowed {
            continue;
        }
        let (title, why) = if level.authority == Authority::NotAcceptable {
            (
                format!(
                    "Risk {} is at {}, which the method does not accept, past its time to treat",
                    r.risk.reference, level.label
                ),
                format!(
                    "The method allows {} days to bring a risk at level {} down; risk {} \"{}\" was assessed there on {} and is still there.",
                    level.treat_days.unwrap_or(0),
                    level.label,
                    r.risk.reference,
                    r.risk.title,
                    a.assessed_on
                ),
            )
        } else {
            let stale = match r
                .acceptance
                .as_ref()
                .map(|d| d.standing(&subject, ctx.as_of.today))
            {
                Some(Standing::Expired) => " Its acceptance has expired.",
                Some(Standing::Stale) => {
                    " The risk has changed materially since its acceptance, which no longer covers it."
                }
                _ => "",
            };
            (
                format!(
                    "Residual risk {} at {} is not accepted by {}",
                    r.risk.reference,
                    level.label,
                    level.authority.as_str().replace('_', " ")
                ),
                format!(
                    "Clause 6.1.3 f) requires the risk owners to approve the treatment plan and accept the residual risks. Risk {} \"{}\" is at level {} since {}, which the method says is accepted by {}.{stale}",
                    r.risk.reference,
                    r.risk.title,
                    level.label,
                    a.assessed_on,
                    level.authority.as_str().replace('_', " ")
                ),
            )
        };
        out.push(ctx.finding(
            check,
            "6.1.3",
            &r.risk.id.to_string(),
            Severity::Minor,
            title,
            why,
            vec![risk_ref(r, Some(a.assessed_on))],
            Ctx::plus(allowed, 1),
        ));
    }
}
