//! The asset inventory on both databases: owners who are employed, labels from the scheme,
//! pages by number with a maintained total, and imports that write every row or none.

use holdfast_core::asset::{AssetFields, AssetKind, Lifecycle, Scheme, check_table};
use holdfast_core::ids::PersonId;
use holdfast_store::{AssetQuery, StoreError};

use super::{ACTOR, TestDb, adopted};

fn fields(name: &str, owner: PersonId) -> AssetFields {
    AssetFields {
        name: name.into(),
        kind: AssetKind::Service,
        owner_id: owner,
        classification: "confidential".into(),
        location: "AWS eu-west-2".into(),
        confidentiality: 3,
        integrity: 2,
        availability: 2,
        lifecycle: Lifecycle::InUse,
    }
}

fn table(rows: &[&str]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.split(',').map(str::to_owned).collect())
        .collect()
}

async fn assets_have_employed_owners_and_labels_from_the_scheme(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    let it = owners["IT"];
    let crm = store
        .create_asset(&ACTOR, fields("CRM", it))
        .await
        .expect("asset");
    assert_eq!(crm.reference, "A-0001");
    assert_eq!(crm.classification, "Confidential", "the scheme's spelling");
    let events = store.audit_event_count().await.expect("count");
    let nobody = PersonId::from_uuid(uuid::Uuid::now_v7());
    for (bad, field) in [
        (fields("x", nobody), "owner_id"),
        (
            AssetFields {
                classification: "Secret".into(),
                ..fields("x", it)
            },
            "classification",
        ),
        (
            AssetFields {
                availability: 4,
                ..fields("x", it)
            },
            "availability",
        ),
        (
            AssetFields {
                name: " ".into(),
                ..fields("x", it)
            },
            "name",
        ),
    ] {
        match store.create_asset(&ACTOR, bad).await {
            Err(StoreError::Invalid(v)) => assert_eq!(v.errors[0].field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(
        store.audit_event_count().await.expect("count"),
        events,
        "nothing stored"
    );
    // A label in use cannot be dropped from the scheme; a new scheme can add labels.
    let e = store
        .set_asset_scheme(
            &ACTOR,
            Scheme {
                labels: vec!["Open".into(), "Closed".into()],
            },
        )
        .await
        .expect_err("Confidential is in use");
    assert!(
        matches!(e, StoreError::Invalid(ref v) if v.errors[0].message.contains("Confidential"))
    );
    let mut wider = Scheme::default();
    wider.labels.push("Board only".into());
    store
        .set_asset_scheme(&ACTOR, wider.clone())
        .await
        .expect("scheme");
    assert_eq!(store.asset_scheme().await.expect("scheme"), wider);
    let moved = store
        .update_asset(
            &ACTOR,
            crm.id,
            1,
            AssetFields {
                classification: "board only".into(),
                ..fields("CRM", it)
            },
        )
        .await
        .expect("relabelled");
    assert_eq!(
        (moved.version, moved.classification.as_str()),
        (2, "Board only")
    );
    assert!(matches!(
        store
            .update_asset(&ACTOR, crm.id, 1, fields("CRM", it))
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.rows_changed_outside().await.expect("replay"),
        Vec::<String>::new()
    );
}

async fn an_import_writes_every_row_or_none_and_the_inventory_pages(db: TestDb) {
    let store = &db.store;
    let (_, owners) = adopted(store).await;
    let scheme = store.asset_scheme().await.expect("scheme");
    let header = "name,kind,owner_email,classification,location,confidentiality,integrity,availability,lifecycle";
    let mut lines = vec![header.to_owned()];
    for n in 0..30 {
        lines.push(format!(
            "Laptop {n:02},hardware,head{}@example.com,Internal,London,2,2,1,in_use",
            n % 3
        ));
    }
    lines.push("Payroll data,information,nobody@example.com,Confidential,,3,3,2,".to_owned());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let rows = check_table(&table(&refs), &scheme).expect("rows are well formed");
    let before = store.audit_event_count().await.expect("count");
    let report = store
        .import_assets(&ACTOR, rows, true)
        .await
        .expect("database")
        .expect_err("an unknown owner");
    assert_eq!(report.len(), 1);
    assert_eq!(
        (report[0].line, report[0].field.as_str()),
        (32, "owner_email")
    );
    assert_eq!(
        store.audit_event_count().await.expect("count"),
        before,
        "none imported"
    );
    let q = AssetQuery {
        limit: 10,
        ..AssetQuery::default()
    };
    assert_eq!(store.count_assets(&q).await.expect("count").n, 0);
    // Without the bad row: a preview writes nothing; the import writes all 30.
    let rows = check_table(&table(&refs[..31]), &scheme).expect("rows");
    let preview = store
        .import_assets(&ACTOR, rows.clone(), false)
        .await
        .expect("db")
        .expect("ok");
    assert_eq!(preview.len(), 30);
    assert_eq!(
        store.count_assets(&q).await.expect("count").n,
        0,
        "a preview stores nothing"
    );
    store
        .import_assets(&ACTOR, rows, true)
        .await
        .expect("db")
        .expect("imported");
    assert_eq!(
        store.audit_event_count().await.expect("count"),
        before + 30,
        "an event each"
    );
    assert_eq!(store.count_assets(&q).await.expect("count").n, 30);
    let first = store.asset_page(&q).await.expect("page");
    assert_eq!(first.len(), 10);
    assert_eq!(first[0].reference, "A-0001");
    let next = store
        .asset_page(&AssetQuery {
            after: Some(10),
            ..q.clone()
        })
        .await
        .expect("page");
    assert_eq!(next[0].reference, "A-0011");
    let mine = AssetQuery {
        owner_id: Some(owners["Management"]),
        limit: 50,
        ..AssetQuery::default()
    };
    assert_eq!(
        store.count_assets(&mine).await.expect("count").n,
        10,
        "head0 is Management"
    );
    let search = AssetQuery {
        search: Some("laptop 2".into()),
        limit: 50,
        ..AssetQuery::default()
    };
    assert_eq!(store.asset_page(&search).await.expect("page").len(), 10);
}

crate::on_both_databases!(
    assets_have_employed_owners_and_labels_from_the_scheme,
    an_import_writes_every_row_or_none_and_the_inventory_pages,
);
