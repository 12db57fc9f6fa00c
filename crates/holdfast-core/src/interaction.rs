//! Interactions between processes: when an event happens in one process (and a condition
//! holds), a task is created in another, due within an SLA. One dispatcher turns events into
//! tasks; the store makes it happen exactly once.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

use crate::ids::{ProcessId, RuleId};
use crate::validation::ValidationErrors;

/// The kinds of event processes react to. Later capabilities add variants here and default
/// rules in the catalog; they never add "when X also do Y" code elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A person joined.
    PersonJoined,
    /// A person's employment status changed (to leaving, say).
    PersonStatusChanged,
    /// A person left.
    PersonLeft,
    /// A run passed its due date without being closed.
    ActivityOverdue,
    /// A run was closed.
    ActivityDone,
    /// A task was completed.
    TaskDone,
    /// An incident was closed.
    IncidentClosed,
    /// An audit finding was raised.
    FindingRaised,
    /// A risk was accepted.
    RiskAccepted,
    /// A document was approved.
    DocumentApproved,
    /// A nonconformity was raised.
    NonconformityRaised,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 11] = [
        Self::PersonJoined,
        Self::PersonStatusChanged,
        Self::PersonLeft,
        Self::ActivityOverdue,
        Self::ActivityDone,
        Self::TaskDone,
        Self::IncidentClosed,
        Self::FindingRaised,
        Self::RiskAccepted,
        Self::DocumentApproved,
        Self::NonconformityRaised,
    ];

    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PersonJoined => "person_joined",
            Self::PersonStatusChanged => "person_status_changed",
            Self::PersonLeft => "person_left",
            Self::ActivityOverdue => "activity_overdue",
            Self::ActivityDone => "activity_done",
            Self::TaskDone => "task_done",
            Self::IncidentClosed => "incident_closed",
            Self::FindingRaised => "finding_raised",
            Self::RiskAccepted => "risk_accepted",
            Self::DocumentApproved => "document_approved",
            Self::NonconformityRaised => "nonconformity_raised",
        }
    }

    /// Whether work created by a rule can itself emit this event, so a chain of rules
    /// reacting to it could fire forever. Rules create tasks, and tasks emit only
    /// `task_done`; runs come from cadences, never from rules, so a rule on a run's events
    /// (an escalation of an overdue run within its own process, say) cannot feed itself.
    #[must_use]
    pub const fn emitted_by_work(self) -> bool {
        matches!(self, Self::TaskDone)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown event {s:?}; one of {}",
                    Self::ALL.map(Self::as_str).join(", ")
                )
            })
    }
}

/// Something that happened in a process.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    /// What happened.
    pub kind: EventKind,
    /// The process it happened in.
    pub process_id: ProcessId,
    /// The record it is about (`person`, `activity`, `task`) and its id.
    pub subject: (String, String),
    /// A readable name of the subject, for task titles (`Ada Lovelace`).
    pub subject_name: String,
    /// Facts a condition can test (`department`, `days_overdue`).
    pub facts: HashMap<String, String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// A condition on an event's facts: `field = value`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    /// The fact tested.
    pub field: String,
    /// The value it must have.
    pub equals: String,
}

/// Who does the task a rule creates.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// The owner of the process that gets the task: the usual hand-over between processes.
    #[default]
    ProcessOwner,
    /// That owner's line manager (the owner when they have none): for escalations, where
    /// telling the owner again would change nothing.
    OwnersManager,
}

impl Assignee {
    /// Every assignee.
    pub const ALL: [Self; 2] = [Self::ProcessOwner, Self::OwnersManager];

    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProcessOwner => "process_owner",
            Self::OwnersManager => "owners_manager",
        }
    }
}

impl fmt::Display for Assignee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Assignee {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown assignee {s:?}; one of process_owner, owners_manager"))
    }
}

/// An interaction rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionRule {
    /// Id.
    pub id: RuleId,
    /// Where the event happens.
    pub from_process: ProcessId,
    /// What happens.
    pub event: EventKind,
    /// Only when this holds.
    pub condition: Option<Condition>,
    /// Where work is created.
    pub to_process: ProcessId,
    /// Title of the created task; `{subject}` is replaced by the subject's name.
    pub task_title: String,
    /// Priority of the created task.
    pub priority: String,
    /// Hours from the event to the task's deadline.
    pub sla_hours: i64,
    /// Who does the task.
    pub assign_to: Assignee,
    /// Whether the rule fires.
    pub active: bool,
}

impl InteractionRule {
    /// Whether the rule links two processes. A rule within one process (an escalation) is
    /// not an interaction between processes: the map leaves it out and it does not take a
    /// process out of its silo.
    #[must_use]
    pub fn links_processes(&self) -> bool {
        self.from_process != self.to_process
    }
}

/// A task the dispatcher asks the store to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskToCreate {
    /// The rule that fired.
    pub rule_id: RuleId,
    /// The process the task belongs to.
    pub process_id: ProcessId,
    /// Who in that process does it.
    pub assign_to: Assignee,
    /// Title.
    pub title: String,
    /// Priority.
    pub priority: String,
    /// Deadline: event time plus SLA.
    pub due_at: DateTime<Utc>,
    /// The source record.
    pub source: (String, String),
}

