//! The `holdfast` binary as an operator runs it: output, exit codes, and that bad input
//! writes nothing.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWORD: &str = "a long enough password";

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn url(&self, name: &str) -> String {
        format!("sqlite://{}", self.path(name).display())
    }
}

fn holdfast(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", db])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("HOLDFAST_ADMIN_PASSWORD")
        .env_remove("HOLDFAST_ADMIN_EMAIL")
        .output()
        .expect("run holdfast")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2 with exactly one `error:` line on stderr, no panic and no backtrace.
fn assert_usage_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

fn init(db: &str) {
    let o = holdfast(
        db,
        &[
            "init",
            "--admin-email",
            "admin@example.com",
            "--admin-password",
            PASSWORD,
        ],
    );
    assert!(o.status.success(), "init failed: {}", stderr(&o));
}

async fn exec_sql(db: &str, sql: &str) {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(db).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut c)
        .await
        .expect(sql);
    c.close().await.ok();
}

/// Drops the append-only triggers, as an administrator with database access could, then
/// runs `sql`: how every tamper test starts.
async fn tamper(db: &str, sql: &str) {
    for trigger in [
        "audit_event_refuse_update",
        "audit_event_refuse_delete",
        "evidence_refuse_update",
        "evidence_refuse_delete",
        "evidence_blob_refuse_update",
        "evidence_blob_refuse_delete",
        "audit_checkpoint_refuse_update",
        "audit_checkpoint_refuse_delete",
    ] {
        exec_sql(db, &format!("drop trigger if exists {trigger}")).await;
    }
    exec_sql(db, sql).await;
}

#[test]
fn every_subcommand_has_help() {
    for cmd in ["init", "verify", "export", "import", "backup", "serve"] {
        let o = holdfast("sqlite://unused.db", &[cmd, "--help"]);
        assert!(o.status.success(), "{cmd} --help");
        assert!(stdout(&o).contains("Usage: holdfast"), "{cmd}");
    }
    let o = holdfast("sqlite://unused.db", &["--help"]);
    assert!(stdout(&o).contains("Exit status"));
}

#[test]
fn unknown_arguments_are_usage_errors() {
    let o = holdfast("sqlite://unused.db", &["verify", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn init_then_verify_reports_an_intact_chain() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("2 events verified, chain intact\n"),
        "{}",
        stdout(&o)
    );
    // Running init again only migrates; it never adds a second administrator.
    init(&db);
    assert!(stdout(&holdfast(&db, &["verify"])).starts_with("2 events verified"));
}

#[tokio::test]
async fn init_offers_the_process_library_as_drafts_once() {
    let d = Dir::new();
    let db = d.url("h.db");
    let adopt = [
        "init",
        "--admin-email",
        "admin@example.com",
        "--admin-password",
        PASSWORD,
        "--process-library",
    ];
    let o = holdfast(&db, &adopt);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Adopted 15 draft processes"),
        "{}",
        stdout(&o)
    );
    let o = holdfast(&db, &adopt);
    assert!(
        !stdout(&o).contains("Adopted"),
        "a second init adopts nothing"
    );
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&db).await.expect("connect");
    let (drafts, rules): (i64, i64) = sqlx::query_as(
        "select (select count(*) from process where status = 'draft'), (select count(*) from interaction_rule)",
    )
    .fetch_one(&mut c)
    .await
    .expect("counts");
    assert_eq!(drafts, 15);
    assert_eq!(
        rules,
        14 + 15,
        "the interactions and an escalation within each process"
    );
    // Drafts are not yet a running ISMS: an auditor writes that up once, as a major against
    // 4.4, and nothing per draft.
    let o = holdfast(&db, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let codes: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [("4.4/no-active-process".to_owned(), "major".to_owned())]
    );
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn init_refuses_a_short_password_and_creates_nothing() {
    let d = Dir::new();
    let o = holdfast(
        &d.url("h.db"),
        &[
            "init",
            "--admin-email",
            "a@example.com",
            "--admin-password",
            "too short",
        ],
    );
    assert_usage_error(&o, "at least 12 characters");
    assert!(!d.path("h.db").exists());
}

#[test]
fn init_without_a_password_or_terminal_says_how_to_give_one() {
    let d = Dir::new();
    let o = holdfast(&d.url("h.db"), &["init", "--admin-email", "a@example.com"]);
    assert_usage_error(&o, "HOLDFAST_ADMIN_PASSWORD");
    assert!(!d.path("h.db").exists());
}

#[tokio::test]
async fn verify_names_an_event_edited_by_hand() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    tamper(
        &db,
        "update audit_event set after_json = replace(after_json, 'admin', 'member') where seq = 2",
    )
    .await;
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("chain broken: event 2 modified"),
        "{}",
        stdout(&o)
    );
}

#[tokio::test]
async fn verify_names_a_deleted_event() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    tamper(&db, "delete from audit_event where seq = 1").await;
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("event 1 missing"), "{}", stdout(&o));
}

