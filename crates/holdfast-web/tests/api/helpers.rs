//! `spawn_app`: the real server on port 0 over a fresh SQLite file or PostgreSQL database,
//! with one login per role.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use holdfast_core::account::{NewPassword, Role};
use holdfast_core::person::{EmailAddress, EmploymentStatus, NewPerson};
use holdfast_store::{Actor, DatabaseUrl, NewUserAccount, OpenMode, Store};
use holdfast_web::WebConfig;
use reqwest::{Client, Response};
use serde_json::Value;
use sqlx::Connection;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub person_id: String,
    pub member_person_id: String,
    pub accounts: HashMap<Role, String>,
    pub process_id: String,
    pub activity_id: String,
    pub task_id: String,
    /// A run given to the member, and a task owned by them: their own records.
    pub member_activity_id: String,
    pub member_task_id: String,
    /// An interaction rule of the library.
    pub rule_id: String,
    pub evidence_id: String,
    /// A risk owned by Ada, assessed under the published 5×5 method.
    pub risk_id: String,
    /// Issue I-001, an interested party with one requirement, and scope version 1 approved
    /// by Ada (top management: she owns the management-review process).
    pub issue_id: String,
    pub party_id: String,
    pub requirement_id: String,
    /// Asset A-0001, Ada's.
    pub asset_id: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn email(role: Role) -> String {
    format!("{}@example.com", role.as_str())
}

async fn postgres_url() -> String {
    let server = std::env::var("HOLDFAST_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("HOLDFAST_TEST_POSTGRES_URL is not set: the API tests run against PostgreSQL too (bash .ci/start-postgres.sh prints how to start one)")
    });
    let name = format!("holdfast_web_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("connect to HOLDFAST_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let (base, _) = server.rsplit_once('/').expect("database in URL");
    format!("{base}/{name}")
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, WebConfig::default()).await
}

