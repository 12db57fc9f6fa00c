//! Two `holdfast serve` instances on one PostgreSQL database with a real SMTP server: every
//! reminder and escalation arrives exactly once.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

async fn new_database() -> String {
    let server = std::env::var("HOLDFAST_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| panic!("HOLDFAST_TEST_POSTGRES_URL is not set: this test runs two servers on one PostgreSQL database"));
    let name = format!("holdfast_worker_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .expect("create");
    let (base, _) = server.rsplit_once('/').expect("database in URL");
    format!("{base}/{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_send_every_notification_exactly_once() {
    let db = new_database().await;
    let demo = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", &db, "demo", "--no-serve", "--seed", "5"])
        .output()
        .expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );

    let dir = tempfile::tempdir().expect("dir");
    let mailbox = dir.path().join("mail.jsonl");
    let smtp_port = free_port();
    let mut sink = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/smtp_sink.py"
        ))
        .arg(smtp_port.to_string())
        .arg(&mailbox)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd)");
    let mut ready = String::new();
    BufReader::new(sink.stdout.take().expect("stdout"))
        .read_line(&mut ready)
        .expect("sink output");
    assert_eq!(
        ready.trim(),
        "ready",
        "the SMTP sink did not start; is aiosmtpd installed?"
    );
    let _sink = Killed(sink);

    let serve = || {
        Killed(
            Command::new(env!("CARGO_BIN_EXE_holdfast"))
                .args([
                    "--database-url",
                    &db,
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--worker-interval",
                    "1",
                ])
                .args([
                    "--smtp-url",
                    &format!("smtp://127.0.0.1:{smtp_port}"),
                    "--smtp-from",
                    "holdfast@northwind.example",
                ])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("serve"),
        )
    };
    let first = serve();
    let second = serve();

    let mut conn = sqlx::PgConnection::connect(&db).await.expect("connect");
    let started = Instant::now();
    let mut last = (-1, -1);
    let mut stable_since = Instant::now();
    loop {
        let total: i64 = sqlx::query_scalar("select count(*) from notification")
            .fetch_one(&mut conn)
            .await
            .expect("count");
        let pending: i64 =
            sqlx::query_scalar("select count(*) from notification where status = 'pending'")
                .fetch_one(&mut conn)
                .await
                .expect("count");
        if (total, pending) != last {
            last = (total, pending);
            stable_since = Instant::now();
        }
        if total > 0 && pending == 0 && stable_since.elapsed() > Duration::from_secs(4) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "notifications did not settle: {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(first);
    drop(second);

    let sent: Vec<(String, String)> =
        sqlx::query_as("select dedupe_key, recipient from notification where status = 'sent'")
            .fetch_all(&mut conn)
            .await
            .expect("sent");
    let failed: i64 =
        sqlx::query_scalar("select count(*) from notification where status <> 'sent'")
            .fetch_one(&mut conn)
            .await
            .expect("count");
    assert_eq!(failed, 0, "every notification was delivered");
    assert!(
        sent.len() >= 5,
        "the demo has overdue runs and a breached SLA to tell people about: {}",
        sent.len()
    );
    let mail = std::fs::read_to_string(&mailbox).expect("mailbox");
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for line in mail.lines() {
        let msg: serde_json::Value = serde_json::from_str(line).expect("json line");
        let data = msg["data"].as_str().unwrap_or_default();
        let id = data
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID: ")
                    .or_else(|| l.strip_prefix("Message-Id: "))
            })
            .unwrap_or_else(|| panic!("a Message-ID in {data}"))
            .to_owned();
        *per_id.entry(id).or_default() += 1;
    }
    assert_eq!(per_id.len(), sent.len(), "one message per notification");
    assert!(
        per_id.values().all(|n| *n == 1),
        "no message arrived twice: {per_id:?}"
    );
    assert!(
        sent.iter().any(|(k, _)| k.contains(":sla_breached:")),
        "the breached SLA was escalated to the ISMS manager"
    );
    assert!(sent.iter().any(|(k, r)| k.starts_with("activity:")
        && k.contains(":overdue:")
        && r.ends_with("@northwind.example")));
}
