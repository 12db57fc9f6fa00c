//! Audit-trail throughput: appends events through real writes on SQLite and PostgreSQL,
//! then verifies the chain, and prints appends/s and verified events/s. Figures, not
//! assertions: compare them side by side within one run.
//!
//! Then it gives the organisation as many people as events, one evidence file per hundred,
//! signs a checkpoint, and times the whole of `holdfast verify`: the chain, the checkpoints,
//! the append-only triggers, the replay of every audited record against its history, and
//! the re-hash of every evidence file.
//!
//! `cargo bench -p holdfast-store --bench audit_chain [-- EVENTS]` (default 100,000).
//! PostgreSQL runs when `HOLDFAST_TEST_POSTGRES_URL` is set.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use holdfast_store::{Actor, DatabaseUrl, OpenMode, Store};
use sqlx::Connection;

const ACTOR: Actor = Actor::System("bench");

async fn run(label: &str, url: &str, events: usize) {
    let store = Store::open(
        &DatabaseUrl::parse(url).expect("url"),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    let after = serde_json::json!({"name": "Ada Lovelace", "department": "Engineering", "employment_status": "active"});
    let started = Instant::now();
    // Eight concurrent writers, as a busy server would have.
    let per_writer = events / 8;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        let after = after.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_writer {
                let mut tx = store.write(&ACTOR).await.expect("begin");
                tx.record("bench", &format!("{w}-{i}"), "create", None, Some(&after))
                    .await
                    .expect("append");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let appended = per_writer * 8;
    let append_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = store.verify_chain().await.expect("verify");
    let verify_secs = started.elapsed().as_secs_f64();
    assert!(report.broken.is_none(), "chain broken: {:?}", report.broken);
    println!(
        "{label:<10} appended {appended} events in {append_secs:.2} s = {:>9.0} appends/s; verified {} in {verify_secs:.3} s = {:>10.0} events/s",
        appended as f64 / append_secs,
        report.verified,
        report.verified as f64 / verify_secs
    );
    whole_verify(label, &store, events).await;
    store.close().await;
}

/// People, evidence and a checkpoint, then every layer of `holdfast verify`, timed.
async fn whole_verify(label: &str, store: &Store, people: usize) {
    use holdfast_core::person::{EmploymentStatus, NewPerson};
    let org = store
        .create_organisation(&ACTOR, "Bench Ltd", "UTC")
        .await
        .expect("organisation");
    let start: chrono::NaiveDate = "2024-01-15".parse().expect("date");
    for batch in (0..people).collect::<Vec<_>>().chunks(5_000) {
        let new: Vec<NewPerson> = batch
            .iter()
            .map(|i| {
                NewPerson::parse(
                    &format!("Person {i:06}"),
                    &format!("person{i}@example.com"),
                    ["HR", "IT", "Finance", "Engineering"][i % 4],
                    None,
                    EmploymentStatus::Active,
                    start,
                    None,
                )
                .expect("person")
            })
            .collect();
        store
            .create_people(&ACTOR, org.id, new)
            .await
            .expect("people");
    }
    for i in 0..people / 100 {
        store
            .store_evidence(
                &ACTOR,
                holdfast_store::NewEvidence::File {
                    filename: format!("evidence-{i}.pdf"),
                    content_type: "application/pdf".into(),
                    content: format!("%PDF-1.4 evidence {i} {}", "x".repeat(20_000)).into_bytes(),
                },
                "Evidence",
            )
            .await
            .expect("evidence");
    }
    let key = holdfast_core::checkpoint::Key::from_seed([7; 32]);
    store
        .sign_checkpoint(&key, chrono::Utc::now())
        .await
        .expect("checkpoint");
    let t = Instant::now();
    let chain = store.verify_chain().await.expect("chain");
    let chain_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let checkpoints = store.check_checkpoints(None).await.expect("checkpoints");
    let guards = store.missing_guards().await.expect("guards");
    let checks_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let outside = store.rows_changed_outside().await.expect("replay");
    let replay_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let changed = store.changed_evidence().await.expect("evidence");
    let evidence_secs = t.elapsed().as_secs_f64();
    assert!(chain.broken.is_none() && checkpoints.problems.is_empty() && guards.is_empty());
    assert!(outside.is_empty() && changed.is_empty(), "{outside:?}");
    println!(
        "{label:<10} whole verify with {people} people, {} files: chain {} events {chain_secs:.3} s ({:.0} events/s), checkpoints+triggers {checks_secs:.3} s, replay {replay_secs:.3} s, evidence {evidence_secs:.3} s, total {:.3} s",
        people / 100,
        chain.verified,
        chain.verified as f64 / chain_secs,
        chain_secs + checks_secs + replay_secs + evidence_secs
    );
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    run(
        "SQLite",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
        events,
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
            run("PostgreSQL", &format!("{base}/{name}"), events).await;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database {name} with (force)"
            )))
            .execute(&mut admin)
            .await
            .ok();
        }
        Err(_) => println!("PostgreSQL skipped: set HOLDFAST_TEST_POSTGRES_URL to include it"),
    }
}
