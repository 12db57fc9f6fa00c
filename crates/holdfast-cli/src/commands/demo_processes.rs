//! The demo's ISMS in operation: the default processes adopted a year ago with a year of
//! runs, and a few realistic defects for the readiness engine to find, each once — a process
//! that missed a cycle (its owner's manager was told a week later and followed up in time,
//! yet the run is still open), a run closed without all its evidence, a run closed two weeks
//! late, and a leaver whose access revocation is overdue — beside a documented deviation (a
//! change review skipped with a manager's reason), which is not a finding.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use holdfast_core::demo::DemoPerson;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmploymentStatus, PersonChanges};
use holdfast_core::process::ProcessStatus;
use holdfast_store::{Actor, NewEvidence, PastRun, PlannedRun, Store, TaskQuery};

const ACTOR: Actor = Actor::System("demo");
/// The process that missed a cycle: its run before last is still open.
const LATE: &str = "vulnerability-management";
/// The process whose latest run was closed without one of its evidence items.
const INCOMPLETE: &str = "access-review";
/// The process whose latest run was closed two weeks after it was due.
const CLOSED_LATE: &str = "backup-restore-test";
/// The process one of whose runs a manager skipped with a reason.
const SKIPPED: &str = "change-management";

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
    now: DateTime<Utc>,
    history_days: i64,
) -> anyhow::Result<Seeded> {
    let today = store.as_of_at(now).await?.today;
    // Department heads own their department's processes; the chief executive management's.
    let mut owners: HashMap<String, PersonId> = HashMap::new();
    owners.insert("Management".into(), ids[0]);
    for (i, p) in people.iter().enumerate() {
        if p.manager == Some(0) && p.department != "Management" {
            owners.entry(p.department.to_owned()).or_insert(ids[i]);
        }
    }
    let adopted_on = store.as_of_at(now - Duration::days(history_days)).await?;
    let start = adopted_on.today;
    let processes = store
        .adopt_process_library(&ACTOR, org, &owners, ProcessStatus::Active, adopted_on)
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
        let last = past.len().saturating_sub(1);
        // The latest run whose two-weeks-late close is already in the past.
        let late_close = past
            .iter()
            .rposition(|o| o.date + Duration::days(15) < today);
        for (n, o) in past.iter().enumerate() {
            let run = PlannedRun {
                process_id: p.id,
                due_date: o.date,
                due_at: o.due_at,
                assignee_id: p.owner_id,
            };
            if p.key == LATE && n + 1 == last {
                store.insert_activity(&ACTOR, &run).await?;
                continue;
            }
            if p.key == SKIPPED && n + 3 == last {
                let Some(id) = store.insert_activity(&ACTOR, &run).await? else {
                    continue;
                };
                let version = store.activity(id).await?.version;
                store
                    .skip_activity(
                        &ACTOR,
                        holdfast_core::account::Role::Manager,
                        id,
                        version,
                        "No changes were proposed that week: the office was closed for the move",
                        o.due_at,
                    )
                    .await?;
                continue;
            }
            let mut attached: Vec<(String, String)> = p
                .evidence
                .iter()
                .map(|e| (e.clone(), evidence.id.clone()))
                .collect();
            if p.key == INCOMPLETE && n == last {
                attached.truncate(1);
            }
            let late = p.key == CLOSED_LATE && Some(n) == late_close;
            let past_run = PastRun {
                run,
                closed_at: o.due_at
                    + if late {
                        Duration::days(14)
                    } else {
                        Duration::hours(4)
                    },
                comment: format!("{} completed as planned", p.name),
                evidence: attached,
            };
            store.record_past_run(&ACTOR, &past_run).await?;
            runs += 1;
        }
    }
    store
        .plan_activities(&ACTOR, store.as_of_at(now).await?, 90)
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
    // The late run was escalated a week after it was due, as the worker would have done; the
    // owner's manager followed it up the next day.
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
            .complete_task(
                &ACTOR,
                t.id,
                t.version,
                "Spoke to the owner; the run is done",
                t.due_at - Duration::hours(48),
            )
            .await?;
    }
    Ok(Seeded {
        processes,
        runs,
        leaver: leaver_name,
    })
}
