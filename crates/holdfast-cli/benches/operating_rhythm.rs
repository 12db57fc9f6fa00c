//! The operating rhythm at scale: plans a year of runs for 500 processes, dispatches 10,000
//! events through the interaction rules, and times the readiness engine (snapshot load and
//! evaluation, with the snapshot's row counts) on `holdfast demo` with two years of history,
//! at 1,000 and 10,000 people side by side. Prints figures and asserts nothing about time.
//!
//! `cargo bench -p holdfast-cli --bench operating_rhythm`. PostgreSQL runs too when
//! `HOLDFAST_TEST_POSTGRES_URL` is set. `HOLDFAST_BENCH_PEOPLE=1000,10000,100000` sets the
//! demo sizes.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use holdfast_core::ids::{OrganisationId, PersonId};
use holdfast_core::person::{EmploymentStatus, NewPerson};
use holdfast_core::process::{ProcessDefinition, ProcessInput, ProcessStatus, Raci};
use holdfast_core::readiness::{Period, Settings};
use holdfast_store::{Actor, DatabaseUrl, OpenMode, SnapshotSize, Store};
use sqlx::Connection;

const ACTOR: Actor = Actor::System("bench");
const PROCESSES: usize = 500;
const EVENTS: usize = 10_000;
const CADENCES: [&str; 5] = [
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYDAY=1TH",
    "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
    "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15",
];

fn person(i: usize, department: &str, joined: NaiveDate) -> NewPerson {
    NewPerson::parse(
        &format!("Person {i}"),
        &format!("person{i}@bench.example"),
        department,
        None,
        EmploymentStatus::Active,
        joined,
        None,
    )
    .expect("person")
}

