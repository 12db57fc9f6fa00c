//! A trail an auditor can trust: each way an administrator with database access could
//! rewrite history, played out on both databases, and named by the check that catches it.

use holdfast_core::audit::{Event, GENESIS};
use holdfast_core::checkpoint::{Key, Problem};
use holdfast_store::checkpoints::{WITNESS_FORMAT, Witness};
use holdfast_store::{NewEvidence, Store};
use sqlx::Row;

use super::common::TestDb;
use holdfast_core::ids::OrganisationId;

use super::{ACTOR, exec, new_person, people, tamper};

fn key() -> Key {
    Key::from_seed([42; 32])
}

/// People, one evidence file, and a signed checkpoint of it all.
async fn checkpointed(store: &Store, people_count: usize) -> (Key, OrganisationId) {
    let (o, _) = people(store, people_count).await;
    store
        .store_evidence(
            &ACTOR,
            NewEvidence::File {
                filename: "restore-test.pdf".into(),
                content_type: "application/pdf".into(),
                content: b"%PDF-1.4 restore test".to_vec(),
            },
            "Restore test",
        )
        .await
        .expect("evidence");
    let k = key();
    store
        .sign_checkpoint(&k, chrono::Utc::now())
        .await
        .expect("sign")
        .expect("a first checkpoint");
    (k, o)
}

async fn problems(store: &Store) -> Vec<String> {
    store.check_checkpoints(None).await.expect("check").problems
}

async fn trail_len(store: &Store) -> i64 {
    sqlx::query_scalar("select coalesce(max(seq), 0) from audit_event")
        .fetch_one(store.pool())
        .await
        .expect("len")
}

/// Recomputes every hash from `from` on, as a forger who knows the hash rule would.
async fn recompute_from(store: &Store, from: i64) {
    // Out of the way first, so no new hash collides with an old one on the unique columns.
    tamper(
        store,
        &format!("update audit_event set prev_hash = 'p' || cast(seq as text), hash = 'h' || cast(seq as text) where seq >= {from}"),
    )
    .await;
    let rows = sqlx::query(
        "select seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json from audit_event order by seq",
    )
    .fetch_all(store.pool())
    .await
    .expect("events");
    let mut prev = GENESIS;
    for r in rows {
        let e = Event {
            seq: r.get(0),
            at: r.get(1),
            actor: r.get(2),
            entity_type: r.get(3),
            entity_id: r.get(4),
            action: r.get(5),
            before: r.get(6),
            after: r.get(7),
        };
        let hash = e.hash_after(&prev);
        if e.seq >= from {
            sqlx::query("update audit_event set prev_hash = $1, hash = $2 where seq = $3")
                .bind(prev.to_hex())
                .bind(hash.to_hex())
                .bind(e.seq)
                .execute(store.pool())
                .await
                .expect("rehash");
        }
        prev = hash;
    }
}

pub async fn an_intact_trail_raises_nothing_and_refuses_edits(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 10).await;
    assert_eq!(store.verify_chain().await.expect("chain").broken, None);
    assert!(problems(store).await.is_empty());
    assert!(store.missing_guards().await.expect("guards").is_empty());
    assert!(store.changed_evidence().await.expect("evidence").is_empty());
    assert_eq!(
        store.rows_changed_outside().await.expect("state"),
        Vec::<String>::new()
    );
    for sql in [
        "update audit_event set actor = 'x' where seq = 1",
        "delete from audit_event where seq = 1",
        "update evidence_blob set content = content",
        "delete from evidence",
        "delete from audit_checkpoint",
    ] {
        assert!(
            sqlx::query(sql).execute(store.pool()).await.is_err(),
            "refused: {sql}"
        );
    }
    // Nothing new since the last checkpoint: no new one.
    assert!(
        store
            .sign_checkpoint(&key(), chrono::Utc::now())
            .await
            .expect("sign")
            .is_none()
    );
}

pub async fn cutting_the_newest_events_is_caught(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 110).await;
    let n = trail_len(store).await;
    tamper(store, &format!("delete from audit_event where seq = {n}")).await;
    assert_eq!(
        store.verify_chain().await.expect("chain").broken,
        None,
        "the chain alone cannot see it"
    );
    let p = problems(store).await;
    assert_eq!(
        p,
        [Problem::Truncated {
            number: 1,
            seq: n,
            trail: n - 1
        }
        .to_string()]
    );
    assert!(!store.missing_guards().await.expect("guards").is_empty());
    exec(
        store,
        &format!("delete from audit_event where seq > {}", n - 100),
    )
    .await;
    assert!(problems(store).await[0].contains(&format!("the trail holds {}", n - 100)));
    exec(store, "delete from audit_event").await;
    let p = problems(store).await;
    assert!(p[0].contains("the trail holds 0"), "{p:?}");
}

pub async fn a_rewritten_trail_is_caught_by_its_checkpoint(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 10).await;
    // Edit an event and recompute every hash after it.
    tamper(store, "update audit_event set after_json = replace(after_json, 'Person 0001', 'Person 9999') where seq = 3").await;
    assert!(store.verify_chain().await.expect("chain").broken.is_some());
    recompute_from(store, 3).await;
    assert_eq!(store.verify_chain().await.expect("chain").broken, None);
    let p = problems(store).await;
    assert!(p.iter().any(|l| l.contains("was rewritten")), "{p:?}");
}

