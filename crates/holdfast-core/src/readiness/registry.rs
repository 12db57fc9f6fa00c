//! The one list of what Holdfast checks. Each entry declares its stable code, the clauses it
//! can raise findings against, its severity policy and grace in words (shown to auditors),
//! and the function that evaluates it. A capability that adds records adds its checks here.

use super::context::Ctx;
use super::{ClauseRef, Finding, leadership, operation, rhythm, risk, scope, soa, system};
use crate::catalog;

/// One readiness check.
#[derive(Debug)]
pub struct Check {
    /// Stable code: `clause/what` (`8.1/process-late`).
    pub code: &'static str,
    /// The clauses its findings are raised against.
    pub clauses: &'static [&'static str],
    /// What it looks for.
    pub summary: &'static str,
    /// How severity is decided.
    pub severity: &'static str,
    /// The grace a real organisation is given before it counts.
    pub grace: &'static str,
    /// What to do about a finding.
    pub remediation: &'static str,
    /// Evaluates the check, appending its findings.
    pub(super) run: fn(&Ctx<'_>, &Check, &mut Vec<Finding>),
}

/// Every check, in the order of the standard.
pub static CHECKS: &[Check] = &[
    Check {
        code: "4.1/no-context-issues",
        clauses: &["4.1"],
        summary: "The internal and external issues relevant to the ISMS are recorded.",
        severity: "minor: the issues were never determined",
        grace: "90 days after the ISMS first operates",
        remediation: "Record the internal and external issues that affect the ISMS, each with its effect, an owner and a review date.",
        run: scope::no_issues,
    },
    Check {
        code: "4.1/context-review-overdue",
        clauses: &["4.1"],
        summary: "Each issue is reviewed by its review date.",
        severity: "observation, one for the register",
        grace: "30 days after the review date",
        remediation: "Review the overdue issues: confirm, change or retire each, and set the next review date.",
        run: scope::issues_overdue,
    },
    Check {
        code: "4.2/no-interested-parties",
        clauses: &["4.2"],
        summary: "The interested parties relevant to the ISMS are recorded.",
        severity: "minor: the parties were never determined",
        grace: "90 days after the ISMS first operates",
        remediation: "Record the interested parties (customers, regulators, suppliers, staff) and their requirements.",
        run: scope::no_parties,
    },
    Check {
        code: "4.2/interested-parties-review-overdue",
        clauses: &["4.2"],
        summary: "Each interested party is reviewed by its review date.",
        severity: "observation, one for the register",
        grace: "30 days after the review date",
        remediation: "Review the overdue parties and their requirements, and set the next review date.",
        run: scope::parties_overdue,
    },
    Check {
        code: "4.2/requirement-unaddressed",
        clauses: &["4.2"],
        summary: "Each requirement of an interested party is addressed by a control or a process.",
        severity: "observation",
        grace: "30 days after the requirement is recorded",
        remediation: "Link the requirement to the Annex A controls or the processes that meet it, or record why the ISMS does not address it.",
        run: scope::requirement_unaddressed,
    },
    Check {
        code: "4.3/no-scope",
        clauses: &["4.3"],
        summary: "The scope of the ISMS is determined as a scope statement.",
        severity: "major: without a scope there is nothing to certify",
        grace: "90 days after the ISMS first operates",
        remediation: "Propose a scope: the statement, the units, locations, processes and assets in and out (with why), and the interfaces; have top management approve it.",
        run: scope::no_scope,
    },
    Check {
        code: "4.3/scope-not-approved",
        clauses: &["4.3"],
        summary: "A version of the scope is approved by top management.",
        severity: "minor",
        grace: "30 days after a version is proposed, and not before the ISMS's first 90 days have passed",
        remediation: "Have top management (the owner of the leadership or management-review process) approve the proposed scope.",
        run: scope::scope_not_approved,
    },
    Check {
        code: "4.4/no-active-process",
        clauses: &["4.4"],
        summary: "The ISMS has at least one process in operation.",
        severity: "major: without a running process there is no ISMS to audit",
        grace: "none",
        remediation: "Give the processes of the ISMS owners and activate them; the process library is a starting point.",
        run: system::no_active_process,
    },
    Check {
        code: "4.4/process-silo",
        clauses: &["4.4"],
        summary: "Each running process interacts with another process.",
        severity: "observation",
        grace: "none",
        remediation: "Add the interactions it has: which events in other processes create work for it, and what its outcomes set off.",
        run: system::silo,
    },
    Check {
        code: "4.4/interaction-sla",
        clauses: &["4.4"],
        summary: "The tasks an interaction creates are done within its SLA, in the audit period.",
        severity: "observation for an isolated breach; minor for two or more, or for breaches in one in ten of the period's tasks",
        grace: "a task counts from its SLA deadline",
        remediation: "Complete the open tasks; if the SLA cannot be met, give the receiving process the resources or agree a realistic SLA.",
        run: system::interaction_sla,
    },
    Check {
        code: "5.3/owner-missing",
        clauses: &["5.3"],
        summary: "Each process in operation has an owner who is employed.",
        severity: "minor; major when there is also no deputy and the process serves a clause the standard requires a recurring activity for (6.1.2, 8.2, 9.2, 9.3, 10.2)",
        grace: "a deputy who stays covers for 30 days",
        remediation: "Assign an owner who is employed, and a deputy.",
        run: leadership::owner_missing,
    },
    Check {
        code: "5.3/owner-leaving",
        clauses: &["5.3"],
        summary: "No process owner is on notice without a successor.",
        severity: "observation",
        grace: "none",
        remediation: "Hand the process over to someone who stays before the owner's last day.",
        run: leadership::owner_leaving,
    },
    Check {
        code: "5.3/run-assignee-left",
        clauses: &["5.3"],
        summary: "No open run is assigned to someone who has left.",
        severity: "observation",
        grace: "none",
        remediation: "Give the open runs to a colleague who stays.",
        run: leadership::assignee_left,
    },
    Check {
        code: "6.1.2/no-process",
        clauses: &["6.1.2"],
        summary: "A process in operation serves information security risk assessment.",
        severity: "major",
        grace: "none",
        remediation: "Activate a risk assessment process (clauses 6.1.2 and 8.2) with an owner and a cadence.",
        run: rhythm::no_process,
    },
    Check {
        code: "6.1.2/no-risk-method",
        clauses: &["6.1.2"],
        summary: "A risk method (scales, levels and acceptance criteria) is published.",
        severity: "major: without criteria no assessment is consistent or comparable",
        grace: "90 days after the ISMS first operates",
        remediation: "Publish a risk method: start from the proposed 5×5 and set who may accept each level.",
        run: risk::no_method,
    },
    Check {
        code: "6.1.2/risk-owner-missing",
        clauses: &["6.1.2"],
        summary: "Every risk has an owner who is employed.",
        severity: "minor",
        grace: "30 days after the owner leaves",
        remediation: "Give the risk an owner who stays.",
        run: risk::owner_missing,
    },
    Check {
        code: "6.1.2/risk-method-superseded",
        clauses: &["6.1.2"],
        summary: "The register is rated under the method in force.",
        severity: "observation",
        grace: "90 days after a new version is published",
        remediation: "Re-rate the register under the current method version.",
        run: risk::superseded,
    },
    Check {
        code: "6.1.3/residual-not-accepted",
        clauses: &["6.1.3"],
        summary: "A residual risk above appetite is accepted by the authority its level demands, or treated within the method's time.",
        severity: "minor",
        grace: "the level's time to treat, from the assessment",
        remediation: "Treat the risk until its level falls, or have the risk owner or top management accept it with a reason and an expiry.",
        run: risk::residual_not_accepted,
    },
    Check {
        code: "8.2/risk-review-overdue",
        clauses: &["8.2"],
        summary: "Each risk is reassessed within its level's review interval.",
        severity: "minor",
        grace: "30 days after the review date",
        remediation: "Reassess the risk, recording the ratings and why.",
        run: risk::review_overdue,
    },
    Check {
        code: "6.1.3/no-soa",
        clauses: &["6.1.3"],
        summary: "A Statement of Applicability is approved and published.",
        severity: "major: the standard requires it, and certification is against it",
        grace: "90 days after the ISMS first operates",
        remediation: "Decide each of the 93 Annex A controls with a justification, then publish the Statement of Applicability.",
        run: soa::missing,
    },
    Check {
        code: "6.1.3/soa-excludes-treatment-control",
        clauses: &["6.1.3"],
        summary: "No control a risk treatment or an interested party's requirement relies on is excluded from the Statement of Applicability.",
        severity: "minor",
        grace: "none",
        remediation: "Include the control (and implement it), or change the risk's treatment to controls that apply.",
        run: soa::cited_but_excluded,
    },
    Check {
        code: "6.1.3/soa-not-republished",
        clauses: &["6.1.3"],
        summary: "The published Statement of Applicability matches the live decisions and their reasons.",
        severity: "observation",
        grace: "30 days after the last publication",
        remediation: "Review the changed lines and publish a new version of the Statement of Applicability.",
        run: soa::not_republished,
    },
    Check {
        code: "8.1/process-late",
        clauses: &["8.1", "8.2", "9.2", "9.3", "10.2"],
        summary: "Each running process completes its cycles as planned; raised against the clause the process serves (a missed management review against 9.3).",
        severity: "observation for a run late within its cycle; minor for a missed cycle; major for two missed cycles",
        grace: "a run is missed when its next run is due or it is 30 days overdue; a documented skip is not a missed cycle; a process that never ran is judged by 8.1/process-never-run",
        remediation: "Complete the overdue runs with their evidence; if the cadence is wrong, change it; a manager can skip a run with a reason.",
        run: operation::process_late,
    },
    Check {
        code: "8.1/process-never-run",
        clauses: &["8.1", "8.2", "9.2", "9.3", "10.2"],
        summary: "A process in operation has been run at least once.",
        severity: "major: documented but never run is shelf-ware",
        grace: "14 days after its first due date",
        remediation: "Run the process now, close the run with its evidence, and keep to the cadence.",
        run: operation::never_run,
    },
    Check {
        code: "8.1/runs-closed-late",
        clauses: &["8.1"],
        summary: "Runs are closed when they are due, not weeks later, in the audit period.",
        severity: "minor",
        grace: "7 days after the due date",
        remediation: "Close runs when the work is done; if the due dates are unrealistic, change the cadence.",
        run: operation::closed_late,
    },
    Check {
        code: "8.1/evidence-missing",
        clauses: &["8.1"],
        summary: "Runs closed in the audit period have the evidence their process required when they were closed.",
        severity: "minor",
        grace: "none",
        remediation: "Reopen each run with a reason, attach the missing evidence, and close it again.",
        run: operation::evidence_missing,
    },
    Check {
        code: "8.2/lapsed",
        clauses: &["8.2"],
        summary: "A risk assessment has been completed within the last 12 months.",
        severity: "major",
        grace: "12 months from the last assessment (or from when the process started), plus 14 days",
        remediation: "Carry out the risk assessment now and close its run with the register and sign-off.",
        run: rhythm::lapsed,
    },
    Check {
        code: "9.2/no-process",
        clauses: &["9.2"],
        summary: "A process in operation serves internal audit.",
        severity: "major",
        grace: "none",
        remediation: "Activate an internal audit process with an owner independent of the areas audited.",
        run: rhythm::no_process,
    },
    Check {
        code: "9.2/lapsed",
        clauses: &["9.2"],
        summary: "An internal audit has been completed within the programme's cycle (12 months).",
        severity: "major",
        grace: "12 months from the last audit (or from when the process started), plus 14 days",
        remediation: "Hold the internal audit now and close its run with the audit report.",
        run: rhythm::lapsed,
    },
    Check {
        code: "9.3/no-process",
        clauses: &["9.3"],
        summary: "A process in operation serves management review.",
        severity: "major",
        grace: "none",
        remediation: "Activate a management review process owned by top management.",
        run: rhythm::no_process,
    },
    Check {
        code: "9.3/lapsed",
        clauses: &["9.3"],
        summary: "Top management has reviewed the ISMS within the last 12 months.",
        severity: "major",
        grace: "12 months from the last review (or from when the process started), plus 14 days; skipped runs do not extend it",
        remediation: "Hold the management review now with the inputs of 9.3.2 and close its run with minutes and attendance.",
        run: rhythm::lapsed,
    },
    Check {
        code: "10.2/no-process",
        clauses: &["10.2"],
        summary: "A process in operation serves nonconformity and corrective action.",
        severity: "major",
        grace: "none",
        remediation: "Activate a corrective action process that reviews nonconformities and their root causes.",
        run: rhythm::no_process,
    },
    Check {
        code: "10.2/lapsed",
        clauses: &["10.2"],
        summary: "Nonconformities and corrective actions have been reviewed within the last 12 months.",
        severity: "major",
        grace: "12 months from the last review (or from when the process started), plus 14 days",
        remediation: "Review the open nonconformities and corrective actions now and close the run with the log.",
        run: rhythm::lapsed,
    },
];

