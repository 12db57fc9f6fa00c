//! `holdfast init`: schema and first administrator.

use std::io::IsTerminal;

use anyhow::{Context, bail};
use holdfast_core::account::{NewPassword, Role};
use holdfast_core::person::EmailAddress;
use holdfast_store::{Actor, NewUserAccount, OpenMode};

use crate::Outcome;
use crate::cli::InitArgs;

const ACTOR: Actor = Actor::Cli("init");

pub async fn run(db: &str, key_path: &std::path::Path, args: InitArgs) -> anyhow::Result<Outcome> {
    // Validate everything the operator typed before touching the database.
    let email = match args.admin_email {
        Some(e) => e,
        None => prompt("Administrator email: ", false)?,
    };
    let email = EmailAddress::parse("admin email", &email)?;
    let password = match args.admin_password {
        Some(p) => p,
        None => {
            let p = prompt("Administrator password (at least 12 characters): ", true)?;
            if prompt("Repeat the password: ", true)? != p {
                bail!("the two passwords differ");
            }
            p
        }
    };
    let password = NewPassword::parse(password)?;

    let store = crate::commands::open(db, OpenMode::CreateIfMissing).await?;
    let org = match store.organisation().await? {
        Some(org) => org,
        None => {
            store
                .create_organisation(&ACTOR, &args.organisation, &args.time_zone)
                .await?
        }
    };
    if store.count_user_accounts(Role::Admin).await? > 0 {
        println!(
            "Database schema is up to date; {} already has an administrator.",
            org.name
        );
    } else {
        let account = store
            .create_user_account(
                &ACTOR,
                NewUserAccount {
                    email,
                    role: Role::Admin,
                    person_id: None,
                    password,
                },
            )
            .await?;
        println!(
            "Initialised Holdfast for {}. Administrator: {}",
            org.name, account.email
        );
    }
    offer_library(&store, org.id, args.process_library).await?;
    checkpoint(&store, key_path).await?;
    store.close().await;
    Ok(Outcome::Success)
}

/// Creates the checkpoint signing key when there is none, registers it and signs the first
/// checkpoint, so that even the deletion of every event from now on is caught.
async fn checkpoint(
    store: &holdfast_store::Store,
    key_path: &std::path::Path,
) -> anyhow::Result<()> {
    let (key, created) = crate::commands::key::load_or_create(key_path)?;
    store.register_signing_key(&key).await?;
    store
        .sign_checkpoint(&key, holdfast_store::clock::now())
        .await?;
    if created {
        println!(
            "Checkpoint signing key created at {} (keep it outside the database and back it up). Public key: {}",
            key_path.display(),
            key.public_hex()
        );
    }
    Ok(())
}

/// Adopts the default process library as drafts when asked to (by flag, or at a terminal),
/// once: an ISMS that already defines processes is left as it is.
async fn offer_library(
    store: &holdfast_store::Store,
    org: holdfast_core::ids::OrganisationId,
    asked: bool,
) -> anyhow::Result<()> {
    if !store.list_processes().await?.is_empty() {
        return Ok(());
    }
    let count = holdfast_core::library::processes().len();
    let wanted = asked
        || (std::io::stdin().is_terminal()
            && !prompt(
                &format!("Adopt the default library of {count} ISMS processes as drafts? [Y/n] "),
                false,
            )?
            .trim()
            .to_lowercase()
            .starts_with('n'));
    if !wanted {
        println!(
            "No processes yet: run init again with --process-library to adopt the default library."
        );
        return Ok(());
    }
    let as_of = store.as_of().await?;
    let adopted = store
        .adopt_process_library(
            &ACTOR,
            org,
            &std::collections::HashMap::new(),
            holdfast_core::process::ProcessStatus::Draft,
            as_of,
        )
        .await?;
    println!(
        "Adopted {adopted} draft processes with their interactions: give each an owner and activate it."
    );
    Ok(())
}

fn prompt(label: &str, secret: bool) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "no administrator {} given: pass --admin-email and set HOLDFAST_ADMIN_PASSWORD, or run init in a terminal to be asked",
            if secret { "password" } else { "email" }
        );
    }
    if secret {
        rpassword::prompt_password(label).context("cannot read the password")
    } else {
        eprint!("{label}");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the email")?;
        Ok(line.trim().to_owned())
    }
}