pub async fn a_forged_insert_is_caught_by_its_checkpoint(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 10).await;
    tamper(
        store,
        "update audit_event set seq = -(seq + 1) where seq >= 5",
    )
    .await;
    exec(store, "update audit_event set seq = -seq where seq < 0").await;
    exec(
        store,
        "insert into audit_event (seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash) \
         values (5, '2026-01-01T00:00:00.000000Z', 'user:forger', 'note', 'x', 'create', 'null', '{}', 'p', 'h')",
    )
    .await;
    recompute_from(store, 5).await;
    assert_eq!(store.verify_chain().await.expect("chain").broken, None);
    let p = problems(store).await;
    assert!(p.iter().any(|l| l.contains("was rewritten")), "{p:?}");
}

pub async fn a_forged_append_or_a_row_changed_outside_disagrees_with_the_records(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 10).await;
    // A row changed with SQL: no event, so the chain verifies.
    exec(
        store,
        "update person set department = 'Board' where name = 'Person 0002'",
    )
    .await;
    let found = store.rows_changed_outside().await.expect("state");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("department is \"Board\" but its history says \"Finance\""),
        "{found:?}"
    );
    exec(
        store,
        "update person set department = 'Finance' where name = 'Person 0002'",
    )
    .await;
    assert!(
        store
            .rows_changed_outside()
            .await
            .expect("state")
            .is_empty()
    );
    // An event appended with a correct hash but no change behind it.
    let (id, after): (String, String) = sqlx::query_as(
        "select entity_id, after_json from audit_event where entity_type = 'person' order by seq desc limit 1",
    )
    .fetch_one(store.pool())
    .await
    .expect("event");
    let forged = after.replace(
        "\"employment_status\":\"active\"",
        "\"employment_status\":\"left\"",
    );
    let n = trail_len(store).await;
    exec(
        store,
        &format!(
            "insert into audit_event (seq, occurred_at, actor, entity_type, entity_id, action, before_json, after_json, prev_hash, hash) \
             values ({}, '2026-12-01T00:00:00.000000Z', 'user:forger', 'person', '{id}', 'update', 'null', '{forged}', 'p', 'h')",
            n + 1
        ),
    )
    .await;
    recompute_from(store, n + 1).await;
    assert_eq!(store.verify_chain().await.expect("chain").broken, None);
    let found = store.rows_changed_outside().await.expect("state");
    assert!(
        found
            .iter()
            .any(|l| l.contains(&id) && l.contains("employment_status")),
        "{found:?}"
    );
}

pub async fn swapped_evidence_bytes_are_named(db: TestDb) {
    let store = &db.store;
    checkpointed(store, 2).await;
    tamper(store, "select 1").await;
    sqlx::query("update evidence_blob set content = $1")
        .bind(b"%PDF-1.4 another file entirely".to_vec())
        .execute(store.pool())
        .await
        .expect("swap");
    let changed = store.changed_evidence().await.expect("evidence");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].names, ["restore-test.pdf"]);
}

pub async fn a_removed_checkpoint_is_caught(db: TestDb) {
    let store = &db.store;
    let (k, o) = checkpointed(store, 3).await;
    store
        .create_person(&ACTOR, o, new_person(50, "IT"))
        .await
        .expect("a later change");
    let second = store
        .sign_checkpoint(&k, chrono::Utc::now())
        .await
        .expect("sign")
        .expect("second");
    assert_eq!(second.number, 2);
    let witness = Witness {
        format: WITNESS_FORMAT.into(),
        public_key: k.public_hex(),
        checkpoints: store.checkpoints().await.expect("checkpoints"),
    };
    let clean = store
        .check_checkpoints(Some(&witness))
        .await
        .expect("check");
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    // The newest checkpoint removed: only the witness can tell.
    tamper(store, "delete from audit_checkpoint where number = 2").await;
    assert!(problems(store).await.is_empty());
    let p = store
        .check_checkpoints(Some(&witness))
        .await
        .expect("check")
        .problems;
    assert!(
        p.iter().any(|l| l.contains("witnessed checkpoint 2")),
        "{p:?}"
    );
    // Put it back and remove the first instead: the gap shows without a witness.
    let c = &witness.checkpoints[1];
    sqlx::query("insert into audit_checkpoint (number, seq, head, signed_at, prev, signature) values ($1, $2, $3, $4, $5, $6)")
        .bind(c.number)
        .bind(c.seq)
        .bind(&c.head)
        .bind(&c.at)
        .bind(&c.prev)
        .bind(&c.signature)
        .execute(store.pool())
        .await
        .expect("restore");
    exec(store, "delete from audit_checkpoint where number = 1").await;
    let p = problems(store).await;
    assert!(
        p.iter().any(|l| l.contains("checkpoint 1 is missing")),
        "{p:?}"
    );
    // A checkpoint signed with another key.
    let other = Key::from_seed([9; 32]);
    assert!(
        store
            .sign_checkpoint(&other, chrono::Utc::now())
            .await
            .is_err()
    );
}
