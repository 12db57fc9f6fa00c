//! `holdfast demo`: a sample organisation in a fresh database, served at once.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, bail};
use holdfast_core::account::{NewPassword, Role};
use holdfast_core::demo::{SplitMix64, organisation};
use holdfast_core::organisation::LocationKind;
use holdfast_core::person::{EmailAddress, NewPerson};
use holdfast_store::{Actor, NewUserAccount, OpenMode};

use crate::Outcome;
use crate::cli::DemoArgs;

const ACTOR: Actor = Actor::System("demo");
const DOMAIN: &str = "northwind.example";

pub async fn run(
    db: Option<&str>,
    key_path: Option<&std::path::Path>,
    args: DemoArgs,
) -> anyhow::Result<Outcome> {
    // Without a URL the demo lives in a temporary folder that goes away when it stops.
    let temp = match db {
        Some(_) => None,
        None => Some(
            tempfile::tempdir()
                .context("cannot create a temporary folder for the demo database")?,
        ),
    };
    let url = match (db, &temp) {
        (Some(u), _) => u.to_owned(),
        (None, Some(dir)) => format!("sqlite://{}", dir.path().join("holdfast-demo.db").display()),
        (None, None) => bail!("no database"),
    };
    let store = crate::commands::open(&url, OpenMode::CreateIfMissing).await?;
    if store.organisation().await?.is_some() {
        bail!(
            "the demo needs an empty database, and {url} already holds an organisation; leave out --database-url to use a temporary one"
        );
    }
    let seed = args.seed.unwrap_or_else(random_seed);
    let mut rng = SplitMix64::new(seed ^ 0x5eed);
    let org = store
        .create_organisation(&ACTOR, "Northwind Analytics Ltd", "Europe/London")
        .await?;
    let clock = store.as_of().await?;
    let today = clock.today;
    for (name, kind) in [
        ("London office", LocationKind::Office),
        ("Home working", LocationKind::HomeWorking),
        ("Cloud platform (AWS eu-west-2)", LocationKind::Cloud),
    ] {
        store.create_location(&ACTOR, org.id, name, kind).await?;
    }

    let generated = organisation(args.people as usize, seed, today, DOMAIN);
    eprint!("Creating {} people", generated.len());
    // Managers precede their reports: a batch is written whenever the next person's
    // manager is not stored yet, or it reaches 5,000 people.
    let mut ids = Vec::with_capacity(generated.len());
    let mut batch = Vec::new();
    for p in &generated {
        if batch.len() >= 5_000 || p.manager.is_some_and(|m| m >= ids.len()) {
            let stored = store
                .create_people(&ACTOR, org.id, std::mem::take(&mut batch))
                .await?;
            ids.extend(stored.iter().map(|p| p.id));
            eprint!(".");
            let _ = std::io::stderr().flush();
        }
        let manager = p.manager.map(|m| ids[m]);
        batch.push(
            NewPerson::parse(
                &p.name,
                &p.email,
                p.department,
                manager,
                p.status,
                p.start_date,
                p.end_date,
            )
            .map_err(|e| anyhow::anyhow!("generated person {}: {e}", p.email))?,
        );
    }
    let stored = store.create_people(&ACTOR, org.id, batch).await?;
    ids.extend(stored.iter().map(|p| p.id));
    eprintln!(" done");

    // One login per role, each linked to a fitting person.
    let by_department: HashMap<&str, usize> = generated
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, p)| p.status == holdfast_core::person::EmploymentStatus::Active)
        .map(|(i, p)| (p.department, i))
        .collect();
    let logins = [
        (Role::Admin, "admin", Some(0)),
        (
            Role::Manager,
            "ciso",
            by_department.get("Management").copied(),
        ),
        (Role::Owner, "it.owner", by_department.get("IT").copied()),
        (Role::Auditor, "auditor", None),
        (
            Role::Member,
            "member",
            by_department.get("Engineering").copied(),
        ),
    ];
    let mut printed = Vec::new();
    for (role, local, person) in logins {
        let email = EmailAddress::parse("email", &format!("{local}@{DOMAIN}"))?;
        let password = password(&mut rng);
        store
            .create_user_account(
                &ACTOR,
                NewUserAccount {
                    email: email.clone(),
                    role,
                    person_id: person.map(|i| ids[i]),
                    password: NewPassword::parse(password.clone())?,
                },
            )
            .await?;
        printed.push((role, email, password));
    }

    let seeded = super::demo_processes::seed(
        &store,
        org.id,
        &generated,
        &ids,
        clock.now,
        args.history_days,
    )
    .await?;
    let inventory = super::demo_assets::seed(&store, &generated).await?;
    let assets = inventory.len();
    let risks = super::demo_risks::seed(&store, &generated, &ids, &inventory, clock).await?;
    let context = super::demo_context::seed(&store, &generated, &ids, clock).await?;
    let soa = super::demo_soa::seed(&store, ids[0]).await?;

    // With --no-serve nothing listens, so nothing is bound.
    let listener = match args.no_serve {
        true => None,
        false => Some(crate::commands::serve::bind(&args.serve.listen).await?),
    };
    let addr = match &listener {
        Some(l) => l.local_addr()?.to_string(),
        None => args.serve.listen.clone(),
    };
    println!(
        "Holdfast demo: {} with {} people",
        org.name,
        generated.len()
    );
    println!(
        "ISMS: {} processes running with {} past runs; {} left three days ago",
        seeded.processes, seeded.runs, seeded.leaver
    );
    println!(
        "Context: {} issues, {} interested parties with their requirements; scope version {} approved by the chief executive; {assets} assets in the inventory",
        context.issues, context.parties, context.scope
    );
    println!(
        "Risk register: {risks} risks under the published 5×5 method; Statement of Applicability version {soa} with all 93 controls"
    );
    // The demo's trail is checkpointed like any other, with a key beside its database.
    let key_path = key_path.map_or_else(|| crate::commands::key::default_path(&url), Into::into);
    let (key, _) = crate::commands::key::load_or_create(&key_path)?;
    store.register_signing_key(&key).await?;
    println!("Database: {url} (checkpoint key {})", key_path.display());
    println!("Open http://{addr}/ and log in as one of:");
    for (role, email, password) in &printed {
        println!("  {:<8} {:<28} {password}", role.as_str(), email.as_str());
    }
    let _ = std::io::stdout().flush();
    let Some(listener) = listener else {
        store.close().await;
        return Ok(Outcome::Success);
    };
    let outcome = crate::commands::serve::serve(store, &args.serve, listener, Some(key)).await;
    drop(temp);
    outcome
}

fn random_seed() -> u64 {
    // The demo's passwords must not be guessable when no seed is given.
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return u64::from(std::process::id()) ^ 0x9e37_79b9;
    }
    u64::from_le_bytes(bytes)
}

fn password(rng: &mut SplitMix64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| char::from(ALPHABET[rng.below(ALPHABET.len())]))
        .collect()
}
