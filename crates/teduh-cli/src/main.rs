//! `teduh`: the Teduh command-line tool, over the same core as the desktop app.
//!
//! For scripting, support and headless tests. `teduh doctor` prints what a support person asks
//! first: where the data lives, which schema it has and whether the sync server answers.
//!
//! `teduh init` creates the encrypted vault; `client`, `contact`, `note`, `screening` and `export-client`
//! unlock it first with the passphrase from `TEDUH_PASSPHRASE` (for scripts) or a prompt.
//! Records are printed decrypted on purpose (this is the counselor's own tool), never logged.
//!
//! `teduh report monthly` writes the month's statistics (PDF, XLSX, CSV) from this device's data.
//!
//! `teduh join` connects the vault to a team on a sync server, `teduh sync` runs one round and
//! `teduh status` shows the binding without the passphrase (see `sync_cmd`). Errors are one line
//! on standard error; [`Failure`] carries the exit codes scripts branch on (2: offline, 3: this
//! device no longer has access).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;

mod audit_cmd;
mod breach_cmd;
mod contact_cmd;
mod org_cmd;
mod report_cmd;
mod request_cmd;
mod retention_cmd;
mod sync_cmd;
mod team_cmd;
mod vault_cmd;

/// The desktop app's allocator (see `src-tauri/src/main.rs`): `teduh sync` receives pages the
/// same way.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Teduh command-line tool.
#[derive(Debug, Parser)]
#[command(name = "teduh", version, about)]
struct Cli {
    /// Use this data directory instead of TEDUH_DATA_DIR or the platform default.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the data directory, the local schema version and whether the server answers.
    Doctor {
        /// Server to check instead of the one in the settings (also TEDUH_SERVER_URL).
        #[arg(long, env = "TEDUH_SERVER_URL")]
        server: Option<String>,
    },
    /// First run: create the encrypted vault (asks for a new passphrase twice).
    Init(vault_cmd::InitArgs),
    /// Add or list clients.
    #[command(subcommand)]
    Client(vault_cmd::ClientCmd),
    /// Log, list or convert hotline and chat contacts.
    #[command(subcommand)]
    Contact(contact_cmd::ContactCmd),
    /// Add, finalise or amend session notes.
    #[command(subcommand)]
    Note(vault_cmd::NoteCmd),
    /// Record a screening (SRQ-20, PHQ-9, GAD-7); the score is computed.
    #[command(subcommand)]
    Screening(vault_cmd::ScreeningCmd),
    /// Print everything about one client as JSON, decrypted (data subject access request).
    ExportClient {
        /// The client's code.
        code: String,
    },
    /// Join a team on a sync server: with --invitation as a new member, else as a further
    /// device of an existing member (passphrase only).
    Join(sync_cmd::JoinArgs),
    /// Exchange records with the team once (exit 2: offline, 3: access revoked).
    Sync(sync_cmd::SyncArgs),
    /// Sign this device in again to a server restored from a backup that no longer knows it
    /// (same member and device; records and unsent work stay).
    Reconnect(sync_cmd::ReconnectArgs),
    /// Show whether this computer joined a team and how its sync stands (no passphrase needed).
    Status(sync_cmd::StatusArgs),
    /// Admission by people: who waits, the safety number to read out, admitting a member.
    #[command(subcommand)]
    Team(team_cmd::TeamCmd),
    /// The organisation root key on an administrator's computer.
    #[command(subcommand)]
    Org(org_cmd::OrgCmd),
    /// Reports computed on this device: `report monthly --month YYYY-MM --format pdf|xlsx|csv
    /// --out FILE`.
    #[command(subcommand)]
    Report(report_cmd::ReportCmd),
    /// The register of data-subject requests (UU PDP, answered within 3x24 h): `request add`,
    /// `request list`, `request answer`, `request export` (the access export), `request lift`.
    #[command(subcommand)]
    Request(request_cmd::RequestCmd),
    /// The audit trail: `audit verify` checks every device's log held here (exit 4 on a
    /// break), `audit log --client CODE` shows who opened a client's data.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// The breach register (UU PDP, notices within 3x24 h): `breach add`, `breach list`,
    /// `breach notice --to persons|authority`, `breach notified`.
    #[command(subcommand)]
    Breach(breach_cmd::BreachCmd),
    /// Retention (UU PDP): `retention due` lists what outlived its period, `retention destroy`
    /// destroys it everywhere (a supervisor or admin).
    #[command(subcommand)]
    Retention(retention_cmd::RetentionCmd),
}

