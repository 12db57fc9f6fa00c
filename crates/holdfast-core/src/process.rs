//! ISMS processes (clause 4.4): who owns them, what they are for, when they run and the
//! evidence each run must leave.

use std::fmt;
use std::str::FromStr;

use crate::account::Role;
use crate::cadence::Cadence;
use crate::catalog;
use crate::ids::{PersonId, ProcessId};
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
            Self::Retired => "retired",
        }
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
            "retired" => Ok(Self::Retired),
            other => Err(format!(
                "process status must be draft, active or retired, not {other:?}"
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
    /// Draft, active or retired.
    pub status: ProcessStatus,
    /// Optimistic-concurrency version.
    pub version: i64,
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
    /// Status.
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
    /// Status.
    pub status: Option<ProcessStatus>,
}

fn clean_list(field: &str, items: Vec<String>, errors: &mut ValidationErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim().to_owned();
        if item.is_empty() {
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
        let objective = errors.check(required_text("objective", input.objective, 2000));
        let key = if input.key.trim().is_empty() {
            slug(input.name)
        } else {
            slug(input.key)
        };
        if key.is_empty() {
            errors.push("key", "a key needs letters or digits");
        }
        let cadence = errors.check(Cadence::parse(
            input.cadence,
            input.cadence_start.unwrap_or(today),
            input.time_zone,
        ));
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
                status: input.status.unwrap_or(ProcessStatus::Draft),
            }),
            _ => Err(errors),
        }
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
    fn slugs_are_lower_case_words() {
        assert_eq!(slug("Joiner, Mover & Leaver"), "joiner-mover-leaver");
    }
}
