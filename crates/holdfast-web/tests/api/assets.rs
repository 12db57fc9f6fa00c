//! The asset inventory through the API: bad assets refused by field, imports of CSV and
//! XLSX with a preview and a report naming each bad line and column, nothing stored until
//! every row is right; the inventory page with its filters.

use holdfast_core::account::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, field_of, history_matches, problem, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "name,kind,owner_email,classification,location,confidentiality,integrity,availability,lifecycle";

async fn bad_assets_are_refused_by_field_and_nothing_is_stored(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let events = app.count("audit_event").await;
    let asset = |patch: Value| {
        let mut body = json!({
            "name": "Payroll", "kind": "information", "owner_id": app.person_id,
            "classification": "Confidential", "confidentiality": 3, "integrity": 3, "availability": 2,
        });
        if let (Some(b), Some(p)) = (body.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    };
    for (body, field) in [
        (asset(json!({"kind": "vehicle"})), "kind"),
        (
            asset(json!({"classification": "Top secret"})),
            "classification",
        ),
        (asset(json!({"confidentiality": 0})), "confidentiality"),
        (
            asset(json!({"owner_id": "00000000-0000-0000-0000-000000000000"})),
            "owner_id",
        ),
        (
            asset(json!({"owner_id": app.member_person_id, "lifecycle": "lost"})),
            "lifecycle",
        ),
        (asset(json!({"name": ""})), "name"),
    ] {
        assert_eq!(
            field_of(manager.post_json("/api/v1/assets", &body).await, 422).await,
            field,
            "{body}"
        );
    }
    assert_eq!(app.count("audit_event").await, events, "nothing recorded");
    let ok = manager.post_json("/api/v1/assets", &asset(json!({}))).await;
    assert_eq!(ok.status(), 201);
    let a: Value = ok.json().await.expect("json");
    assert_eq!(a["reference"], "A-0002");
    let auditor = app.login(Role::Auditor).await;
    assert_eq!(
        auditor
            .post_json("/api/v1/assets", &asset(json!({})))
            .await
            .status(),
        403
    );
    let scheme: Value = auditor
        .get("/api/v1/assets/scheme")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        scheme["labels"],
        json!(["Public", "Internal", "Confidential", "Restricted"])
    );
    let e = manager
        .json_if(
            reqwest::Method::PUT,
            "/api/v1/assets/scheme",
            Some(&json!({"labels": ["Open", "Closed"]})),
            None,
        )
        .await;
    assert_eq!(field_of(e, 422).await, "labels", "Confidential is in use");
    history_matches(&app).await;
}

async fn a_csv_import_reports_every_bad_line_and_imports_all_or_nothing(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let assets = app.count("asset").await;
    let csv = format!(
        "{HEADER}\n\
         Laptops,hardware,ada@example.com,Internal,London,2,2,1,in_use\n\
         CRM,cloud,ada@example.com,Secret,EU,3,2,2,\n\
         Wiki,software,nobody@example.com,Internal,,1,2,1,\n\
         \"Backups, offsite\",information,max@example.com,Restricted,\"Vault; London\",3,3,3,planned\n"
    );
    let p = problem(
        manager
            .post_bytes(
                "/api/v1/assets/import",
                csv.clone().into_bytes(),
                "text/csv",
            )
            .await,
        422,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["lines[3].kind", "lines[3].classification"],
        "every cell the file gets wrong, by line"
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("line 3:")
    );
    let fixed = csv.replace(
        "CRM,cloud,ada@example.com,Secret",
        "CRM,service,ada@example.com,Secret",
    );
    let fixed = fixed.replace("Secret", "Confidential");
    let p = problem(
        manager
            .post_bytes(
                "/api/v1/assets/import",
                fixed.clone().into_bytes(),
                "text/csv",
            )
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines[4].owner_email");
    assert_eq!(app.count("asset").await, assets, "nothing imported");
    let good = fixed.replace("nobody@example.com", "ada@example.com");
    let preview = manager
        .post_bytes(
            "/api/v1/assets/import?preview=true",
            good.clone().into_bytes(),
            "text/csv",
        )
        .await;
    assert_eq!(preview.status(), 200);
    let v: Value = preview.json().await.expect("json");
    assert_eq!(
        (v["preview"].clone(), v["assets"].clone()),
        (json!(true), json!(4))
    );
    assert_eq!(v["sample"][3]["name"], "Backups, offsite");
    assert_eq!(app.count("asset").await, assets, "a preview stores nothing");
    let done = manager
        .post_bytes("/api/v1/assets/import", good.into_bytes(), "text/csv")
        .await;
    assert_eq!(done.status(), 201);
    assert_eq!(app.count("asset").await, assets + 4);
    let wrong = manager
        .post_bytes("/api/v1/assets/import", b"{}".to_vec(), "text/plain")
        .await;
    assert_eq!(wrong.status(), 415);
    let list: Value = manager
        .get("/api/v1/assets?kind=information&q=offsite")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["location"], "Vault; London");
    let page = manager.get("/assets?classification=Restricted").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Backups, offsite") && !html.contains("Laptops"),
        "{html}"
    );
    history_matches(&app).await;
}

async fn an_xlsx_import_reads_the_first_sheet(db: Db) {
    let app = spawn_app(db).await;
    let manager = app.login(Role::Manager).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), h)
            .expect("cell");
    }
    let row = [
        "Source code",
        "software",
        "ada@example.com",
        "Restricted",
        "GitHub",
    ];
    for (c, v) in row.iter().enumerate() {
        sheet
            .write_string(1, u16::try_from(c).expect("col"), *v)
            .expect("cell");
    }
    for (c, v) in [(5u16, 3.0), (6, 3.0), (7, 2.0)] {
        sheet.write_number(1, c, v).expect("cell");
    }
    sheet
        .write_number(2, 5, 9.0)
        .expect("a row with only a bad value");
    let bytes = book.save_to_buffer().expect("xlsx");
    let p = problem(
        manager
            .post_bytes("/api/v1/assets/import", bytes, XLSX)
            .await,
        422,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "lines[3].name",
            "lines[3].kind",
            "lines[3].owner_email",
            "lines[3].classification",
            "lines[3].confidentiality",
            "lines[3].integrity",
            "lines[3].availability"
        ]
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("col"), h)
            .expect("cell");
    }
    for (c, v) in row.iter().enumerate() {
        sheet
            .write_string(1, u16::try_from(c).expect("col"), *v)
            .expect("cell");
    }
    for (c, v) in [(5u16, 3.0), (6, 3.0), (7, 2.0)] {
        sheet.write_number(1, c, v).expect("cell");
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let done = manager
        .post_bytes("/api/v1/assets/import", bytes, XLSX)
        .await;
    assert_eq!(done.status(), 201);
    let list: Value = manager
        .get("/api/v1/assets?q=source")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"][0]["confidentiality"], 3);
    assert_eq!(list["items"][0]["lifecycle"], "in_use");
    let garbage = manager
        .post_bytes("/api/v1/assets/import", b"PK not really".to_vec(), XLSX)
        .await;
    assert_eq!(field_of(garbage, 422).await, "file");
}

crate::on_both_databases!(
    bad_assets_are_refused_by_field_and_nothing_is_stored,
    a_csv_import_reports_every_bad_line_and_imports_all_or_nothing,
    an_xlsx_import_reads_the_first_sheet,
);