/// A failure with its own exit code, for the cases scripts branch on.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
    error: Option<teduh_core::error::Code>,
}

impl Failure {
    /// A failure that ends the process with `code` after printing `message`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            error: None,
        }
    }

    /// The core's code for it, printed before the message.
    pub fn coded(mut self, error: teduh_core::error::Code) -> Self {
        self.error = Some(error);
        self
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line whatever the cause says (server and OS messages included).
            let line = format!("{e:#}").replace(['\r', '\n'], " ");
            match code_of(&e) {
                Some(code) => eprintln!("teduh: error [{code}]: {line}"),
                None => eprintln!("teduh: error: {line}"),
            }
            e.downcast_ref::<Failure>()
                .map_or(ExitCode::FAILURE, |f| ExitCode::from(f.code))
        }
    }
}

/// The core's code for the first error in the chain that has one (the same codes the app
/// shows), so support can match a CLI failure with what the app says.
fn code_of(e: &anyhow::Error) -> Option<teduh_core::error::Code> {
    e.chain().find_map(|cause| {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            f.error
        } else if let Some(v) = cause.downcast_ref::<teduh_core::vault::VaultError>() {
            Some(v.code())
        } else if let Some(s) = cause.downcast_ref::<teduh_core::sync::SyncError>() {
            Some(s.code())
        } else {
            cause
                .downcast_ref::<teduh_core::store::StoreError>()
                .map(teduh_core::store::StoreError::code)
        }
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data = DataDir::resolve(cli.data_dir.as_deref())?;
    match cli.command {
        Command::Doctor { server } => doctor(&data, server),
        Command::Init(args) => vault_cmd::init(&data, &args),
        Command::Client(c) => vault_cmd::client(&data, c),
        Command::Contact(c) => contact_cmd::run(&data, c),
        Command::Note(c) => vault_cmd::note(&data, c),
        Command::Screening(c) => vault_cmd::screening(&data, c),
        Command::ExportClient { code } => vault_cmd::export_client(&data, &code),
        Command::Join(args) => sync_cmd::join(&data, &args),
        Command::Sync(args) => sync_cmd::sync(&data, &args),
        Command::Reconnect(args) => sync_cmd::reconnect(&data, &args),
        Command::Status(args) => sync_cmd::status(&data, &args),
        Command::Team(cmd) => team_cmd::run(&data, cmd),
        Command::Org(cmd) => org_cmd::run(&data, cmd),
        Command::Report(cmd) => report_cmd::run(&data, cmd),
        Command::Request(cmd) => request_cmd::run(&data, cmd),
        Command::Breach(cmd) => breach_cmd::run(&data, cmd),
        Command::Retention(cmd) => retention_cmd::run(&data, cmd),
        Command::Audit(cmd) => audit_cmd::run(&data, cmd),
    }
}

fn doctor(data: &DataDir, server: Option<String>) -> anyhow::Result<ExitCode> {
    data.ensure()?;
    println!("teduh {}", teduh_core::VERSION);
    println!("data directory: {}", data.root().display());
    let store = LocalStore::open(&data.database())
        .with_context(|| format!("while opening {}", data.database().display()))?;
    println!(
        "local schema: version {} (this build supports up to {})",
        store.schema_version()?,
        teduh_core::store::SCHEMA_VERSION
    );
    let settings = Settings::load(&data.settings())?;
    let Some(url) = server.or(settings.server_url) else {
        println!("server: none configured (this computer only)");
        return Ok(ExitCode::SUCCESS);
    };
    let client = teduh_client::ServerClient::new(&url);
    match client.version() {
        Ok(v) => {
            println!(
                "server: {url} reachable (teduh-server {}, protocol {})",
                v.version, v.protocol
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("server: {url} NOT reachable: {e}");
            // Exit non-zero so scripts can tell; the local checks above still printed.
            Ok(ExitCode::from(2))
        }
    }
}
