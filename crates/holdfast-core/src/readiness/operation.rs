//! Clause 4.4 (the processes and their interactions) and 8.1 (operational planning and
//! control): processes owned, run on schedule with evidence, and linked by interactions
//! whose SLAs hold.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Finding, Severity, Snapshot};
use crate::activity::ActivityState;
use crate::ids::ProcessId;
use crate::person::EmploymentStatus;
use crate::process::{Process, ProcessStatus};
use crate::task::SlaOutcome;

pub fn check(s: &Snapshot, today: NaiveDate, now: DateTime<Utc>) -> Vec<Finding> {
    let active: Vec<&Process> = s
        .processes
        .iter()
        .filter(|p| p.status == ProcessStatus::Active)
        .collect();
    let mut out = Vec::new();
    out.extend(active.iter().filter_map(|p| without_owner(s, p)));
    out.extend(active.iter().filter_map(|p| not_run(s, p, today)));
    out.extend(evidence_missing(s));
    out.extend(overdue(s, today));
    out.extend(interactions_failing(s, now));
    out.extend(active.iter().filter_map(|p| silo(s, p)));
    out
}

fn without_owner(s: &Snapshot, p: &Process) -> Option<Finding> {
    let owner = p
        .owner_id
        .and_then(|id| s.people.iter().find(|x| x.id == id));
    let problem = match owner {
        None => "has no owner".to_owned(),
        Some(o) if o.employment_status == EmploymentStatus::Left => {
            format!("is owned by {}, who has left", o.name)
        }
        Some(_) => return None,
    };
    Some(Finding {
        id: format!("4.4/process-without-owner/{}", p.id),
        clause: "4.4",
        severity: Severity::Major,
        title: format!("Active process \"{}\" {problem}", p.name),
        explanation: format!(
            "The process \"{}\" is in operation but nobody answers for it. Clause 4.4 requires the ISMS processes to be established and maintained, and 5.3 requires responsibilities to be assigned; an unowned process is not managed.",
            p.name
        ),
        records: vec![p.id.to_string()],
        remediation: "Assign an owner who is employed, and a deputy.".into(),
    })
}

fn not_run(s: &Snapshot, p: &Process, today: NaiveDate) -> Option<Finding> {
    let last_due = p.cadence.last_on_or_before(today)?;
    let runs: Vec<_> = s
        .activities
        .iter()
        .filter(|a| a.process_id == p.id)
        .collect();
    let done: Vec<_> = runs
        .iter()
        .filter(|a| a.state == ActivityState::Done)
        .collect();
    if done.is_empty() {
        return Some(Finding {
            id: format!("8.1/process-never-run/{}", p.id),
            clause: "8.1",
            severity: Severity::Major,
            title: format!("Process \"{}\" is documented but has never run", p.name),
            explanation: format!(
                "\"{}\" has been due since {} ({}), yet no run was ever completed. Clause 8.1 requires evidence that processes were carried out as planned; a process that exists only on paper is shelf-ware.",
                p.name,
                p.cadence.anchor(),
                p.cadence.rule()
            ),
            records: std::iter::once(p.id.to_string())
                .chain(runs.iter().map(|a| a.id.to_string()))
                .collect(),
            remediation:
                "Run the process now, close the run with its evidence, and keep to the cadence."
                    .into(),
        });
    }
    // The window that last closed runs from the occurrence before the latest one.
    let window_start = p
        .cadence
        .last_on_or_before(last_due.date - chrono::Duration::days(1))
        .map_or(p.cadence.anchor(), |o| o.date);
    let in_window = done.iter().any(|a| {
        a.due_date >= window_start || a.closed_at.is_some_and(|c| c.date_naive() >= window_start)
    });
    if in_window {
        return None;
    }
    let latest_run = done.iter().max_by_key(|a| a.closed_at);
    let latest = latest_run.and_then(|a| a.closed_at);
    Some(Finding {
        id: format!("8.1/process-late/{}", p.id),
        clause: "8.1",
        severity: Severity::Minor,
        title: format!("Process \"{}\" has not run in its last cycle", p.name),
        explanation: format!(
            "\"{}\" runs {}; its last cycle began on {window_start}, but the latest completed run {}. The process operates, but not as planned.",
            p.name,
            p.cadence.rule(),
            latest.map_or_else(|| "has no closing date".to_owned(), |d| format!("was closed on {}", d.date_naive()))
        ),
        records: std::iter::once(p.id.to_string()).chain(latest_run.map(|a| a.id.to_string())).collect(),
        remediation: "Complete the overdue run with its evidence; if the cadence is wrong, change it with a reason.".into(),
    })
}

