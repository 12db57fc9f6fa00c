//! The demo's ISMS in operation: the default processes adopted a year ago with a year of
//! runs, and a few realistic defects for the readiness engine to find — a process that fell
//! behind (its owner's manager was told a week after each missed run and followed up in
//! time, yet the runs are still open), a run closed without all its evidence, and a leaver
//! whose access revocation is overdue.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use holdfast_core::demo::DemoPerson;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmploymentStatus, PersonChanges};
use holdfast_core::process::ProcessStatus;
use holdfast_store::{Actor, NewEvidence, PastRun, PlannedRun, Store, TaskQuery};

const ACTOR: Actor = Actor::System("demo");
/// The process that fell behind: its last two runs are still open.
const LATE: &str = "vulnerability-management";
/// The process whose latest run was closed without one of its evidence items.
const INCOMPLETE: &str = "access-review";

/// What the demo's ISMS looks like, for the summary it prints.
pub struct Seeded {
    pub processes: usize,
    pub runs: usize,
    pub leaver: String,
}

pub async fn seed(
    store: &Store,
    org: OrganisationId,
    people: &[DemoPerson],
    ids: &[PersonId],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Seeded> {
    // Department heads own their department's processes; the chief executive management's.
    let mut owners: HashMap<String, PersonId> = HashMap::new();
    owners.insert("Management".into(), ids[0]);
    for (i, p) in people.iter().enumerate() {
        if p.manager == Some(0) && p.department != "Management" {
            owners.entry(p.department.to_owned()).or_insert(ids[i]);
        }
    }
    let start = today - Duration::days(365);
    let processes = store
        .adopt_process_library(&ACTOR, org, &owners, ProcessStatus::Active, start)
        .await?;

    let mut runs = 0;
    for p in store.list_processes().await? {
        let evidence = store
            .store_evidence(
                &ACTOR,
                NewEvidence::Link {
                    url: format!("https://intranet.northwind.example/isms/{}", p.key),
                },
                &format!("Records of {}", p.name),
            )
            .await?;
        let past: Vec<_> = p.cadence.between(start, today - Duration::days(1));
        let open_from = if p.key == LATE {
            past.len().saturating_sub(2)
        } else {
            past.len()
        };
        for (n, o) in past.iter().enumerate() {
            let run = PlannedRun {
                process_id: p.id,
                due_date: o.date,
                due_at: o.due_at,
                assignee_id: p.owner_id,
            };
            if n >= open_from {
                store.insert_activity(&ACTOR, &run).await?;
                continue;
            }
            let mut attached: Vec<(String, String)> = p
                .evidence
                .iter()
                .map(|e| (e.clone(), evidence.id.clone()))
                .collect();
            if p.key == INCOMPLETE && n + 1 == past.len() {
                attached.truncate(1);
            }
            let past_run = PastRun {
                run,
                closed_at: o.due_at + Duration::hours(4),
                comment: format!("{} completed as planned", p.name),
                evidence: attached,
            };
            store.record_past_run(&ACTOR, &past_run).await?;
            runs += 1;
        }
    }
    store
        .plan_activities(&ACTOR, today, today + Duration::days(90))
        .await?;

    // Three days ago someone in Sales left; IT has not yet revoked their access.
    let leaver = people
        .iter()
        .enumerate()
        .find(|(_, p)| {
            p.department == "Sales" && p.manager != Some(0) && p.status == EmploymentStatus::Active
        })
        .map(|(i, _)| ids[i]);
    let mut leaver_name = String::new();
    if let Some(id) = leaver {
        let person = store.person(id).await?;
        let changes = PersonChanges {
            employment_status: Some(EmploymentStatus::Left),
            end_date: Some(Some(today - Duration::days(3))),
            ..PersonChanges::default()
        };
        store
            .update_person_at(
                &ACTOR,
                id,
                person.version,
                &changes,
                now - Duration::days(3),
            )
            .await?;
        leaver_name = person.name;
    }
    // The late runs were escalated a week after they were due, as the worker would have done;
    // the owner's manager followed each up the next day.
    store.emit_overdue_events(&ACTOR, now).await?;
    while store.dispatch_events(&ACTOR, 500).await? > 0 {}
    let escalations = store
        .list_tasks(&TaskQuery {
            open_only: true,
            limit: 500,
            ..TaskQuery::default()
        })
        .await?
        .into_iter()
        .filter(|t| t.source_type == "activity");
    for t in escalations {
        store
            .complete_task(&ACTOR, t.id, t.version, t.due_at - Duration::hours(48))
            .await?;
    }
    Ok(Seeded {
        processes,
        runs,
        leaver: leaver_name,
    })
}
