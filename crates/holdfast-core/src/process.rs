//! ISMS processes (clause 4.4): who owns them, what they are for, when they run and the
//! evidence each run must leave.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::account::Role;
use crate::cadence::Cadence;
use crate::catalog;
use crate::ids::{PersonId, ProcessId};
use crate::interaction::{EventKind, EventSource};
use crate::person::{EmploymentStatus, Person, required_text};
use crate::validation::ValidationErrors;

/// Where a process is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessStatus {
    /// Being written; not scheduled, not checked.
    Draft,
    /// Running: scheduled, reminded, checked.
    Active,
    /// Not run for a while, with a reason and an end: no runs are planned, reminded or
    /// escalated, and the readiness engine does not count the cycles it covers.
    Paused,
    /// No longer run; its history stays.
    Retired,
}

impl ProcessStatus {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Retired => "retired",
        }
    }

    /// Whether the process is part of the running ISMS (active or paused): it is owned,
    /// judged against its clauses, and its history counts.
    #[must_use]
    pub const fn in_operation(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
    }

    /// Whether a process may go from this status to `to`: `draft → active ⇄ paused →
    /// retired`, and a draft may be retired unused. Staying put is always allowed.
    #[must_use]
    pub fn can_become(self, to: Self) -> bool {
        use ProcessStatus::{Active, Draft, Paused, Retired};
        self == to
            || matches!(
                (self, to),
                (Draft, Active | Retired) | (Active, Paused | Retired) | (Paused, Active | Retired)
            )
    }
}

impl fmt::Display for ProcessStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProcessStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "draft" => Ok(Self::Draft),
            "active" => Ok(Self::Active),
            "paused" => Ok(Self::Paused),
            "retired" => Ok(Self::Retired),
            other => Err(format!(
                "process status must be draft, active, paused or retired, not {other:?}"
            )),
        }
    }
}

/// Which roles are responsible, accountable, consulted and informed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Raci {
    /// Do the work.
    pub responsible: Vec<Role>,
    /// Answer for it.
    pub accountable: Vec<Role>,
    /// Give input.
    pub consulted: Vec<Role>,
    /// Are told the outcome.
    pub informed: Vec<Role>,
}

/// A process as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Id.
    pub id: ProcessId,
    /// Stable key from the process library (`access-review`), for interaction rules and links.
    pub key: String,
    /// Name.
    pub name: String,
    /// What it achieves.
    pub objective: String,
    /// The person who answers for it; `None` is a finding when active.
    pub owner_id: Option<PersonId>,
    /// Stands in for the owner.
    pub deputy_id: Option<PersonId>,
    /// Roles and their part.
    pub raci: Raci,
    /// What it takes in.
    pub inputs: Vec<String>,
    /// What it produces.
    pub outputs: Vec<String>,
    /// When it runs.
    pub cadence: Cadence,
    /// Named evidence every run must leave.
    pub evidence: Vec<String>,
    /// Clauses it serves (`9.3`).
    pub clauses: Vec<String>,
    /// Annex A controls it serves (`5.18`).
    pub controls: Vec<String>,
    /// Events of other records this process is where they happen (`person_left` for the
    /// joiner-mover-leaver process): see [`crate::interaction::EventSource`].
    pub emits: Vec<EventKind>,
    /// Draft, active, paused or retired.
    pub status: ProcessStatus,
    /// The day it last became active: only cycles due from then on are judged. Set on
    /// activation and kept through edits and pauses.
    pub active_since: Option<NaiveDate>,
    /// The last day runs have been planned up to; cycles after it and before today have no
    /// run yet and are judged as not run.
    pub planned_through: Option<NaiveDate>,
    /// Why and until when it is paused, while it is.
    pub pause: Option<Pause>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A pause in a process's operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pause {
    /// The first day of the pause.
    pub since: NaiveDate,
    /// The last day of the pause; it resumes the day after.
    pub until: NaiveDate,
    /// Why, in the words of the manager who paused it.
    pub reason: String,
}

/// The longest pause: beyond a year a process is not paused but retired.
pub const MAX_PAUSE_DAYS: i64 = 366;

