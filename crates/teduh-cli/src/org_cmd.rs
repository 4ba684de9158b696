//! `teduh org`: the organisation root key on an administrator's computer. `teduh org init`
//! makes it and prints its recovery sheet; the roster her computer signs at the next
//! `teduh sync` names it and grants the team's key managers their role. From then on a
//! supervisor or an admin counts as one only with the organisation key's grant
//! (`teduh org grant`). The key never leaves her computers: `teduh org restore` brings it to
//! another from the sheet.

use std::process::ExitCode;

use clap::Subcommand;
use teduh_core::paths::DataDir;
use teduh_core::vault::OrgKeySheet;

use crate::{sync_cmd, vault_cmd};

/// `teduh org ...`.
#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Make the organisation root key on this administrator's computer and print its recovery
    /// sheet (print it and keep it locked away: whoever reads it can make herself a supervisor).
    Init,
    /// Print the recovery sheet of the organisation key this computer holds again.
    Sheet,
    /// Restore the organisation key on this administrator's computer from its recovery sheet.
    Restore {
        /// The code on the sheet (`TEDUH-ORG1-...`; spaces and dashes do not matter).
        code: String,
    },
    /// Grant a supervisor or admin of the team her key-manager role under the organisation
    /// key (at the next `teduh sync`).
    Grant {
        /// Her username.
        username: String,
    },
}

fn print_sheet(sheet: &OrgKeySheet) {
    println!("TEDUH — LEMBAR PEMULIHAN KUNCI ORGANISASI / ORGANISATION KEY RECOVERY SHEET");
    println!();
    println!("{}", sheet.recovery_code.as_str());
    println!();
    println!("sidik jari / fingerprint: {}", sheet.fingerprint);
    println!(
        "Simpan di tempat terkunci. Siapa pun yang membacanya dapat menjadikan dirinya \
         supervisor. / Keep it locked away: whoever reads it can make herself a supervisor."
    );
}

/// Runs a `teduh org` command.
pub fn run(data: &DataDir, cmd: OrgCmd) -> anyhow::Result<ExitCode> {
    let (mut v, _) = sync_cmd::joined_vault(data)?;
    vault_cmd::unlock(&mut v)?;
    match cmd {
        OrgCmd::Init => {
            let sheet = v.init_org_key()?;
            print_sheet(&sheet);
            println!("the roster this computer signs at the next `teduh sync` names it");
        }
        OrgCmd::Sheet => print_sheet(&v.org_recovery_sheet()?),
        OrgCmd::Restore { code } => {
            let fingerprint = v.restore_org_key(&code)?;
            println!("organisation key restored, fingerprint {fingerprint}");
        }
        OrgCmd::Grant { username } => {
            v.grant_key_manager(&username)?;
            println!(
                "{username}'s role is granted under the organisation key at the next `teduh sync`"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
