//! The default process library (`catalog/processes.json`): fifteen ISMS processes and the
//! interactions between them, offered on `init` and used by `demo`.

use std::sync::LazyLock;

use crate::interaction::{Assignee, Condition, EventKind};
use crate::process::Raci;

const LIBRARY_JSON: &str = include_str!("../../../catalog/processes.json");

/// A process as the library describes it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryProcess {
    /// Stable key.
    pub key: String,
    /// Name.
    pub name: String,
    /// The department that usually owns it.
    pub department: String,
    /// Objective.
    pub objective: String,
    /// Typical cadence (RRULE).
    pub cadence: String,
    /// Inputs.
    pub inputs: Vec<String>,
    /// Outputs.
    pub outputs: Vec<String>,
    /// Evidence each run must leave.
    pub evidence: Vec<String>,
    /// Clauses served.
    pub clauses: Vec<String>,
    /// Annex A controls served.
    pub controls: Vec<String>,
    /// Roles and their part.
    pub raci: Raci,
    /// Events of other records that happen in it (people join and leave in the
    /// joiner-mover-leaver process).
    #[serde(default)]
    pub emits: Vec<EventKind>,
}

/// An interaction as the library describes it, by process key.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryInteraction {
    /// Key of the process the event happens in.
    pub from: String,
    /// The event.
    pub event: EventKind,
    /// Key of the process that gets the task.
    pub to: String,
    /// Title of the task (`{subject}` is filled in).
    pub task_title: String,
    /// Priority.
    pub priority: String,
    /// SLA in hours.
    pub sla_hours: i64,
    /// Whether the task may only be marked done with evidence attached (a leaver's access
    /// revocation must show what was revoked).
    #[serde(default)]
    pub evidence_required: bool,
}

/// A rule the library adds within every process, such as escalating a run that is a week
/// overdue to the owner's manager.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryEscalation {
    /// What it is for, for people reading the catalog.
    pub about: String,
    /// The event in the process.
    pub event: EventKind,
    /// Only when this holds.
    pub condition: Option<Condition>,
    /// Title of the task (`{subject}` is filled in).
    pub task_title: String,
    /// Priority.
    pub priority: String,
    /// SLA in hours.
    pub sla_hours: i64,
    /// Who gets the task.
    pub assign_to: Assignee,
}

#[derive(serde::Deserialize)]
struct Library {
    #[allow(dead_code)]
    about: String,
    processes: Vec<LibraryProcess>,
    interactions: Vec<LibraryInteraction>,
    escalation: LibraryEscalation,
}

static LIBRARY: LazyLock<Library> = LazyLock::new(|| {
    // Part of the source tree and checked by the tests below; malformed JSON is a build defect.
    serde_json::from_str(LIBRARY_JSON).unwrap_or_else(|e| panic!("catalog/processes.json: {e}"))
});

/// The library's processes.
#[must_use]
pub fn processes() -> &'static [LibraryProcess] {
    &LIBRARY.processes
}

/// The library's interactions.
#[must_use]
pub fn interactions() -> &'static [LibraryInteraction] {
    &LIBRARY.interactions
}

/// The rule the library adds within every process.
#[must_use]
pub fn escalation() -> &'static LibraryEscalation {
    &LIBRARY.escalation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ProcessId, RuleId};
    use crate::interaction::{InteractionRule, check_rule};
    use crate::process::{ProcessDefinition, ProcessInput};

    #[test]
    fn the_library_has_the_fifteen_processes_and_each_is_valid() {
        let keys: Vec<_> = processes().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), 15);
        for k in [
            "risk-assessment",
            "access-review",
            "joiner-mover-leaver",
            "management-review",
            "corrective-action",
        ] {
            assert!(keys.contains(&k), "{k}");
        }
        for p in processes() {
            let input = ProcessInput {
                key: &p.key,
                name: &p.name,
                objective: &p.objective,
                cadence: &p.cadence,
                time_zone: "Europe/London",
                evidence: p.evidence.clone(),
                clauses: p.clauses.clone(),
                controls: p.controls.clone(),
                inputs: p.inputs.clone(),
                outputs: p.outputs.clone(),
                emits: p.emits.clone(),
                ..ProcessInput::default()
            };
            let def = ProcessDefinition::parse(input, "2026-01-01".parse().expect("date"))
                .unwrap_or_else(|e| panic!("{}: {e}", p.key));
            assert_eq!(def.key, p.key);
            assert!(!def.evidence.is_empty(), "{} names its evidence", p.key);
            assert!(
                !def.cadence
                    .between(
                        "2026-01-01".parse().expect("d"),
                        "2027-12-31".parse().expect("d")
                    )
                    .is_empty(),
                "{} runs",
                p.key
            );
        }
    }

    #[test]
    fn library_interactions_link_library_processes_without_loops() {
        let id = |key: &str| {
            let i = processes()
                .iter()
                .position(|p| p.key == key)
                .unwrap_or_else(|| panic!("unknown process {key}"));
            ProcessId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1))
        };
        let mut rules: Vec<InteractionRule> = Vec::new();
        for (n, i) in interactions().iter().enumerate() {
            let rule = InteractionRule {
                id: RuleId::from_uuid(uuid::Uuid::from_u128(1000 + n as u128)),
                from_process: id(&i.from),
                event: i.event,
                condition: None,
                to_process: id(&i.to),
                task_title: i.task_title.clone(),
                priority: i.priority.clone(),
                sla_hours: i.sla_hours,
                assign_to: Assignee::ProcessOwner,
                evidence_required: i.evidence_required,
                active: true,
                version: 1,
            };
            let from = processes()
                .iter()
                .find(|p| p.key == i.from)
                .expect("from process");
            check_rule(&rule, &from.emits, &rules)
                .unwrap_or_else(|e| panic!("{} -> {}: {e}", i.from, i.to));
            rules.push(rule);
        }
        let left = interactions()
            .iter()
            .find(|i| i.event == EventKind::PersonLeft)
            .expect("leaver rule");
        assert_eq!((left.to.as_str(), left.sla_hours), ("access-review", 24));
        let joined = interactions()
            .iter()
            .find(|i| i.event == EventKind::PersonJoined)
            .expect("joiner rule");
        assert_eq!(
            (joined.to.as_str(), joined.sla_hours),
            ("training-awareness", 14 * 24)
        );
    }

    #[test]
    fn the_escalation_goes_to_the_owners_manager_a_week_after_a_run_is_due() {
        let e = escalation();
        assert_eq!(e.event, EventKind::ActivityOverdue);
        assert_eq!(e.assign_to, Assignee::OwnersManager);
        let condition = e.condition.as_ref().expect("a condition");
        assert_eq!(
            (condition.field.as_str(), condition.equals.as_str()),
            ("days_overdue", "7")
        );
        let p = ProcessId::from_uuid(uuid::Uuid::from_u128(1));
        let rule = InteractionRule {
            id: RuleId::from_uuid(uuid::Uuid::from_u128(2)),
            from_process: p,
            event: e.event,
            condition: e.condition.clone(),
            to_process: p,
            task_title: e.task_title.clone(),
            priority: e.priority.clone(),
            sla_hours: e.sla_hours,
            assign_to: e.assign_to,
            evidence_required: false,
            active: true,
            version: 1,
        };
        check_rule(&rule, &[], &[]).expect("an escalation within its process cannot loop");
    }
}
