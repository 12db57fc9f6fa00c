//! Processes, runs, interactions and the readiness engine on real databases.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

#[path = "processes/assets.rs"]
mod assets;
mod common;
#[path = "processes/context.rs"]
mod context;
#[path = "processes/lifecycle.rs"]
mod lifecycle;
#[path = "processes/risks.rs"]
mod risks;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use common::TestDb;
use holdfast_core::account::Role;
use holdfast_core::clock::AsOf;
use holdfast_core::ical::FeedSubject;
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmploymentStatus, NewPerson};
use holdfast_core::process::ProcessStatus;
use holdfast_core::readiness::{Period, RecordKind, Settings, Severity, check};
use holdfast_core::task::SlaOutcome;
use holdfast_store::{ActivityQuery, Actor, NewEvidence, Store, StoreError, TaskQuery};

const ACTOR: Actor = Actor::Cli("test");

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// Noon UTC on `day`, in the test organisation's time zone.
fn at(day: &str) -> AsOf {
    AsOf::at(
        d(day).and_hms_opt(12, 0, 0).expect("noon").and_utc(),
        holdfast_core::clock::time_zone("Europe/London"),
    )
}

async fn organisation(store: &Store) -> (OrganisationId, HashMap<String, PersonId>) {
    let org = store
        .create_organisation(&ACTOR, "Example Ltd", "Europe/London")
        .await
        .expect("org")
        .id;
    let mut owners = HashMap::new();
    for (i, dept) in ["Management", "HR", "IT", "Finance", "Engineering"]
        .iter()
        .enumerate()
    {
        let p = NewPerson::parse(
            &format!("Head of {dept}"),
            &format!("head{i}@example.com"),
            dept,
            None,
            EmploymentStatus::Active,
            d("2020-01-01"),
            None,
        )
        .expect("person");
        owners.insert(
            (*dept).to_owned(),
            store
                .create_person(&ACTOR, org, p)
                .await
                .expect("person")
                .id,
        );
    }
    (org, owners)
}

async fn adopted(store: &Store) -> (OrganisationId, HashMap<String, PersonId>) {
    let (org, owners) = organisation(store).await;
    let n = store
        .adopt_process_library(
            &ACTOR,
            org,
            &owners,
            ProcessStatus::Active,
            at("2026-12-01"),
        )
        .await
        .expect("adopt");
    assert_eq!(n, 15);
    (org, owners)
}

async fn planning_twice_creates_no_duplicates(db: TestDb) {
    adopted(&db.store).await;
    let all = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .list_activities(&ActivityQuery {
                    limit: 10_000,
                    ..Default::default()
                })
                .await
                .expect("list")
        }
    };
    let planned = all(&db.store).await.len();
    assert!(
        planned > 15,
        "activation planned 90 days of runs: {planned}"
    );
    for _ in 0..2 {
        let again = db
            .store
            .plan_activities(&ACTOR, at("2026-12-01"), 89)
            .await
            .expect("plan again");
        assert_eq!(again, 0);
    }
    assert_eq!(all(&db.store).await.len(), planned);
    let later = db
        .store
        .plan_activities(&ACTOR, at("2026-12-01"), 120)
        .await
        .expect("plan further");
    assert!(later > 0, "a longer horizon plans only the days beyond");
    assert_eq!(all(&db.store).await.len(), planned + later);
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

