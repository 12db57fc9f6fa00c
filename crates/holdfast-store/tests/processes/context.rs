//! The context registers and the scope on both databases: history from the audit trail,
//! requirements as the SoA's derived reasons, scope versions frozen and approved by top
//! management, and bad input that stores nothing.

use holdfast_core::context::{
    ElementKind, EntryInput, IssueCategory, IssueFields, IssueKind, PartyFields, PartyKind,
    PlaceKind, RequirementFields, RequirementKind, ScopeDraft,
};
use holdfast_core::ids::PersonId;
use holdfast_core::soa::DecisionInput;
use holdfast_store::{Store, StoreError};

use super::{ACTOR, TestDb, adopted, d};

async fn trail(store: &Store) -> i64 {
    store.audit_event_count().await.expect("count")
}

fn issue(title: &str, owner: Option<PersonId>) -> IssueFields {
    IssueFields {
        kind: IssueKind::External,
        category: IssueCategory::Legal,
        title: title.into(),
        effect: "New obligations on incident reporting".into(),
        owner_id: owner,
        review_due: d("2027-06-30"),
        active: true,
    }
}

fn party(name: &str) -> PartyFields {
    PartyFields {
        name: name.into(),
        kind: PartyKind::Customer,
        expectations: "Their data stays confidential and available".into(),
        owner_id: None,
        review_due: d("2027-06-30"),
        active: true,
    }
}

