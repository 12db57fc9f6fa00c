//! The web UI in a real headless Chromium, driven through ChromeDriver: an administrator logs
//! in, reads the dashboard, lists and searches people, opens a person and logs out; a member
//! gets 403 on the administrators' pages and closes the run given to them with evidence; a
//! manager picks a process owner by typing a name; an auditor follows a readiness finding to
//! the run and its evidence; the process map's boxes and labels, as Chromium draws them, do not
//! overlap. Every page of a journey passes axe-core with no serious or critical violation.
//! A screenshot of each page is saved under `target/browser-screenshots/`, and of the page a
//! failure happened on.
//!
//! Needs `chromium` and `chromedriver` (Debian packages chromium and chromium-driver; `.ci/run`
//! installs them) and axe-core (`HOLDFAST_AXE_JS`, which `scripts/test` fetches). Without them
//! the test fails and says so; it never skips.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{Db, PASSWORD, TestApp, email, spawn_app};
use fantoccini::{Client, ClientBuilder, Locator};
use holdfast_core::account::Role;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}): install the Debian packages chromium and chromium-driver"));
    let driver = Driver { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), serde_json::json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-quic", format!("--user-data-dir={}", profile.display())]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session through chromedriver")
}

fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
}

/// Keeps a screenshot of a page the journey passed, for people reviewing the UI, and checks
/// the page with axe-core: no serious or critical accessibility violation.
async fn save(c: &Client, name: &str) {
    let _ = std::fs::create_dir_all(screenshot_dir());
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(screenshot_dir().join(format!("{name}.png")), png);
    }
    let violations = axe(c).await;
    assert!(
        violations.is_empty(),
        "{name}: axe-core finds serious or critical violations:\n{}",
        violations.join("\n")
    );
}

