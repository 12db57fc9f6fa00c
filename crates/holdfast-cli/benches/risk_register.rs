//! The risk register, the asset inventory and the Statement of Applicability at scale: for
//! registers of 1,000 and 10,000 risks (each assessed, most accepted) beside inventories of
//! ten times as many assets, on SQLite and PostgreSQL, times importing the inventory, the
//! filtered register and inventory pages (p50 and p99 of 200 requests each), both heatmaps
//! (query and SVG), publishing the SoA, its XLSX export, and the readiness engine with these
//! registers. Prints figures and asserts nothing about time.
//!
//! `cargo bench -p holdfast-cli --bench risk_register`. `HOLDFAST_BENCH_RISKS=1000,10000`
//! sets the sizes; PostgreSQL runs too when `HOLDFAST_TEST_POSTGRES_URL` is set.

// Benchmarks set the scene at real moments; the product reads the clock only through
// holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::time::Instant;

use holdfast_core::person::{EmploymentStatus, NewPerson};
use holdfast_core::readiness::Settings;
use holdfast_core::risk::{AssessmentInput, MethodDraft, Rating, RiskFields, Treatment};
use holdfast_core::soa::{DecisionInput, Status};
use holdfast_store::{Actor, AssetQuery, DatabaseUrl, OpenMode, RiskOrder, RiskQuery, Store};
use sqlx::Connection;

const ACTOR: Actor = Actor::System("bench");

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

