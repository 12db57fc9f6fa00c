//! `holdfast init`: schema and first administrator.

use std::io::IsTerminal;

use anyhow::{Context, bail};
use holdfast_core::account::{NewPassword, Role};
use holdfast_core::person::EmailAddress;
use holdfast_store::{Actor, NewUserAccount, OpenMode};

use crate::Outcome;
use crate::cli::InitArgs;

const ACTOR: Actor = Actor::Cli("init");

pub async fn run(db: &str, args: InitArgs) -> anyhow::Result<Outcome> {
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
    store.close().await;
    Ok(Outcome::Success)
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