pub async fn spawn_app_with(db: Db, config: WebConfig) -> TestApp {
    let (url, dir) = match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            (
                format!("sqlite://{}", dir.path().join("web.db").display()),
                Some(dir),
            )
        }
        Db::Postgres => (postgres_url().await, None),
    };
    let store = Store::open(
        &DatabaseUrl::parse(&url).expect("url"),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    let actor = Actor::Cli("test");
    let org = store
        .create_organisation(&actor, "Example Ltd", "Europe/London")
        .await
        .expect("org");
    let person = |name: &str, email: &str, dept: &str| {
        NewPerson::parse(
            name,
            email,
            dept,
            None,
            EmploymentStatus::Active,
            "2024-02-01".parse().expect("date"),
            None,
        )
        .expect("person")
    };
    let ada = store
        .create_person(
            &actor,
            org.id,
            person("Ada Lovelace", "ada@example.com", "Engineering"),
        )
        .await
        .expect("ada");
    let mem = store
        .create_person(
            &actor,
            org.id,
            person("Max Member", "max@example.com", "Sales"),
        )
        .await
        .expect("max");
    let mut accounts = HashMap::new();
    for role in Role::ALL {
        let a = store
            .create_user_account(
                &actor,
                NewUserAccount {
                    email: EmailAddress::parse("email", &email(role)).expect("email"),
                    role,
                    person_id: match role {
                        Role::Member => Some(mem.id),
                        Role::Owner => Some(ada.id),
                        _ => None,
                    },
                    password: NewPassword::parse(PASSWORD.into()).expect("pw"),
                },
            )
            .await
            .expect("account");
        accounts.insert(role, a.id.to_string());
    }
    // The ISMS in operation: the library's processes owned by Ada, planned runs, a task and a
    // piece of evidence, so every route has a record to work on.
    let owners: HashMap<String, _> = ["Management", "HR", "IT", "Finance", "Engineering"]
        .iter()
        .map(|d| ((*d).to_owned(), ada.id))
        .collect();
    let as_of = store.as_of().await.expect("clock");
    store
        .adopt_process_library(
            &actor,
            org.id,
            &owners,
            holdfast_core::process::ProcessStatus::Active,
            as_of,
        )
        .await
        .expect("library");
    let process = store
        .list_processes()
        .await
        .expect("processes")
        .into_iter()
        .find(|p| p.key == "change-management")
        .expect("weekly");
    let mut runs = store
        .list_activities(&holdfast_store::ActivityQuery {
            process_id: Some(process.id),
            limit: 3,
            ..Default::default()
        })
        .await
        .expect("runs");
    // The third run goes to the member; the first two stay with the owner.
    let theirs = runs.pop().expect("a third run");
    let activity = runs.remove(0);
    let member_activity = store
        .assign_activity(&actor, theirs.id, theirs.version, mem.id)
        .await
        .expect("give the member a run");
    let member_task = store
        .create_task(
            &actor,
            holdfast_store::NewTask {
                title: "Read the acceptable use policy".into(),
                description: String::new(),
                process_id: Some(process.id),
                owner_id: Some(mem.id),
                due_at: chrono::Utc::now() + chrono::Duration::days(3),
                priority: "normal".into(),
                labels: vec!["security".into()],
                external_ticket: None,
                evidence_required: false,
            },
        )
        .await
        .expect("member task");
    let task = store
        .create_task(
            &actor,
            holdfast_store::NewTask {
                title: "Check the firewall rules".into(),
                description: String::new(),
                process_id: Some(process.id),
                owner_id: Some(ada.id),
                due_at: chrono::Utc::now() + chrono::Duration::days(3),
                priority: "normal".into(),
                labels: vec!["security".into()],
                external_ticket: None,
                evidence_required: true,
            },
        )
        .await
        .expect("task");
    let evidence = store
        .store_evidence(
            &actor,
            holdfast_store::NewEvidence::File {
                filename: "log.txt".into(),
                content_type: "text/plain".into(),
                content: b"change log".to_vec(),
            },
            "Change log",
        )
        .await
        .expect("evidence");
    let rule_id = store.list_rules().await.expect("rules")[0].id.to_string();
    store
        .publish_risk_method(
            &actor,
            None,
            holdfast_core::risk::MethodDraft::five_by_five()
                .validate()
                .expect("method"),
        )
        .await
        .expect("publish");
    let risk = store
        .create_risk(
            &actor,
            holdfast_core::risk::RiskFields {
                title: "Laptop stolen with customer data".into(),
                threat: "Theft".into(),
                vulnerability: "Unencrypted disks".into(),
                owner_id: Some(ada.id),
                process_id: None,
                treatment: holdfast_core::risk::Treatment::Modify,
                controls: vec!["8.1".into(), "8.24".into()],
                assets: vec![],
            },
        )
        .await
        .expect("risk");
    store
        .assess_risk(
            &actor,
            risk.id,
            risk.version,
            Some(ada.id),
            holdfast_core::risk::AssessmentInput {
                inherent: holdfast_core::risk::Rating {
                    likelihood: 4,
                    impact: 4,
                },
                current: holdfast_core::risk::Rating {
                    likelihood: 2,
                    impact: 3,
                },
                target: None,
                rationale: "Disk encryption on most laptops".into(),
                assessed_on: as_of.today,
            },
            as_of.today,
        )
        .await
        .expect("assess");
    let (issue_id, party_id, requirement_id) = context(&store, ada.id, as_of.today).await;
    let asset_id = store
        .create_asset(
            &actor,
            holdfast_core::asset::AssetFields {
                name: "Customer database".into(),
                kind: holdfast_core::asset::AssetKind::Information,
                owner_id: ada.id,
                classification: "Confidential".into(),
                location: "AWS eu-west-2".into(),
                confidentiality: 3,
                integrity: 3,
                availability: 2,
                lifecycle: holdfast_core::asset::Lifecycle::InUse,
            },
        )
        .await
        .expect("asset")
        .id
        .to_string();
    // Every control decided, and the SoA published as version 1.
    let decisions = holdfast_core::catalog::annex_a()
        .iter()
        .map(|c| {
            let excluded = c.id == "7.4";
            (
                c.id.to_owned(),
                None,
                holdfast_core::soa::DecisionInput {
                    applicable: !excluded,
                    justification: if excluded {
                        "Offices are staffed in working hours".to_owned()
                    } else {
                        format!("Needed: {}", c.title)
                    },
                    status: (!excluded).then_some(holdfast_core::soa::Status::Implemented),
                    best_practice: false,
                    owner_id: None,
                },
            )
        })
        .collect();
    store
        .decide_controls(&actor, decisions)
        .await
        .expect("decide the SoA");
    store
        .publish_soa(&actor, Some(ada.id))
        .await
        .expect("publish the SoA");
    // Checkpointed as `holdfast init` leaves a database.
    store
        .sign_checkpoint(
            &holdfast_core::checkpoint::Key::from_seed([5; 32]),
            chrono::Utc::now(),
        )
        .await
        .expect("checkpoint");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = holdfast_web::app(store.clone(), config);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    TestApp {
        addr,
        store,
        person_id: ada.id.to_string(),
        member_person_id: mem.id.to_string(),
        accounts,
        process_id: process.id.to_string(),
        activity_id: activity.id.to_string(),
        task_id: task.id.to_string(),
        member_activity_id: member_activity.id.to_string(),
        member_task_id: member_task.id.to_string(),
        rule_id,
        evidence_id: evidence.id,
        risk_id: risk.id.to_string(),
        issue_id,
        party_id,
        requirement_id,
        asset_id,
        _dir: dir,
    }
}