impl Pause {
    /// Validates a pause starting `today`.
    ///
    /// # Errors
    /// Messages for `reason` and `until`.
    pub fn parse(
        reason: &str,
        until: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let reason = errors.check(crate::text::long(
            "reason",
            reason,
            "say why the process is paused",
        ));
        match until {
            Some(u) if crate::text::check_date("until", u).is_err() => {
                errors.check(crate::text::check_date("until", u));
            }
            None => errors.push("until", "say until when the process is paused"),
            Some(u) if u < today => errors.push("until", "the pause must end today or later"),
            Some(u) if (u - today).num_days() > MAX_PAUSE_DAYS => errors.push(
                "until",
                "a pause can last a year at most; retire a process that stops for longer",
            ),
            Some(_) => {}
        }
        match (reason, until) {
            (Some(reason), Some(until)) if errors.errors.is_empty() => Ok(Self {
                since: today,
                until,
                reason,
            }),
            _ => Err(errors),
        }
    }

    /// Whether `day` falls in the pause.
    #[must_use]
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.since <= day && day <= self.until
    }
}

/// Days ahead the scheduler plans runs by default, so owners see what is coming.
pub const PLANNING_HORIZON_DAYS: i64 = 90;

impl Process {
    /// The runs still to plan up to `through`: from the day after the last planned day (or
    /// from activation), so a scheduler that was down catches up on the cycles it missed and
    /// they show as overdue; none unless the process is active.
    #[must_use]
    pub fn runs_to_plan(&self, through: NaiveDate) -> Vec<crate::cadence::Occurrence> {
        let Some(since) = self
            .active_since
            .filter(|_| self.status == ProcessStatus::Active)
        else {
            return Vec::new();
        };
        let from = self
            .planned_through
            .and_then(|d| d.succ_opt())
            .map_or(since, |d| d.max(since));
        if from > through {
            return Vec::new();
        }
        self.cadence.between(from, through)
    }

    /// Whether `clause` is one the process serves.
    #[must_use]
    pub fn serves(&self, clause: &str) -> bool {
        self.clauses.iter().any(|c| c == clause)
    }
}

/// The validated definition of a process (everything but id and version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessDefinition {
    /// Stable key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Objective.
    pub objective: String,
    /// Owner.
    pub owner_id: Option<PersonId>,
    /// Deputy.
    pub deputy_id: Option<PersonId>,
    /// RACI.
    pub raci: Raci,
    /// Inputs.
    pub inputs: Vec<String>,
    /// Outputs.
    pub outputs: Vec<String>,
    /// Cadence.
    pub cadence: Cadence,
    /// Required evidence names.
    pub evidence: Vec<String>,
    /// Clauses.
    pub clauses: Vec<String>,
    /// Controls.
    pub controls: Vec<String>,
    /// Events of other records that happen in this process.
    pub emits: Vec<EventKind>,
    /// Status: draft or active (pausing and retiring take a reason, elsewhere).
    pub status: ProcessStatus,
}

/// The fields of a process as typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct ProcessInput<'a> {
    /// Stable key; derived from the name when empty.
    pub key: &'a str,
    /// Name.
    pub name: &'a str,
    /// Objective.
    pub objective: &'a str,
    /// Owner.
    pub owner_id: Option<PersonId>,
    /// Deputy.
    pub deputy_id: Option<PersonId>,
    /// RACI.
    pub raci: Raci,
    /// Inputs.
    pub inputs: Vec<String>,
    /// Outputs.
    pub outputs: Vec<String>,
    /// RRULE text.
    pub cadence: &'a str,
    /// First day the cadence counts from.
    pub cadence_start: Option<chrono::NaiveDate>,
    /// IANA time zone of the organisation.
    pub time_zone: &'a str,
    /// Evidence names.
    pub evidence: Vec<String>,
    /// Clause numbers.
    pub clauses: Vec<String>,
    /// Control numbers.
    pub controls: Vec<String>,
    /// Events of other records that happen in this process.
    pub emits: Vec<EventKind>,
    /// Status.
    pub status: Option<ProcessStatus>,
}

fn clean_list(field: &str, items: Vec<String>, errors: &mut ValidationErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim().to_owned();
        if let Err(e) =
            crate::text::check(field, &item, crate::text::NAME_MAX, crate::text::Lines::One)
        {
            errors.errors.extend(e.errors);
        } else if item.is_empty() {
            errors.push(field, "entries cannot be blank");
        } else if out.contains(&item) {
            errors.push(field, format!("{item:?} is listed twice"));
        } else {
            out.push(item);
        }
    }
    out
}

/// A key from a name: lower case, words joined by `-`.
#[must_use]
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

