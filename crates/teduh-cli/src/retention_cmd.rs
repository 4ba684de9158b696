//! `teduh retention due|destroy`: what outlived the organisation's retention periods (UU PDP
//! Ps 43-44; issue 26), and its destruction as an erasure a key manager approves.

use std::process::ExitCode;

use clap::Subcommand;
use teduh_core::ids::EntityId;
use teduh_core::paths::DataDir;
use teduh_core::team::processing::RecordClass;

use crate::org_cmd::parse_class;
use crate::vault_cmd::open_unlocked;

/// `teduh retention ...`.
#[derive(Debug, Subcommand)]
pub enum RetentionCmd {
    /// List what outlived its retention period on this computer (nothing is destroyed).
    Due,
    /// Destroy what `due` listed, on every device of the team and the server (a supervisor or
    /// admin): the given ids, or with --all everything due of the class.
    Destroy {
        /// closed-cases, contacts or drafts.
        #[arg(long)]
        class: String,
        /// Every item of the class that is due.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// The ids `due` printed.
        ids: Vec<EntityId>,
    },
}

/// Runs `teduh retention ...`.
pub fn run(data: &DataDir, cmd: RetentionCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        RetentionCmd::Due => {
            let mut v = open_unlocked(data)?;
            let check = v.retention_check()?;
            let r = &check.retention;
            println!(
                "retention: closed cases {} days, contacts {} days, drafts {} days; {} item(s) due",
                r.closed_case_days,
                r.contact_days,
                r.draft_days,
                check.due.len()
            );
            for d in &check.due {
                println!(
                    "{}  {}  {}  since {}, due {}",
                    class_name(d.class),
                    d.id,
                    d.subject.code,
                    d.since.format("%Y-%m-%d"),
                    d.due_on
                );
            }
        }
        RetentionCmd::Destroy { class, all, ids } => {
            let class = parse_class(&class)?;
            anyhow::ensure!(
                all || !ids.is_empty(),
                "name the ids `teduh retention due` printed, or --all"
            );
            let mut v = open_unlocked(data)?;
            let chosen: Vec<EntityId> = if all {
                v.retention_check()?
                    .due
                    .iter()
                    .filter(|d| d.class == class)
                    .map(|d| d.id)
                    .collect()
            } else {
                ids
            };
            anyhow::ensure!(
                !chosen.is_empty(),
                "nothing of {} is due",
                class_name(class)
            );
            let erasures = v.approve_retention(class, &chosen)?;
            println!(
                "{} item(s) of {} destroyed on this computer ({} erasure(s)); every device of the \
                 team shreds them at its next sync and confirms (`teduh client erasures`)",
                chosen.len(),
                class_name(class),
                erasures.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The class as the command line names it.
fn class_name(class: RecordClass) -> &'static str {
    match class {
        RecordClass::ClosedCases => "closed-cases",
        RecordClass::Contacts => "contacts",
        RecordClass::Drafts => "drafts",
    }
}