/// The test organisation's context: an issue, a party with a requirement, an approved scope.
async fn context(
    store: &Store,
    ada: holdfast_core::ids::PersonId,
    today: chrono::NaiveDate,
) -> (String, String, String) {
    use holdfast_core::context::{
        IssueCategory, IssueFields, IssueKind, PartyFields, PartyKind, RequirementFields,
        RequirementKind, ScopeDraft,
    };
    let actor = Actor::Cli("test");
    let review_due = today + chrono::Duration::days(180);
    let issue = store
        .create_issue(
            &actor,
            IssueFields {
                kind: IssueKind::External,
                category: IssueCategory::Threat,
                title: "Ransomware aimed at small SaaS firms".into(),
                effect: "Backups and recovery must be proven".into(),
                owner_id: Some(ada),
                review_due,
                active: true,
            },
        )
        .await
        .expect("issue");
    let party = store
        .create_party(
            &actor,
            PartyFields {
                name: "Customers".into(),
                kind: PartyKind::Customer,
                expectations: "Their data stays confidential".into(),
                owner_id: Some(ada),
                review_due,
                active: true,
            },
        )
        .await
        .expect("party");
    let requirement = store
        .add_requirement(
            &actor,
            party.id,
            RequirementFields {
                kind: RequirementKind::Contractual,
                citation: "MSA §9".into(),
                text: "Encrypt customer data at rest".into(),
                controls: vec!["8.24".into()],
                process_ids: vec![],
            },
        )
        .await
        .expect("requirement");
    let v = store
        .propose_scope(
            &actor,
            Some(ada),
            ScopeDraft {
                statement: "The Example platform and the people who run it".into(),
                entries: vec![],
            },
        )
        .await
        .expect("scope");
    store
        .approve_scope(&actor, v.number, ada, &v.sha256)
        .await
        .expect("approve");
    (
        issue.id.to_string(),
        party.id.to_string(),
        requirement.id.to_string(),
    )
}