impl ProcessDefinition {
    /// Validates a process, reporting every bad field. Clause and control numbers must be in
    /// the catalog; the cadence must be a valid, open-ended recurrence rule.
    ///
    /// # Errors
    /// One entry per bad field.
    pub fn parse(
        input: ProcessInput<'_>,
        today: chrono::NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(required_text("name", input.name, 200));
        let objective = errors.check(crate::text::long(
            "objective",
            input.objective,
            "say what this process is for",
        ));
        errors.check(crate::text::check(
            "key",
            input.key,
            crate::text::NAME_MAX,
            crate::text::Lines::One,
        ));
        let key = if input.key.trim().is_empty() {
            slug(input.name)
        } else {
            slug(input.key)
        };
        if key.is_empty() {
            errors.push("key", "a key needs letters or digits");
        } else if key.len() > 80 {
            errors.push("key", "a key can be 80 characters at most");
        }
        if let Some(start) = input.cadence_start {
            errors.check(crate::text::check_date("cadence_start", start));
        }
        let cadence = errors.check(
            Cadence::parse(
                input.cadence,
                input.cadence_start.unwrap_or(today),
                input.time_zone,
            )
            .and_then(|c| c.check_recurs(today).map(|()| c)),
        );
        let evidence = clean_list("evidence", input.evidence, &mut errors);
        let clauses = clean_list("clauses", input.clauses, &mut errors);
        for c in &clauses {
            if catalog::clause(c).is_none() {
                errors.push(
                    "clauses",
                    format!("{c} is not a clause of ISO/IEC 27001:2022 (4.1 to 10.2)"),
                );
            }
        }
        let controls = clean_list("controls", input.controls, &mut errors);
        for c in &controls {
            if catalog::control(c).is_none() {
                errors.push(
                    "controls",
                    format!("{c} is not an Annex A control (5.1 to 8.34)"),
                );
            }
        }
        if input.deputy_id.is_some() && input.deputy_id == input.owner_id {
            errors.push(
                "deputy_id",
                "the deputy must be someone other than the owner",
            );
        }
        let status = input.status.unwrap_or(ProcessStatus::Draft);
        if status.in_operation() && input.owner_id.is_none() {
            errors.push(
                "owner_id",
                "an active process needs an owner; choose one, or save it as a draft",
            );
        }
        let mut emits: Vec<EventKind> = Vec::new();
        for e in input.emits {
            if e.source() != EventSource::Designated {
                errors.push(
                    "emits",
                    format!("every process emits {e}; list only events of other records"),
                );
            } else if emits.contains(&e) {
                errors.push("emits", format!("{e} is listed twice"));
            } else {
                emits.push(e);
            }
        }
        let inputs = clean_list("inputs", input.inputs, &mut errors);
        let outputs = clean_list("outputs", input.outputs, &mut errors);
        match (name, objective, cadence) {
            (Some(name), Some(objective), Some(cadence)) if errors.errors.is_empty() => Ok(Self {
                key,
                name,
                objective,
                owner_id: input.owner_id,
                deputy_id: input.deputy_id,
                raci: input.raci,
                inputs,
                outputs,
                cadence,
                evidence,
                clauses,
                controls,
                emits,
                status,
            }),
            _ => Err(errors),
        }
    }
}

/// Checks that an edit may take a process from status `from` to `to`: a retired process is
/// kept as it was, pausing and retiring need a reason (and pausing an end) so they are not
/// edits, and the lifecycle never runs backwards. A new process starts as a draft.
///
/// # Errors
/// A message for `status`.
pub fn check_edit(from: ProcessStatus, to: ProcessStatus) -> Result<(), ValidationErrors> {
    let refuse = |m: String| Err(ValidationErrors::one("status", m));
    match (from, to) {
        (ProcessStatus::Retired, _) => refuse(
            "a retired process is kept as it was for its history; it cannot be edited".into(),
        ),
        (f, t) if f == t => Ok(()),
        (_, ProcessStatus::Paused) => refuse(
            "pause a process with a reason and an end date (POST …/pause), not by editing it"
                .into(),
        ),
        (_, ProcessStatus::Retired) => {
            refuse("retire a process with a reason (POST …/retire), not by editing it".into())
        }
        (f, t) if !f.can_become(t) => refuse(format!("a {f} process cannot become {t}")),
        _ => Ok(()),
    }
}

