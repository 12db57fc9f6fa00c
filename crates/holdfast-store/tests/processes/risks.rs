//! The risk register on both databases: immutable method versions, append-only assessments
//! and decisions, authority per level, the register's filters and pages.

use holdfast_core::ids::{PersonId, RiskId};
use holdfast_core::interaction::EventKind;
use holdfast_core::risk::{
    AssessmentInput, Authority, DecisionInput, DecisionKind, MethodDraft, Rating, RiskFields,
    Standing, Subject, Treatment,
};
use holdfast_store::{RiskOrder, RiskQuery, Store, StoreError};

use super::{ACTOR, TestDb, adopted, d};

fn fields(title: &str, owner: Option<PersonId>) -> RiskFields {
    RiskFields {
        title: title.into(),
        threat: "Ransomware".into(),
        vulnerability: "Unpatched servers".into(),
        owner_id: owner,
        process_id: None,
        treatment: Treatment::Modify,
        controls: vec!["8.8".into(), "8.7".into()],
        assets: vec![],
    }
}

fn rated(l: u8, i: u8, current: (u8, u8)) -> AssessmentInput {
    AssessmentInput {
        inherent: Rating {
            likelihood: l,
            impact: i,
        },
        current: Rating {
            likelihood: current.0,
            impact: current.1,
        },
        target: None,
        rationale: "Patching within 14 days on 90% of servers".into(),
        assessed_on: d("2026-12-01"),
    }
}

async fn trail(store: &Store) -> i64 {
    store.audit_event_count().await.expect("count")
}

async fn published(store: &Store) {
    let m = MethodDraft::five_by_five().validate().expect("valid");
    store
        .publish_risk_method(&ACTOR, None, m)
        .await
        .expect("publish");
}