async fn open(url: &str) -> Store {
    let store = Store::open(
        &DatabaseUrl::parse(url).expect("url"),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    store
}

/// The library's processes with their rules, plus copies with varied cadences up to 500.
async fn define_processes(store: &Store, org: OrganisationId, today: NaiveDate) {
    let departments = ["Management", "HR", "IT", "Finance", "Engineering"];
    let owners = store
        .create_people(
            &ACTOR,
            org,
            departments
                .iter()
                .enumerate()
                .map(|(i, d)| person(i, d, today))
                .collect(),
        )
        .await
        .expect("owners");
    let by_department: HashMap<String, PersonId> = owners
        .iter()
        .map(|p| (p.department.clone(), p.id))
        .collect();
    let as_of = store.as_of().await.expect("clock");
    // Drafts first, activated below without planning, so the timed planner plans the year.
    let adopted = store
        .adopt_process_library(&ACTOR, org, &by_department, ProcessStatus::Draft, as_of)
        .await
        .expect("library");
    for i in adopted..PROCESSES {
        let def = ProcessDefinition::parse(
            ProcessInput {
                key: &format!("bench-{i}"),
                name: &format!("Bench process {i}"),
                objective: "Keep the benchmark honest",
                owner_id: Some(owners[i % owners.len()].id),
                deputy_id: None,
                raci: Raci::default(),
                inputs: Vec::new(),
                outputs: Vec::new(),
                cadence: CADENCES[i % CADENCES.len()],
                cadence_start: Some(today),
                time_zone: "Europe/London",
                evidence: vec!["record".into()],
                clauses: vec!["8.1".into()],
                controls: Vec::new(),
                emits: Vec::new(),
                status: Some(ProcessStatus::Draft),
            },
            today,
        )
        .expect("definition");
        store
            .create_process(&ACTOR, org, def, as_of)
            .await
            .expect("process");
    }
    sqlx::query("update process set status = 'active', active_since = $1, planned_through = $2")
        .bind(today.to_string())
        .bind((today - Duration::days(1)).to_string())
        .execute(store.pool())
        .await
        .expect("activate");
}

async fn rhythm(label: &str, url: &str) {
    let store = open(url).await;
    let today = Utc::now().date_naive();
    let org = store
        .create_organisation(&ACTOR, "Bench Ltd", "Europe/London")
        .await
        .expect("org")
        .id;
    define_processes(&store, org, today).await;

    let started = Instant::now();
    let planned = store
        .plan_activities(&ACTOR, store.as_of().await.expect("clock"), 365)
        .await
        .expect("plan");
    let plan_secs = started.elapsed().as_secs_f64();
    println!(
        "{label:<10} planned a year of {planned} runs for {PROCESSES} processes in {plan_secs:.2} s = {:>8.0} activities/s",
        planned as f64 / plan_secs
    );

    // Every joiner is a `person_joined` event the joiner-mover-leaver rules react to. Drain
    // what the owners' arrival left first, so only the joiners are timed.
    while store.dispatch_events(&ACTOR, 500).await.expect("drain") > 0 {}
    let joiners = (0..EVENTS)
        .map(|i| person(1_000 + i, "Engineering", today))
        .collect();
    store
        .create_people(&ACTOR, org, joiners)
        .await
        .expect("joiners");
    let pending = store.pending_event_count().await.expect("pending");
    let started = Instant::now();
    let mut tasks = 0;
    loop {
        let n = store.dispatch_events(&ACTOR, 500).await.expect("dispatch");
        tasks += n;
        if store.pending_event_count().await.expect("pending") == 0 {
            break;
        }
    }
    let dispatch_secs = started.elapsed().as_secs_f64();
    println!(
        "{label:<10} dispatched {pending} events into {tasks} tasks in {dispatch_secs:.2} s = {:>8.0} events/s",
        pending as f64 / dispatch_secs
    );
    store.close().await;
}

/// Times the readiness engine on the demo organisation with two years of history: loading
/// the snapshot from the database, and the pure evaluation, each the best of five.
async fn readiness(people: u32) {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let started = Instant::now();
    let demo = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", &url, "demo", "--no-serve", "--seed", "1"])
        .args(["--people", &people.to_string(), "--history-days", "730"])
        .output()
        .expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    println!(
        "SQLite     holdfast demo --people {people} --history-days 730 created in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let store = Store::open(&DatabaseUrl::parse(&url).expect("url"), OpenMode::MustExist)
        .await
        .expect("open");
    let (mut load, mut evaluate) = (f64::MAX, f64::MAX);
    let (mut findings, mut size) = (0, None);
    for _ in 0..5 {
        let as_of = store.as_of().await.expect("clock");
        let settings = Settings::default();
        let period = Period::ending(as_of.today, settings.period_months);
        let started = Instant::now();
        let snapshot = store
            .readiness_snapshot(as_of, period)
            .await
            .expect("snapshot");
        load = load.min(started.elapsed().as_secs_f64());
        let started = Instant::now();
        findings = holdfast_core::readiness::check(&snapshot, as_of, settings)
            .findings
            .len();
        evaluate = evaluate.min(started.elapsed().as_secs_f64());
        size = Some(SnapshotSize::of(&snapshot));
    }
    let size = size.expect("measured");
    println!(
        "SQLite     readiness on {people:>6} people: snapshot {:>6.1} ms + evaluation {:>5.2} ms = {:>6.1} ms ({findings} findings; snapshot of {} processes, {} runs, {} rules, {} tasks, {} people)",
        load * 1e3,
        evaluate * 1e3,
        (load + evaluate) * 1e3,
        size.processes,
        size.runs,
        size.rules,
        size.tasks,
        size.people
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    rhythm(
        "SQLite",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
    )
    .await;
    match std::env::var("HOLDFAST_TEST_POSTGRES_URL") {
        Ok(server) => {
            let name = format!("holdfast_bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&server).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                .execute(&mut admin)
                .await
                .expect("create database");
            let (base, _) = server.rsplit_once('/').expect("database in URL");
            rhythm("PostgreSQL", &format!("{base}/{name}")).await;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database {name} with (force)"
            )))
            .execute(&mut admin)
            .await
            .ok();
        }
        Err(_) => println!("PostgreSQL skipped: set HOLDFAST_TEST_POSTGRES_URL to include it"),
    }
    let sizes = std::env::var("HOLDFAST_BENCH_PEOPLE").unwrap_or_else(|_| "1000,10000".into());
    for people in sizes.split(',').filter_map(|n| n.trim().parse().ok()) {
        readiness(people).await;
    }
}