fn invalid_field(e: &StoreError) -> &str {
    match e {
        StoreError::Invalid(v) => v.errors[0].field.as_str(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn the_registers_keep_their_history_and_refuse_bad_owners(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    let since = holdfast_store::clock::now();
    let nis2 = store
        .create_issue(&ACTOR, issue("NIS2 applies from 2026", Some(owners["IT"])))
        .await
        .expect("issue");
    assert_eq!(nis2.reference, "I-001");
    let before = trail(store).await;
    let e = store
        .create_issue(
            &ACTOR,
            issue("x", Some(PersonId::from_uuid(uuid::Uuid::now_v7()))),
        )
        .await
        .expect_err("no such person");
    assert_eq!(invalid_field(&e), "owner_id");
    let e = store
        .create_issue(
            &ACTOR,
            IssueFields {
                effect: " ".into(),
                ..issue("y", None)
            },
        )
        .await
        .expect_err("no effect");
    assert_eq!(invalid_field(&e), "effect");
    assert_eq!(trail(store).await, before, "nothing stored");
    assert_eq!(store.issues().await.expect("issues").len(), 1);
    // A review moves the date; a stale version is refused.
    let reviewed = store
        .update_issue(
            &ACTOR,
            nis2.id,
            1,
            IssueFields {
                review_due: d("2027-12-31"),
                ..issue("NIS2 applies from 2026", Some(owners["IT"]))
            },
        )
        .await
        .expect("reviewed");
    assert_eq!(reviewed.version, 2);
    assert!(matches!(
        store
            .update_issue(&ACTOR, nis2.id, 1, issue("again", None))
            .await,
        Err(StoreError::Stale(_))
    ));
    let customers = store
        .create_party(&ACTOR, party("EU customers"))
        .await
        .expect("party");
    // What changed since the review: every change to the registers, oldest first.
    let changes = store.context_changes(since).await.expect("changes");
    let got: Vec<(&str, &str)> = changes
        .iter()
        .map(|e| (e.event.entity_type.as_str(), e.event.action.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("context_issue", "create"),
            ("context_issue", "update"),
            ("interested_party", "create")
        ]
    );
    assert_eq!(changes[2].event.entity_id, customers.id.to_string());
    let later = holdfast_store::clock::now() + chrono::Duration::seconds(1);
    assert!(store.context_changes(later).await.expect("none").is_empty());
    // The rows are what their history says, and an edit with SQL shows.
    assert_eq!(
        store.rows_changed_outside().await.expect("replay"),
        Vec::<String>::new()
    );
    sqlx::query("update context_issue set title = 'Nothing to see', active = 0")
        .execute(store.pool())
        .await
        .expect("edit outside Holdfast");
    let found = store.rows_changed_outside().await.expect("replay");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("title is \"Nothing to see\""),
        "{found:?}"
    );
}

async fn requirements_are_reasons_in_the_soa(db: TestDb) {
    let store = &db.store;
    adopted(store).await;
    let customers = store
        .create_party(&ACTOR, party("EU customers"))
        .await
        .expect("party");
    let before = trail(store).await;
    let bad = RequirementFields {
        kind: RequirementKind::Legal,
        citation: "GDPR Art. 32".into(),
        text: "Security of processing".into(),
        controls: vec!["8.24".into(), "A.8.24".into()],
        process_ids: vec![],
    };
    let e = store
        .add_requirement(&ACTOR, customers.id, bad.clone())
        .await
        .expect_err("unknown control");
    assert_eq!(invalid_field(&e), "controls[1]");
    let e = store
        .add_requirement(
            &ACTOR,
            customers.id,
            RequirementFields {
                controls: vec!["8.24".into()],
                process_ids: vec![holdfast_core::ids::ProcessId::from_uuid(
                    uuid::Uuid::now_v7(),
                )],
                ..bad.clone()
            },
        )
        .await
        .expect_err("unknown process");
    assert_eq!(invalid_field(&e), "process_ids[0]");
    assert_eq!(trail(store).await, before, "nothing stored");
    let r = store
        .add_requirement(
            &ACTOR,
            customers.id,
            RequirementFields {
                controls: vec!["8.24".into(), "5.34".into()],
                ..bad
            },
        )
        .await
        .expect("requirement");
    assert_eq!(r.controls, ["5.34", "8.24"]);
    assert_eq!(store.requirement(r.id).await.expect("read"), r);
    let rows = store.soa_rows().await.expect("rows");
    let row = rows.iter().find(|x| x.control == "8.24").expect("8.24");
    assert_eq!(row.obligations, ["Legal: GDPR Art. 32 (EU customers)"]);
    // Excluding a control a requirement asks for shows in the gap analysis.
    store
        .decide_control(
            &ACTOR,
            "5.34",
            None,
            DecisionInput {
                applicable: false,
                justification: "We process no personal data".into(),
                status: None,
                best_practice: false,
                owner_id: None,
            },
        )
        .await
        .expect("decided");
    let gaps = holdfast_core::soa::gaps(&store.soa_rows().await.expect("rows"));
    assert!(
        gaps.iter()
            .any(|g| g.control == "5.34" && g.risks.is_empty())
    );
    // Unlinking moves the reason away.
    let r2 = store
        .update_requirement(
            &ACTOR,
            r.id,
            1,
            RequirementFields {
                kind: RequirementKind::Legal,
                citation: "GDPR Art. 32".into(),
                text: "Security of processing".into(),
                controls: vec!["5.34".into()],
                process_ids: vec![],
            },
        )
        .await
        .expect("updated");
    assert_eq!(r2.version, 2);
    let rows = store.soa_rows().await.expect("rows");
    assert!(
        rows.iter()
            .find(|x| x.control == "8.24")
            .expect("row")
            .obligations
            .is_empty()
    );
}

fn line(kind: ElementKind, name: &str) -> EntryInput {
    EntryInput {
        kind: Some(kind),
        name: name.into(),
        included: true,
        ..EntryInput::default()
    }
}

async fn the_scope_is_frozen_and_approved_by_top_management(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    let before = trail(store).await;
    let unjustified = ScopeDraft {
        statement: "The Example platform".into(),
        entries: vec![EntryInput {
            included: false,
            ..line(ElementKind::Unit, "Shop")
        }],
    };
    let e = store
        .propose_scope(&ACTOR, None, unjustified)
        .await
        .expect_err("no justification");
    assert_eq!(invalid_field(&e), "entries[0].justification");
    assert_eq!(trail(store).await, before, "nothing stored");
    let v1 = store
        .propose_scope(
            &ACTOR,
            Some(owners["IT"]),
            ScopeDraft {
                statement: "The Example platform and the people who run it".into(),
                entries: vec![
                    line(ElementKind::Unit, "Engineering"),
                    EntryInput {
                        place: Some(PlaceKind::Cloud),
                        provider: "AWS eu-west-2".into(),
                        responsibility: "AWS runs the facilities; we run accounts and data".into(),
                        ..line(ElementKind::Location, "Production")
                    },
                    EntryInput {
                        included: false,
                        justification: "Sells no digital service".into(),
                        ..line(ElementKind::Unit, "Shop")
                    },
                ],
            },
        )
        .await
        .expect("proposed");
    assert_eq!(v1.number, 1);
    assert!(v1.approval.is_none());
    let e = store
        .approve_scope(&ACTOR, 1, owners["IT"], &v1.sha256)
        .await
        .expect_err("not top management");
    assert_eq!(invalid_field(&e), "approved_by");
    let e = store
        .approve_scope(&ACTOR, 1, owners["Management"], "deadbeef")
        .await
        .expect_err("wrong hash");
    assert_eq!(invalid_field(&e), "sha256");
    let approved = store
        .approve_scope(&ACTOR, 1, owners["Management"], &v1.sha256)
        .await
        .expect("approved");
    assert_eq!(
        approved.approval.as_ref().map(|a| a.approved_by),
        Some(owners["Management"])
    );
    assert_eq!(store.scope_version(1).await.expect("read"), approved);
    assert!(
        store
            .approve_scope(&ACTOR, 1, owners["Management"], &v1.sha256)
            .await
            .is_err(),
        "approved once"
    );
    let state = store.context_state().await.expect("state");
    assert_eq!(state.scope_in_force().map(|v| v.number), Some(1));
    for sql in [
        "update scope_version set sha256 = 'x'",
        "delete from scope_approval",
    ] {
        assert!(
            sqlx::query(sql).execute(store.pool()).await.is_err(),
            "{sql} is refused"
        );
    }
}

crate::on_both_databases!(
    the_registers_keep_their_history_and_refuse_bad_owners,
    requirements_are_reasons_in_the_soa,
    the_scope_is_frozen_and_approved_by_top_management,
);
