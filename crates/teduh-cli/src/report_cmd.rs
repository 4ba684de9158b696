//! `teduh report monthly`: the monthly statistics of this device's vault as PDF, XLSX or CSV,
//! the same file the app's dashboard saves (`teduh_report::monthly::monthly_report`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use teduh_core::paths::DataDir;
use teduh_core::report::monthly::Month;
use teduh_directory::index::DirectoryIndex;
use teduh_report::monthly::{monthly_report, Format};
use teduh_report::save::save_whole;

use crate::vault_cmd::open_unlocked;

/// `teduh report ...`.
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The month's statistics for the agencies (small counts protected).
    Monthly(MonthlyArgs),
}

/// `teduh report monthly`.
#[derive(Debug, Args)]
pub struct MonthlyArgs {
    /// The month, as YYYY-MM.
    #[arg(long)]
    month: String,
    /// pdf, xlsx or csv.
    #[arg(long, default_value = "pdf")]
    format: String,
    /// Where to write the file (an existing file is replaced).
    #[arg(long)]
    out: PathBuf,
}

/// Runs `teduh report ...`.
pub fn run(data: &DataDir, cmd: ReportCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCmd::Monthly(a) => {
            // Refuse bad arguments before asking for the passphrase.
            let month = Month::parse(&a.month)?;
            let format = Format::parse(&a.format)?;
            let mut v = open_unlocked(data)?;
            let directory = DirectoryIndex::open(&data.root().join("directory.sqlite3"))
                .context("while opening the directory (for the partners' categories)")?;
            let categories = directory.categories()?;
            let category = |id: &str| categories.get(id).map(|c| c.code().to_string());
            let (bytes, stats) =
                monthly_report(&mut v, month, format, &category, chrono::Utc::now())
                    .map_err(|e| crate::Failure::new(1, e.to_string()).coded(e.code()))?;
            let folder = a.out.parent().filter(|p| !p.as_os_str().is_empty());
            let name = a
                .out
                .file_name()
                .and_then(|n| n.to_str())
                .context("--out names a file")?;
            let saved = save_whole(folder.unwrap_or(std::path::Path::new(".")), name, &bytes)
                .map_err(|e| crate::Failure::new(1, e.to_string()).coded(e.code()))?;
            let clients = stats
                .table("clients_by_sex")
                .and_then(|t| t.total)
                .map_or_else(|| "-".into(), |s| s.text());
            println!(
                "{}: {month}, {clients} clients served, {} bytes",
                saved.display(),
                bytes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