async fn editing_a_cadence_replans_only_future_runs(db: TestDb) {
    let (org, owners) = organisation(&db.store).await;
    db.store
        .adopt_process_library(
            &ACTOR,
            org,
            &owners,
            ProcessStatus::Active,
            at("2026-11-01"),
        )
        .await
        .expect("adopt");
    let p = db
        .store
        .list_processes()
        .await
        .expect("list")
        .into_iter()
        .find(|p| p.key == "change-management")
        .expect("weekly process");
    let before = db
        .store
        .list_activities(&ActivityQuery {
            process_id: Some(p.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("runs");
    let past: Vec<_> = before
        .iter()
        .filter(|a| a.due_date < d("2026-12-01"))
        .map(|a| a.id)
        .collect();
    assert!(!past.is_empty());
    let def = holdfast_core::process::ProcessDefinition::parse(
        holdfast_core::process::ProcessInput {
            key: &p.key,
            name: &p.name,
            objective: &p.objective,
            owner_id: p.owner_id,
            cadence: "FREQ=MONTHLY;BYMONTHDAY=15",
            cadence_start: Some(d("2026-01-01")),
            time_zone: "Europe/London",
            evidence: p.evidence.clone(),
            clauses: p.clauses.clone(),
            controls: p.controls.clone(),
            status: Some(ProcessStatus::Active),
            ..Default::default()
        },
        d("2026-12-01"),
    )
    .expect("definition");
    db.store
        .update_process(&ACTOR, p.id, p.version, def, at("2026-12-01"))
        .await
        .expect("update");
    db.store
        .plan_activities(&ACTOR, at("2026-12-01"), 90)
        .await
        .expect("replan");
    let after = db
        .store
        .list_activities(&ActivityQuery {
            process_id: Some(p.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("runs");
    let still_past: Vec<_> = after
        .iter()
        .filter(|a| a.due_date < d("2026-12-01"))
        .map(|a| a.id)
        .collect();
    assert_eq!(still_past, past, "past runs are untouched");
    let future: Vec<_> = after
        .iter()
        .filter(|a| a.due_date >= d("2026-12-01"))
        .map(|a| a.due_date.to_string())
        .collect();
    assert_eq!(future, ["2026-12-15", "2027-01-15", "2027-02-15"]);
}

async fn closing_needs_the_evidence_and_files_are_stored_once(db: TestDb) {
    adopted(&db.store).await;
    let p = db
        .store
        .list_processes()
        .await
        .expect("list")
        .into_iter()
        .find(|p| p.key == "backup-restore-test")
        .expect("process");
    let run = db
        .store
        .list_activities(&ActivityQuery {
            process_id: Some(p.id),
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("runs")
        .remove(0);
    let err = db
        .store
        .close_activity(&ACTOR, run.id, run.version, "done", Utc::now())
        .await
        .expect_err("no evidence");
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "evidence"),
        "{err:?}"
    );
    let file = || NewEvidence::File {
        filename: "restore.txt".into(),
        content_type: "text/plain".into(),
        content: b"restored 42 GB in 31 minutes".to_vec(),
    };
    let e1 = db
        .store
        .store_evidence(&ACTOR, file(), "Restore test report")
        .await
        .expect("upload");
    let e2 = db
        .store
        .store_evidence(&ACTOR, file(), "The same report again")
        .await
        .expect("upload again");
    assert_eq!(e1.sha256, e2.sha256);
    assert_eq!(
        db.store.evidence_blob_count().await.expect("count"),
        1,
        "content is stored once"
    );
    let bad = db
        .store
        .attach_evidence_to_activity(&ACTOR, run.id, "holiday photos", &e1.id)
        .await
        .expect_err("not required");
    assert!(matches!(bad, StoreError::Invalid(_)));
    let run = db
        .store
        .attach_evidence_to_activity(&ACTOR, run.id, "restore test report", &e1.id)
        .await
        .expect("attach");
    assert_eq!(
        run.state,
        holdfast_core::activity::ActivityState::InProgress,
        "the first evidence starts the work"
    );
    let err = db
        .store
        .close_activity(&ACTOR, run.id, run.version, "  ", Utc::now())
        .await
        .expect_err("no comment");
    assert!(matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "comment"));
    let closed = db
        .store
        .close_activity(
            &ACTOR,
            run.id,
            run.version,
            "Restored the finance database",
            Utc::now(),
        )
        .await
        .expect("close");
    let err = db
        .store
        .close_activity(&ACTOR, closed.id, closed.version, "again", Utc::now())
        .await
        .expect_err("closed");
    assert!(matches!(err, StoreError::Invalid(_)));
    let err = db
        .store
        .reopen_activity(&ACTOR, closed.id, closed.version, "", Utc::now())
        .await
        .expect_err("reason");
    assert!(matches!(err, StoreError::Invalid(_)));
    let reopened = db
        .store
        .reopen_activity(
            &ACTOR,
            closed.id,
            closed.version,
            "Wrong file attached",
            Utc::now(),
        )
        .await
        .expect("reopen");
    assert!(reopened.is_open());
    let err = db
        .store
        .skip_activity(
            &ACTOR,
            Role::Owner,
            reopened.id,
            reopened.version,
            "busy",
            Utc::now(),
        )
        .await
        .expect_err("owner");
    assert!(matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "role"));
    let (ev, content) = db.store.evidence(&e1.id).await.expect("read");
    assert_eq!(ev.filename.as_deref(), Some("restore.txt"));
    assert_eq!(
        content.as_deref(),
        Some(&b"restored 42 GB in 31 minutes"[..])
    );
}

async fn a_person_leaving_sends_a_revocation_task_whose_late_completion_is_a_finding(db: TestDb) {
    let (org, owners) = adopted(&db.store).await;
    db.store
        .dispatch_events(&ACTOR, 1000)
        .await
        .expect("drain joiner events");
    let leaver = NewPerson::parse(
        "Lee Leaver",
        "lee@example.com",
        "Sales",
        None,
        EmploymentStatus::Active,
        d("2022-01-01"),
        None,
    )
    .expect("person");
    let lee = db
        .store
        .create_person(&ACTOR, org, leaver)
        .await
        .expect("lee");
    db.store
        .dispatch_events(&ACTOR, 1000)
        .await
        .expect("dispatch joined");
    let left_at = Utc::now();
    db.store
        .set_employment_status(
            &ACTOR,
            lee.id,
            1,
            EmploymentStatus::Left,
            Some(d("2026-11-30")),
        )
        .await
        .expect("left");
    // Two dispatchers at once, as two server instances would run them.
    let other = db.second_instance().await;
    let (a, b) = tokio::join!(
        db.store.dispatch_events(&ACTOR, 1000),
        other.dispatch_events(&ACTOR, 1000)
    );
    assert_eq!(
        a.expect("a") + b.expect("b"),
        1,
        "one revocation task, created once"
    );
    let access = db
        .store
        .list_processes()
        .await
        .expect("list")
        .into_iter()
        .find(|p| p.key == "access-review")
        .expect("IT process");
    let tasks = db
        .store
        .list_tasks(&TaskQuery {
            process_id: Some(access.id),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("tasks");
    let task = tasks
        .iter()
        .find(|t| t.title == "Revoke all access of Lee Leaver")
        .expect("revocation task");
    assert_eq!(
        task.owner_id,
        owners.get("IT").copied(),
        "the IT process owner gets it"
    );
    assert!(
        (task.due_at - (left_at + Duration::hours(24)))
            .num_seconds()
            .abs()
            < 60,
        "due within 24 hours"
    );
    assert_eq!(task.source_type, "person");
    assert_eq!(task.source_id, lee.id.to_string());
    // The leaver's revocation needs evidence and a comment: without them nothing changes.
    assert!(
        task.evidence_required,
        "the library asks for evidence of revocation"
    );
    let audit_before = db.store.audit_event_count().await.expect("audit");
    for (comment, field) in [("Revoked", "evidence"), ("  ", "comment")] {
        let err = db
            .store
            .complete_task(
                &ACTOR,
                task.id,
                task.version,
                comment,
                left_at + Duration::hours(2),
            )
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, StoreError::Invalid(v) if v.errors.iter().any(|e| e.field == field)),
            "{err:?}"
        );
    }
    assert_eq!(
        db.store.task(task.id).await.expect("task").status,
        holdfast_core::task::TaskStatus::Open
    );
    assert_eq!(
        db.store.audit_event_count().await.expect("audit"),
        audit_before
    );
    let attached = db
        .store
        .upload_evidence_to_task(
            &ACTOR,
            task.id,
            "revocation",
            NewEvidence::File {
                filename: "revoked.txt".into(),
                content_type: "text/plain".into(),
                content: b"AD account disabled, VPN certificate revoked".to_vec(),
            },
            "Revocation record",
        )
        .await
        .expect("evidence");
    assert_eq!(attached.len(), 1);
    // Completed two days late.
    let done = db
        .store
        .complete_task(
            &ACTOR,
            task.id,
            task.version,
            "Revoked the AD account and the VPN certificate",
            left_at + Duration::hours(48),
        )
        .await
        .expect("complete");
    assert_eq!(
        done.comment.as_deref(),
        Some("Revoked the AD account and the VPN certificate")
    );
    let later = left_at + Duration::hours(49);
    assert_eq!(done.sla(later), SlaOutcome::Breached);
    let as_of = db.store.as_of_at(later).await.expect("clock");
    let snapshot = db
        .store
        .readiness_snapshot(as_of, Period::ending(as_of.today, 12))
        .await
        .expect("snapshot");
    let report = check(&snapshot, as_of, Settings::default());
    let breach = report
        .findings
        .iter()
        .find(|f| f.code == "4.4/interaction-sla")
        .expect("the breach is reported");
    assert_eq!(
        breach.severity,
        Severity::Minor,
        "the interaction's only task in the period breached"
    );
    assert!(
        breach
            .records
            .iter()
            .any(|r| r.kind == RecordKind::Task && r.id == task.id.to_string())
    );
}

async fn a_rule_that_loops_or_has_no_sla_is_refused(db: TestDb) {
    adopted(&db.store).await;
    let p = db.store.list_processes().await.expect("list").remove(0);
    let rule = |event, sla| holdfast_store::NewRule {
        from_process: p.id,
        event,
        condition: None,
        to_process: p.id,
        task_title: "Again".into(),
        priority: "normal".into(),
        sla_hours: sla,
        assign_to: holdfast_core::interaction::Assignee::ProcessOwner,
        evidence_required: false,
    };
    let before = db.store.list_rules().await.expect("rules").len();
    assert!(matches!(
        db.store
            .create_rule(
                &ACTOR,
                rule(holdfast_core::interaction::EventKind::TaskDone, 24)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        db.store
            .create_rule(
                &ACTOR,
                rule(holdfast_core::interaction::EventKind::PersonLeft, 0)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(db.store.list_rules().await.expect("rules").len(), before);
}

async fn an_owner_who_left_cannot_own_a_process(db: TestDb) {
    let (org, owners) = organisation(&db.store).await;
    let it = owners["IT"];
    db.store
        .set_employment_status(&ACTOR, it, 1, EmploymentStatus::Left, Some(d("2026-11-01")))
        .await
        .expect("left");
    let err = db
        .store
        .adopt_process_library(
            &ACTOR,
            org,
            &owners,
            ProcessStatus::Active,
            at("2026-01-01"),
        )
        .await
        .expect_err("owner left");
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "owner_id"),
        "{err:?}"
    );
}

async fn a_calendar_feed_shows_open_work_and_stops_when_revoked(db: TestDb) {
    let (_, owners) = adopted(&db.store).await;
    let it = owners["IT"];
    let subject = FeedSubject::Person(it);
    let now = Utc::now();
    let feed = db
        .store
        .create_calendar_feed(&ACTOR, subject, "hash-of-secret", now)
        .await
        .expect("feed");
    let found = db
        .store
        .calendar_feed_by_hash("hash-of-secret")
        .await
        .expect("lookup")
        .expect("live feed");
    assert_eq!(found.subject, subject);
    let items = db.store.calendar_items(subject).await.expect("items");
    let open_runs = db
        .store
        .list_activities(&ActivityQuery {
            assignee_id: Some(it),
            open_only: true,
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("runs");
    assert!(!open_runs.is_empty(), "IT owns processes with runs");
    assert_eq!(
        items.len(),
        open_runs.len(),
        "one entry per open run, no tasks yet"
    );
    assert!(
        items
            .iter()
            .all(|i| i.uid.starts_with("activity-") && i.summary.starts_with("Run: "))
    );
    assert!(
        items.windows(2).all(|w| w[0].due_at <= w[1].due_at),
        "earliest first"
    );

    let stranger = FeedSubject::Person(PersonId::from_uuid(uuid::Uuid::new_v4()));
    assert!(matches!(
        db.store
            .create_calendar_feed(&ACTOR, stranger, "other", now)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        matches!(
            db.store
                .revoke_calendar_feed(&ACTOR, feed.id, Some("user:someone-else"), now)
                .await,
            Err(StoreError::NotFound(_))
        ),
        "only its maker revokes a feed"
    );
    db.store
        .revoke_calendar_feed(&ACTOR, feed.id, Some(&ACTOR.to_string()), now)
        .await
        .expect("revoke");
    assert_eq!(
        db.store
            .calendar_feed_by_hash("hash-of-secret")
            .await
            .expect("lookup"),
        None
    );
    let listed = db.store.list_calendar_feeds(None).await.expect("list");
    assert!(listed[0].revoked_at.is_some());
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

async fn a_run_a_week_overdue_is_escalated_to_the_owners_manager_once(db: TestDb) {
    let store = &db.store;
    let (org, mut owners) = organisation(store).await;
    let person = |name: &str, email: &str, dept: &str, manager| {
        NewPerson::parse(
            name,
            email,
            dept,
            manager,
            EmploymentStatus::Active,
            d("2020-01-01"),
            None,
        )
        .expect("person")
    };
    let cio = store
        .create_person(
            &ACTOR,
            org,
            person(
                "Chief Information Officer",
                "cio@example.com",
                "Management",
                None,
            ),
        )
        .await
        .expect("cio");
    let it = store
        .create_person(
            &ACTOR,
            org,
            person("IT lead", "it.lead@example.com", "IT", Some(cio.id)),
        )
        .await
        .expect("it lead");
    owners.insert("IT".into(), it.id);
    store
        .adopt_process_library(
            &ACTOR,
            org,
            &owners,
            ProcessStatus::Active,
            store
                .as_of_at(Utc::now() - Duration::days(60))
                .await
                .expect("clock"),
        )
        .await
        .expect("library");
    store
        .plan_activities(&ACTOR, store.as_of().await.expect("clock"), 30)
        .await
        .expect("plan");
    while store.dispatch_events(&ACTOR, 500).await.expect("drain") > 0 {}
    let now = Utc::now();
    let open = store
        .list_activities(&ActivityQuery {
            open_only: true,
            limit: 10_000,
            ..Default::default()
        })
        .await
        .expect("runs");
    let a_week_late: Vec<_> = open
        .iter()
        .filter(|a| a.due_at + Duration::days(7) <= now)
        .collect();
    let a_day_late = open
        .iter()
        .filter(|a| a.due_at + Duration::days(1) <= now)
        .count();
    assert!(
        !a_week_late.is_empty(),
        "weekly change management has runs long overdue"
    );

    let emitted = store.emit_overdue_events(&ACTOR, now).await.expect("emit");
    assert_eq!(
        emitted,
        a_day_late + a_week_late.len(),
        "a day and a week late, each once"
    );
    let again = db.second_instance().await;
    assert_eq!(
        again
            .emit_overdue_events(&ACTOR, now)
            .await
            .expect("emit again"),
        0
    );
    let created = store
        .dispatch_events(&ACTOR, 5_000)
        .await
        .expect("dispatch");
    assert_eq!(
        created,
        a_week_late.len(),
        "only the week milestone is escalated"
    );

    let tasks = store
        .list_tasks(&TaskQuery {
            open_only: true,
            limit: 10_000,
            ..Default::default()
        })
        .await
        .expect("tasks");
    let processes = store.list_processes().await.expect("processes");
    for run in &a_week_late {
        let task = tasks
            .iter()
            .find(|t| t.source_id == run.id.to_string())
            .unwrap_or_else(|| panic!("run {} was escalated", run.id));
        assert!(task.title.starts_with("Escalation:"), "{}", task.title);
        assert_eq!(
            task.process_id,
            Some(run.process_id),
            "the escalation stays in its process"
        );
        assert_eq!(
            task.due_at,
            run.due_at + Duration::days(7) + Duration::hours(72)
        );
        let owner = processes
            .iter()
            .find(|p| p.id == run.process_id)
            .and_then(|p| p.owner_id);
        let expected = if owner == Some(it.id) {
            Some(cio.id)
        } else {
            owner
        };
        assert_eq!(
            task.owner_id, expected,
            "the owner's manager, or the owner without one"
        );
    }
    assert!(
        tasks.iter().any(|t| t.owner_id == Some(cio.id)),
        "an IT run reached the CIO"
    );
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

async fn a_run_is_handed_to_a_colleague_who_stays(db: TestDb) {
    let (org, owners) = adopted(&db.store).await;
    let run = db
        .store
        .list_activities(&ActivityQuery {
            assignee_id: Some(owners["IT"]),
            open_only: true,
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("runs")
        .remove(0);
    let new = |name: &str, email: &str, status| {
        NewPerson::parse(name, email, "IT", None, status, d("2021-01-01"), None).expect("person")
    };
    let colleague = db
        .store
        .create_person(
            &ACTOR,
            org,
            new(
                "Grace Hopper",
                "grace@example.com",
                EmploymentStatus::Active,
            ),
        )
        .await
        .expect("colleague");
    let leaving = db
        .store
        .create_person(
            &ACTOR,
            org,
            new("Lee Leaving", "lee@example.com", EmploymentStatus::Leaving),
        )
        .await
        .expect("leaving");
    let err = db
        .store
        .assign_activity(&ACTOR, run.id, run.version, leaving.id)
        .await
        .expect_err("leaving");
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "assignee_id"),
        "{err:?}"
    );
    let given = db
        .store
        .assign_activity(&ACTOR, run.id, run.version, colleague.id)
        .await
        .expect("assign");
    assert_eq!(given.assignee_id, Some(colleague.id));
    assert!(matches!(
        db.store
            .assign_activity(&ACTOR, run.id, run.version, colleague.id)
            .await,
        Err(StoreError::Stale(_))
    ));
    let theirs = db
        .store
        .list_activities(&ActivityQuery {
            assignee_id: Some(colleague.id),
            open_only: true,
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("their runs");
    assert_eq!(theirs.len(), 1, "it is in their work now");
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

on_both_databases!(
    planning_twice_creates_no_duplicates,
    editing_a_cadence_replans_only_future_runs,
    closing_needs_the_evidence_and_files_are_stored_once,
    a_person_leaving_sends_a_revocation_task_whose_late_completion_is_a_finding,
    a_rule_that_loops_or_has_no_sla_is_refused,
    an_owner_who_left_cannot_own_a_process,
    a_calendar_feed_shows_open_work_and_stops_when_revoked,
    a_run_a_week_overdue_is_escalated_to_the_owners_manager_once,
    a_run_is_handed_to_a_colleague_who_stays,
);
