//! Adopting the default process library: its processes and the interactions between them.

use std::collections::HashMap;

use holdfast_core::clock::AsOf;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::interaction::Assignee;
use holdfast_core::library;
use holdfast_core::process::{ProcessDefinition, ProcessInput, ProcessStatus};

use crate::rules::NewRule;
use crate::{Actor, Store, StoreError};

impl Store {
    /// Creates the library's processes that the organisation does not have yet (by key), each
    /// owned by the person `owners` names for its usual department, with its cadence counting
    /// from the clock's day (active from then, when `status` is active), and then the
    /// library's interactions between them. Returns how many processes were created.
    ///
    /// # Errors
    /// As [`Store::create_process`] and [`Store::create_rule`].
    pub async fn adopt_process_library(
        &self,
        actor: &Actor,
        organisation_id: OrganisationId,
        owners: &HashMap<String, PersonId>,
        status: ProcessStatus,
        as_of: AsOf,
    ) -> Result<usize, StoreError> {
        let cadence_start = as_of.today;
        let tz = self.time_zone().await?;
        let existing: Vec<String> = self
            .list_processes()
            .await?
            .into_iter()
            .map(|p| p.key)
            .collect();
        let mut created = Vec::new();
        for lp in library::processes()
            .iter()
            .filter(|lp| !existing.contains(&lp.key))
        {
            let def = ProcessDefinition::parse(
                ProcessInput {
                    key: &lp.key,
                    name: &lp.name,
                    objective: &lp.objective,
                    owner_id: owners.get(&lp.department).copied(),
                    deputy_id: None,
                    raci: lp.raci.clone(),
                    inputs: lp.inputs.clone(),
                    outputs: lp.outputs.clone(),
                    cadence: &lp.cadence,
                    cadence_start: Some(cadence_start),
                    time_zone: &tz,
                    evidence: lp.evidence.clone(),
                    clauses: lp.clauses.clone(),
                    controls: lp.controls.clone(),
                    emits: lp.emits.clone(),
                    status: Some(status),
                },
                cadence_start,
            )?;
            created.push(
                self.create_process(actor, organisation_id, def, as_of)
                    .await?
                    .id,
            );
        }
        if !created.is_empty() {
            let by_key: HashMap<String, _> = self
                .list_processes()
                .await?
                .into_iter()
                .map(|p| (p.key, p.id))
                .collect();
            for i in library::interactions() {
                let (Some(from), Some(to)) = (by_key.get(&i.from), by_key.get(&i.to)) else {
                    continue;
                };
                self.create_rule(
                    actor,
                    NewRule {
                        from_process: *from,
                        event: i.event,
                        condition: None,
                        to_process: *to,
                        task_title: i.task_title.clone(),
                        priority: i.priority.clone(),
                        sla_hours: i.sla_hours,
                        assign_to: Assignee::ProcessOwner,
                        evidence_required: i.evidence_required,
                    },
                )
                .await?;
            }
        }
        let e = library::escalation();
        for process in &created {
            self.create_rule(
                actor,
                NewRule {
                    from_process: *process,
                    event: e.event,
                    condition: e.condition.clone(),
                    to_process: *process,
                    task_title: e.task_title.clone(),
                    priority: e.priority.clone(),
                    sla_hours: e.sla_hours,
                    assign_to: e.assign_to,
                    evidence_required: false,
                },
            )
            .await?;
        }
        Ok(created.len())
    }
}
