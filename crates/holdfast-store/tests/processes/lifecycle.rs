//! The process lifecycle, exactly-once dispatch per event, failing events, rule records and
//! the unit of work under concurrency, on both databases.

use chrono::Duration;
use holdfast_core::activity::ActivityState;
use holdfast_core::interaction::{Assignee, EventKind};
use holdfast_core::person::{EmploymentStatus, NewPerson, PersonChanges};
use holdfast_core::process::{Pause, Process, ProcessDefinition, ProcessInput, ProcessStatus};
use holdfast_core::readiness::Settings;
use holdfast_store::{ActivityQuery, NewEvidence, NewRule, Store, StoreError, TaskQuery};

use super::{ACTOR, TestDb, adopted, at, d, organisation};

async fn process(store: &Store, key: &str) -> Process {
    store
        .list_processes()
        .await
        .expect("list")
        .into_iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("no process {key}"))
}

/// The definition of `p` as it is, with another status and owner.
fn definition(
    p: &Process,
    status: ProcessStatus,
    owner: Option<holdfast_core::ids::PersonId>,
) -> ProcessDefinition {
    parse(p, status, owner).expect("definition")
}

fn parse(
    p: &Process,
    status: ProcessStatus,
    owner: Option<holdfast_core::ids::PersonId>,
) -> Result<ProcessDefinition, holdfast_core::ValidationErrors> {
    ProcessDefinition::parse(
        ProcessInput {
            key: &p.key,
            name: &p.name,
            objective: &p.objective,
            owner_id: owner,
            deputy_id: p.deputy_id,
            raci: p.raci.clone(),
            inputs: p.inputs.clone(),
            outputs: p.outputs.clone(),
            cadence: p.cadence.rule(),
            cadence_start: Some(p.cadence.anchor()),
            time_zone: "Europe/London",
            evidence: p.evidence.clone(),
            clauses: p.clauses.clone(),
            controls: p.controls.clone(),
            emits: p.emits.clone(),
            status: Some(status),
        },
        d("2026-01-05"),
    )
}

