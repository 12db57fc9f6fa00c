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
    /// Default: sqlite://holdfast.db (for demo: a new temporary file).
    #[arg(
        long,
        global = true,
        env = "HOLDFAST_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// The file holding the key that signs audit-trail checkpoints, outside the database.
    /// Default: beside an SQLite database (PATH.signing-key), or holdfast-signing.key.
    #[arg(long, global = true, env = "HOLDFAST_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

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
    /// Check the audit trail: its hash chain, signed checkpoints, append-only triggers, that
    /// every audited record matches its history, and every evidence file its hash; exit 1
    /// naming each problem.
    Verify(VerifyArgs),
    /// Sign a checkpoint of the audit trail now, and copy the checkpoints out as a witness.
    Checkpoint(CheckpointArgs),
    /// Write the whole database to one JSON document.
    Export(ExportArgs),
    /// Restore a JSON export into an empty database, all or nothing.
    Import(ImportArgs),
    /// Copy a live SQLite database consistently (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
    /// Serve the web application and API.
    Serve(ServeArgs),
    /// Create a sample organisation in a fresh database, print logins, and serve it.
    Demo(DemoArgs),
    /// Run the readiness engine: what a certification auditor would write up.
    Check(CheckArgs),
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Text,
    /// For programs.
    Json,
    /// For CI systems.
    Junit,
}

/// The lowest severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FailOn {
    /// Minor or major nonconformities.
    Minor,
    /// Major nonconformities only.
    Major,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value = "major")]
    pub fail_on: FailOn,
    /// Judge as of the end of this day (YYYY-MM-DD) in the organisation's time zone, such
    /// as the audit day; records closed later count as still open then. Default: now.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Months of the audit period every look-back is bounded by (1 to 36).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=36))]
    pub period_months: u32,
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("{s:?} must start with https:// or http://"))?;
    let host = rest.trim_end_matches('/');
    if host.is_empty()
        || host.contains(['/', '?', '#', '@'])
        || host.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(format!(
            "{s:?} must be a scheme and host only, such as https://isms.example.com"
        ));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date; write it as YYYY-MM-DD, such as 2026-12-01"))
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
    /// Adopt the default process library (catalog/processes.json) as draft processes with
    /// their interactions, to give owners and activate. Asked at a terminal when not given.
    #[arg(long)]
    pub process_library: bool,
}

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Checkpoints copied out earlier (`holdfast checkpoint --out`): each must still be in
    /// the database, unchanged, under the same key.
    #[arg(long, value_name = "FILE")]
    pub witness: Option<PathBuf>,
}

/// Arguments of `checkpoint`.
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Write every checkpoint and the public key to this file, to keep somewhere the
    /// database's administrators cannot write.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// File to write.
    #[arg(long, required_unless_present = "audit_pack")]
    pub out: Option<PathBuf>,
    /// Write instead an audit pack for an external auditor: the trail, its checkpoints and
    /// the public key, which scripts/verify-audit-pack.py checks without Holdfast.
    #[arg(long, value_name = "FILE", conflicts_with = "out")]
    pub audit_pack: Option<PathBuf>,
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
    /// Mark cookies Secure and send Strict-Transport-Security: set this when Holdfast is
    /// reached over HTTPS.
    #[arg(long, env = "HOLDFAST_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The address people reach Holdfast at, such as https://isms.example.com; the base of
    /// the addresses Holdfast hands out (calendar feeds). Default: http://LISTEN.
    #[arg(long, env = "HOLDFAST_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Mail server for reminders and escalations, smtp://HOST:PORT. Without it notifications
    /// are recorded and shown in the app only.
    #[arg(long, env = "HOLDFAST_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of notifications.
    #[arg(long, env = "HOLDFAST_SMTP_FROM", default_value = "holdfast@localhost")]
    pub smtp_from: String,
    /// Seconds between runs of the background worker (planning, dispatch, reminders).
    #[arg(long, env = "HOLDFAST_WORKER_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub worker_interval: u64,
    /// Days ahead the scheduler plans runs.
    #[arg(long, env = "HOLDFAST_PLANNING_HORIZON", default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=730))]
    pub planning_horizon: i64,
}

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// How many people the sample organisation has (up to 100,000).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(7..=100_000))]
    pub people: u32,
    /// Seed for the generated data and passwords: the same seed gives the same demo.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Create the data and print the logins, but do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Days of past runs the sample ISMS has (its processes were adopted that long ago).
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(i64).range(60..=1100))]
    pub history_days: i64,
}
