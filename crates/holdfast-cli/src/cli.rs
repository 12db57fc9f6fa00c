//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Holdfast: an information security management system that runs.
///
/// Exit status: 0 success, 1 a check failed, 2 usage, I/O or database error.
#[derive(Debug, Parser)]
#[command(name = "holdfast", version)]
pub struct Cli {
    /// Database to use: sqlite://PATH (embedded) or postgres://USER:PASSWORD@HOST/DATABASE.
    #[arg(
        long,
        global = true,
        env = "HOLDFAST_DATABASE_URL",
        default_value = "sqlite://holdfast.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// More log output on stderr (-v, -vv). RUST_LOG overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema and the first administrator.
    Init(InitArgs),
    /// Recompute the audit trail's hash chain; exit 1 naming the first broken event.
    Verify,
    /// Write the whole database to one JSON document.
    Export(ExportArgs),
    /// Restore a JSON export into an empty database, all or nothing.
    Import(ImportArgs),
    /// Copy a live SQLite database consistently (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
    /// Serve the web application and API.
    Serve(ServeArgs),
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Login email of the first administrator.
    #[arg(long, env = "HOLDFAST_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// Password of the first administrator, at least 12 characters. Prefer the environment
    /// variable or the prompt: command lines are visible to other users of the machine.
    #[arg(long, env = "HOLDFAST_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Name of the organisation whose ISMS this is.
    #[arg(long, default_value = "My organisation")]
    pub organisation: String,
    /// IANA time zone the ISMS is run in; cadences and due dates use it.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// File to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export document to restore.
    pub file: PathBuf,
}

/// Arguments of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// File to write the copy to.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HOLDFAST_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
}