fn evidence_missing(s: &Snapshot) -> Vec<Finding> {
    let processes: HashMap<ProcessId, &Process> = s.processes.iter().map(|p| (p.id, p)).collect();
    s.activities
        .iter()
        .filter(|a| a.state == ActivityState::Done)
        .filter_map(|a| {
            let p = processes.get(&a.process_id)?;
            let missing = a.missing_evidence(&p.evidence);
            (!missing.is_empty()).then(|| Finding {
                id: format!("8.1/evidence-missing/{}", a.id),
                clause: "8.1",
                severity: Severity::Minor,
                title: format!("A closed run of \"{}\" lacks required evidence", p.name),
                explanation: format!(
                    "The run of \"{}\" due {} was closed without: {}. Clause 8.1 asks for documented information to the extent necessary to have confidence that the process was carried out as planned.",
                    p.name,
                    a.due_date,
                    missing.join(", ")
                ),
                records: vec![a.id.to_string(), p.id.to_string()],
                remediation: "Reopen the run with a reason, attach the missing evidence, and close it again.".into(),
            })
        })
        .collect()
}

fn overdue(s: &Snapshot, today: NaiveDate) -> Vec<Finding> {
    let names: HashMap<ProcessId, &str> = s
        .processes
        .iter()
        .filter(|p| p.status == ProcessStatus::Active)
        .map(|p| (p.id, p.name.as_str()))
        .collect();
    s.activities
        .iter()
        .filter(|a| a.is_open() && a.due_date < today)
        .filter_map(|a| {
            let name = names.get(&a.process_id)?;
            Some(Finding {
                id: format!("8.1/activity-overdue/{}", a.id),
                clause: "8.1",
                severity: Severity::Minor,
                title: format!("A run of \"{name}\" is overdue since {}", a.due_date),
                explanation: format!(
                    "The run of \"{name}\" due {} is still open {} days later. Planned activities not carried out on time are a nonconformity with 8.1.",
                    a.due_date,
                    (today - a.due_date).num_days()
                ),
                records: vec![a.id.to_string()],
                remediation: "Complete the run with its evidence, or have a manager skip it with a reason.".into(),
            })
        })
        .collect()
}

fn interactions_failing(s: &Snapshot, now: DateTime<Utc>) -> Vec<Finding> {
    s.rules
        .iter()
        .filter_map(|r| {
            let tasks: Vec<_> = s.tasks.iter().filter(|t| t.rule_id == Some(r.id)).collect();
            let breached: Vec<_> = tasks.iter().filter(|t| t.sla(now) == SlaOutcome::Breached).collect();
            if breached.is_empty() {
                return None;
            }
            let name = |id: ProcessId| s.processes.iter().find(|p| p.id == id).map_or("?", |p| p.name.as_str());
            let open = breached.iter().filter(|t| t.status.is_open()).count();
            Some(Finding {
                id: format!("4.4/interaction-sla/{}", r.id),
                clause: "4.4",
                severity: Severity::Minor,
                title: if r.links_processes() {
                    format!("Interaction \"{}\" → \"{}\" on {} missed its SLA", name(r.from_process), name(r.to_process), r.event)
                } else {
                    format!("Escalation within \"{}\" on {} missed its SLA", name(r.from_process), r.event)
                },
                explanation: format!(
                    "{} task(s) created by this interaction missed the {}-hour SLA ({} still open). Clause 4.4 requires the interactions between processes to work, not only to be drawn.",
                    breached.len(),
                    r.sla_hours,
                    open
                ),
                records: std::iter::once(r.id.to_string()).chain(breached.iter().map(|t| t.id.to_string())).collect(),
                remediation: "Complete the open tasks; if the SLA cannot be met, give the receiving process the resources or agree a realistic SLA.".into(),
            })
        })
        .collect()
}

fn silo(s: &Snapshot, p: &Process) -> Option<Finding> {
    let linked = s.rules.iter().any(|r| {
        r.active && r.links_processes() && (r.from_process == p.id || r.to_process == p.id)
    });
    (!linked).then(|| Finding {
        id: format!("4.4/process-silo/{}", p.id),
        clause: "4.4",
        severity: Severity::Observation,
        title: format!("Process \"{}\" interacts with no other process", p.name),
        explanation: format!(
            "No interaction leads into or out of \"{}\". Clause 4.4 speaks of the processes and their interactions; a process in a silo is rarely what the organisation really does.",
            p.name
        ),
        records: vec![p.id.to_string()],
        remediation: "Add the interactions it has: which events in other processes create work for it, and what its outcomes set off.".into(),
    })
}
