//! Fresh databases for the store suite: an SQLite file in a temporary folder, or a new
//! PostgreSQL database on the server at `HOLDFAST_TEST_POSTGRES_URL`.
#![allow(dead_code)]

use holdfast_store::{DatabaseUrl, OpenMode, Store};
use sqlx::Connection;

/// A migrated, empty database that lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server URL, or a failure that says how to provide one: the PostgreSQL half
/// of the suite must never pass by skipping.
pub fn postgres_server_url() -> String {
    std::env::var("HOLDFAST_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "HOLDFAST_TEST_POSTGRES_URL is not set. The store tests run against PostgreSQL too; \
             start a server (bash .ci/start-postgres.sh /tmp/pg prints the exports) and set \
             HOLDFAST_TEST_POSTGRES_URL=postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE, \
             with a role allowed to CREATE DATABASE"
        )
    })
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("holdfast.db").display());
        let store = open(&url).await;
        Self {
            store,
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Self {
        let url = new_postgres_database().await;
        let store = open(&url).await;
        Self {
            store,
            url,
            _dir: None,
        }
    }

    /// Another store instance on the same database, as a second server process would have.
    pub async fn second_instance(&self) -> Store {
        Store::open(
            &DatabaseUrl::parse(&self.url).expect("url"),
            OpenMode::MustExist,
        )
        .await
        .expect("second instance")
    }
}

/// Creates a uniquely named database on the test server and returns its URL.
pub async fn new_postgres_database() -> String {
    let server = postgres_server_url();
    let name = format!("holdfast_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("connect to HOLDFAST_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, _) = server.rsplit_once('/').expect("URL has a database name");
    format!("{base}/{name}")
}

async fn open(url: &str) -> Store {
    let store = Store::open(
        &DatabaseUrl::parse(url).expect("url"),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("open test database");
    store.migrate().await.expect("migrate");
    store
}

/// Defines one test per database from a shared `async fn(TestDb)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::common::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::common::TestDb::postgres().await).await;
                }
            )*
        }
    };
}
