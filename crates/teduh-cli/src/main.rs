//! `teduh`: the Teduh command-line tool, over the same core as the desktop app.
//!
//! For scripting, support and headless tests. `teduh doctor` prints what a support person asks
//! first: where the data lives, which schema it has and whether the sync server answers.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;

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
