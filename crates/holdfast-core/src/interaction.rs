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
    /// What `{subject}` in a task title stands for, in words: the rules editor shows
    /// "Revoke all access of ‹the person who left›" rather than a placeholder.
    #[must_use]
    pub const fn subject_words(self) -> &'static str {
        match self {
            Self::PersonJoined => "the person who joined",
            Self::PersonStatusChanged => "the person",
            Self::PersonLeft => "the person who left",
            Self::ActivityOverdue => "the overdue run",
            Self::ActivityDone => "the closed run",
            Self::TaskDone => "the completed task",
            Self::IncidentClosed => "the incident",
            Self::FindingRaised => "the finding",
            Self::RiskAccepted => "the risk",
            Self::DocumentApproved => "the document",
            Self::NonconformityRaised => "the nonconformity",
        }
    }

    /// A rule's task title as people read it, `{subject}` in words.
    #[must_use]
    pub fn title_in_words(self, title: &str) -> String {
        title.replace("{subject}", &format!("‹{}›", self.subject_words()))
    }

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

/// Where an event can happen, which decides which process a rule on it may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventSource {
    /// In every process: its runs and tasks (`activity_done`, `activity_overdue`,
    /// `task_done`).
    AnyProcess,
    /// In the one process that declares it emits the event: people join and leave in the
    /// joiner-mover-leaver process, incidents close in incident management. A rule on it
    /// from any other process would be drawn on the map but never fire.
    Designated,
}

impl EventKind {
    /// Where this event happens.
    #[must_use]
    pub const fn source(self) -> EventSource {
        match self {
            Self::ActivityOverdue | Self::ActivityDone | Self::TaskDone => EventSource::AnyProcess,
            _ => EventSource::Designated,
        }
    }

    /// The facts the event carries, which a rule's condition may test.
    #[must_use]
    pub const fn facts(self) -> &'static [&'static str] {
        match self {
            Self::PersonJoined => &["department"],
            Self::PersonStatusChanged | Self::PersonLeft => &["department", "employment_status"],
            Self::ActivityOverdue => &["days_overdue"],
            _ => &[],
        }
    }

    /// The values a fact can take, where they are few and known.
    #[must_use]
    pub fn fact_values(self, fact: &str) -> Option<Vec<String>> {
        match (self, fact) {
            (Self::ActivityOverdue, "days_overdue") => Some(
                crate::activity::OVERDUE_MILESTONES
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            (Self::PersonStatusChanged, "employment_status") => {
                Some(vec!["active".into(), "leaving".into()])
            }
            (Self::PersonLeft, "employment_status") => Some(vec!["left".into()]),
            _ => None,
        }
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
    /// The event's id: a task is made once per rule and event, so the same person leaving
    /// twice (after a rehire) makes two tasks, and dispatching the same event twice one.
    pub id: String,
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
    /// Whether its tasks may only be marked done with evidence attached.
    pub evidence_required: bool,
    /// Whether the rule fires.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// The longest SLA a rule may give: a year. Longer is not a service level, and a deadline
/// must stay a representable instant.
pub const MAX_SLA_HOURS: i64 = 365 * 24;

/// The longest task title.
pub const MAX_TITLE_CHARS: usize = 200;

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
    /// Whether it may only be marked done with evidence attached.
    pub evidence_required: bool,
    /// The source record.
    pub source: (String, String),
    /// The event that set it off.
    pub event_id: String,
}

/// Why an event could not be dispatched. It is marked failed with this reason and the
/// dispatcher moves on, so one bad record never stops the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispatchError {
    /// The rule's SLA gives no representable deadline (a rule stored before SLAs were
    /// bounded).
    #[error(
        "rule {rule} gives a deadline {sla_hours} hours after the event, which cannot be represented; edit its SLA"
    )]
    Deadline {
        /// The rule.
        rule: RuleId,
        /// Its SLA.
        sla_hours: i64,
    },
}