/// Checks that `person` may own or deputise a process: they must exist and be employed.
///
/// # Errors
/// A message for `field` when the person has left or is leaving.
pub fn check_process_person(field: &str, person: &Person) -> Result<(), ValidationErrors> {
    match person.employment_status {
        EmploymentStatus::Active => Ok(()),
        EmploymentStatus::Leaving => Err(ValidationErrors::one(
            field,
            format!("{} is leaving; choose someone who stays", person.name),
        )),
        EmploymentStatus::Left => Err(ValidationErrors::one(
            field,
            format!("{} has left the organisation", person.name),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        "2026-12-01".parse().expect("date")
    }

    fn input() -> ProcessInput<'static> {
        ProcessInput {
            name: "Access review",
            objective: "Confirm that every access right is still needed",
            cadence: "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
            time_zone: "Europe/London",
            evidence: vec!["review record".into()],
            clauses: vec!["8.1".into()],
            controls: vec!["5.18".into()],
            ..ProcessInput::default()
        }
    }

    #[test]
    fn a_valid_process_gets_a_key_from_its_name() {
        let p = ProcessDefinition::parse(input(), today()).expect("valid");
        assert_eq!(p.key, "access-review");
        assert_eq!(p.status, ProcessStatus::Draft);
    }

    #[test]
    fn unknown_clauses_and_controls_and_bad_cadences_are_named() {
        let mut i = input();
        i.clauses = vec!["11.1".into()];
        i.controls = vec!["5.99".into()];
        i.cadence = "FREQ=SOMETIMES";
        i.evidence = vec!["x".into(), "x".into()];
        let err = ProcessDefinition::parse(i, today()).expect_err("invalid");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cadence", "evidence", "clauses", "controls"]);
    }

    #[test]
    fn an_active_process_needs_an_owner_and_a_draft_does_not() {
        let mut i = input();
        i.status = Some(ProcessStatus::Active);
        let err = ProcessDefinition::parse(i.clone(), today()).expect_err("no owner");
        assert_eq!(err.errors[0].field, "owner_id");
        i.owner_id = Some(PersonId::from_uuid(uuid::Uuid::from_u128(1)));
        assert!(ProcessDefinition::parse(i, today()).is_ok());
        assert!(
            ProcessDefinition::parse(input(), today()).is_ok(),
            "a draft"
        );
    }

    #[test]
    fn pausing_and_retiring_are_not_edits_and_a_retired_process_is_not_edited() {
        use ProcessStatus::{Active, Draft, Paused, Retired};
        let field = |f, t| {
            check_edit(f, t).expect_err("refused").errors[0]
                .field
                .clone()
        };
        assert_eq!(field(Active, Paused), "status");
        assert_eq!(field(Active, Retired), "status");
        assert_eq!(field(Active, Draft), "status");
        assert_eq!(field(Retired, Retired), "status");
        assert!(check_edit(Draft, Active).is_ok());
        assert!(
            check_edit(Paused, Paused).is_ok(),
            "a paused process can be edited"
        );
        assert!(
            check_edit(Paused, Active).is_ok(),
            "editing it active resumes it"
        );
    }

    #[test]
    fn a_cadence_that_never_happens_is_refused() {
        let mut i = input();
        i.cadence = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30";
        let err = ProcessDefinition::parse(i, today()).expect_err("never");
        assert_eq!(err.errors[0].field, "cadence");
    }

    #[test]
    fn only_events_of_other_records_are_declared_as_emitted() {
        let mut i = input();
        i.emits = vec![EventKind::PersonLeft, EventKind::ActivityDone];
        let err = ProcessDefinition::parse(i, today()).expect_err("run events");
        assert_eq!(err.errors[0].field, "emits");
    }

    #[test]
    fn the_lifecycle_runs_from_draft_to_retired_and_never_back() {
        use ProcessStatus::{Active, Draft, Paused, Retired};
        assert!(Draft.can_become(Active));
        assert!(Active.can_become(Paused) && Paused.can_become(Active));
        assert!(Paused.can_become(Retired) && Active.can_become(Retired));
        assert!(!Active.can_become(Draft));
        assert!(!Retired.can_become(Active));
        assert!(!Draft.can_become(Paused));
    }

    #[test]
    fn a_pause_needs_a_reason_and_an_end_within_a_year() {
        let t = today();
        let err = Pause::parse(" ", None, t).expect_err("empty");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reason", "until"]);
        assert!(Pause::parse("office move", Some(t - chrono::Duration::days(1)), t).is_err());
        assert!(Pause::parse("office move", Some(t + chrono::Duration::days(400)), t).is_err());
        let p = Pause::parse("office move", Some(t + chrono::Duration::days(30)), t).expect("ok");
        assert!(p.covers(t) && !p.covers(t + chrono::Duration::days(31)));
    }

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slug("Joiner, Mover & Leaver"), "joiner-mover-leaver");
    }
}
