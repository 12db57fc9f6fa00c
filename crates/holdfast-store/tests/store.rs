//! The store suite: every test runs against a fresh SQLite file and a fresh PostgreSQL
//! database.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

mod common;
#[path = "store/trail.rs"]
mod trail;

use chrono::NaiveDate;
use common::TestDb;
use holdfast_core::account::{NewPassword, Role};
use holdfast_core::audit::BreakKind;
use holdfast_core::ids::OrganisationId;
use holdfast_core::person::{EmailAddress, EmploymentStatus, NewPerson, Person, PersonChanges};
use holdfast_store::{Actor, ImportDocument, NewUserAccount, PersonQuery, Store, StoreError};
use sqlx::Row;

const ACTOR: Actor = Actor::Cli("test");

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn new_person(n: usize, department: &str) -> NewPerson {
    NewPerson::parse(
        &format!("Person {n:04}"),
        &format!("person{n}@example.com"),
        department,
        None,
        EmploymentStatus::Active,
        date("2024-01-15"),
        None,
    )
    .expect("valid person")
}

async fn org(store: &Store) -> OrganisationId {
    store
        .create_organisation(&ACTOR, "Example Ltd", "Europe/London")
        .await
        .expect("organisation")
        .id
}

async fn people(store: &Store, n: usize) -> (OrganisationId, Vec<Person>) {
    let o = org(store).await;
    let mut out = Vec::new();
    for i in 0..n {
        let dept = ["HR", "IT", "Finance", "Engineering"][i % 4];
        out.push(
            store
                .create_person(&ACTOR, o, new_person(i, dept))
                .await
                .expect("person"),
        );
    }
    (o, out)
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .expect(sql);
}

/// Lifts the append-only triggers, as an administrator with database access could, and runs
/// `sql`: how every tamper test starts.
async fn tamper(store: &Store, sql: &str) {
    for guard in holdfast_store::guards::guards(store.backend()) {
        let lift = holdfast_store::guards::lift_sql(store.backend(), guard);
        sqlx::query(sqlx::AssertSqlSafe(lift.as_str()))
            .execute(store.pool())
            .await
            .ok();
    }
    exec(store, sql).await;
}

async fn assert_intact(store: &Store, events: i64) {
    let report = store.verify_chain().await.expect("verify");
    assert_eq!(report.broken, None);
    assert_eq!(report.verified, events);
    assert_eq!(store.audit_event_count().await.expect("count"), events);
}

async fn creating_records_appends_one_verified_event_each(db: TestDb) {
    let (_, ps) = people(&db.store, 3).await;
    assert_intact(&db.store, 4).await;
    let read = db.store.person(ps[1].id).await.expect("read back");
    assert_eq!(read, ps[1]);
    let row = sqlx::query(
        "select actor, entity_type, entity_id, action, before_json from audit_event where seq = 3",
    )
    .fetch_one(db.store.pool())
    .await
    .expect("event");
    assert_eq!(row.get::<String, _>(0), "cli:test");
    assert_eq!(row.get::<String, _>(1), "person");
    assert_eq!(row.get::<String, _>(2), ps[1].id.to_string());
    assert_eq!(row.get::<String, _>(3), "create");
    assert_eq!(row.get::<String, _>(4), "null");
}

