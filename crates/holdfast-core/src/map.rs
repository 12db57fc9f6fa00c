//! The process map: processes as nodes, interaction rules as edges, each edge judged by the
//! SLA outcomes of the tasks it created in the audit period, the same window the readiness
//! engine judges interactions in, so the map and the findings agree. Drawn from live records
//! only.

pub mod layout;

use crate::clock::AsOf;
use crate::interaction::InteractionRule;
use crate::process::{Process, ProcessStatus};
use crate::readiness::Period;
use crate::task::{SlaOutcome, Task};

/// How an interaction has done lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// No tasks in the window.
    Quiet,
    /// Every task met its SLA.
    Healthy,
    /// Tasks still open within their SLA.
    Pending,
    /// At least one task breached its SLA.
    Breached,
}

impl Health {
    /// The name pages and styles use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Quiet => "quiet",
            Self::Healthy => "healthy",
            Self::Pending => "pending",
            Self::Breached => "breached",
        }
    }
}

/// A process on the map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    /// Process id.
    pub id: String,
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: ProcessStatus,
}

/// An interaction on the map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edge {
    /// Rule id.
    pub id: String,
    /// From process id.
    pub from: String,
    /// To process id.
    pub to: String,
    /// The event, e.g. `person_left`.
    pub event: String,
    /// SLA in hours.
    pub sla_hours: i64,
    /// Tasks in the window that met the SLA.
    pub met: usize,
    /// Tasks in the window that breached it.
    pub breached: usize,
    /// Tasks in the window still open within it.
    pub open: usize,
    /// Overall.
    pub health: Health,
}

/// The whole map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcessMap {
    /// Processes that are not retired.
    pub nodes: Vec<Node>,
    /// Active interaction rules between them.
    pub edges: Vec<Edge>,
}

/// What the tasks of one rule did in the audit period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Traffic {
    /// Tasks that met the SLA.
    pub met: usize,
    /// Tasks that breached it.
    pub breached: usize,
    /// Tasks still open within it.
    pub open: usize,
    /// Overall.
    pub health: Health,
}

/// The tasks of `rule` the period judges, with their SLA outcome as of the clock: those due
/// in the period (or later, still pending), and any still open from before it, which are
/// left open past their deadline.
pub fn judged<'t>(
    rule: &InteractionRule,
    tasks: impl IntoIterator<Item = &'t Task>,
    period: Period,
    as_of: AsOf,
) -> impl Iterator<Item = (&'t Task, SlaOutcome)> {
    let id = rule.id;
    tasks
        .into_iter()
        .filter(move |t| t.rule_id == Some(id))
        .map(move |t| (t, t.sla(as_of.now)))
        .filter(move |(t, _)| {
            as_of.local_date(t.due_at) >= period.from || !t.finished_by(as_of.now)
        })
}

/// How a rule's tasks fared in the audit period: the colour of its edge on the map and its
/// SLA health on the process page.
#[must_use]
pub fn traffic<'t>(
    rule: &InteractionRule,
    tasks: impl IntoIterator<Item = &'t Task>,
    period: Period,
    as_of: AsOf,
) -> Traffic {
    let (mut met, mut breached, mut open) = (0, 0, 0);
    for (_, outcome) in judged(rule, tasks, period, as_of) {
        match outcome {
            SlaOutcome::Met => met += 1,
            SlaOutcome::Breached => breached += 1,
            SlaOutcome::Open => open += 1,
        }
    }
    let health = if breached > 0 {
        Health::Breached
    } else if open > 0 {
        Health::Pending
    } else if met > 0 {
        Health::Healthy
    } else {
        Health::Quiet
    };
    Traffic {
        met,
        breached,
        open,
        health,
    }
}

/// Builds the map as of the clock from the records, judging edges over `period`.
#[must_use]
pub fn build(
    processes: &[Process],
    rules: &[InteractionRule],
    tasks: &[Task],
    period: Period,
    as_of: AsOf,
) -> ProcessMap {
    let nodes: Vec<Node> = processes
        .iter()
        .filter(|p| p.status != ProcessStatus::Retired)
        .map(|p| Node {
            id: p.id.to_string(),
            key: p.key.clone(),
            name: p.name.clone(),
            status: p.status,
        })
        .collect();
    let edges = rules
        .iter()
        .filter(|r| r.active && r.links_processes())
        .filter(|r| {
            nodes.iter().any(|n| n.id == r.from_process.to_string())
                && nodes.iter().any(|n| n.id == r.to_process.to_string())
        })
        .map(|r| {
            let Traffic {
                met,
                breached,
                open,
                health,
            } = traffic(r, tasks, period, as_of);
            Edge {
                id: r.id.to_string(),
                from: r.from_process.to_string(),
                to: r.to_process.to_string(),
                event: r.event.to_string(),
                sla_hours: r.sla_hours,
                met,
                breached,
                open,
                health,
            }
        })
        .collect();
    ProcessMap { nodes, edges }
}