fn ms(s: f64) -> f64 {
    s * 1e3
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

async fn register(db: &str, url: &str, risks: usize) {
    let store = open(url).await;
    let org = store
        .create_organisation(&ACTOR, "Bench Ltd", "Europe/London")
        .await
        .expect("org");
    let today = store.as_of().await.expect("clock").today;
    let owners = store
        .create_people(
            &ACTOR,
            org.id,
            (0..20)
                .map(|i| {
                    NewPerson::parse(
                        &format!("Owner {i}"),
                        &format!("owner{i}@bench.example"),
                        "IT",
                        None,
                        EmploymentStatus::Active,
                        today,
                        None,
                    )
                    .expect("person")
                })
                .collect(),
        )
        .await
        .expect("owners");
    let as_of = store.as_of().await.expect("clock");
    // The library's processes in operation, owned by the first owner.
    let heads: HashMap<String, holdfast_core::ids::PersonId> =
        ["Management", "HR", "IT", "Finance", "Engineering"]
            .iter()
            .map(|d| ((*d).to_owned(), owners[0].id))
            .collect();
    store
        .adopt_process_library(
            &ACTOR,
            org.id,
            &heads,
            holdfast_core::process::ProcessStatus::Active,
            as_of,
        )
        .await
        .expect("library");
    store
        .publish_risk_method(
            &ACTOR,
            None,
            MethodDraft::five_by_five().validate().expect("method"),
        )
        .await
        .expect("publish");
    let controls: Vec<&str> = holdfast_core::catalog::annex_a()
        .iter()
        .map(|c| c.id)
        .collect();
    let started = Instant::now();
    for n in 0..risks {
        let risk = store
            .create_risk(
                &ACTOR,
                RiskFields {
                    title: format!("Risk {n} of the bench register"),
                    threat: ["Malware", "Theft", "Fraud", "Outage"][n % 4].into(),
                    vulnerability: format!("Weakness {}", n % 97),
                    owner_id: Some(owners[n % owners.len()].id),
                    process_id: None,
                    treatment: Treatment::ALL[n % 4],
                    controls: vec![
                        controls[n % controls.len()].to_owned(),
                        controls[(n * 7 + 3) % controls.len()].to_owned(),
                    ],
                    assets: vec![],
                },
            )
            .await
            .expect("risk");
        let inherent = Rating {
            likelihood: (n % 5 + 1) as u8,
            impact: (n / 5 % 5 + 1) as u8,
        };
        store
            .assess_risk(
                &ACTOR,
                risk.id,
                risk.version,
                None,
                AssessmentInput {
                    inherent,
                    current: Rating {
                        likelihood: inherent.likelihood.div_ceil(2),
                        impact: inherent.impact,
                    },
                    target: None,
                    rationale: "Rated in the bench".into(),
                    assessed_on: today,
                },
                today,
            )
            .await
            .expect("assess");
    }
    let filled = started.elapsed().as_secs_f64();
    // The register as people filter it: by level, owner, treatment, text, and plain.
    let queries = [
        RiskQuery {
            level: Some("high".into()),
            order: RiskOrder::Level,
            ..RiskQuery::default()
        },
        RiskQuery {
            owner_id: Some(owners[3].id),
            ..RiskQuery::default()
        },
        RiskQuery {
            treatment: Some(Treatment::Share),
            order: RiskOrder::Level,
            ..RiskQuery::default()
        },
        RiskQuery {
            search: Some("weakness 42".into()),
            ..RiskQuery::default()
        },
        RiskQuery::default(),
    ];
    let mut samples = Vec::new();
    for i in 0..200 {
        let q = RiskQuery {
            limit: 51,
            ..queries[i % queries.len()].clone()
        };
        let t = Instant::now();
        let page = store.risk_page(&q).await.expect("page");
        let total = store.count_risks(&q).await.expect("count");
        samples.push(t.elapsed().as_secs_f64());
        assert!(!page.is_empty() || total.n == 0);
    }
    let p50 = percentile(&mut samples, 0.5);
    let p99 = percentile(&mut samples, 0.99);
    let (imported, asset_p50, asset_p99) = inventory(&store, risks * 10, &owners).await;
    let method = store
        .current_risk_method()
        .await
        .expect("method")
        .expect("published");
    let t = Instant::now();
    for inherent in [true, false] {
        let counts: HashMap<Rating, i64> = store
            .risk_heat(inherent)
            .await
            .expect("heat")
            .into_iter()
            .map(|c| (c.rating, c.risks))
            .collect();
        let svg = holdfast_web::heatmap::render(&method.method, &counts, "Heat", "h");
        assert!(svg.contains("<svg"));
    }
    let heat = t.elapsed().as_secs_f64();
    let decisions = holdfast_core::catalog::annex_a()
        .iter()
        .map(|c| {
            (
                c.id.to_owned(),
                None,
                DecisionInput {
                    applicable: true,
                    justification: format!("Needed: {}", c.title),
                    status: Some(Status::Implemented),
                    best_practice: false,
                    owner_id: None,
                },
            )
        })
        .collect();
    store
        .decide_controls(&ACTOR, decisions)
        .await
        .expect("decide");
    let t = Instant::now();
    let v = store.publish_soa(&ACTOR, None).await.expect("publish");
    let publish = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let v = store.soa_version(v.number).await.expect("version");
    let xlsx = holdfast_web::soa_export::xlsx(&v, "Bench").expect("xlsx");
    let export = t.elapsed().as_secs_f64();
    let mut readiness = f64::MAX;
    let mut findings = 0;
    for _ in 0..5 {
        let as_of = store.as_of().await.expect("clock");
        let t = Instant::now();
        findings = store
            .readiness(as_of, Settings::default())
            .await
            .expect("readiness")
            .findings
            .len();
        readiness = readiness.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{db:<10} {risks:>6} risks (filled in {filled:.1} s): register page p50 {:>5.2} ms p99 {:>5.2} ms; heatmaps {:>6.1} ms; SoA publish {:>6.1} ms, XLSX {:>5.1} ms ({} KiB); readiness {:>6.1} ms ({findings} findings)",
        ms(p50),
        ms(p99),
        ms(heat),
        ms(publish),
        ms(export),
        xlsx.len() / 1024,
        ms(readiness),
    );
    println!(
        "{db:<10} {:>6} assets imported in {:>5.1} s ({:>6.0} rows/s): inventory page p50 {:>5.2} ms p99 {:>5.2} ms",
        risks * 10,
        imported,
        (risks * 10) as f64 / imported,
        ms(asset_p50),
        ms(asset_p99),
    );
    store.close().await;
}

/// Imports `n` assets in tables of 10,000 rows through the row-by-row check, then times the
/// inventory's pages as people filter them. Returns the import's seconds and the p50 and p99.
async fn inventory(
    store: &Store,
    n: usize,
    owners: &[holdfast_core::person::Person],
) -> (f64, f64, f64) {
    let scheme = store.asset_scheme().await.expect("scheme");
    let kinds = [
        "information",
        "software",
        "hardware",
        "service",
        "people",
        "site",
    ];
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        let mut table = vec![
            holdfast_core::asset::IMPORT_COLUMNS
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>(),
        ];
        for i in done..(done + 10_000).min(n) {
            table.push(vec![
                format!("Asset {i}"),
                kinds[i % kinds.len()].to_owned(),
                format!("owner{}@bench.example", i % owners.len()),
                scheme.labels[i % scheme.labels.len()].clone(),
                format!("Site {}", i % 50),
                (1 + i % 3).to_string(),
                (1 + (i / 3) % 3).to_string(),
                (1 + (i / 9) % 3).to_string(),
                String::new(),
            ]);
        }
        let rows = holdfast_core::asset::check_table(&table, &scheme).expect("rows");
        done += rows.len();
        store
            .import_assets(&ACTOR, rows, true)
            .await
            .expect("database")
            .expect("imported");
    }
    let imported = t.elapsed().as_secs_f64();
    let queries = [
        AssetQuery {
            kind: Some(holdfast_core::asset::AssetKind::Service),
            ..AssetQuery::default()
        },
        AssetQuery {
            owner_id: Some(owners[7].id),
            ..AssetQuery::default()
        },
        AssetQuery {
            classification: Some("Restricted".into()),
            after: Some(i64::try_from(n / 2).unwrap_or(0)),
            ..AssetQuery::default()
        },
        AssetQuery {
            search: Some("asset 4242".into()),
            ..AssetQuery::default()
        },
        AssetQuery::default(),
    ];
    let mut samples = Vec::new();
    for i in 0..200 {
        let q = AssetQuery {
            limit: 51,
            ..queries[i % queries.len()].clone()
        };
        let t = Instant::now();
        let page = store.asset_page(&q).await.expect("page");
        let total = store.count_assets(&q).await.expect("count");
        samples.push(t.elapsed().as_secs_f64());
        assert!(!page.is_empty() || total.n == 0);
    }
    (
        imported,
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
    )
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("HOLDFAST_BENCH_RISKS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let server = std::env::var("HOLDFAST_TEST_POSTGRES_URL").ok();
    for &risks in &sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        register(
            "SQLite",
            &format!("sqlite://{}", dir.path().join("bench.db").display()),
            risks,
        )
        .await;
        if let Some(server) = &server {
            let name = format!("holdfast_bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(server).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                .execute(&mut admin)
                .await
                .expect("create database");
            let (base, _) = server.rsplit_once('/').expect("database in URL");
            register("PostgreSQL", &format!("{base}/{name}"), risks).await;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database {name} with (force)"
            )))
            .execute(&mut admin)
            .await
            .ok();
        }
    }
    if server.is_none() {
        println!("PostgreSQL skipped: set HOLDFAST_TEST_POSTGRES_URL to include it");
    }
}
