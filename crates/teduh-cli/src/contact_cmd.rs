//! `teduh contact add|list|convert`: the hotline and chat contact log from a script, over the
//! same core calls as the app's "Kontak" screen.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use clap::{Args, Subcommand};
use teduh_core::contact::{ContactEntry, ContactLine, ContactPerson};
use teduh_core::domain::{ClientProfile, Consent, ConsentChannel, ConsentGiver, Guardian};
use teduh_core::ids::ContactId;
use teduh_core::paths::DataDir;
use teduh_core::vault::{ContactFilter, ContactInput, ContactView, Vault};
use zeroize::Zeroizing;

use crate::vault_cmd::{open_unlocked, parse_enum};

/// `teduh contact ...`
#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Log a contact (anonymous unless --name, --age-band... say more); prints its id.
    Add(Box<AddArgs>),
    /// List contacts, newest first (or the earlier contacts of one number).
    List(ListArgs),
    /// Make a client of the caller of one or more contacts, with the consent she gives now.
    Convert(Box<ConvertArgs>),
}

/// A contact's fields on the command line.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// phone_call, whats_app, sms, walk_in or e_counselling.
    #[arg(long, default_value = "phone_call")]
    channel: String,
    /// When it started (RFC 3339, e.g. 2026-12-05T21:40:00+07:00); default: --minutes ago.
    #[arg(long)]
    at: Option<DateTime<FixedOffset>>,
    /// How long it lasted, in minutes (default: it ends now).
    #[arg(long)]
    minutes: Option<i64>,
    /// Read the caller's number from standard input (one line), kept only as a hash to
    /// recognise her next call. Never on the command line: shell history and the process
    /// list would keep it in the clear.
    #[arg(long)]
    number_stdin: bool,
    /// anonymous, self, family, neighbour or professional.
    #[arg(long, default_value = "anonymous")]
    caller_type: String,
    /// A name or nickname of the person concerned, if given.
    #[arg(long, default_value = "")]
    name: String,
    /// 0-5, 6-12, 13-17, 18-59 or 60+.
    #[arg(long)]
    age_band: Option<String>,
    /// female, male or unspecified.
    #[arg(long, default_value = "unspecified")]
    sex: String,
    /// Regency or city.
    #[arg(long, default_value = "")]
    city: String,
    /// An issue category code (repeat for several), from the organisation's taxonomy.
    #[arg(long = "category")]
    categories: Vec<String>,
    /// low, medium, high or imminent.
    #[arg(long)]
    risk: Option<String>,
    /// The self-harm question: not_asked, no or yes.
    #[arg(long, default_value = "not_asked")]
    self_harm: String,
    /// listened, information_given, referred or emergency_services_called (repeatable).
    #[arg(long = "action")]
    actions: Vec<String>,
    /// resolved, follow_up, referred or disconnected.
    #[arg(long)]
    outcome: Option<String>,
    /// A short summary.
    #[arg(long, default_value = "")]
    summary: String,
    /// The directory entry of the line it came in on, with --line-name and --line-number.
    #[arg(long)]
    line_entry: Option<String>,
    /// The line's name.
    #[arg(long, default_value = "")]
    line_name: String,
    /// The number it came in on (the weekday's rota number).
    #[arg(long, default_value = "")]
    line_number: String,
}

/// `teduh contact list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Words to find in the name, city, summary, line or categories.
    #[arg(long, default_value = "")]
    search: String,
    /// Only red-flagged contacts.
    #[arg(long)]
    red_flag: bool,
    /// Instead: the contacts of the caller's number read from standard input (one line).
    #[arg(long)]
    number_stdin: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// `teduh contact convert` options.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The contacts (ids) that become the client's.
    #[arg(required = true)]
    contacts: Vec<ContactId>,
    /// The new client's code (unique).
    #[arg(long)]
    code: String,
    /// Her name.
    #[arg(long)]
    name: String,
    /// Estimated age in years.
    #[arg(long)]
    estimated_age: Option<u32>,
    /// female, male or unspecified.
    #[arg(long, default_value = "unspecified")]
    sex: String,
    /// For a child: the parent's or guardian's name.
    #[arg(long)]
    guardian_name: Option<String>,
    /// Who consented: self_given, parent, guardian or no_guardian.
    #[arg(long, default_value = "self_given")]
    consent_by: String,
    /// The name of who consented (default: the client's).
    #[arg(long)]
    giver_name: Option<String>,
    /// For a child: whether she agrees too (yes or no).
    #[arg(long)]
    child_assent: Option<String>,
}