/// The tasks `event` creates under `rules`.
///
/// # Errors
/// [`DispatchError`] when a matching rule cannot give a deadline; no task is made then.
pub fn dispatch(
    event: &DomainEvent,
    rules: &[InteractionRule],
) -> Result<Vec<TaskToCreate>, DispatchError> {
    rules
        .iter()
        .filter(|r| r.active && r.event == event.kind && r.from_process == event.process_id)
        .filter(|r| {
            r.condition
                .as_ref()
                .is_none_or(|c| event.facts.get(&c.field) == Some(&c.equals))
        })
        .map(|r| {
            let due_at = Duration::try_hours(r.sla_hours)
                .and_then(|d| event.at.checked_add_signed(d))
                .ok_or(DispatchError::Deadline {
                    rule: r.id,
                    sla_hours: r.sla_hours,
                })?;
            Ok(TaskToCreate {
                rule_id: r.id,
                process_id: r.to_process,
                assign_to: r.assign_to,
                title: r.task_title.replace("{subject}", &event.subject_name),
                priority: r.priority.clone(),
                due_at,
                evidence_required: r.evidence_required,
                source: event.subject.clone(),
                event_id: event.id.clone(),
            })
        })
        .collect()
}

/// Checks a new or changed rule: an SLA from an hour to a year, a short title, a condition
/// on a fact the event carries, a `from` process where the event happens (`from_emits`: the
/// events it declares), no identical rule, and no chain of rules reacting to work they
/// themselves create, which would fire forever.
///
/// # Errors
/// One message per offending field.
pub fn check_rule(
    rule: &InteractionRule,
    from_emits: &[EventKind],
    others: &[InteractionRule],
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !(1..=MAX_SLA_HOURS).contains(&rule.sla_hours) {
        errors.push(
            "sla_hours",
            format!("the SLA must be between 1 hour and {MAX_SLA_HOURS} hours (a year)"),
        );
    }
    let title = rule.task_title.trim();
    if title.is_empty() {
        errors.push("task_title", "say what the created task is");
    } else {
        errors.check(crate::text::check(
            "task_title",
            title,
            MAX_TITLE_CHARS,
            crate::text::Lines::One,
        ));
    }
    if !["low", "normal", "high"].contains(&rule.priority.as_str()) {
        errors.push("priority", "priority must be low, normal or high");
    }
    if let Some(c) = &rule.condition {
        let facts = rule.event.facts();
        if !facts.contains(&c.field.as_str()) {
            errors.push(
                "condition",
                if facts.is_empty() {
                    format!(
                        "{} carries no facts to test; leave out the condition",
                        rule.event
                    )
                } else {
                    format!(
                        "{} carries {}; {:?} is not one of them",
                        rule.event,
                        facts.join(", "),
                        c.field
                    )
                },
            );
        } else if let Some(values) = rule.event.fact_values(&c.field)
            && !values.contains(&c.equals)
        {
            errors.push(
                "condition",
                format!(
                    "{} is one of {}, never {:?}",
                    c.field,
                    values.join(", "),
                    c.equals
                ),
            );
        } else if c.equals.trim().is_empty()
            || crate::text::check("condition", &c.equals, 100, crate::text::Lines::One).is_err()
        {
            errors.push("condition", "the value tested must be 1 to 100 characters");
        }
    }
    if rule.event.source() == EventSource::Designated && !from_emits.contains(&rule.event) {
        errors.push(
            "event",
            format!(
                "{} does not happen in this process, so the rule would never fire; start it from the process that emits {}",
                rule.event, rule.event
            ),
        );
    }
    let same = |o: &&InteractionRule| {
        o.id != rule.id
            && o.from_process == rule.from_process
            && o.event == rule.event
            && o.condition == rule.condition
            && o.to_process == rule.to_process
            && o.assign_to == rule.assign_to
    };
    if others.iter().any(|o| same(&o)) {
        errors.push(
            "event",
            "an identical rule already exists (same processes, event, condition and assignee); edit that one",
        );
    }
    if rule.active && rule.event.emitted_by_work() && feeds_back(rule, others) {
        errors.push(
            "to_process",
            "this rule reacts to work that it (or rules it sets off) creates, so it would fire forever; choose another event or target",
        );
    }
    errors.into_result(|| ())
}