async fn a_duplicate_email_is_a_conflict_and_stores_nothing(db: TestDb) {
    let (o, _) = people(&db.store, 1).await;
    let err = db
        .store
        .create_person(&ACTOR, o, new_person(0, "IT"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(err, StoreError::Conflict { field: "email", .. }),
        "{err:?}"
    );
    let page = db
        .store
        .list_people(&PersonQuery {
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(page.total.n, 1);
    assert_intact(&db.store, 2).await;
}

async fn an_unknown_manager_is_rejected_and_stores_nothing(db: TestDb) {
    let o = org(&db.store).await;
    let mut p = new_person(1, "IT");
    p.manager_id = Some(
        "0190f0c4-0000-7000-8000-000000000000"
            .parse()
            .expect("uuid"),
    );
    let err = db
        .store
        .create_person(&ACTOR, o, p)
        .await
        .expect_err("unknown manager");
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.errors[0].field == "manager_id"),
        "{err:?}"
    );
    assert_intact(&db.store, 1).await;
}

async fn a_stale_version_changes_nothing(db: TestDb) {
    let (_, ps) = people(&db.store, 1).await;
    let p = &ps[0];
    let leaving = db
        .store
        .set_employment_status(
            &ACTOR,
            p.id,
            1,
            EmploymentStatus::Leaving,
            Some(date("2026-12-31")),
        )
        .await
        .expect("first edit");
    assert_eq!(leaving.version, 2);
    let err = db
        .store
        .set_employment_status(&ACTOR, p.id, 1, EmploymentStatus::Active, None)
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Stale("person")));
    assert_eq!(
        db.store.person(p.id).await.expect("read").employment_status,
        EmploymentStatus::Leaving
    );
    assert_intact(&db.store, 3).await;
}

async fn a_status_change_records_before_and_after(db: TestDb) {
    let (_, ps) = people(&db.store, 1).await;
    let left = db
        .store
        .set_employment_status(
            &ACTOR,
            ps[0].id,
            1,
            EmploymentStatus::Left,
            Some(date("2026-11-30")),
        )
        .await
        .expect("left");
    assert_eq!(left.end_date, Some(date("2026-11-30")));
    let row = sqlx::query("select action, before_json, after_json from audit_event where seq = 3")
        .fetch_one(db.store.pool())
        .await
        .expect("event");
    assert_eq!(row.get::<String, _>(0), "employment_status_changed");
    let before: serde_json::Value = serde_json::from_str(&row.get::<String, _>(1)).expect("json");
    let after: serde_json::Value = serde_json::from_str(&row.get::<String, _>(2)).expect("json");
    assert_eq!(before["employment_status"], "active");
    assert_eq!(after["employment_status"], "left");
    assert_eq!(after["end_date"], "2026-11-30");
    let err = db
        .store
        .set_employment_status(
            &ACTOR,
            ps[0].id,
            2,
            EmploymentStatus::Active,
            Some(date("2020-01-01")),
        )
        .await
        .expect_err("end before start");
    assert!(matches!(err, StoreError::Invalid(_)));
    assert_intact(&db.store, 3).await;
}