async fn method_versions_are_numbered_and_never_changed(db: TestDb) {
    let store = &db.store;
    adopted(store).await;
    assert!(store.current_risk_method().await.expect("none").is_none());
    published(store).await;
    let mut stricter = MethodDraft::five_by_five();
    stricter.grid[0][2] = "medium".into();
    let v2 = store
        .publish_risk_method(&ACTOR, None, stricter.validate().expect("valid"))
        .await
        .expect("v2");
    assert_eq!(v2.version, 2);
    let v1 = store.risk_method(1).await.expect("v1");
    assert_eq!(
        v1.method.draft().grid[0][2],
        "low",
        "version 1 keeps its grid"
    );
    assert_eq!(
        store
            .current_risk_method()
            .await
            .expect("current")
            .map(|m| m.version),
        Some(2)
    );
    let refused = sqlx::query("update risk_method set method_json = '{}' where version = 1")
        .execute(store.pool())
        .await;
    assert!(
        refused.is_err(),
        "the database refuses to edit a published method"
    );
    assert!(matches!(
        store.risk_method(7).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_risk_is_assessed_under_the_method_and_bad_input_stores_nothing(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    let it = owners["IT"];
    let risk = store
        .create_risk(&ACTOR, fields("Ransomware on file servers", Some(it)))
        .await
        .expect("risk");
    assert_eq!(risk.reference, "R-001");
    assert_eq!(risk.controls, ["8.7", "8.8"]);
    let before = trail(store).await;
    // Without a method there is nothing to rate on.
    let e = store
        .assess_risk(
            &ACTOR,
            risk.id,
            1,
            Some(it),
            rated(4, 5, (2, 4)),
            d("2026-12-01"),
        )
        .await
        .expect_err("no method");
    assert!(matches!(e, StoreError::Invalid(ref v) if v.errors[0].field == "method"));
    published(store).await;
    let before_bad = trail(store).await;
    assert_eq!(before_bad, before + 1, "only the publication was recorded");
    let e = store
        .assess_risk(
            &ACTOR,
            risk.id,
            1,
            Some(it),
            rated(6, 5, (2, 4)),
            d("2026-12-01"),
        )
        .await
        .expect_err("off scale");
    assert!(matches!(e, StoreError::Invalid(ref v) if v.errors[0].field == "inherent.likelihood"));
    assert_eq!(trail(store).await, before_bad, "nothing stored");
    let a = store
        .assess_risk(
            &ACTOR,
            risk.id,
            1,
            Some(it),
            rated(4, 5, (2, 4)),
            d("2026-12-01"),
        )
        .await
        .expect("assessed");
    assert_eq!(
        (a.inherent_level.as_str(), a.current_level.as_str()),
        ("very_high", "medium")
    );
    assert_eq!(a.review_due, d("2027-12-01"));
    let entry = store.risk(risk.id).await.expect("entry");
    assert_eq!(entry.current_level.as_deref(), Some("medium"));
    assert_eq!(entry.risk.version, 2);
    // A stale version is refused, and the history keeps every assessment.
    assert!(matches!(
        store
            .assess_risk(
                &ACTOR,
                risk.id,
                1,
                Some(it),
                rated(4, 5, (1, 4)),
                d("2026-12-01")
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    store
        .assess_risk(
            &ACTOR,
            risk.id,
            2,
            Some(it),
            rated(4, 5, (1, 4)),
            d("2026-12-01"),
        )
        .await
        .expect("second");
    assert_eq!(
        store.risk_assessments(risk.id).await.expect("list").len(),
        2
    );
    // An owner who is not an active person and an unknown control are refused.
    let e = store
        .create_risk(
            &ACTOR,
            fields("x", Some(PersonId::from_uuid(uuid::Uuid::nil()))),
        )
        .await
        .expect_err("unknown owner");
    assert!(matches!(e, StoreError::Invalid(ref v) if v.errors[0].field == "owner_id"));
    let mut bad = fields("x", None);
    bad.controls = vec!["A.9.2".into()];
    assert!(matches!(
        store.create_risk(&ACTOR, bad).await,
        Err(StoreError::Invalid(_))
    ));
    let refused = sqlx::query("delete from risk_assessment")
        .execute(store.pool())
        .await;
    assert!(refused.is_err(), "assessments are append-only");
}

async fn a_decision_needs_the_authority_the_level_demands(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    published(store).await;
    let (it, finance, top) = (owners["IT"], owners["Finance"], owners["Management"]);
    let medium = store
        .create_risk(&ACTOR, fields("Ransomware", Some(it)))
        .await
        .expect("risk");
    store
        .assess_risk(
            &ACTOR,
            medium.id,
            1,
            Some(it),
            rated(4, 5, (2, 4)),
            d("2026-12-01"),
        )
        .await
        .expect("medium");
    let accept = |rationale: &str| DecisionInput {
        kind: DecisionKind::ResidualAcceptance,
        rationale: rationale.into(),
        expires_on: d("2027-06-01"),
    };
    let today = d("2026-12-01");
    let now = super::at("2026-12-01");
    let e = store
        .decide_on_risk(&ACTOR, medium.id, 2, finance, accept("not mine"), now)
        .await
        .expect_err("not the owner");
    assert!(matches!(e, StoreError::Invalid(ref v) if v.errors[0].field == "decided_by"));
    let events = |store: &Store| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from domain_event where kind = $1")
                .bind(EventKind::RiskAccepted.as_str())
                .fetch_one(store.pool())
                .await
                .expect("events")
        }
    };
    assert_eq!(events(store).await, 0);
    let d1 = store
        .decide_on_risk(&ACTOR, medium.id, 2, it, accept("Within appetite"), now)
        .await
        .expect("the owner accepts a medium risk");
    assert_eq!(d1.authority, Authority::RiskOwner);
    assert_eq!(
        events(store).await,
        1,
        "risk_accepted in the risk-treatment process"
    );
    // A high residual risk is for top management: the management-review owner.
    let high = store
        .create_risk(&ACTOR, fields("Cloud account takeover", Some(it)))
        .await
        .expect("risk");
    store
        .assess_risk(
            &ACTOR,
            high.id,
            1,
            Some(it),
            rated(4, 5, (3, 4)),
            d("2026-12-01"),
        )
        .await
        .expect("high");
    assert!(
        store
            .decide_on_risk(&ACTOR, high.id, 2, it, accept("mine"), now)
            .await
            .is_err(),
        "the owner may not accept a high risk"
    );
    let d2 = store
        .decide_on_risk(
            &ACTOR,
            high.id,
            2,
            top,
            accept("Board accepts until migration"),
            now,
        )
        .await
        .expect("top management accepts");
    assert_eq!(d2.authority, Authority::TopManagement);
    // The acceptance froze its subject: a new control set makes it stale.
    let entry = store.risk(high.id).await.expect("entry");
    let latest = store.risk_assessments(high.id).await.expect("a")[0].clone();
    assert_eq!(
        d2.standing(&Subject::of(&entry.risk, &latest), today),
        Standing::Live
    );
    let mut more = fields("Cloud account takeover", Some(it));
    more.controls.push("5.17".into());
    let changed = store
        .update_risk(&ACTOR, high.id, 2, more)
        .await
        .expect("update");
    assert_eq!(
        d2.standing(&Subject::of(&changed, &latest), today),
        Standing::Stale
    );
    let stored = store.risk_decisions(high.id).await.expect("decisions");
    assert_eq!(stored, vec![d2]);
    assert!(
        sqlx::query("update risk_decision set rationale = 'x'")
            .execute(store.pool())
            .await
            .is_err(),
        "decisions are append-only"
    );
}

async fn the_register_filters_sorts_and_pages(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    published(store).await;
    let it = owners["IT"];
    let mut ids: Vec<RiskId> = Vec::new();
    for n in 0..7u8 {
        let owner = if n % 2 == 0 { Some(it) } else { None };
        let r = store
            .create_risk(&ACTOR, fields(&format!("Risk {n}"), owner))
            .await
            .expect("risk");
        if n < 5 {
            store
                .assess_risk(
                    &ACTOR,
                    r.id,
                    1,
                    None,
                    rated(5, 5, (n + 1, n + 1)),
                    d("2026-12-01"),
                )
                .await
                .expect("assess");
        }
        ids.push(r.id);
    }
    let page = |q: RiskQuery| {
        let store = store.clone();
        async move { store.risk_page(&q).await.expect("page") }
    };
    let after = |p: &[holdfast_store::RegisterEntry]| p.last().map(|e| (e.rank, e.number));
    // By level, highest first, in pages of three that join up.
    let first = page(RiskQuery {
        order: RiskOrder::Level,
        limit: 3,
        ..RiskQuery::default()
    })
    .await;
    let levels: Vec<_> = first.iter().map(|e| e.current_level.clone()).collect();
    assert_eq!(
        levels,
        [
            Some("very_high".into()),
            Some("high".into()),
            Some("medium".into())
        ]
    );
    let second = page(RiskQuery {
        order: RiskOrder::Level,
        limit: 3,
        after: after(&first),
        ..RiskQuery::default()
    })
    .await;
    let third = page(RiskQuery {
        order: RiskOrder::Level,
        limit: 3,
        after: after(&second),
        ..RiskQuery::default()
    })
    .await;
    assert_eq!(third.len(), 1);
    let all: Vec<_> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|e| e.risk.id)
        .collect();
    assert_eq!(all.len(), 7, "every risk once");
    assert!(
        third.iter().all(|e| e.current_level.is_none()),
        "unassessed last"
    );
    // Filters.
    let mine = page(RiskQuery {
        owner_id: Some(it),
        limit: 50,
        ..RiskQuery::default()
    })
    .await;
    assert_eq!(mine.len(), 4);
    let counted = store
        .count_risks(&RiskQuery {
            owner_id: Some(it),
            ..RiskQuery::default()
        })
        .await
        .expect("count");
    assert_eq!(counted.n, 4);
    let low = page(RiskQuery {
        level: Some("low".into()),
        limit: 50,
        ..RiskQuery::default()
    })
    .await;
    assert_eq!(low.len(), 2, "1×1 and 2×2");
    let found = page(RiskQuery {
        search: Some("RISK 3".into()),
        limit: 50,
        ..RiskQuery::default()
    })
    .await;
    assert_eq!(
        found.iter().map(|e| e.risk.id).collect::<Vec<_>>(),
        [ids[3]]
    );
    let due = page(RiskQuery {
        review_before: Some(d("2027-06-01")),
        limit: 50,
        ..RiskQuery::default()
    })
    .await;
    assert_eq!(
        due.len(),
        2,
        "very high and high risks are reviewed within 90 and 180 days"
    );
    let none = page(RiskQuery {
        search: Some("100%_\\".into()),
        limit: 50,
        ..RiskQuery::default()
    })
    .await;
    assert!(none.is_empty(), "wildcards in a search are literal");
}

async fn the_soa_is_published_only_when_every_control_is_decided_and_never_changes(db: TestDb) {
    let store = &db.store;
    adopted(store).await;
    let input = |applicable: bool| holdfast_core::soa::DecisionInput {
        applicable,
        justification: "Decided in the SoA workshop".into(),
        status: applicable.then_some(holdfast_core::soa::Status::Implemented),
        best_practice: false,
        owner_id: None,
    };
    let some: Vec<_> = ["5.1", "5.2", "7.4"]
        .iter()
        .map(|c| ((*c).to_owned(), None, input(*c != "7.4")))
        .collect();
    store.decide_controls(&ACTOR, some).await.expect("three");
    let e = store
        .publish_soa(&ACTOR, None)
        .await
        .expect_err("90 undecided");
    assert!(
        matches!(e, StoreError::Invalid(ref v) if v.errors[0].message.starts_with("90 control(s) have no decision yet (5.3, 5.4")),
        "{e}"
    );
    assert!(store.soa_versions().await.expect("versions").is_empty());
    // All or nothing: one bad decision among many stores none of them.
    let mut rest: Vec<_> = holdfast_core::catalog::annex_a()
        .iter()
        .filter(|c| !["5.1", "5.2", "7.4"].contains(&c.id))
        .map(|c| (c.id.to_owned(), None, input(true)))
        .collect();
    rest.push(("A.5.1".to_owned(), None, input(true)));
    assert!(store.decide_controls(&ACTOR, rest.clone()).await.is_err());
    assert_eq!(store.soa_decisions().await.expect("decisions").len(), 3);
    rest.pop();
    store.decide_controls(&ACTOR, rest).await.expect("the rest");
    let v = store.publish_soa(&ACTOR, None).await.expect("publish");
    assert_eq!((v.number, v.rows.len()), (1, 93));
    assert_eq!(v.sha256, holdfast_core::soa::digest(&v.rows));
    assert_eq!(store.soa_version(1).await.expect("v1"), v);
    assert!(
        sqlx::query("update soa_version set sha256 = 'x'")
            .execute(store.pool())
            .await
            .is_err(),
        "published versions are append-only"
    );
}

crate::on_both_databases!(
    the_soa_is_published_only_when_every_control_is_decided_and_never_changes,
    method_versions_are_numbered_and_never_changed,
    a_risk_is_assessed_under_the_method_and_bad_input_stores_nothing,
    a_decision_needs_the_authority_the_level_demands,
    the_register_filters_sorts_and_pages,
);