/// The field a 4xx problem names first.
pub async fn field_of(resp: Response, status: u16) -> String {
    let p = problem(resp, status).await;
    p["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A client with its own cookie jar and, once logged in, the session's CSRF token.
pub struct Session {
    pub client: Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn anonymous(&self) -> Session {
        Session {
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            base: format!("http://{}", self.addr),
            csrf: None,
            bearer: None,
        }
    }

    pub async fn login(&self, role: Role) -> Session {
        let mut s = self.anonymous();
        let resp = s
            .post_json(
                "/api/v1/session",
                &serde_json::json!({"email": email(role), "password": PASSWORD}),
            )
            .await;
        assert_eq!(resp.status(), 201, "login as {role}");
        let body: Value = resp.json().await.expect("json");
        s.csrf = body["csrf_token"].as_str().map(str::to_owned);
        s
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
            .fetch_one(self.store.pool())
            .await
            .expect("count")
    }
}

impl Session {
    fn with_auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = match &self.csrf {
            Some(t) => rb.header("x-csrf-token", t),
            None => rb,
        };
        match &self.bearer {
            Some(b) => rb.bearer_auth(b),
            None => rb,
        }
    }

    /// Adds this session's credentials to a request.
    pub fn with_csrf(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        self.with_auth(rb)
    }

    pub async fn post_json_if(&self, path: &str, body: &Value, if_match: &str) -> Response {
        self.with_auth(
            self.client
                .post(format!("{}{path}", self.base))
                .json(body)
                .header("if-match", if_match),
        )
        .send()
        .await
        .expect("request")
    }

    /// A JSON request with any method, and `If-Match` when given.
    pub async fn json_if(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Response {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        if let Some(v) = if_match {
            rb = rb.header("if-match", v);
        }
        self.with_auth(rb).send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.with_auth(self.client.get(format!("{}{path}", self.base)))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.with_auth(self.client.post(format!("{}{path}", self.base)).json(body))
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_json(&self, path: &str, body: &Value, if_match: Option<&str>) -> Response {
        let rb = self.client.patch(format!("{}{path}", self.base)).json(body);
        let rb = match if_match {
            Some(v) => rb.header("if-match", v),
            None => rb,
        };
        self.with_auth(rb).send().await.expect("request")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        content_type: &str,
    ) -> Response {
        let rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type);
        let rb = match body {
            Some(b) => rb.body(b),
            None => rb,
        };
        self.with_auth(rb).send().await.expect("request")
    }

    /// Posts raw bytes (a CSV or XLSX table) as `content_type`.
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>, content_type: &str) -> Response {
        let rb = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        self.with_auth(rb).send().await.expect("request")
    }
}

/// An answer read off a raw connection: status, content type and body.
pub struct RawAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl TestApp {
    /// Posts `body` over a raw connection with a bearer token, writing it while reading the
    /// answer. A server must answer an oversized body before reading all of it; a client that
    /// only reads once it has sent everything sees that as a broken connection, so this one
    /// listens from the start.
    pub async fn post_oversized(
        &self,
        path: &str,
        bearer: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> RawAnswer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let (mut reader, mut writer) = stream.into_split();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {bearer}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        let sending = tokio::spawn(async move {
            // The server may stop reading and close: a failed write is expected then.
            if writer.write_all(head.as_bytes()).await.is_ok() {
                let _ = writer.write_all(&body).await;
            }
        });
        let mut raw = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(60), reader.read_to_end(&mut raw))
            .await
            .expect("an answer within a minute");
        // A reset after the answer arrived is the server closing on an unread body.
        if raw.is_empty() {
            read.expect("read the answer");
        }
        sending.abort();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = text.split_once("\r\n\r\n").expect("a complete head");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let body = if header("transfer-encoding").eq_ignore_ascii_case("chunked") {
            let mut out = String::new();
            let mut rest = rest;
            while let Some((size, tail)) = rest.split_once("\r\n") {
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                if n == 0 {
                    break;
                }
                out.push_str(&tail[..n]);
                rest = &tail[n + 2..];
            }
            out
        } else {
            rest.to_owned()
        };
        RawAnswer {
            status,
            content_type: header("content-type"),
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        }
    }

    /// A bearer token with `role`'s rights, made through the API.
    pub async fn token(&self, role: Role) -> String {
        let s = self.login(role).await;
        let created: Value = s
            .post_json("/api/v1/tokens", &serde_json::json!({"name": "raw client"}))
            .await
            .json()
            .await
            .expect("token");
        created["secret"].as_str().expect("secret").to_owned()
    }
}

/// Asserts that an answer is a 413 problem saying how much is allowed.
pub fn assert_too_large(a: &RawAnswer) {
    assert_eq!(a.status, 413, "{:?}", a.body);
    assert_eq!(a.content_type, "application/problem+json");
    assert!(
        a.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("bytes allowed")),
        "{:?}",
        a.body
    );
}

/// Asserts a problem-details response and returns its body.
pub async fn problem(resp: Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "content type");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["status"], status);
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "a message for people: {body}"
    );
    body
}

/// Defines each listed test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Db::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Db::Postgres).await;
                }
            )*
        }
    };
}

/// After a test's changes, every audited record still matches its history: the check
/// `holdfast verify` makes must never accuse Holdfast's own writes.
pub async fn history_matches(app: &TestApp) {
    let outside = app
        .store
        .rows_changed_outside()
        .await
        .expect("replay the trail");
    assert!(outside.is_empty(), "{outside:#?}");
}