async fn people_list_pages_by_name_and_searches(db: TestDb) {
    people(&db.store, 23).await;
    let mut seen = Vec::new();
    let mut q = PersonQuery {
        limit: 10,
        ..Default::default()
    };
    loop {
        let page = db.store.list_people(&q).await.expect("page");
        assert_eq!(page.total.n, 23);
        let Some(last) = page.items.last() else { break };
        q.after = Some((last.name.clone(), last.id));
        seen.extend(page.items.iter().map(|p| p.name.clone()));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen.len(), 23);
    assert_eq!(seen, sorted);
    let it = db
        .store
        .list_people(&PersonQuery {
            search: Some("  it ".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(it.total.n, 6);
    assert!(it.items.iter().all(|p| p.department == "IT"));
    let pct = db
        .store
        .list_people(&PersonQuery {
            search: Some("%".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(pct.total.n, 0, "punctuation alone matches no one");
    assert!(pct.items.is_empty());
}

async fn user_accounts_store_only_a_password_hash(db: TestDb) {
    let email = EmailAddress::parse("email", "Admin@Example.com").expect("email");
    let account = db
        .store
        .create_user_account(
            &ACTOR,
            NewUserAccount {
                email: email.clone(),
                role: Role::Admin,
                person_id: None,
                password: NewPassword::parse("correct horse battery".into()).expect("pw"),
            },
        )
        .await
        .expect("account");
    let (found, hash) = db
        .store
        .user_account_for_login(&email)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(found, account);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(holdfast_store::verify_password(
        "correct horse battery",
        &hash
    ));
    assert!(!holdfast_store::verify_password(
        "wrong horse battery",
        &hash
    ));
    let trail: String = sqlx::query_scalar("select after_json from audit_event where seq = 1")
        .fetch_one(db.store.pool())
        .await
        .expect("event");
    assert!(
        !trail.contains("argon2") && !trail.contains("horse"),
        "{trail}"
    );
    let dup = db
        .store
        .create_user_account(
            &ACTOR,
            NewUserAccount {
                email,
                role: Role::Member,
                person_id: None,
                password: NewPassword::parse("another long password".into()).expect("pw"),
            },
        )
        .await
        .expect_err("duplicate");
    assert!(matches!(dup, StoreError::Conflict { field: "email", .. }));
    assert_eq!(
        db.store
            .count_user_accounts(Role::Admin)
            .await
            .expect("count"),
        1
    );
}

async fn tampering_with_an_event_is_reported_as_modified(db: TestDb) {
    people(&db.store, 6).await;
    tamper(
        &db.store,
        "update audit_event set after_json = replace(after_json, 'Person', 'Forged') where seq = 4",
    )
    .await;
    let b = db
        .store
        .verify_chain()
        .await
        .expect("verify")
        .broken
        .expect("broken");
    assert_eq!((b.seq, b.kind), (4, BreakKind::Modified));
}

async fn a_deleted_event_is_reported_as_missing(db: TestDb) {
    people(&db.store, 6).await;
    tamper(&db.store, "delete from audit_event where seq = 5").await;
    let report = db.store.verify_chain().await.expect("verify");
    let b = report.broken.expect("broken");
    assert_eq!((b.seq, b.kind), (5, BreakKind::Missing));
    assert_eq!(report.verified, 4);
}

async fn a_forged_event_is_reported_as_inserted(db: TestDb) {
    people(&db.store, 3).await;
    exec(
        &db.store,
        &format!(
            "insert into audit_event values (5, '2026-12-01T00:00:00.000000Z', 'user:mallory', 'person', 'x', \
             'create', 'null', '{{}}', '{}', '{}')",
            "ab".repeat(32),
            "cd".repeat(32)
        ),
    )
    .await;
    let b = db
        .store
        .verify_chain()
        .await
        .expect("verify")
        .broken
        .expect("broken");
    assert_eq!((b.seq, b.kind), (5, BreakKind::Inserted));
}

async fn the_trail_page_verifies_new_events_and_rehashes_all_of_them_each_hour(db: TestDb) {
    let (o, _) = people(&db.store, 4).await;
    let hour = chrono::Duration::hours(1);
    let t0 = chrono::Utc::now();
    let first = db.store.chain_status(t0, hour).await.expect("status");
    assert!(first.report.broken.is_none());
    assert_eq!(first.report.verified, 5);
    assert_eq!(
        first.in_full_at,
        Some(t0),
        "the first look rehashes every event"
    );
    for n in [100, 101] {
        db.store
            .create_person(&ACTOR, o, new_person(n, "IT"))
            .await
            .expect("person");
    }
    let later = db
        .store
        .chain_status(t0 + chrono::Duration::minutes(5), hour)
        .await
        .expect("status");
    assert_eq!(
        later.report.verified, 7,
        "the new events are verified on from there"
    );
    assert_eq!(
        later.in_full_at,
        Some(t0),
        "without rehashing the older ones"
    );
    // An edit of the point last verified is caught at once.
    tamper(
        &db.store,
        "update audit_event set after_json = replace(after_json, 'Person', 'Forged') where seq = 7",
    )
    .await;
    let caught = db
        .store
        .chain_status(t0 + chrono::Duration::minutes(6), hour)
        .await
        .expect("status");
    assert_eq!(caught.report.broken.map(|b| b.seq), Some(7));
    assert_eq!(caught.in_full_at, None);
    // An edit of an older event is caught by the next full pass, within the hour.
    let (store, pool) = (db.store.clone(), db.store.pool().clone());
    sqlx::query(
        "update audit_event set after_json = replace(after_json, 'Forged', 'Person') where seq = 7",
    )
    .execute(&pool)
    .await
    .expect("mend");
    let mended = store
        .chain_status(t0 + chrono::Duration::minutes(7), hour)
        .await
        .expect("status");
    assert!(mended.report.broken.is_none());
    tamper(
        &db.store,
        "update audit_event set after_json = replace(after_json, 'Person', 'Forged') where seq = 3",
    )
    .await;
    let unseen = store
        .chain_status(t0 + chrono::Duration::minutes(8), hour)
        .await
        .expect("status");
    assert!(
        unseen.report.broken.is_none(),
        "between full passes only new events are rehashed"
    );
    let full = store
        .chain_status(t0 + chrono::Duration::minutes(70), hour)
        .await
        .expect("status");
    assert_eq!(full.report.broken.map(|b| b.seq), Some(3));
}

async fn two_swapped_events_are_reported_as_reordered(db: TestDb) {
    people(&db.store, 6).await;
    tamper(&db.store, "update audit_event set seq = -3 where seq = 3").await;
    tamper(&db.store, "update audit_event set seq = 3 where seq = 4").await;
    tamper(&db.store, "update audit_event set seq = 4 where seq = -3").await;
    let b = db
        .store
        .verify_chain()
        .await
        .expect("verify")
        .broken
        .expect("broken");
    assert_eq!((b.seq, b.kind), (3, BreakKind::Reordered));
}

async fn concurrent_writers_keep_one_unbroken_line(db: TestDb) {
    let o = org(&db.store).await;
    // Half the writers use a second store instance: on PostgreSQL that is a second pool, as
    // a second server process would have.
    let second = db.second_instance().await;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = if w % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                store
                    .create_person(&ACTOR, o, new_person(w * 1000 + i, "IT"))
                    .await
                    .expect("concurrent write");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    assert_intact(&db.store, 1 + 8 * 200).await;
    let seqs: Vec<i64> = sqlx::query_scalar("select seq from audit_event order by seq")
        .fetch_all(db.store.pool())
        .await
        .expect("seqs");
    assert_eq!(seqs, (1..=1601).collect::<Vec<_>>());
}

async fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export(&mut out).await.expect("export");
    out
}

async fn export_import_export_is_identical_and_verifies(db: TestDb) {
    let (_, ps) = people(&db.store, 12).await;
    db.store
        .set_employment_status(
            &ACTOR,
            ps[3].id,
            1,
            EmploymentStatus::Left,
            Some(date("2026-10-01")),
        )
        .await
        .expect("left");
    // A manager who sorts after their report exercises deferred foreign keys on import.
    let o = ps[0].organisation_id;
    let mut report = new_person(99, "IT");
    report.manager_id = Some(ps[11].id);
    db.store
        .create_person(&ACTOR, o, report)
        .await
        .expect("report");
    user_accounts_seed(&db.store).await;
    let first = export(&db.store).await;

    let copy = TestDb::sqlite().await;
    let doc = ImportDocument::parse(first.as_slice()).expect("parse");
    copy.store.import(&doc).await.expect("import");
    assert_eq!(
        without_import_event(&export(&copy.store).await),
        json_of(&first)
    );
    let report = copy.store.verify_chain().await.expect("verify");
    assert_eq!(report.broken, None);
    let original = db.store.verify_chain().await.expect("verify");
    assert_eq!(
        report.verified,
        original.verified + 1,
        "the import says so in the trail"
    );
    let imported_prev: String =
        sqlx::query_scalar("select prev_hash from audit_event order by seq desc limit 1")
            .fetch_one(copy.store.pool())
            .await
            .expect("last");
    assert_eq!(
        imported_prev, original.head,
        "and goes on from the imported head"
    );

    let pg_copy = TestDb::postgres().await;
    pg_copy
        .store
        .import(&doc)
        .await
        .expect("import into PostgreSQL");
    assert_eq!(
        without_import_event(&export(&pg_copy.store).await),
        json_of(&first),
        "exports are identical across databases"
    );
}

fn json_of(export: &[u8]) -> serde_json::Value {
    serde_json::from_slice(export).expect("json")
}

/// An export of an imported database, without the event that records the import.
fn without_import_event(export: &[u8]) -> serde_json::Value {
    let mut doc = json_of(export);
    let events = doc["tables"]["audit_event"].as_array_mut().expect("events");
    let last = events.pop().expect("the import's event");
    assert_eq!(last["action"], "imported");
    doc
}

async fn user_accounts_seed(store: &Store) {
    store
        .create_user_account(
            &ACTOR,
            NewUserAccount {
                email: EmailAddress::parse("email", "it@example.com").expect("email"),
                role: Role::Manager,
                person_id: None,
                password: NewPassword::parse("a long enough password".into()).expect("pw"),
            },
        )
        .await
        .expect("account");
}

async fn import_into_a_non_empty_database_stores_nothing(db: TestDb) {
    people(&db.store, 2).await;
    let doc = export(&db.store).await;
    let before = export(&db.store).await;
    let err = db
        .store
        .import(&ImportDocument::parse(doc.as_slice()).expect("parse"))
        .await
        .expect_err("not empty");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(export(&db.store).await, before);
}

async fn a_failing_import_rolls_back_completely(db: TestDb) {
    let source = TestDb::sqlite().await;
    people(&source.store, 3).await;
    let text = String::from_utf8(export(&source.store).await).expect("utf8");
    // Two people with one email: the database refuses the second only after the first
    // tables were written, so the rollback is what keeps the database empty.
    let forged = text.replace("person1@example.com", "person0@example.com");
    let err = db
        .store
        .import(&ImportDocument::parse(forged.as_bytes()).expect("parse"))
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::Import(_)), "{err:?}");
    assert_eq!(db.store.audit_event_count().await.expect("count"), 0);
    let orgs: i64 = sqlx::query_scalar("select count(*) from organisation")
        .fetch_one(db.store.pool())
        .await
        .expect("count");
    assert_eq!(orgs, 0);
}

async fn every_table_is_exported(db: TestDb) {
    let sql = match db.store.backend() {
        holdfast_store::Backend::Sqlite => {
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '_sqlx_migrations'"
        }
        holdfast_store::Backend::Postgres => {
            "select table_name::text from information_schema.tables where table_schema = 'public' and table_name <> '_sqlx_migrations'"
        }
    };
    let mut tables: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(db.store.pool())
        .await
        .expect("tables");
    tables.sort();
    // Derived tables are rebuilt by triggers on import; on PostgreSQL the search index is a
    // column, so only the tally is a table there.
    let derived = holdfast_store::derived_tables();
    tables.retain(|t| !derived.contains(&t.as_str()));
    let mut exported: Vec<String> = holdfast_store::exported_tables()
        .into_iter()
        .map(String::from)
        .collect();
    exported.sort();
    assert_eq!(tables, exported);
}

async fn search_finds_word_prefixes_and_follows_every_change(db: TestDb) {
    let (_, ps) = people(&db.store, 8).await;
    let find = |q: &str| {
        let q = q.to_owned();
        let store = db.store.clone();
        async move {
            store
                .list_people(&PersonQuery {
                    search: Some(q),
                    limit: 50,
                    ..Default::default()
                })
                .await
                .expect("search")
        }
    };
    let first = &ps[0];
    let hits = find("per").await;
    assert_eq!(hits.total.n, 8, "a prefix of a word in the name");
    assert!(hits.items.iter().any(|p| p.id == first.id));
    assert_eq!(find("0003").await.total.n, 1, "a word of the name");
    assert_eq!(find("person5").await.total.n, 1, "a word of the email");
    assert_eq!(find("engin").await.total.n, 2, "a department prefix");
    // A rename is found under the new name at once, and no longer under the old one.
    db.store
        .update_person(
            &ACTOR,
            first.id,
            first.version,
            &PersonChanges {
                name: Some("Zebedee Quartermaine".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rename");
    let renamed = find("quarterm").await;
    assert_eq!(renamed.items.len(), 1);
    assert_eq!(renamed.items[0].id, first.id);
    assert_eq!(
        find("0000").await.total.n,
        0,
        "the old name is gone from the index"
    );
    assert_eq!(
        find("zebedee quart").await.total.n,
        1,
        "every word must match"
    );
    assert_eq!(find("zebedee finance").await.total.n, 0);
}

/// Every page of a search, both ways, in (name, id) order, as a person reading them would.
async fn search_pages(store: &Store, q: &str, descending: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut query = PersonQuery {
        search: Some(q.to_owned()),
        descending,
        limit: 7,
        ..Default::default()
    };
    loop {
        let page = store.list_people(&query).await.expect("page");
        let Some(last) = page.items.last() else { break };
        query.after = Some((last.name.clone(), last.id));
        out.extend(
            page.items
                .iter()
                .map(|p| (p.name.clone(), p.id.to_string())),
        );
    }
    out
}

async fn search_pages_come_in_name_order_even_when_newcomers_crowd_one_place(db: TestDb) {
    let org = org(&db.store).await;
    let serial = std::sync::atomic::AtomicUsize::new(0);
    let add = |name: String| {
        let store = db.store.clone();
        let n = serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            store
                .create_person(
                    &ACTOR,
                    org,
                    NewPerson::parse(
                        &name,
                        &format!("rossi{n}@example.com"),
                        "Sales",
                        None,
                        EmploymentStatus::Active,
                        date("2024-01-15"),
                        None,
                    )
                    .expect("valid"),
                )
                .await
                .expect("person")
        }
    };
    add("Rossi Anna".into()).await;
    add("Rossi Zoe".into()).await;
    // Forty newcomers each sorting just after "Rossi Anna": each takes half of what is left
    // of the same gap, until none is left and keys are taken out of order.
    for i in (0..40).rev() {
        add(format!("Rossi Anna{i:02}")).await;
    }
    add("Rossi Anna".into()).await;
    let expected = |descending: bool| {
        let store = db.store.clone();
        async move {
            let mut all: Vec<(String, String)> = store
                .list_people(&PersonQuery {
                    limit: 500,
                    ..Default::default()
                })
                .await
                .expect("all")
                .items
                .into_iter()
                .map(|p| (p.name, p.id.to_string()))
                .collect();
            if descending {
                all.reverse();
            }
            all
        }
    };
    for descending in [false, true] {
        let pages = search_pages(&db.store, "rossi", descending).await;
        assert_eq!(pages.len(), 43);
        assert_eq!(
            pages,
            expected(descending).await,
            "descending: {descending}"
        );
    }
    let renumbered = db
        .store
        .renumber_search_keys(&ACTOR)
        .await
        .expect("renumber");
    assert_eq!(
        renumbered,
        db.store.backend() == holdfast_store::Backend::Sqlite,
        "SQLite ran out of room between neighbours and renumbers; PostgreSQL keeps no keys"
    );
    assert!(!db.store.renumber_search_keys(&ACTOR).await.expect("again"));
    for descending in [false, true] {
        assert_eq!(
            search_pages(&db.store, "rossi", descending).await,
            expected(descending).await
        );
    }
    // A rename moves the person to their new place in the order.
    let anna = db
        .store
        .list_people(&PersonQuery {
            search: Some("anna07".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .expect("find")
        .items
        .remove(0);
    db.store
        .update_person(
            &ACTOR,
            anna.id,
            anna.version,
            &PersonChanges {
                name: Some("Rossi Aaron".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rename");
    let pages = search_pages(&db.store, "rossi", false).await;
    assert_eq!(pages[0].0, "Rossi Aaron");
    assert_eq!(pages, expected(false).await);
    let page = db
        .store
        .list_people(&PersonQuery {
            search: Some("rossi".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .expect("count");
    assert_eq!(page.total.n, 43, "counted in the index");
}

async fn totals_are_maintained_by_every_write(db: TestDb) {
    let (_, ps) = people(&db.store, 12).await;
    let total = |status: Option<EmploymentStatus>, department: Option<&str>| {
        let store = db.store.clone();
        let department = department.map(str::to_owned);
        async move {
            store
                .list_people(&PersonQuery {
                    status,
                    department,
                    limit: 1,
                    ..Default::default()
                })
                .await
                .expect("list")
                .total
        }
    };
    assert_eq!(total(None, None).await.n, 12);
    assert_eq!(total(None, Some("IT")).await.n, 3);
    db.store
        .set_employment_status(
            &ACTOR,
            ps[1].id,
            1,
            EmploymentStatus::Left,
            Some(date("2026-11-30")),
        )
        .await
        .expect("left");
    assert_eq!(total(Some(EmploymentStatus::Active), None).await.n, 11);
    assert_eq!(total(Some(EmploymentStatus::Left), None).await.n, 1);
    assert_eq!(
        total(
            Some(EmploymentStatus::Left),
            Some(ps[1].department.as_str())
        )
        .await
        .n,
        1
    );
    assert_eq!(
        total(None, None).await.n,
        12,
        "leaving changes no headcount of records"
    );
    let counts = db.store.counts().await.expect("counts");
    assert_eq!(counts.people_active, 11);
    assert_eq!(counts.people_left, 1);
    assert_eq!(counts.departments, 4);
    assert_eq!(
        counts.audit_events,
        db.store.audit_event_count().await.expect("events")
    );
    // The maintained figures equal a recount from the records.
    let recount: i64 =
        sqlx::query_scalar("select count(*) from person where employment_status = 'active'")
            .fetch_one(db.store.pool())
            .await
            .expect("recount");
    assert_eq!(counts.people_active, recount);
}

async fn migrations_are_idempotent(db: TestDb) {
    db.store.migrate().await.expect("second run");
    assert!(db.store.schema_version().await.expect("version") >= 20_261_201_000_001);
}

use trail::{
    a_forged_append_or_a_row_changed_outside_disagrees_with_the_records,
    a_forged_insert_is_caught_by_its_checkpoint, a_removed_checkpoint_is_caught,
    a_rewritten_trail_is_caught_by_its_checkpoint,
    an_intact_trail_raises_nothing_and_refuses_edits, cutting_the_newest_events_is_caught,
    swapped_evidence_bytes_are_named,
};

on_both_databases!(
    an_intact_trail_raises_nothing_and_refuses_edits,
    cutting_the_newest_events_is_caught,
    a_rewritten_trail_is_caught_by_its_checkpoint,
    a_forged_insert_is_caught_by_its_checkpoint,
    a_forged_append_or_a_row_changed_outside_disagrees_with_the_records,
    swapped_evidence_bytes_are_named,
    a_removed_checkpoint_is_caught,
    creating_records_appends_one_verified_event_each,
    a_duplicate_email_is_a_conflict_and_stores_nothing,
    an_unknown_manager_is_rejected_and_stores_nothing,
    a_stale_version_changes_nothing,
    a_status_change_records_before_and_after,
    people_list_pages_by_name_and_searches,
    user_accounts_store_only_a_password_hash,
    tampering_with_an_event_is_reported_as_modified,
    a_deleted_event_is_reported_as_missing,
    a_forged_event_is_reported_as_inserted,
    two_swapped_events_are_reported_as_reordered,
    concurrent_writers_keep_one_unbroken_line,
    export_import_export_is_identical_and_verifies,
    import_into_a_non_empty_database_stores_nothing,
    a_failing_import_rolls_back_completely,
    every_table_is_exported,
    migrations_are_idempotent,
    search_finds_word_prefixes_and_follows_every_change,
    search_pages_come_in_name_order_even_when_newcomers_crowd_one_place,
    the_trail_page_verifies_new_events_and_rehashes_all_of_them_each_hour,
    totals_are_maintained_by_every_write,
);
