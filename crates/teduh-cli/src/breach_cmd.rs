//! `teduh breach add|list|notice|notified`: the breach register (UU PDP Ps 46; issue 26), the
//! notices to the people concerned and to the authority, and when they were given.

use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, Utc};
use clap::{Args, Subcommand};
use teduh_core::breach::{Breach, DataCategory, Recipient};
use teduh_core::ids::BreachId;
use teduh_core::paths::DataDir;
use teduh_core::vault::{BreachView, Vault};
use teduh_report::breach::breach_notice;
use teduh_report::printed::local_time;
use teduh_report::save::save_whole;

use crate::request_cmd::time_left;
use crate::vault_cmd::{open_unlocked, parse_enum};

/// `teduh breach ...`.
#[derive(Debug, Subcommand)]
pub enum BreachCmd {
    /// Register an incident; prints its id and when the notices are due.
    Add(AddArgs),
    /// Every incident, the most recently known first, with where its notices stand.
    List,
    /// Write the notice of an incident to the people concerned or to the authority (PDF in
    /// --out, text on standard output).
    Notice {
        /// The incident's id (as `list` prints it).
        id: BreachId,
        /// persons or authority.
        #[arg(long)]
        to: String,
        /// The folder to write the PDF in.
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
    /// Record when a notice was given (once per recipient; a supervisor or admin).
    Notified {
        /// The incident's id.
        id: BreachId,
        /// persons or authority.
        #[arg(long)]
        to: String,
        /// When it was given (RFC 3339); default: now.
        #[arg(long)]
        at: Option<DateTime<FixedOffset>>,
    },
}

/// `teduh breach add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// When the organisation became aware of it (RFC 3339): the 3x24 h run from here.
    #[arg(long)]
    aware: DateTime<FixedOffset>,
    /// When it happened, if known (RFC 3339).
    #[arg(long)]
    occurred: Option<DateTime<FixedOffset>>,
    /// What happened and how the data was exposed.
    #[arg(long)]
    what: String,
    /// A kind of data exposed (repeatable): identity, contact_details, mental_health,
    /// children, hotline_contacts, other.
    #[arg(long = "category", required = true)]
    categories: Vec<String>,
    /// A client concerned, by code (repeatable).
    #[arg(long = "client")]
    clients: Vec<String>,
    /// How many people are concerned (at least the clients listed).
    #[arg(long)]
    people: Option<u32>,
    /// What was done and will be done to handle it and recover.
    #[arg(long, default_value = "")]
    measures: String,
    /// Whom people can ask about it.
    #[arg(long, default_value = "")]
    contact: String,
}

/// Runs `teduh breach ...`.
pub fn run(data: &DataDir, cmd: BreachCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        BreachCmd::Add(a) => {
            // Refuse bad arguments before asking for the passphrase.
            let categories = a
                .categories
                .iter()
                .map(|c| parse_enum::<DataCategory>("--category", c))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let people = a
                .people
                .unwrap_or(u32::try_from(a.clients.len()).unwrap_or(u32::MAX));
            let breach = Breach {
                aware_at: Some(a.aware.with_timezone(&Utc)),
                occurred_at: a.occurred.map(|o| o.with_timezone(&Utc)),
                what_happened: a.what,
                categories,
                clients: a.clients,
                people,
                measures: a.measures,
                contact: a.contact,
            };
            let mut v = open_unlocked(data)?;
            let id = v.add_breach(&breach)?;
            let stored = v.breach(id)?;
            print_breach(&v, &stored)?;
        }
        BreachCmd::List => {
            let mut v = open_unlocked(data)?;
            let all = v.breaches()?;
            println!("{} incident(s)", all.len());
            for b in &all {
                print_breach(&v, b)?;
            }
        }
        BreachCmd::Notice { id, to, out } => {
            let to = parse_enum::<Recipient>("--to", &to)?;
            let mut v = open_unlocked(data)?;
            let (pdf, text, name) = breach_notice(&mut v, id, to, Utc::now())?;
            let path = save_whole(&out, &name, &pdf)?;
            println!("written: {}", path.display());
            println!("{text}");
        }
        BreachCmd::Notified { id, to, at } => {
            let to = parse_enum::<Recipient>("--to", &to)?;
            let at = at.map_or_else(Utc::now, |t| t.with_timezone(&Utc));
            let mut v = open_unlocked(data)?;
            v.record_breach_notice(id, to, at)?;
            let stored = v.breach(id)?;
            print_breach(&v, &stored)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per incident: id, when known, when due, where it stands, the time left, and which
/// notices were given, in the team's zone.
fn print_breach(v: &Vault, b: &BreachView) -> anyhow::Result<()> {
    let zone = v.team_zone()?;
    let local = |t: DateTime<Utc>| local_time(t, zone);
    let time_left = time_left(b.is_open(), b.minutes_left);
    let notice = |at: Option<DateTime<Utc>>| at.map_or_else(|| "not yet".to_string(), local);
    println!(
        "{}  known {}  due {}  {}{time_left}  persons: {}  authority: {}",
        b.id,
        b.breach.aware_at.map(local).unwrap_or_default(),
        local(b.deadline),
        serde_json::to_value(b.standing)?
            .as_str()
            .unwrap_or_default(),
        notice(b.persons_notified_at),
        notice(b.authority_notified_at),
    );
    Ok(())
}