/// axe-core's serious and critical violations on the current page, one line each.
async fn axe(c: &Client) -> Vec<String> {
    let path = std::env::var("HOLDFAST_AXE_JS").unwrap_or_else(|_| {
        panic!("HOLDFAST_AXE_JS must name axe.min.js (npm axe-core); bash scripts/test fetches it")
    });
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read axe-core at {path}: {e}"));
    c.execute(&source, vec![]).await.expect("inject axe-core");
    let found = c
        .execute_async(
            r"const done = arguments[0];
              axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                r.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' +
                       v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '))
              )).catch(e => done(['axe-core failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value(found).expect("a list of violations")
}

type Step = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs `steps`; on failure saves a screenshot named `name` and fails the test.
async fn run(c: &Client, name: &str, steps: impl std::future::Future<Output = Step>) {
    if let Err(e) = steps.await {
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{name}-failed.png"));
        if let Ok(png) = c.screenshot().await {
            let _ = std::fs::write(&path, png);
        }
        let url = c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        panic!(
            "{name} failed at {url}: {e}; screenshot in {}",
            path.display()
        );
    }
}

async fn log_in(c: &Client, app: &TestApp, role: Role) -> Step {
    c.goto(&app.url("/login")).await?;
    c.find(Locator::Id("email"))
        .await?
        .send_keys(&email(role))
        .await?;
    c.find(Locator::Id("password"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    c.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    c.wait().for_element(Locator::Css("nav.side")).await?;
    Ok(())
}

async fn text(c: &Client, css: &str) -> Result<String, fantoccini::error::CmdError> {
    c.wait().for_element(Locator::Css(css)).await?.text().await
}

/// The text of `css` once it contains `expected`, or what it says after ten seconds. After a
/// form post the old page can still be showing for a moment, so the first read may be stale.
async fn text_once(
    c: &Client,
    css: &str,
    expected: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let started = std::time::Instant::now();
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now.contains(expected) || started.elapsed() > std::time::Duration::from_secs(10) {
            return Ok(now);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// On *My work*: uploads `file` to run `run_id`, closes it with `comment` and checks each step
/// was confirmed. Returns what the run's section said once the evidence was attached.
async fn close_on_my_work(
    c: &Client,
    run_id: &str,
    file: &std::path::Path,
    comment: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let section_css = format!("section[aria-labelledby='run-{run_id}']");
    c.find(Locator::LinkText("My work")).await?.click().await?;
    let section = c.wait().for_element(Locator::Css(&section_css)).await?;
    section
        .find(Locator::Css("input[type=file]"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    section
        .find(Locator::Css("form[enctype] button"))
        .await?
        .click()
        .await?;
    let notice = text_once(c, "p.notice", "attached").await?;
    assert!(notice.contains("attached"), "{notice}");
    let section = c.find(Locator::Css(&section_css)).await?;
    let attached = section.text().await?;
    section
        .find(Locator::Css("input[name=comment]"))
        .await?
        .send_keys(comment)
        .await?;
    section
        .find(Locator::Css("form:not([enctype]) button"))
        .await?
        .click()
        .await?;
    assert_eq!(
        text_once(c, "p.notice", "Run closed.").await?,
        "Run closed."
    );
    Ok(attached)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_browses_people_and_a_member_is_kept_out() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = browser(&driver, profile.path()).await;

    run(&c, "admin-journey", async {
        log_in(&c, &app, Role::Admin).await?;
        let h1 = text(&c, "main h1").await?;
        assert_eq!(h1, "Example Ltd", "dashboard shows the organisation");
        save(&c, "dashboard").await;
        assert_eq!(
            text(&c, "#people-active").await?,
            "2",
            "dashboard counts come from the database"
        );
        c.find(Locator::LinkText("People")).await?.click().await?;
        assert_eq!(text(&c, "#people-total").await?, "2 people");
        let search = c.find(Locator::Id("q")).await?;
        search.send_keys("lovelace").await?;
        c.find(Locator::Css("form.filters button"))
            .await?
            .click()
            .await?;
        c.wait()
            .for_url(&url_with(&app, "/people?q=lovelace&status="))
            .await?;
        assert_eq!(text(&c, "#people-total").await?, "1 person");
        save(&c, "people-search").await;
        c.find(Locator::LinkText("Ada Lovelace"))
            .await?
            .click()
            .await?;
        assert_eq!(text(&c, "#person-name").await?, "Ada Lovelace");
        save(&c, "person").await;
        c.find(Locator::Css("header form button"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Id("password")).await?;
        assert!(c.current_url().await?.path().starts_with("/login"));
        c.goto(&app.url("/people")).await?;
        c.wait().for_element(Locator::Id("password")).await?;
        Ok(())
    })
    .await;

    run(&c, "member-forbidden", async {
        log_in(&c, &app, Role::Member).await?;
        assert!(
            c.find(Locator::LinkText("Users")).await.is_err(),
            "no link to admin pages"
        );
        c.goto(&app.url("/users")).await?;
        assert_eq!(text(&c, "main h1").await?, "Not allowed");
        let status = c
            .execute_async("fetch('/users').then(r => arguments[0](r.status))", vec![])
            .await?;
        assert_eq!(status, serde_json::json!(403));
        let status = c
            .execute_async(
                "fetch('/api/v1/people').then(r => arguments[0](r.status))",
                vec![],
            )
            .await?;
        assert_eq!(status, serde_json::json!(403));
        c.goto(&app.url("/me")).await?;
        assert_eq!(text(&c, "#my-email").await?, email(Role::Member));
        Ok(())
    })
    .await;
    let _ = c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_owner_closes_a_run_with_uploaded_evidence_and_sees_the_map() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = browser(&driver, profile.path()).await;
    let evidence = profile.path().join("change-log.txt");
    std::fs::write(&evidence, "CHG-101 firewall rule removed\n").expect("evidence file");
    let run_id = app.activity_id.clone();

    run(&c, "owner-journey", async {
        log_in(&c, &app, Role::Owner).await?;
        let attached = close_on_my_work(&c, &run_id, &evidence, "Reviewed CHG-101").await?;
        assert!(attached.contains("✓ change log"), "{attached}");
        save(&c, "my-work").await;
        assert!(
            c.find(Locator::Css(&format!(
                "section[aria-labelledby='run-{run_id}']"
            )))
            .await
            .is_err(),
            "the closed run leaves my work"
        );
        c.find(Locator::LinkText("Process map"))
            .await?
            .click()
            .await?;
        let map = c
            .wait()
            .for_element(Locator::Css("#process-map svg"))
            .await?;
        assert!(map.text().await?.contains("Access review"));
        save(&c, "process-map").await;
        // The process page shows each interaction with its SLA health.
        c.goto(&app.url(&format!("/processes/{}", app.process_id)))
            .await?;
        let health = text(&c, "#interactions").await?;
        assert!(health.contains("Health"), "{health}");
        save(&c, "process").await;
        Ok(())
    })
    .await;
    let _ = c.close().await;
    let closed = app
        .store
        .activity(run_id.parse().expect("id"))
        .await
        .expect("run");
    assert_eq!(closed.state, holdfast_core::activity::ActivityState::Done);
    assert_eq!(closed.evidence, ["change log"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_picks_an_owner_by_name_and_an_auditor_follows_a_finding_to_its_evidence() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = browser(&driver, profile.path()).await;

    run(&c, "manager-picks-owner", async {
        log_in(&c, &app, Role::Manager).await?;
        c.goto(&app.url("/processes/new")).await?;
        c.find(Locator::Id("name"))
            .await?
            .send_keys("Clean desk walk-through")
            .await?;
        c.find(Locator::Id("objective"))
            .await?
            .send_keys("Desks and screens are clear of sensitive papers.")
            .await?;
        let owner = c.find(Locator::Id("owner_email")).await?;
        owner.send_keys("Lovel").await?;
        // The picker offers the people the name matches, from the people list API.
        let option = c
            .wait()
            .for_element(Locator::Css("#owner_email-options option"))
            .await?;
        let offered = option.attr("label").await?.unwrap_or_default();
        assert!(offered.starts_with("Ada Lovelace"), "offered {offered}");
        let value = option.attr("value").await?.unwrap_or_default();
        owner.clear().await?;
        owner.send_keys(&value).await?;
        save(&c, "process-form").await;
        c.find(Locator::Css("main form button[type=submit]"))
            .await?
            .click()
            .await?;
        let facts = text_once(&c, "main", "Ada Lovelace").await?;
        assert!(facts.contains("Clean desk walk-through"), "{facts}");
        assert!(facts.contains("Ada Lovelace"), "the owner by name: {facts}");
        save(&c, "process-created").await;
        // A page that does not exist is a page in the layout with a way back.
        c.goto(&app.url("/no-such-page")).await?;
        assert_eq!(text(&c, "main h1").await?, "Page not found error 404");
        assert!(
            c.find(Locator::Css("nav.side")).await.is_ok(),
            "in the layout"
        );
        save(&c, "not-found").await;
        c.find(Locator::Css("header form button"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Id("password")).await?;
        Ok(())
    })
    .await;

    // A run with its evidence attached, left open past its due date: a month from now the
    // readiness engine cites it.
    let run_id = app.activity_id.clone();
    app.store
        .attach_evidence_to_activity(
            &holdfast_store::Actor::Cli("test"),
            run_id.parse().expect("id"),
            "change log",
            &app.evidence_id,
        )
        .await
        .expect("attach");
    let month_on = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();

    run(&c, "auditor-follows-finding", async {
        log_in(&c, &app, Role::Auditor).await?;
        assert!(
            c.find(Locator::LinkText("My work")).await.is_err(),
            "an auditor does no work"
        );
        c.goto(&app.url(&format!("/readiness?as_of={month_on}")))
            .await?;
        let finding = c
            .wait()
            .for_element(Locator::XPath(&format!(
                "//section[contains(@class,'finding')][.//a[@href='/runs/{run_id}']]"
            )))
            .await?;
        finding.find(Locator::Css("summary")).await?.click().await?;
        save(&c, "readiness").await;
        finding
            .find(Locator::Css(&format!("a[href='/runs/{run_id}']")))
            .await?
            .click()
            .await?;
        let facts = text_once(&c, "main", "Change management").await?;
        assert!(facts.contains("change log"), "{facts}");
        save(&c, "run").await;
        c.find(Locator::LinkText("change log"))
            .await?
            .click()
            .await?;
        let evidence = text_once(&c, "main", "SHA-256").await?;
        assert!(evidence.contains("SHA-256"), "{evidence}");
        assert!(evidence.contains("Change log"), "what it shows: {evidence}");
        save(&c, "evidence").await;
        // The auditor samples the risk register: from the side menu to a risk.
        c.find(Locator::LinkText("Risk register"))
            .await?
            .click()
            .await?;
        assert_eq!(text(&c, "#risks-total").await?, "1 risk");
        save(&c, "risk-register").await;
        c.find(Locator::LinkText("Laptop stolen with customer data"))
            .await?
            .click()
            .await?;
        let risk = text_once(&c, "main", "Assessments").await?;
        assert!(risk.contains("Disk encryption on most laptops"), "{risk}");
        save(&c, "risk").await;
        c.goto(&app.url("/risks/method")).await?;
        assert_eq!(text(&c, "main h1").await?, "Risk method");
        save(&c, "risk-method").await;
        // The Statement of Applicability, its published version and the file of it.
        c.find(Locator::LinkText("Statement of Applicability"))
            .await?
            .click()
            .await?;
        assert_eq!(text(&c, "main h1").await?, "Statement of Applicability");
        save(&c, "soa").await;
        c.find(Locator::LinkText("version 1")).await?.click().await?;
        let sha = text(&c, "#soa-sha256").await?;
        assert_eq!(sha.len(), 64, "{sha}");
        save(&c, "soa-version").await;
        let got = c
            .execute_async(
                "fetch('/api/v1/soa/versions/1/xlsx').then(r => arguments[0](r.status + ' ' + r.headers.get('content-disposition')))",
                vec![],
            )
            .await?;
        let got = got.as_str().unwrap_or_default().to_owned();
        assert!(
            got.starts_with("200 ") && got.contains(&format!("statement-of-applicability-v1-{}", &sha[..12])),
            "{got}"
        );
        // The context: the scope in force, the issues and parties, and the inventory.
        c.find(Locator::LinkText("Scope")).await?.click().await?;
        let scope = text(&c, "#scope-statement").await?;
        assert!(scope.contains("The Example platform"), "{scope}");
        save(&c, "scope").await;
        c.find(Locator::LinkText("Issues & parties"))
            .await?
            .click()
            .await?;
        c.find(Locator::Id("q")).await?.send_keys("ransomware").await?;
        c.find(Locator::Css("form[role=search] button"))
            .await?
            .click()
            .await?;
        let issues = text_once(&c, "#issue-register", "I-001").await?;
        assert!(issues.contains("Ransomware aimed at small SaaS firms"), "{issues}");
        save(&c, "context-register").await;
        c.find(Locator::LinkText("Assets")).await?.click().await?;
        assert_eq!(text(&c, "#assets-total").await?, "1 asset");
        save(&c, "assets").await;
        Ok(())
    })
    .await;
    let _ = c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_closes_the_run_given_to_them_and_the_map_reads_cleanly() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = browser(&driver, profile.path()).await;
    let evidence = profile.path().join("review.txt");
    std::fs::write(&evidence, "Reviewed CHG-102 and CHG-103\n").expect("evidence file");
    let run_id = app.member_activity_id.clone();

    run(&c, "member-closes-run", async {
        log_in(&c, &app, Role::Member).await?;
        save(&c, "member-dashboard").await;
        close_on_my_work(&c, &run_id, &evidence, "Reviewed both changes").await?;
        save(&c, "member-my-work").await;
        c.find(Locator::Css(&format!(
            "a[href='/tasks/{}']",
            app.member_task_id
        )))
        .await?
        .click()
        .await?;
        let task = text_once(&c, "main", "Read the acceptable use policy").await?;
        assert!(task.contains("Max Member"), "{task}");
        save(&c, "member-task").await;
        Ok(())
    })
    .await;

    run(&c, "map-reads-cleanly", async {
        c.find(Locator::Css("header form button"))
            .await?
            .click()
            .await?;
        log_in(&c, &app, Role::Manager).await?;
        c.goto(&app.url("/processes/map")).await?;
        c.wait()
            .for_element(Locator::Css("#process-map svg"))
            .await?;
        // As Chromium lays the text out: no two boxes, labels or texts share any area.
        let overlaps = c
            .execute(
                r"const boxes = [...document.querySelectorAll(
                    '#process-map a.node rect, #process-map a.edge-label rect, #process-map a.node text, #process-map a.edge-label text')]
                    .map(e => ({ what: e.tagName + ' ' + (e.textContent || e.parentNode.textContent).trim(), r: e.getBoundingClientRect(), g: e.parentNode }));
                  const out = [];
                  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                    const a = boxes[i], b = boxes[j];
                    if (a.g === b.g) continue;
                    if (a.r.left < b.r.right - 0.5 && b.r.left < a.r.right - 0.5 && a.r.top < b.r.bottom - 0.5 && b.r.top < a.r.bottom - 0.5)
                      out.push(a.what + ' / ' + b.what);
                  }
                  for (const g of document.querySelectorAll('#process-map a.node, #process-map a.edge-label')) {
                    const r = g.querySelector('rect').getBoundingClientRect(), t = g.querySelector('text').getBoundingClientRect();
                    if (t.left < r.left || t.right > r.right) out.push('text leaves its box: ' + g.textContent.trim());
                  }
                  return out;",
                vec![],
            )
            .await?;
        let overlaps: Vec<String> = serde_json::from_value(overlaps)?;
        assert!(overlaps.is_empty(), "overlapping on the map: {overlaps:?}");
        let arrows = c
            .find_all(Locator::Css("#process-map a.edge"))
            .await?
            .len();
        assert!(arrows > 5, "the library's interactions are drawn ({arrows})");
        save(&c, "map").await;
        // An arrow opens its interaction in words with its figures.
        let first = c
            .find(Locator::Css("#map-edges tbody tr"))
            .await?
            .attr("id")
            .await?
            .unwrap_or_default();
        c.goto(&app.url(&format!("/processes/map#{first}"))).await?;
        let row = text(&c, &format!("#{first}")).await?;
        assert!(!row.contains('_'), "in words: {row}");
        Ok(())
    })
    .await;
    let _ = c.close().await;
}

fn url_with(app: &TestApp, path: &str) -> url::Url {
    url::Url::parse(&app.url(path)).expect("url")
}