#[test]
fn bad_database_urls_are_one_line_errors() {
    assert_usage_error(
        &holdfast("mysql://localhost/x", &["verify"]),
        "not supported",
    );
    assert_usage_error(&holdfast("holdfast.db", &["verify"]), "sqlite://PATH");
    assert_usage_error(
        &holdfast("postgres://holdfast:secret@127.0.0.1:1/x", &["verify"]),
        "cannot open the database",
    );
    let o = holdfast("postgres://holdfast:secret@127.0.0.1:1/x", &["verify"]);
    assert!(
        !stderr(&o).contains("secret"),
        "the password must not be printed"
    );
    let d = Dir::new();
    assert_usage_error(
        &holdfast(&d.url("missing.db"), &["verify"]),
        "does not exist",
    );
    assert!(!d.path("missing.db").exists());
}

#[test]
fn export_import_export_round_trips_and_verifies() {
    let d = Dir::new();
    let db = d.url("a.db");
    init(&db);
    let first = d.path("first.json");
    let o = holdfast(&db, &["export", "--out", first.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let copy = d.url("b.db");
    let o = holdfast(&copy, &["import", first.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let second = d.path("second.json");
    assert!(
        holdfast(&copy, &["export", "--out", second.to_str().expect("path")])
            .status
            .success()
    );
    // The copy holds everything the original held, and its trail goes on with one event
    // saying it was imported.
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json")
    };
    let (a, mut b) = (read(&first), read(&second));
    let events = b["tables"]["audit_event"].as_array_mut().expect("events");
    let imported = events.pop().expect("the import's own event");
    assert_eq!(imported["action"], "imported");
    assert_eq!(a, b);
    let o = holdfast(&copy, &["verify"]);
    assert!(
        stdout(&o).starts_with("3 events verified, chain intact"),
        "{}",
        stdout(&o)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&first).expect("read")).expect("json");
    assert_eq!(doc["format"], "holdfast-export");
    assert_eq!(
        doc["tables"]["audit_event"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn verify_catches_what_the_chain_alone_cannot_and_the_auditor_script_agrees() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    let key = d.path("h.db.signing-key");
    assert!(
        key.exists(),
        "init made the signing key beside the database"
    );
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("1 checkpoints verified"),
        "{}",
        stdout(&o)
    );
    let witness = d.path("witness.json");
    let o = holdfast(
        &db,
        &["checkpoint", "--out", witness.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = holdfast(
        &db,
        &["verify", "--witness", witness.to_str().expect("path")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("witness matches"), "{}", stdout(&o));

    // The auditor's own script checks a pack without Holdfast.
    let pack = d.path("pack.json");
    let o = holdfast(
        &db,
        &["export", "--audit-pack", pack.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/verify-audit-pack.py"
    );
    let check = |pack: &Path| {
        Command::new("python3")
            .arg(script)
            .arg(pack)
            .output()
            .expect("python3 with cryptography (pip install cryptography)")
    };
    let o = check(&pack);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("intact"), "{}", stdout(&o));

    // A row changed with SQL, outside Holdfast.
    exec_sql(&db, "update user_account set role = 'member'").await;
    let out = stdout(&holdfast(&db, &["verify"]));
    assert!(
        out.contains("role is \"member\" but its history says \"admin\""),
        "{out}"
    );
    exec_sql(&db, "update user_account set role = 'admin'").await;
    assert_eq!(holdfast(&db, &["verify"]).status.code(), Some(0));

    // Cut the newest event: the chain still verifies, the checkpoint does not.
    tamper(
        &db,
        "delete from audit_event where seq = (select max(seq) from audit_event)",
    )
    .await;
    let o = holdfast(&db, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("chain intact"), "{out}");
    assert!(
        out.contains("checkpoint problem: checkpoint 1 signed 2 events but the trail holds 1"),
        "{out}"
    );
    assert!(
        out.contains("append-only trigger missing: audit_event_refuse_update"),
        "{out}"
    );
    let cut = d.path("cut.json");
    assert!(
        holdfast(
            &db,
            &["export", "--audit-pack", cut.to_str().expect("path")]
        )
        .status
        .success()
    );
    let o = check(&cut);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("checkpoint 1 signed 2 events but the trail holds 1"),
        "{}",
        stdout(&o)
    );
}

#[tokio::test]
async fn verify_into_a_closed_pipe_exits_cleanly() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .args(["--database-url", &db, "verify"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    // The reader goes away before anything is written, as `| head -0` would.
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn import_refuses_a_rewritten_trail_and_writes_nothing() {
    let d = Dir::new();
    let db = d.url("a.db");
    init(&db);
    let out = d.path("doc.json");
    assert!(
        holdfast(&db, &["export", "--out", out.to_str().expect("path")])
            .status
            .success()
    );
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    // An event's row edited in the document: 2 is the administrator's creation.
    let event = &mut doc["tables"]["audit_event"][1];
    let after = event["after_json"]
        .as_str()
        .expect("after")
        .replace("admin", "owner");
    event["after_json"] = serde_json::Value::String(after);
    let forged = d.path("forged.json");
    std::fs::write(&forged, serde_json::to_vec(&doc).expect("json")).expect("write");
    let o = holdfast(&d.url("b.db"), &["import", forged.to_str().expect("path")]);
    assert_usage_error(&o, "the export's audit trail is broken (event 2 modified");
    assert!(!d.path("b.db").exists(), "nothing was written");
}

#[test]
fn an_existing_out_file_is_kept_without_force() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    let out = d.path("keep.json");
    std::fs::write(&out, "precious").expect("write");
    for cmd in ["export", "backup"] {
        let o = holdfast(&db, &[cmd, "--out", out.to_str().expect("path")]);
        assert_usage_error(&o, "--force");
        assert_eq!(
            std::fs::read_to_string(&out).expect("read"),
            "precious",
            "{cmd}"
        );
    }
    let o = holdfast(
        &db,
        &["export", "--force", "--out", out.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&out).expect("read"), "precious");
}

#[test]
fn malformed_import_files_are_refused_with_their_position() {
    let d = Dir::new();
    let bad = d.path("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"holdfast-export\",\n  \"version\": 1,\n  \"tables\": [ oops ]}",
    )
    .expect("write");
    let o = holdfast(&d.url("new.db"), &["import", bad.to_str().expect("path")]);
    assert_usage_error(&o, "line 3 column");
    assert!(
        !d.path("new.db").exists(),
        "a failed import leaves no database behind"
    );

    let wrong = d.path("wrong.json");
    std::fs::write(&wrong, r#"{"format":"holdfast-export","version":1,"schema_version":20261201000001,"tables":{"organisation":[{"id":1}]}}"#)
        .expect("write");
    let o = holdfast(&d.url("new.db"), &["import", wrong.to_str().expect("path")]);
    assert_usage_error(&o, "organisation[0].id must be a string");
    assert!(!d.path("new.db").exists());

    let o = holdfast(
        &d.url("new.db"),
        &["import", d.path("absent.json").to_str().expect("path")],
    );
    assert_usage_error(&o, "cannot read");
    assert!(!d.path("new.db").exists());
}

#[test]
fn import_into_a_non_empty_database_is_refused_and_changes_nothing() {
    let d = Dir::new();
    let db = d.url("h.db");
    init(&db);
    let dump = d.path("dump.json");
    assert!(
        holdfast(&db, &["export", "--out", dump.to_str().expect("path")])
            .status
            .success()
    );
    let before = std::fs::read(d.path("h.db")).expect("db");
    let o = holdfast(&db, &["import", dump.to_str().expect("path")]);
    assert_usage_error(&o, "not empty");
    let again = d.path("again.json");
    assert!(
        holdfast(&db, &["export", "--out", again.to_str().expect("path")])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&dump).expect("a"),
        std::fs::read(&again).expect("b")
    );
    assert!(!before.is_empty());
}

#[test]
fn backup_of_postgres_points_to_pg_dump() {
    let o = holdfast(
        "postgres://holdfast:x@127.0.0.1:1/x",
        &["backup", "--out", "/tmp/never-written.db"],
    );
    assert_usage_error(&o, "pg_dump");
    assert!(!Path::new("/tmp/never-written.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_copies_a_live_database_consistently() {
    let d = Dir::new();
    let db = d.url("live.db");
    init(&db);
    // Keep writing through the store while the backup runs in another process.
    let url = holdfast_store::DatabaseUrl::parse(&db).expect("url");
    let store = holdfast_store::Store::open(&url, holdfast_store::OpenMode::MustExist)
        .await
        .expect("open");
    let org = store.organisation().await.expect("org").expect("exists").id;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                let p = holdfast_core::person::NewPerson::parse(
                    &format!("P {i}"),
                    &format!("p{i}@example.com"),
                    "IT",
                    None,
                    holdfast_core::person::EmploymentStatus::Active,
                    "2025-01-01".parse().expect("date"),
                    None,
                )
                .expect("person");
                store
                    .create_person(&holdfast_store::Actor::Cli("test"), org, p)
                    .await
                    .expect("write");
            }
        })
    };
    let out = d.path("copy.db");
    let o = tokio::task::spawn_blocking({
        let db = db.clone();
        let out = out.clone();
        move || holdfast(&db, &["backup", "--out", out.to_str().expect("path")])
    })
    .await
    .expect("backup");
    writer.await.expect("writer");
    assert!(o.status.success(), "{}", stderr(&o));
    let copy = format!("sqlite://{}", out.display());
    let v = holdfast(&copy, &["verify"]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    assert!(stdout(&v).contains("chain intact"));
}
