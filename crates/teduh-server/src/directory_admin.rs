//! `teduh-server admin directory ...`: the admin's side of the directory of services.
//!
//! The admin edits a CSV or JSON file, imports it (every problem reported with its line number;
//! nothing kept until the file is clean), and publishes: the working copy is signed as the next
//! version with the organisation's directory key and served at `GET /v1/directory`. The key
//! lives in the server's data directory (`directory-signing.key`, owner-only); devices verify
//! bundles with its public half, which `publish` and `key` print.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use teduh_directory::bundle::{public_key_hex, SignedBundle};
use teduh_directory::io::{export_csv, export_json, import_json};
use teduh_directory::model::Entry;
use teduh_directory::publish::{load_or_create_key, read_entries};

use crate::storage::{DirectoryBundle, Storage};

/// The validated file waiting to be published.
const WORKING_COPY: &str = "directory-working.json";
/// The organisation's Ed25519 directory signing key.
const SIGNING_KEY: &str = "directory-signing.key";

/// The public half of the directory signing key in `data_dir`, if the organisation has one
/// (never creates it: only publishing does).
///
/// Fails when the key file exists but cannot be read or is malformed.
pub fn published_key(data_dir: &Path) -> anyhow::Result<Option<ed25519_dalek::VerifyingKey>> {
    let path = data_dir.join(SIGNING_KEY);
    if !path.exists() {
        return Ok(None);
    }
    let (key, _) = load_or_create_key(&path)?;
    Ok(Some(key.verifying_key()))
}

/// File formats for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of entries.
    Json,
}

/// One directory command.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum DirectoryCommand {
    /// Validate a .csv or .json file and keep it as the working copy for the next publish.
    Import {
        /// The edited directory file.
        file: PathBuf,
    },
    /// Write the working copy (else the published directory, else the seed) as CSV or JSON.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sign the working copy as the next version and publish it to devices, with the national
    /// holidays and the search synonyms of this build's seed unless files replace them.
    Publish {
        /// A JSON array of holidays (`date`, `name`, `kind`: `national` or `cuti_bersama`,
        /// `source`): replaces the seed's list, e.g. to add next year's once its decree is out.
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
        /// A JSON array of synonyms (`words`, `finds`): replaces the seed's list.
        #[arg(long, value_name = "FILE")]
        synonyms: Option<PathBuf>,
    },
    /// Print the organisation's directory key (devices need it in Settings).
    Key,
}

/// Runs one directory command against the storage and the server's data directory.
///
/// Fails with every validation problem of an imported file, or when the data directory or the
/// storage cannot be used.
pub async fn run(
    storage: &dyn Storage,
    data_dir: &Path,
    cmd: DirectoryCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let working = data_dir.join(WORKING_COPY);
    match cmd {
        DirectoryCommand::Import { file } => {
            let entries = read_entries(&file)?;
            let json = export_json(&entries);
            let tmp = working.with_extension("json.tmp");
            std::fs::write(&tmp, json)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &working)
                .with_context(|| format!("cannot write {}", working.display()))?;
            writeln!(
                out,
                "{} entries imported; run `teduh-server admin directory publish` to send them to devices",
                entries.len()
            )?;
        }
        DirectoryCommand::Export { format, out: file } => {
            let entries = current_entries(storage, data_dir).await?;
            let text = match format {
                Format::Csv => export_csv(&entries).context("cannot write CSV")?,
                Format::Json => export_json(&entries),
            };
            match file {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        DirectoryCommand::Publish { holidays, synonyms } => {
            let text = std::fs::read_to_string(&working).with_context(|| {
                "nothing to publish: import a file first (teduh-server admin directory import FILE)"
            })?;
            let entries = import_json(&text)?;
            let seed = teduh_directory::seed::seed_bundle();
            let holidays = match holidays {
                Some(file) => Some(teduh_directory::publish::read_holidays(&file)?),
                None => seed.holidays,
            };
            let synonyms = match synonyms {
                Some(file) => Some(teduh_directory::publish::read_synonyms(&file)?),
                None => seed.synonyms,
            };
            let (key, created) = load_or_create_key(&data_dir.join(SIGNING_KEY))?;
            let previous = storage.latest_directory().await?.map(|b| b.version);
            let signed = teduh_directory::publish::sign_next_with(
                entries,
                synonyms,
                holidays,
                &key,
                previous,
                chrono::Utc::now(),
            )?;
            let bytes = serde_json::to_vec(&signed)?;
            let version = previous.map_or(2, |v| v.max(1) + 1);
            storage
                .publish_directory(
                    DirectoryBundle {
                        version,
                        sha256: crate::auth::sha256(&bytes),
                        bundle: bytes,
                    },
                    chrono::Utc::now().timestamp(),
                )
                .await
                .context("cannot publish the directory")?;
            writeln!(out, "directory version {version} published")?;
            if created {
                writeln!(
                    out,
                    "a new directory signing key was created in {}",
                    data_dir.display()
                )?;
            }
            writeln!(
                out,
                "directory key (enter it on each device, Settings): {}",
                public_key_hex(&key.verifying_key())
            )?;
        }
        DirectoryCommand::Key => {
            let (key, _) = load_or_create_key(&data_dir.join(SIGNING_KEY))?;
            writeln!(out, "{}", public_key_hex(&key.verifying_key()))?;
        }
    }
    Ok(())
}

/// The working copy, else the newest published bundle, else the seed shipped with the app.
async fn current_entries(storage: &dyn Storage, data_dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let working = data_dir.join(WORKING_COPY);
    if working.exists() {
        let text = std::fs::read_to_string(&working)?;
        return Ok(import_json(&text)?);
    }
    if let Some(published) = storage.latest_directory().await? {
        let signed: SignedBundle = serde_json::from_slice(&published.bundle)
            .context("the published directory is not a signed bundle")?;
        let bundle: teduh_directory::bundle::Bundle = serde_json::from_str(&signed.payload)
            .context("the published directory cannot be read")?;
        return Ok(bundle.entries);
    }
    Ok(teduh_directory::seed::seed_bundle().entries)
}
