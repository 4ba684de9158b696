//! `teduh audit verify|log`: the audit trail of who opened, exported or printed a client's data
//! (issue 25), and a check of every device's log this device holds.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use teduh_core::paths::DataDir;
use teduh_core::vault::ChainBreak;

use crate::vault_cmd::open_unlocked;

/// `teduh audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check every device's log held here: gaps, altered or reordered records, records
    /// replaced (exit 4 when one is broken), and devices that stopped sending (reported).
    Verify,
    /// Who opened, exported or printed a client's data, newest first (a supervisor's).
    Log(LogArgs),
}

/// `teduh audit log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The client's code.
    #[arg(long)]
    client: String,
}

/// Runs `teduh audit ...`.
pub fn run(data: &DataDir, cmd: AuditCmd) -> anyhow::Result<ExitCode> {
    let mut v = open_unlocked(data)?;
    match cmd {
        AuditCmd::Verify => {
            let chains = v.verify_logs(chrono::Utc::now())?;
            // A silent device is reported (it may have stopped sending its trail, or its
            // owner is on leave); only a broken chain fails the check (`is_silence`).
            let mut broken = 0;
            for c in &chains {
                let who = c.username.as_deref().unwrap_or("this device or unlisted");
                let last = c.last_at.map(|t| t.to_rfc3339()).unwrap_or_default();
                let breaks = c
                    .breaks
                    .iter()
                    .filter(|b| !matches!(b, ChainBreak::Silent { .. }));
                let state = match (breaks.count(), c.breaks.len()) {
                    (0, 0) => "ok",
                    (0, _) => "SILENT",
                    _ => "BROKEN",
                };
                let revoked = if c.revoked { ", revoked" } else { "" };
                println!(
                    "{} ({who}{revoked}): {} records, last {last}: {state}",
                    c.device, c.records
                );
                for b in &c.breaks {
                    if !b.is_silence() {
                        broken += 1;
                    }
                    println!("  {}", describe(b));
                }
            }
            if broken > 0 {
                println!(
                    "{broken} break(s) in {} log(s)",
                    chains
                        .iter()
                        .filter(|c| c
                            .breaks
                            .iter()
                            .any(|b| !matches!(b, ChainBreak::Silent { .. })))
                        .count()
                );
                return Ok(ExitCode::from(4));
            }
            println!("{} log(s) checked: every chain holds", chains.len());
        }
        AuditCmd::Log(a) => {
            let client = v.client_by_code(&a.client)?;
            let log = v.access_log(client)?;
            println!("{} entr(ies)", log.len());
            for e in log {
                let action = serde_json::to_value(e.action)?;
                println!(
                    "{}  {}  {}",
                    e.at.to_rfc3339(),
                    e.username.as_deref().unwrap_or("this device's member"),
                    action.as_str().unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(b: &ChainBreak) -> String {
    match b {
        ChainBreak::Missing { from, to } if from == to => {
            format!("record {from} is missing (deleted?)")
        }
        ChainBreak::Missing { from, to } => {
            format!("records {from} to {to} are missing (deleted?)")
        }
        ChainBreak::BadSignature { seq } => {
            format!("record {seq} does not verify (altered or moved)")
        }
        ChainBreak::Replaced { seq } => {
            format!("record {seq} is not the one chained when it arrived")
        }
        ChainBreak::Silent { since } => {
            format!("nothing from this device since {}", since.to_rfc3339())
        }
    }
}
