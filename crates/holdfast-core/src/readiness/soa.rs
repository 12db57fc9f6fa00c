//! Clause 6.1.3 d) on the Statement of Applicability: it exists as an approved version,
//! no control a risk treatment relies on is excluded, and the published version keeps up with
//! the live one.

use super::context::Ctx;
use super::{Check, Finding, RecordKind, RecordRef, Severity};
use crate::soa;

fn control_ref(control: &str, title: &str) -> RecordRef {
    RecordRef {
        kind: RecordKind::SoaControl,
        id: control.to_owned(),
        label: format!("{control} {title}"),
        date: None,
    }
}

pub(super) fn missing(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    // An ISMS with no process in operation is one defect, reported by 4.4; a new one has
    // its grace to publish its first SoA.
    if ctx.s.soa.published.is_some() {
        return;
    }
    let Some(first_seen) = ctx.foundation_due() else {
        return;
    };
    let undecided = soa::undecided(&ctx.s.soa.live).len();
    out.push(ctx.finding(
        check,
        "6.1.3",
        "",
        Severity::Major,
        "No Statement of Applicability is published".to_owned(),
        format!(
            "Clause 6.1.3 d) requires a Statement of Applicability with the necessary controls, the justification for their inclusion and exclusion, and whether they are implemented. None has been approved and published; {undecided} of the 93 Annex A controls have no decision yet."
        ),
        vec![],
        first_seen,
    ));
}

pub(super) fn cited_but_excluded(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    if ctx.operating.is_empty() {
        return;
    }
    for g in soa::gaps(&ctx.s.soa.live)
        .iter()
        .filter(|g| g.kind == soa::GapKind::Excluded)
    {
        let title = ctx
            .s
            .soa
            .live
            .iter()
            .find(|r| r.control == g.control)
            .map_or("", |r| r.title.as_str());
        let mut records = vec![control_ref(&g.control, title)];
        records.extend(
            ctx.s
                .risks
                .risks
                .iter()
                .filter(|r| g.risks.contains(&r.risk.reference))
                .map(|r| RecordRef {
                    kind: RecordKind::Risk,
                    id: r.risk.id.to_string(),
                    label: format!("{} {}", r.risk.reference, r.risk.title),
                    date: None,
                }),
        );
        let mut needs = Vec::new();
        if !g.risks.is_empty() {
            needs.push(format!("the treatment of {} cites it", g.risks.join(", ")));
        }
        if !g.obligations.is_empty() {
            needs.push(format!("{} ask(s) for it", g.obligations.join("; ")));
        }
        let why = if g.risks.is_empty() {
            "an interested party's requirement asks for it"
        } else {
            "risk treatment relies on it"
        };
        out.push(ctx.finding(
            check,
            "6.1.3",
            &g.control,
            Severity::Minor,
            format!("Control {} is excluded but {why}", g.control),
            format!(
                "The Statement of Applicability excludes {} \"{title}\", yet {}. Clause 6.1.3 c) asks that the controls the treatment needs are compared with Annex A so that none is omitted, and 4.2 c) that the requirements the ISMS addresses are met.",
                g.control,
                needs.join(", and ")
            ),
            records,
            ctx.as_of.today,
        ));
    }
}

pub(super) fn not_republished(ctx: &Ctx<'_>, check: &Check, out: &mut Vec<Finding>) {
    let Some(published) = &ctx.s.soa.published else {
        return;
    };
    let on = ctx.day(published.published_at);
    let counts_from = Ctx::plus(on, ctx.settings.soa_republish_grace_days);
    if ctx.operating.is_empty() || ctx.as_of.today <= counts_from {
        return;
    }
    let drift = soa::drift(&published.rows, &ctx.s.soa.live);
    // Who owns a line and which processes implement it are kept live; the decision and its
    // reasons are what management approved.
    let material: Vec<&soa::Drift> = drift
        .iter()
        .filter(|d| {
            d.changed.iter().any(|c| {
                matches!(
                    *c,
                    "applicability" | "status" | "justification" | "risks" | "new"
                )
            })
        })
        .collect();
    if material.is_empty() {
        return;
    }
    let controls: Vec<&str> = material.iter().map(|d| d.control.as_str()).collect();
    let mut records = vec![RecordRef {
        kind: RecordKind::SoaVersion,
        id: published.number.to_string(),
        label: format!("Statement of Applicability version {}", published.number),
        date: Some(on),
    }];
    records.extend(material.iter().map(|d| RecordRef {
        kind: RecordKind::SoaControl,
        id: d.control.clone(),
        label: format!("{}: {}", d.control, d.changed.join(", ")),
        date: None,
    }));
    out.push(ctx.finding(
        check,
        "6.1.3",
        &published.number.to_string(),
        Severity::Observation,
        format!(
            "The published Statement of Applicability is behind the live one on {} control(s)",
            controls.len()
        ),
        format!(
            "Version {} was approved on {on}; since then the decisions or reasons of {} changed. The approved SoA no longer says what the ISMS does: approve and publish a new version.",
            published.number,
            controls.join(", ")
        ),
        records,
        Ctx::plus(counts_from, 1),
    ));
}