/// The clause a check's code names (`9.3/lapsed` → `9.3`).
pub(crate) fn clause_of(check: &Check) -> &'static str {
    check.code.split('/').next().unwrap_or(check.code)
}

/// The clauses the registry evaluates, and those it does not (yet), in the catalog's order.
#[must_use]
pub fn coverage() -> (Vec<ClauseRef>, Vec<ClauseRef>) {
    catalog::clauses()
        .iter()
        .map(|c| ClauseRef {
            id: c.id,
            title: c.title,
        })
        .partition(|c| CHECKS.iter().any(|k| k.clauses.contains(&c.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_name_clauses_of_the_catalog() {
        let mut codes: Vec<_> = CHECKS.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CHECKS.len());
        for c in CHECKS {
            assert!(catalog::clause(clause_of(c)).is_some(), "{}", c.code);
            assert!(c.clauses.contains(&clause_of(c)), "{}", c.code);
            for k in c.clauses {
                assert!(catalog::clause(k).is_some(), "{}: {k}", c.code);
            }
        }
    }

    #[test]
    fn coverage_splits_the_clauses_into_checked_and_not_yet() {
        let (checked, not_checked) = coverage();
        let ids: Vec<_> = checked.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "4.1", "4.2", "4.3", "4.4", "5.3", "6.1.2", "6.1.3", "8.1", "8.2", "9.2", "9.3",
                "10.2"
            ]
        );
        assert_eq!(checked.len() + not_checked.len(), catalog::clauses().len());
        assert!(not_checked.iter().any(|c| c.id == "7.5"));
    }
}