fn entry(v: &Vault, a: AddArgs) -> anyhow::Result<ContactEntry> {
    let now = Utc::now();
    let minutes = a.minutes.unwrap_or(0);
    if minutes < 0 {
        anyhow::bail!("--minutes cannot be negative");
    }
    let started =
        a.at.map(|t| t.with_timezone(&Utc))
            .unwrap_or(now - Duration::minutes(minutes));
    let ended = if a.minutes.is_some() {
        started + Duration::minutes(minutes)
    } else {
        now.max(started)
    };
    Ok(ContactEntry {
        channel: parse_enum("channel", &a.channel)?,
        line: a.line_entry.map(|entry| ContactLine {
            entry,
            name: a.line_name,
            number: a.line_number,
        }),
        started_at: Some(started),
        ended_at: Some(ended),
        zone: Some(v.team_zone()?),
        caller_type: parse_enum("caller type", &a.caller_type)?,
        person: ContactPerson {
            name: a.name,
            age_band: a.age_band.map(|b| parse_enum("age band", &b)).transpose()?,
            sex: parse_enum("sex", &a.sex)?,
            city: a.city,
        },
        categories: a.categories,
        risk: a.risk.map(|r| parse_enum("risk", &r)).transpose()?,
        self_harm: parse_enum("self-harm answer", &a.self_harm)?,
        actions: a
            .actions
            .iter()
            .map(|x| parse_enum("action", x))
            .collect::<anyhow::Result<_>>()?,
        outcome: a.outcome.map(|o| parse_enum("outcome", &o)).transpose()?,
        summary: a.summary,
        callback: None,
    })
}

/// The caller's number, one line of standard input.
fn number_from_stdin() -> anyhow::Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .context("while reading the caller's number from standard input")?;
    let number = Zeroizing::new(line.trim().to_owned());
    if number.is_empty() {
        anyhow::bail!("no caller's number on standard input");
    }
    Ok(number)
}

fn print_row(c: &ContactView) {
    let zone = c.entry.zone.unwrap_or_default();
    let at = c.entry.started_at.map_or(String::new(), |t| {
        teduh_report::printed::local_time(t, zone)
    });
    let mut marks = Vec::new();
    if c.red_flag {
        marks.push("RED FLAG");
    }
    if c.converted_to.is_some() {
        marks.push("client");
    }
    println!(
        "{}\t{at}\t{}\t{}\t{}\t{}",
        c.id,
        serde_json::to_value(c.entry.channel)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        c.entry.categories.join(","),
        marks.join(","),
        c.entry.summary.replace(['\n', '\t'], " ")
    );
}

/// `teduh contact ...`.
pub fn run(data: &DataDir, cmd: ContactCmd) -> anyhow::Result<ExitCode> {
    let mut v = open_unlocked(data)?;
    match cmd {
        ContactCmd::Add(a) => {
            let number = if a.number_stdin {
                number_from_stdin()?
            } else {
                Zeroizing::new(String::new())
            };
            let entry = entry(&v, *a)?;
            let earlier = if number.is_empty() {
                vec![]
            } else {
                v.previous_contacts(&number, None)?
            };
            let id = v.add_contact(&ContactInput {
                entry,
                caller_number: number.to_string(),
            })?;
            println!("contact {id}");
            if !earlier.is_empty() {
                eprintln!("{} earlier contact(s) from this number", earlier.len());
            }
        }
        ContactCmd::List(a) => {
            let list = match a.number_stdin {
                true => v.previous_contacts(&number_from_stdin()?, None)?,
                false => {
                    v.contacts(&ContactFilter {
                        text: a.search.clone(),
                        red_flag_only: a.red_flag,
                        limit: u32::MAX,
                        ..ContactFilter::default()
                    })?
                    .contacts
                }
            };
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).context("while writing JSON")?
                );
            } else {
                list.iter().for_each(print_row);
            }
            eprintln!("{} contact(s)", list.len());
        }
        ContactCmd::Convert(a) => {
            let a = *a;
            let giver = parse_enum::<ConsentGiver>("consent giver", &a.consent_by)?;
            let profile = ClientProfile {
                code: a.code.clone(),
                name: a.name.clone(),
                estimated_age: a.estimated_age,
                sex: parse_enum("sex", &a.sex)?,
                guardian: a.guardian_name.clone().map(|name| Guardian {
                    name,
                    ..Guardian::default()
                }),
                ..ClientProfile::default()
            };
            let consent = Consent {
                given_by: giver,
                giver_name: a
                    .giver_name
                    .or(match giver {
                        ConsentGiver::SelfGiven => Some(a.name),
                        _ => a.guardian_name,
                    })
                    .unwrap_or_default(),
                child_assent: a
                    .child_assent
                    .map(|x| match x.as_str() {
                        "yes" => Ok(true),
                        "no" => Ok(false),
                        other => Err(anyhow::anyhow!(
                            "--child-assent is yes or no, not {other:?}"
                        )),
                    })
                    .transpose()?,
                purposes: vec!["counseling".into()],
                channel: ConsentChannel::Verbal,
                given_at: Some(Utc::now()),
                ..Consent::default()
            };
            let client = v.convert_contacts(&a.contacts, &profile, &consent)?;
            println!("client {} added: {client}", a.code);
            println!("{} contact(s) in her timeline", a.contacts.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
