//! The process map: processes as nodes, interaction rules as edges, each edge judged by the
//! SLA outcomes of the tasks it created in the last 90 days. Drawn from live records only.

use chrono::{DateTime, Duration, Utc};

use crate::interaction::InteractionRule;
use crate::process::{Process, ProcessStatus};
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

/// What the tasks of one rule did in the 90 days up to `now`.
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

/// How a rule's tasks due in the last 90 days fared: the colour of its edge on the map and
/// its SLA health on the process page.
#[must_use]
pub fn traffic(rule: &InteractionRule, tasks: &[Task], now: DateTime<Utc>) -> Traffic {
    let since = now - Duration::days(90);
    let outcomes: Vec<SlaOutcome> = tasks
        .iter()
        .filter(|t| t.rule_id == Some(rule.id) && t.due_at >= since)
        .map(|t| t.sla(now))
        .collect();
    let count = |o| outcomes.iter().filter(|x| **x == o).count();
    let (met, breached, open) = (
        count(SlaOutcome::Met),
        count(SlaOutcome::Breached),
        count(SlaOutcome::Open),
    );
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

/// Builds the map as of `now` from the records.
#[must_use]
pub fn build(
    processes: &[Process],
    rules: &[InteractionRule],
    tasks: &[Task],
    now: DateTime<Utc>,
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
            } = traffic(r, tasks, now);
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