async fn runs_of(store: &Store, p: &Process) -> Vec<holdfast_core::activity::Activity> {
    store
        .list_activities(&ActivityQuery {
            process_id: Some(p.id),
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("runs")
}

/// The findings about one process.
async fn findings_about(store: &Store, p: &Process, day: &str) -> Vec<&'static str> {
    store
        .readiness(at(day), Settings::default())
        .await
        .expect("readiness")
        .findings
        .into_iter()
        .filter(|f| f.id.ends_with(&p.id.to_string()))
        .map(|f| f.code)
        .collect()
}

async fn a_library_process_activated_weeks_later_is_judged_only_from_then(db: TestDb) {
    let (org, owners) = organisation(&db.store).await;
    db.store
        .adopt_process_library(&ACTOR, org, &owners, ProcessStatus::Draft, at("2026-01-05"))
        .await
        .expect("drafts");
    let draft = process(&db.store, "access-review").await;
    assert!(
        runs_of(&db.store, &draft).await.is_empty(),
        "drafts are not planned"
    );
    let err = parse(&draft, ProcessStatus::Active, None).expect_err("no owner");
    assert_eq!(err.errors[0].field, "owner_id", "activation needs an owner");
    let p = db
        .store
        .update_process(
            &ACTOR,
            draft.id,
            draft.version,
            definition(&draft, ProcessStatus::Active, Some(owners["IT"])),
            at("2026-02-20"),
        )
        .await
        .expect("activate");
    assert_eq!(p.active_since, Some(d("2026-02-20")));
    let runs = runs_of(&db.store, &p).await;
    assert_eq!(
        runs.first().map(|r| r.due_date),
        Some(d("2026-04-06")),
        "planned from activation, not from the library's anchor"
    );
    for day in ["2026-02-20", "2026-03-15", "2026-04-06", "2026-04-20"] {
        assert_eq!(
            findings_about(&db.store, &p, day).await,
            Vec::<&str>::new(),
            "{day}"
        );
    }
    assert_eq!(
        findings_about(&db.store, &p, "2026-04-21").await,
        ["8.1/process-never-run"],
        "really missed: its first run is 15 days late"
    );
}

async fn an_isms_adopted_as_drafts_and_activated_weeks_later_reports_nothing_until_a_run_is_missed(
    db: TestDb,
) {
    let (org, owners) = organisation(&db.store).await;
    db.store
        .adopt_process_library(&ACTOR, org, &owners, ProcessStatus::Draft, at("2026-01-05"))
        .await
        .expect("drafts");
    let codes = |r: holdfast_core::readiness::Report| {
        r.findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>()
    };
    let before = db
        .store
        .readiness(at("2026-02-01"), Settings::default())
        .await
        .expect("report");
    assert_eq!(
        codes(before),
        [(
            "4.4/no-active-process",
            holdfast_core::readiness::Severity::Major
        )],
        "drafts only: the ISMS is not operating yet"
    );
    for p in db.store.list_processes().await.expect("list") {
        let department = holdfast_core::library::processes()
            .iter()
            .find(|l| l.key == p.key)
            .map(|l| l.department.clone())
            .expect("library process");
        db.store
            .update_process(
                &ACTOR,
                p.id,
                p.version,
                definition(&p, ProcessStatus::Active, Some(owners[&department])),
                at("2026-02-20"),
            )
            .await
            .expect("activate");
    }
    for day in ["2026-02-20", "2026-02-26", "2026-03-11"] {
        let r = db
            .store
            .readiness(at(day), Settings::default())
            .await
            .expect("report");
        assert_eq!(codes(r), [], "{day}: nothing was missed yet");
    }
    // The weekly change review, first due on 25 February, is 15 days late on 12 March.
    let missed = db
        .store
        .readiness(at("2026-03-12"), Settings::default())
        .await
        .expect("report");
    assert_eq!(
        codes(missed.clone()),
        [(
            "8.1/process-never-run",
            holdfast_core::readiness::Severity::Major
        )]
    );
    assert!(
        missed.findings[0].title.contains("Change management"),
        "{}",
        missed.findings[0].title
    );
}

async fn pausing_skips_open_runs_and_reminders_and_resuming_plans_again(db: TestDb) {
    adopted(&db.store).await;
    let p = process(&db.store, "change-management").await;
    let until = d("2026-12-31");
    let paused = db
        .store
        .pause_process(
            &ACTOR,
            p.id,
            p.version,
            Pause::parse("Change board on holiday", Some(until), d("2026-12-01")).expect("pause"),
            at("2026-12-01"),
        )
        .await
        .expect("pause");
    assert_eq!(paused.status, ProcessStatus::Paused);
    let runs = runs_of(&db.store, &p).await;
    assert!(runs.iter().filter(|r| r.due_date <= until).all(|r| {
        r.state == ActivityState::Skipped
            && r.comment
                .as_deref()
                .is_some_and(|c| c.contains("Change board on holiday"))
    }));
    assert!(
        runs.iter().all(|r| r.due_date <= until),
        "nothing planned after the pause yet"
    );
    let due = db
        .store
        .reminders_due(at("2027-06-01").now)
        .await
        .expect("reminders");
    assert!(
        !due.iter()
            .any(|w| runs.iter().any(|r| r.id.to_string() == w.id)),
        "a paused process sends no reminders"
    );
    assert_eq!(
        findings_about(&db.store, &p, "2026-12-20").await,
        Vec::<&str>::new()
    );
    let report = db
        .store
        .readiness(at("2026-12-20"), Settings::default())
        .await
        .expect("report");
    assert!(
        report
            .deviations
            .iter()
            .any(|x| x.process.id == p.id.to_string())
    );
    assert!(
        matches!(
            db.store
                .pause_process(
                    &ACTOR,
                    p.id,
                    paused.version,
                    Pause::parse("again", Some(until), d("2026-12-01")).expect("pause"),
                    at("2026-12-01"),
                )
                .await,
            Err(StoreError::Invalid(_))
        ),
        "only an active process is paused"
    );
    // The worker resumes it the day after the pause.
    db.store
        .plan_activities(&ACTOR, at("2027-01-01"), 30)
        .await
        .expect("plan");
    let resumed = process(&db.store, "change-management").await;
    assert_eq!(resumed.status, ProcessStatus::Active);
    assert!(resumed.pause.is_none());
    assert!(
        runs_of(&db.store, &p)
            .await
            .iter()
            .any(|r| r.due_date > until && r.state == ActivityState::Planned),
        "planned again after the pause"
    );
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

async fn retiring_skips_open_runs_and_keeps_the_history(db: TestDb) {
    adopted(&db.store).await;
    let p = process(&db.store, "access-review").await;
    assert!(matches!(
        db.store.retire_process(&ACTOR, p.id, p.version, " ", at("2026-12-01")).await,
        Err(StoreError::Invalid(v)) if v.errors[0].field == "reason"
    ));
    let retired = db
        .store
        .retire_process(
            &ACTOR,
            p.id,
            p.version,
            "Merged into identity governance",
            at("2026-12-01"),
        )
        .await
        .expect("retire");
    assert_eq!(retired.status, ProcessStatus::Retired);
    let open = db
        .store
        .list_activities(&ActivityQuery {
            process_id: Some(p.id),
            open_only: true,
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("runs");
    assert!(open.is_empty(), "no open run is left to remind anyone of");
    let err = db
        .store
        .update_process(
            &ACTOR,
            p.id,
            retired.version,
            definition(&retired, ProcessStatus::Retired, retired.owner_id),
            at("2026-12-02"),
        )
        .await
        .expect_err("retired");
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "status"),
        "{err:?}"
    );
}

fn person(name: &str, email: &str) -> NewPerson {
    NewPerson::parse(
        name,
        email,
        "Sales",
        None,
        EmploymentStatus::Active,
        d("2022-01-01"),
        None,
    )
    .expect("person")
}

async fn leave(store: &Store, id: holdfast_core::ids::PersonId, at: chrono::DateTime<chrono::Utc>) {
    let p = store.person(id).await.expect("person");
    store
        .update_person_at(
            &ACTOR,
            id,
            p.version,
            &PersonChanges {
                employment_status: Some(EmploymentStatus::Left),
                end_date: Some(Some(at.date_naive())),
                ..PersonChanges::default()
            },
            at,
        )
        .await
        .expect("left");
}

async fn revocations_of(store: &Store, name: &str) -> usize {
    store
        .list_tasks(&TaskQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("tasks")
        .iter()
        .filter(|t| t.title == format!("Revoke all access of {name}"))
        .count()
}

async fn a_person_who_leaves_twice_gets_two_revocations_and_each_overdue_milestone_its_task(
    db: TestDb,
) {
    let (org, _) = adopted(&db.store).await;
    let lee = db
        .store
        .create_person(&ACTOR, org, person("Lee Twice", "lee@example.com"))
        .await
        .expect("lee");
    let first = at("2026-12-01").now;
    leave(&db.store, lee.id, first).await;
    let rehired = db.store.person(lee.id).await.expect("lee");
    db.store
        .update_person_at(
            &ACTOR,
            lee.id,
            rehired.version,
            &PersonChanges {
                employment_status: Some(EmploymentStatus::Active),
                end_date: Some(None),
                ..PersonChanges::default()
            },
            first + Duration::days(30),
        )
        .await
        .expect("rehired");
    leave(&db.store, lee.id, first + Duration::days(200)).await;
    while db
        .store
        .dispatch_events(&ACTOR, 500)
        .await
        .expect("dispatch")
        > 0
    {}
    assert_eq!(
        revocations_of(&db.store, "Lee Twice").await,
        2,
        "one per leaving"
    );
    // A rule on every overdue milestone of a run, not only the week's.
    let p = process(&db.store, "vulnerability-management").await;
    db.store
        .create_rule(
            &ACTOR,
            NewRule {
                from_process: p.id,
                event: EventKind::ActivityOverdue,
                condition: None,
                to_process: p.id,
                task_title: "Chase {subject}".into(),
                priority: "normal".into(),
                sla_hours: 24,
                assign_to: Assignee::ProcessOwner,
                evidence_required: false,
            },
        )
        .await
        .expect("rule");
    let run = runs_of(&db.store, &p).await.remove(0);
    db.store
        .emit_overdue_events(&ACTOR, run.due_at + Duration::days(8))
        .await
        .expect("overdue");
    while db
        .store
        .dispatch_events(&ACTOR, 500)
        .await
        .expect("dispatch")
        > 0
    {}
    let chases = db
        .store
        .list_tasks(&TaskQuery {
            process_id: Some(p.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("tasks")
        .into_iter()
        .filter(|t| t.title.starts_with("Chase") && t.source_id == run.id.to_string())
        .count();
    assert_eq!(
        chases, 2,
        "the day-1 and the day-7 events each set off the rule"
    );
}

async fn a_failing_event_is_set_aside_and_the_next_goes_through(db: TestDb) {
    let (org, _) = adopted(&db.store).await;
    while db.store.dispatch_events(&ACTOR, 500).await.expect("drain") > 0 {}
    // A rule stored before SLAs were bounded, with a deadline no clock can hold.
    sqlx::query(
        "update interaction_rule set sla_hours = 9223372036854775807 where event = 'person_left'",
    )
    .execute(db.store.pool())
    .await
    .expect("legacy rule");
    let gone = db
        .store
        .create_person(&ACTOR, org, person("Gil Gone", "gil@example.com"))
        .await
        .expect("gil");
    leave(&db.store, gone.id, at("2026-12-01").now).await;
    let new = db
        .store
        .create_person(&ACTOR, org, person("Nia New", "nia@example.com"))
        .await
        .expect("nia");
    let created = db
        .store
        .dispatch_events(&ACTOR, 500)
        .await
        .expect("dispatch goes on");
    assert!(created >= 1, "the joiner's task was made");
    assert_eq!(
        db.store.pending_event_count().await.expect("pending"),
        0,
        "nothing blocks the line"
    );
    let failed = db.store.failed_events(10).await.expect("failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].subject_name, "Gil Gone");
    assert!(
        failed[0].failure.contains("cannot be represented"),
        "{}",
        failed[0].failure
    );
    assert_eq!(
        db.store.dispatch_events(&ACTOR, 500).await.expect("again"),
        0,
        "not retried by itself"
    );
    // Mended and retried, it makes its task.
    sqlx::query("update interaction_rule set sla_hours = 24 where event = 'person_left'")
        .execute(db.store.pool())
        .await
        .expect("mend");
    db.store
        .retry_event(&ACTOR, &failed[0].id)
        .await
        .expect("retry");
    assert!(matches!(
        db.store.retry_event(&ACTOR, &failed[0].id).await,
        Err(StoreError::NotFound(_))
    ));
    db.store
        .dispatch_events(&ACTOR, 500)
        .await
        .expect("dispatch");
    assert_eq!(revocations_of(&db.store, "Gil Gone").await, 1);
    let _ = new;
    assert_eq!(db.store.verify_chain().await.expect("verify").broken, None);
}

async fn rules_are_edited_disabled_and_deleted_with_their_version(db: TestDb) {
    adopted(&db.store).await;
    let jml = process(&db.store, "joiner-mover-leaver").await;
    let access = process(&db.store, "access-review").await;
    let training = process(&db.store, "training-awareness").await;
    let rule = |event, from: &Process, to: &Process, sla| NewRule {
        from_process: from.id,
        event,
        condition: None,
        to_process: to.id,
        task_title: "Tell {subject} about the clean desk policy".into(),
        priority: "low".into(),
        sla_hours: sla,
        assign_to: Assignee::OwnersManager,
        evidence_required: false,
    };
    let invalid_field = |r: Result<_, StoreError>| match r {
        Err(StoreError::Invalid(v)) => v.errors[0].field.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let before = db.store.list_rules().await.expect("rules").len();
    assert_eq!(
        invalid_field(
            db.store
                .create_rule(
                    &ACTOR,
                    rule(EventKind::PersonJoined, &access, &training, 24)
                )
                .await
        ),
        "event",
        "people join in the joiner-mover-leaver process, not in access review"
    );
    assert_eq!(
        invalid_field(
            db.store
                .create_rule(
                    &ACTOR,
                    rule(EventKind::PersonJoined, &jml, &training, 9_000)
                )
                .await
        ),
        "sla_hours"
    );
    let made = db
        .store
        .create_rule(&ACTOR, rule(EventKind::PersonJoined, &jml, &training, 48))
        .await
        .expect("rule");
    assert_eq!(
        invalid_field(
            db.store
                .create_rule(&ACTOR, rule(EventKind::PersonJoined, &jml, &training, 48))
                .await
        ),
        "event",
        "no exact duplicate"
    );
    assert!(matches!(
        db.store
            .update_rule(
                &ACTOR,
                made.id,
                made.version + 1,
                rule(EventKind::PersonJoined, &jml, &training, 72),
                true
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let disabled = db
        .store
        .update_rule(
            &ACTOR,
            made.id,
            made.version,
            rule(EventKind::PersonJoined, &jml, &training, 72),
            false,
        )
        .await
        .expect("disable");
    assert!(!disabled.active);
    assert_eq!(disabled.sla_hours, 72);
    assert!(matches!(
        db.store.delete_rule(&ACTOR, made.id, made.version).await,
        Err(StoreError::Stale(_))
    ));
    db.store
        .delete_rule(&ACTOR, made.id, disabled.version)
        .await
        .expect("delete");
    assert_eq!(db.store.list_rules().await.expect("rules").len(), before);
    assert!(matches!(
        db.store.rule(made.id).await,
        Err(StoreError::NotFound(_))
    ));
    // Deleted, it no longer counts as a duplicate.
    db.store
        .create_rule(&ACTOR, rule(EventKind::PersonJoined, &jml, &training, 48))
        .await
        .expect("again");
}

async fn uploading_and_closing_one_run_at_once_never_deadlocks(db: TestDb) {
    adopted(&db.store).await;
    let p = process(&db.store, "joiner-mover-leaver").await;
    let requirement = p.evidence[0].clone();
    let other = db.second_instance().await;
    for round in 0..100 {
        let due = d("2030-01-01") + Duration::days(round);
        let id = db
            .store
            .insert_activity(
                &ACTOR,
                &holdfast_store::PlannedRun {
                    process_id: p.id,
                    due_date: due,
                    due_at: due.and_hms_opt(9, 0, 0).expect("t").and_utc(),
                    assignee_id: p.owner_id,
                },
            )
            .await
            .expect("run")
            .expect("new");
        let file = NewEvidence::File {
            filename: format!("report-{round}.txt"),
            content_type: "text/plain".into(),
            content: format!("starters and leavers {round}").into_bytes(),
        };
        let (upload, close) = tokio::join!(
            db.store
                .upload_evidence_to_activity(&ACTOR, id, &requirement, file, "report"),
            other.close_activity(&ACTOR, id, 1, "done", at("2030-06-01").now)
        );
        for outcome in [upload.map(|_| ()), close.map(|_| ())] {
            assert!(
                !matches!(outcome, Err(StoreError::Database(_))),
                "round {round}: {outcome:?}"
            );
        }
    }
}

crate::on_both_databases!(
    a_library_process_activated_weeks_later_is_judged_only_from_then,
    an_isms_adopted_as_drafts_and_activated_weeks_later_reports_nothing_until_a_run_is_missed,
    pausing_skips_open_runs_and_reminders_and_resuming_plans_again,
    retiring_skips_open_runs_and_keeps_the_history,
    a_person_who_leaves_twice_gets_two_revocations_and_each_overdue_milestone_its_task,
    a_failing_event_is_set_aside_and_the_next_goes_through,
    rules_are_edited_disabled_and_deleted_with_their_version,
    uploading_and_closing_one_run_at_once_never_deadlocks,
);