/// The tasks `event` creates under `rules`.
#[must_use]
pub fn dispatch(event: &DomainEvent, rules: &[InteractionRule]) -> Vec<TaskToCreate> {
    rules
        .iter()
        .filter(|r| r.active && r.event == event.kind && r.from_process == event.process_id)
        .filter(|r| {
            r.condition
                .as_ref()
                .is_none_or(|c| event.facts.get(&c.field) == Some(&c.equals))
        })
        .map(|r| TaskToCreate {
            rule_id: r.id,
            process_id: r.to_process,
            assign_to: r.assign_to,
            title: r.task_title.replace("{subject}", &event.subject_name),
            priority: r.priority.clone(),
            due_at: event.at + Duration::hours(r.sla_hours),
            source: event.subject.clone(),
        })
        .collect()
}

/// Checks a new or changed rule against the others: a positive SLA, a title, and no chain of
/// rules reacting to work they themselves create, which would fire forever.
///
/// # Errors
/// A message for the offending field.
pub fn check_rule(
    rule: &InteractionRule,
    others: &[InteractionRule],
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if rule.sla_hours <= 0 {
        errors.push("sla_hours", "the SLA must be a positive number of hours");
    }
    if rule.task_title.trim().is_empty() {
        errors.push("task_title", "say what the created task is");
    }
    if !["low", "normal", "high"].contains(&rule.priority.as_str()) {
        errors.push("priority", "priority must be low, normal or high");
    }
    if rule.event.emitted_by_work() {
        // Edges run from a rule's target to the processes reacting to work there.
        let mut edges: HashMap<ProcessId, Vec<ProcessId>> = HashMap::new();
        let live = others
            .iter()
            .filter(|r| r.id != rule.id && r.active && r.event.emitted_by_work());
        for r in live.chain(std::iter::once(rule)) {
            edges.entry(r.from_process).or_default().push(r.to_process);
        }
        // From the new rule's target, can work flow back to its source?
        let mut seen = HashSet::new();
        let mut stack = vec![rule.to_process];
        while let Some(p) = stack.pop() {
            if p == rule.from_process {
                errors.push(
                    "to_process",
                    "this rule reacts to work that it (or rules it sets off) creates, so it would fire forever; choose another event or target",
                );
                break;
            }
            if seen.insert(p) {
                stack.extend(edges.get(&p).into_iter().flatten().copied());
            }
        }
    }
    errors.into_result(|| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(n: u128) -> ProcessId {
        ProcessId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn rule(n: u128, from: u128, event: EventKind, to: u128) -> InteractionRule {
        InteractionRule {
            id: RuleId::from_uuid(uuid::Uuid::from_u128(100 + n)),
            from_process: pid(from),
            event,
            condition: None,
            to_process: pid(to),
            task_title: "Revoke all access of {subject}".into(),
            priority: "high".into(),
            sla_hours: 24,
            assign_to: Assignee::ProcessOwner,
            active: true,
        }
    }

    fn left(department: &str) -> DomainEvent {
        DomainEvent {
            kind: EventKind::PersonLeft,
            process_id: pid(1),
            subject: ("person".into(), "p1".into()),
            subject_name: "Ada Lovelace".into(),
            facts: HashMap::from([("department".to_owned(), department.to_owned())]),
            at: "2026-12-01T10:00:00Z".parse().expect("time"),
        }
    }

    #[test]
    fn a_matching_event_creates_a_task_due_within_the_sla() {
        let tasks = dispatch(&left("Sales"), &[rule(1, 1, EventKind::PersonLeft, 2)]);
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].title, "Revoke all access of Ada Lovelace");
        assert_eq!(tasks[0].due_at.to_rfc3339(), "2026-12-02T10:00:00+00:00");
        assert_eq!(tasks[0].process_id, pid(2));
    }

    #[test]
    fn conditions_other_events_other_processes_and_inactive_rules_do_not_fire() {
        let mut conditional = rule(1, 1, EventKind::PersonLeft, 2);
        conditional.condition = Some(Condition {
            field: "department".into(),
            equals: "IT".into(),
        });
        let mut inactive = rule(2, 1, EventKind::PersonLeft, 2);
        inactive.active = false;
        let rules = [
            conditional,
            inactive,
            rule(3, 1, EventKind::PersonJoined, 2),
            rule(4, 9, EventKind::PersonLeft, 2),
        ];
        assert!(dispatch(&left("Sales"), &rules).is_empty());
        assert_eq!(dispatch(&left("IT"), &rules).len(), 1);
    }

    #[test]
    fn a_rule_that_would_fire_forever_is_refused() {
        let own = rule(1, 1, EventKind::TaskDone, 1);
        assert_eq!(
            check_rule(&own, &[]).expect_err("loop").errors[0].field,
            "to_process"
        );
        // Two rules that bounce work between two processes.
        let there = rule(1, 1, EventKind::TaskDone, 2);
        let back = rule(2, 2, EventKind::TaskDone, 1);
        assert!(check_rule(&back, std::slice::from_ref(&there)).is_err());
        // Reacting to a person leaving cannot loop: work does not make people leave.
        assert!(
            check_rule(
                &rule(3, 1, EventKind::PersonLeft, 1),
                std::slice::from_ref(&there)
            )
            .is_ok()
        );
        // Nor can escalating an overdue run within its process: tasks do not make runs late.
        assert!(check_rule(&rule(4, 1, EventKind::ActivityOverdue, 1), &[there]).is_ok());
    }

    #[test]
    fn an_assignee_survives_its_stored_form() {
        for a in Assignee::ALL {
            assert_eq!(a.as_str().parse::<Assignee>(), Ok(a));
        }
        assert!("boss".parse::<Assignee>().is_err());
    }

    #[test]
    fn the_sla_must_be_positive() {
        let mut r = rule(1, 1, EventKind::PersonLeft, 2);
        r.sla_hours = 0;
        assert_eq!(
            check_rule(&r, &[]).expect_err("sla").errors[0].field,
            "sla_hours"
        );
    }
}