/// Whether work the rule creates can flow back, through active rules on work events, to the
/// process it starts from.
fn feeds_back(rule: &InteractionRule, others: &[InteractionRule]) -> bool {
    // Edges run from a rule's target to the processes reacting to work there.
    let mut edges: HashMap<ProcessId, Vec<ProcessId>> = HashMap::new();
    let live = others
        .iter()
        .filter(|r| r.id != rule.id && r.active && r.event.emitted_by_work());
    for r in live.chain(std::iter::once(rule)) {
        edges.entry(r.from_process).or_default().push(r.to_process);
    }
    let mut seen = HashSet::new();
    let mut stack = vec![rule.to_process];
    while let Some(p) = stack.pop() {
        if p == rule.from_process {
            return true;
        }
        if seen.insert(p) {
            stack.extend(edges.get(&p).into_iter().flatten().copied());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(n: u128) -> ProcessId {
        ProcessId::from_uuid(uuid::Uuid::from_u128(n))
    }

    const PEOPLE: &[EventKind] = &[
        EventKind::PersonJoined,
        EventKind::PersonStatusChanged,
        EventKind::PersonLeft,
    ];

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
            evidence_required: false,
            active: true,
            version: 1,
        }
    }

    fn left(department: &str) -> DomainEvent {
        DomainEvent {
            id: "e1".into(),
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
        let tasks = dispatch(&left("Sales"), &[rule(1, 1, EventKind::PersonLeft, 2)]).expect("ok");
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].title, "Revoke all access of Ada Lovelace");
        assert_eq!(tasks[0].due_at.to_rfc3339(), "2026-12-02T10:00:00+00:00");
        assert_eq!(tasks[0].process_id, pid(2));
        assert_eq!(tasks[0].event_id, "e1");
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
        assert!(dispatch(&left("Sales"), &rules).expect("ok").is_empty());
        assert_eq!(dispatch(&left("IT"), &rules).expect("ok").len(), 1);
    }

    #[test]
    fn an_sla_beyond_any_deadline_fails_the_dispatch_instead_of_panicking() {
        let mut huge = rule(1, 1, EventKind::PersonLeft, 2);
        huge.sla_hours = i64::MAX;
        let err = dispatch(&left("IT"), &[huge]).expect_err("no deadline");
        assert!(matches!(err, DispatchError::Deadline { .. }), "{err}");
    }

    #[test]
    fn a_rule_that_would_fire_forever_is_refused() {
        let own = rule(1, 1, EventKind::TaskDone, 1);
        assert_eq!(
            check_rule(&own, &[], &[]).expect_err("loop").errors[0].field,
            "to_process"
        );
        // Two rules that bounce work between two processes.
        let there = rule(1, 1, EventKind::TaskDone, 2);
        let back = rule(2, 2, EventKind::TaskDone, 1);
        assert!(check_rule(&back, &[], std::slice::from_ref(&there)).is_err());
        // Reacting to a person leaving cannot loop: work does not make people leave.
        assert!(
            check_rule(
                &rule(3, 1, EventKind::PersonLeft, 1),
                PEOPLE,
                std::slice::from_ref(&there)
            )
            .is_ok()
        );
        // Nor can escalating an overdue run within its process: tasks do not make runs late.
        assert!(check_rule(&rule(4, 1, EventKind::ActivityOverdue, 1), &[], &[there]).is_ok());
    }

    #[test]
    fn an_assignee_survives_its_stored_form() {
        for a in Assignee::ALL {
            assert_eq!(a.as_str().parse::<Assignee>(), Ok(a));
        }
        assert!("boss".parse::<Assignee>().is_err());
    }

    fn field_of(r: &InteractionRule, emits: &[EventKind], others: &[InteractionRule]) -> String {
        check_rule(r, emits, others).expect_err("refused").errors[0]
            .field
            .clone()
    }

    #[test]
    fn the_sla_runs_from_an_hour_to_a_year() {
        let mut r = rule(1, 1, EventKind::PersonLeft, 2);
        for bad in [0, -5, MAX_SLA_HOURS + 1, i64::MAX] {
            r.sla_hours = bad;
            assert_eq!(field_of(&r, PEOPLE, &[]), "sla_hours", "{bad}");
        }
        for good in [1, MAX_SLA_HOURS] {
            r.sla_hours = good;
            assert!(check_rule(&r, PEOPLE, &[]).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_title_is_at_most_two_hundred_characters() {
        let mut r = rule(1, 1, EventKind::PersonLeft, 2);
        r.task_title = "x".repeat(3000);
        assert_eq!(field_of(&r, PEOPLE, &[]), "task_title");
        r.task_title = "x".repeat(MAX_TITLE_CHARS);
        assert!(check_rule(&r, PEOPLE, &[]).is_ok());
    }

    #[test]
    fn a_condition_tests_a_fact_the_event_carries_with_a_value_it_can_have() {
        let mut r = rule(1, 1, EventKind::PersonLeft, 2);
        let with = |field: &str, equals: &str| Condition {
            field: field.into(),
            equals: equals.into(),
        };
        r.condition = Some(with("salary", "high"));
        assert_eq!(field_of(&r, PEOPLE, &[]), "condition");
        r.condition = Some(with("department", "IT"));
        assert!(check_rule(&r, PEOPLE, &[]).is_ok());
        let mut late = rule(2, 1, EventKind::ActivityOverdue, 1);
        late.condition = Some(with("days_overdue", "3"));
        assert_eq!(
            field_of(&late, &[], &[]),
            "condition",
            "only 1 and 7 happen"
        );
        late.condition = Some(with("days_overdue", "7"));
        assert!(check_rule(&late, &[], &[]).is_ok());
        let mut done = rule(3, 1, EventKind::ActivityDone, 2);
        done.condition = Some(with("department", "IT"));
        assert_eq!(field_of(&done, &[], &[]), "condition");
    }

    #[test]
    fn a_person_event_rule_must_start_where_people_events_happen() {
        let r = rule(1, 1, EventKind::PersonLeft, 2);
        assert_eq!(field_of(&r, &[], &[]), "event");
        assert!(check_rule(&r, PEOPLE, &[]).is_ok());
        // Runs and tasks happen in every process.
        assert!(check_rule(&rule(2, 1, EventKind::ActivityDone, 2), &[], &[]).is_ok());
    }

    #[test]
    fn an_identical_rule_is_refused_and_a_different_one_is_not() {
        let first = rule(1, 1, EventKind::PersonLeft, 2);
        let twin = rule(2, 1, EventKind::PersonLeft, 2);
        assert_eq!(
            field_of(&twin, PEOPLE, std::slice::from_ref(&first)),
            "event"
        );
        // Editing a rule does not make it its own duplicate.
        assert!(check_rule(&first, PEOPLE, std::slice::from_ref(&first)).is_ok());
        let mut escalate = rule(3, 1, EventKind::PersonLeft, 2);
        escalate.assign_to = Assignee::OwnersManager;
        assert!(check_rule(&escalate, PEOPLE, &[first]).is_ok());
    }

    #[test]
    fn every_event_says_where_it_happens() {
        for kind in EventKind::ALL {
            let expected = matches!(
                kind,
                EventKind::ActivityDone | EventKind::ActivityOverdue | EventKind::TaskDone
            );
            assert_eq!(kind.source() == EventSource::AnyProcess, expected, "{kind}");
        }
    }
}
