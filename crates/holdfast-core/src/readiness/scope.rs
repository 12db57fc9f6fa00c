//! Clauses 4.1–4.3 on the context of the organisation: the issues and the interested parties
//! are determined and kept under review, each requirement is addressed by something in the
//! ISMS, and a scope is determined and approved by top management.

use chrono::NaiveDate;

use super::context::Ctx;
use super::{Check, Finding, RecordKind, RecordRef, Severity};
use crate::context::{Issue, Party};

/// Whether the context is judged at all: an ISMS with no process in operation is one
/// defect (4.4's), and a new one has its grace to lay its foundations.
fn due(ctx: &Ctx<'_>) -> Option<NaiveDate> {
    ctx.foundation_due()
}

fn issue_ref(i: &Issue) -> RecordRef {
    RecordRef {
        kind: RecordKind::ContextIssue,
        id: i.id.to_string(),
        label: format!("{} {}", i.reference, i.title),
        date: Some(i.review_due),
    }
}

fn party_ref(p: &Party) -> RecordRef {
    RecordRef {
        kind: RecordKind::InterestedParty,
        id: p.id.to_string(),
        label: p.name.clone(),
        date: Some(p.review_due),
    }
}

pub(super) fn no_issues(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.s.context.issues.iter().any(|i| i.active) {
        return;
    }
    let Some(first_seen) = due(ctx) else { return };
    out.push(ctx.finding(
        check,
        "4.1",
        "",
        Severity::Minor,
        "No internal or external issues are recorded".to_owned(),
        "Clause 4.1 requires the organisation to determine the external and internal issues relevant to its purpose that affect the ability of its ISMS to achieve its intended outcomes. The register of issues is empty, so neither the risk assessment nor the management review can show it considered them.".to_owned(),
        vec![],
        first_seen,
    ));
}

pub(super) fn no_parties(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.s.context.parties.iter().any(|p| p.active) {
        return;
    }
    let Some(first_seen) = due(ctx) else { return };
    out.push(ctx.finding(
        check,
        "4.2",
        "",
        Severity::Minor,
        "No interested parties are recorded".to_owned(),
        "Clause 4.2 requires the organisation to determine the interested parties relevant to the ISMS, their requirements, and which of those the ISMS addresses. No interested party is recorded.".to_owned(),
        vec![],
        first_seen,
    ));
}

/// One observation per register listing every record whose review is overdue beyond the
/// grace, first seen when the earliest of them went overdue.
fn overdue<'a, T>(
    ctx: &Ctx<'_>,
    items: impl Iterator<Item = &'a T>,
    review_due: impl Fn(&T) -> NaiveDate,
    to_ref: impl Fn(&T) -> RecordRef,
) -> Option<(Vec<RecordRef>, NaiveDate)>
where
    T: 'a,
{
    let grace = ctx.settings.context_review_grace_days;
    let mut late: Vec<(NaiveDate, RecordRef)> = items
        .filter(|t| Ctx::plus(review_due(t), grace) < ctx.as_of.today)
        .map(|t| (review_due(t), to_ref(t)))
        .collect();
    late.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.label.cmp(&b.1.label)));
    let first = late.first().map(|(d, _)| Ctx::plus(*d, grace + 1))?;
    Some((late.into_iter().map(|(_, r)| r).collect(), first))
}

pub(super) fn issues_overdue(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.operating.is_empty() {
        return;
    }
    let Some((records, first_seen)) = overdue(
        ctx,
        ctx.s.context.issues.iter().filter(|i| i.active),
        |i| i.review_due,
        issue_ref,
    ) else {
        return;
    };
    out.push(ctx.finding(
        check,
        "4.1",
        "",
        Severity::Observation,
        format!("{} issue(s) of the context are past their review date", records.len()),
        format!(
            "The internal and external issues are an input to every management review (9.3.2 b). {} of them have not been looked at since their review date passed: {}.",
            records.len(),
            labels(&records)
        ),
        records,
        first_seen,
    ));
}

pub(super) fn parties_overdue(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.operating.is_empty() {
        return;
    }
    let Some((records, first_seen)) = overdue(
        ctx,
        ctx.s.context.parties.iter().filter(|p| p.active),
        |p| p.review_due,
        party_ref,
    ) else {
        return;
    };
    out.push(ctx.finding(
        check,
        "4.2",
        "",
        Severity::Observation,
        format!("{} interested part(ies) are past their review date", records.len()),
        format!(
            "Changes in the needs and expectations of interested parties are an input to every management review (9.3.2 c). {} of them have not been looked at since their review date passed: {}.",
            records.len(),
            labels(&records)
        ),
        records,
        first_seen,
    ));
}

fn labels(records: &[RecordRef]) -> String {
    let shown: Vec<&str> = records.iter().take(5).map(|r| r.label.as_str()).collect();
    let more = records.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

pub(super) fn requirement_unaddressed(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.operating.is_empty() {
        return;
    }
    let grace = ctx.settings.context_review_grace_days;
    for r in &ctx.s.context.requirements {
        let Some(party) = ctx
            .s
            .context
            .parties
            .iter()
            .find(|p| p.id == r.party_id && p.active)
        else {
            continue;
        };
        let counts_from = Ctx::plus(r.recorded_on, grace);
        if !r.unaddressed() || ctx.as_of.today <= counts_from {
            continue;
        }
        out.push(ctx.finding(
            check,
            "4.2",
            &r.id.to_string(),
            Severity::Observation,
            format!("Requirement {} of {} is not addressed", r.citation, party.name),
            format!(
                "Clause 4.2 c) asks which of the interested parties' requirements are addressed through the ISMS. \"{}\" ({}) is linked to no Annex A control and no process, so nothing shows how it is met.",
                r.citation,
                r.kind.as_str()
            ),
            vec![
                RecordRef {
                    kind: RecordKind::Requirement,
                    id: r.id.to_string(),
                    label: r.citation.clone(),
                    date: Some(r.recorded_on),
                },
                party_ref(party),
            ],
            Ctx::plus(counts_from, 1),
        ));
    }
}

pub(super) fn no_scope(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if !ctx.s.context.scopes.is_empty() {
        return;
    }
    let Some(first_seen) = due(ctx) else { return };
    out.push(ctx.finding(
        check,
        "4.3",
        "",
        Severity::Major,
        "The scope of the ISMS is not determined".to_owned(),
        "Clause 4.3 requires the boundaries and applicability of the ISMS to be determined and available as documented information. No scope statement exists, so nothing says what the certificate would cover.".to_owned(),
        vec![],
        first_seen,
    ));
}

pub(super) fn scope_not_approved(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.s.context.scope_in_force().is_some() {
        return;
    }
    let Some(latest) = ctx.s.context.scopes.last() else {
        return;
    };
    let Some(due) = due(ctx) else { return };
    let proposed = ctx.day(latest.proposed_at);
    let first_seen = due.max(Ctx::plus(
        proposed,
        ctx.settings.context_review_grace_days + 1,
    ));
    if ctx.as_of.today < first_seen {
        return;
    }
    out.push(ctx.finding(
        check,
        "4.3",
        "",
        Severity::Minor,
        "The scope of the ISMS is not approved by top management".to_owned(),
        format!(
            "Scope version {} was proposed on {proposed} and no version has been approved by top management, who must ensure the ISMS is established (5.1) and so decide what it covers.",
            latest.number
        ),
        vec![RecordRef {
            kind: RecordKind::ScopeVersion,
            id: latest.number.to_string(),
            label: format!("Scope version {}", latest.number),
            date: Some(proposed),
        }],
        first_seen,
    ));
}
