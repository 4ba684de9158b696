//! `teduh`: the Teduh command-line tool, over the same core as the desktop app.
//!
//! For scripting, support and headless tests. `teduh doctor` prints what a support person asks
//! first: where the data lives, which schema it has and whether the sync server answers.
//!
//! `teduh init` creates the encrypted vault; `client`, `note`, `screening` and `export-client`
//! unlock it first with the passphrase from `TEDUH_PASSPHRASE` (for scripts) or a prompt.
//! Records are printed decrypted on purpose (this is the counselor's own tool), never logged.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;

mod vault_cmd;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("teduh: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data = DataDir::resolve(cli.data_dir.as_deref())?;
    match cli.command {
        Command::Doctor { server } => doctor(&data, server),
        Command::Init(args) => vault_cmd::init(&data, &args),
        Command::Client(c) => vault_cmd::client(&data, c),
        Command::Note(c) => vault_cmd::note(&data, c),
        Command::Screening(c) => vault_cmd::screening(&data, c),
        Command::ExportClient { code } => vault_cmd::export_client(&data, &code),
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
