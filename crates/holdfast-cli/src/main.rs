//! `holdfast`: the one binary that runs and operates a Holdfast ISMS.
//!
//! This crate only translates: it parses arguments, reads configuration, calls the store
//! and the web server, and turns outcomes into output and exit codes (0 success, 1 a check
//! failed, 2 usage, I/O or database error).

mod cli;
mod commands;
mod worker;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// How a command ended, mapped to the documented exit codes.
pub enum Outcome {
    /// Everything succeeded (exit 0).
    Success,
    /// A check ran and found a problem (exit 1).
    CheckFailed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::Error::from(e)),
    };
    match runtime.block_on(run(cli)) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::from(1),
        Err(e) => fail(&e),
    }
}

async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let url = cli.database_url;
    let db = || {
        url.clone()
            .unwrap_or_else(|| "sqlite://holdfast.db".to_owned())
    };
    let key = cli
        .signing_key
        .clone()
        .unwrap_or_else(|| commands::key::default_path(&db()));
    match cli.command {
        Command::Init(args) => commands::init::run(&db(), &key, args).await,
        Command::Verify(args) => commands::verify::run(&db(), &key, args).await,
        Command::Checkpoint(args) => commands::checkpoint::run(&db(), &key, args).await,
        Command::Export(args) => commands::transfer::export(&db(), args).await,
        Command::Import(args) => commands::transfer::import(&db(), args).await,
        Command::Backup(args) => commands::backup::run(&db(), args).await,
        Command::Serve(args) => commands::serve::run(&db(), &key, args).await,
        Command::Demo(args) => {
            commands::demo::run(url.as_deref(), cli.signing_key.as_deref(), args).await
        }
        Command::Check(args) => commands::check::run(&db(), args).await,
    }
}

/// Prints an error as one line, the causes joined, without a backtrace.
fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
    ExitCode::from(2)
}

fn init_logging(cli: &Cli) {
    // One-shot commands stay quiet unless asked; the server reports what it does.
    let default = match (
        cli.verbose,
        matches!(cli.command, Command::Serve(_) | Command::Demo(_)),
    ) {
        (0, false) => "error",
        (0, true) => "info",
        (1, _) => "info,holdfast=debug",
        _ => "debug,holdfast=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
