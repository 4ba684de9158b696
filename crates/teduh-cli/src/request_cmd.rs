//! `teduh request add|list|answer|export|lift`: the register of data-subject requests (UU PDP; issue 25),
//! the same records the app's client profile and Home show.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset, Utc};
use clap::{Args, Subcommand};
use teduh_core::ids::RequestId;
use teduh_core::paths::DataDir;
use teduh_core::request::{
    DataRequest, IdentityCheck, Outcome, ReceivedVia, RefusalGround, RequestAnswer, RequestKind,
    Requester,
};
use teduh_core::vault::{RequestView, Vault};
use teduh_report::access::access_export;
use teduh_report::printed::local_time;

use crate::vault_cmd::{open_unlocked, parse_enum};

/// `teduh request ...`.
#[derive(Debug, Subcommand)]
pub enum RequestCmd {
    /// Register a request about a client's data; prints its id and deadline.
    Add(AddArgs),
    /// List requests: every open one (default), or all of one client.
    List(ListArgs),
    /// Record the answer to a request (once).
    Answer(AnswerArgs),
    /// Make the access export answering an access or portability request: a PDF in Bahasa
    /// Indonesia and a JSON, with the processing trail and third-party passages redacted.
    Export(ExportArgs),
    /// Lift a granted restriction (her handler or a supervisor): her record can be changed
    /// again and shows in every list.
    Lift {
        /// The restriction request's id.
        id: RequestId,
    },
}

/// `teduh request export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The request's id (as `list` prints it).
    id: RequestId,
    /// The folder to write both files in.
    #[arg(long, default_value = ".")]
    out: std::path::PathBuf,
}

/// `teduh request add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The client's code.
    #[arg(long)]
    client: String,
    /// access, correction, erasure, consent_withdrawal, restriction, objection or portability.
    #[arg(long)]
    kind: String,
    /// When it was received (RFC 3339, e.g. 2026-12-05T09:00:00+07:00): the 3x24 h run from
    /// here, however late it is entered.
    #[arg(long)]
    received: DateTime<FixedOffset>,
    /// How it came: in_person, phone, whats_app, letter or email.
    #[arg(long, default_value = "in_person")]
    via: String,
    /// Who asked: person, parent or guardian.
    #[arg(long, default_value = "person")]
    by: String,
    /// The parent's or guardian's name.
    #[arg(long, default_value = "")]
    requester_name: String,
    /// How the identity was checked: not_yet, identity_card, known_to_worker,
    /// guardian_document or other.
    #[arg(long, default_value = "not_yet")]
    identity: String,
    /// What was asked.
    #[arg(long, default_value = "")]
    details: String,
}

/// `teduh request list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Every request of this client (answered ones too).
    #[arg(long)]
    client: Option<String>,
}

/// `teduh request answer`.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The request's id (as `list` prints it).
    id: RequestId,
    /// granted, partly_granted or refused.
    #[arg(long)]
    outcome: String,
    /// What was done or said.
    #[arg(long)]
    text: String,
    /// A Ps 33 ground, for a refusal (repeatable): endangers_safety_or_health,
    /// reveals_others_data, national_defence.
    #[arg(long = "ground")]
    grounds: Vec<String>,
    /// When it was answered (RFC 3339); default: now.
    #[arg(long)]
    at: Option<DateTime<FixedOffset>>,
}

/// Runs `teduh request ...`.
pub fn run(data: &DataDir, cmd: RequestCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        RequestCmd::Add(a) => {
            // Refuse bad arguments before asking for the passphrase.
            let request = DataRequest {
                kind: RequestKind::parse(&a.kind)
                    .with_context(|| format!("--kind {:?} is not a kind of request", a.kind))?,
                requester: parse_enum::<Requester>("--by", &a.by)?,
                requester_name: a.requester_name,
                received_via: parse_enum::<ReceivedVia>("--via", &a.via)?,
                received_at: Some(a.received.with_timezone(&Utc)),
                identity: parse_enum::<IdentityCheck>("--identity", &a.identity)?,
                details: a.details,
                handler: None,
            };
            let mut v = open_unlocked(data)?;
            let client = v.client_by_code(&a.client)?;
            let id = v.add_request(client, &request)?;
            let stored = v.request(id)?;
            print_request(&v, &stored)?;
        }
        RequestCmd::List(a) => {
            let mut v = open_unlocked(data)?;
            let list = match a.client {
                Some(code) => {
                    let client = v.client_by_code(&code)?;
                    v.requests_of(client)?
                }
                None => v.open_requests()?,
            };
            println!("{} request(s)", list.len());
            for r in &list {
                print_request(&v, r)?;
            }
        }
        RequestCmd::Answer(a) => {
            let answer = RequestAnswer {
                answered_at: Some(a.at.map_or_else(Utc::now, |t| t.with_timezone(&Utc))),
                outcome: parse_enum::<Outcome>("--outcome", &a.outcome)?,
                text: a.text,
                grounds: a
                    .grounds
                    .iter()
                    .map(|g| parse_enum::<RefusalGround>("--ground", g))
                    .collect::<anyhow::Result<_>>()?,
            };
            let mut v = open_unlocked(data)?;
            v.answer_request(a.id, &answer)?;
            let stored = v.request(a.id)?;
            print_request(&v, &stored)?;
        }
        RequestCmd::Lift { id } => {
            let mut v = open_unlocked(data)?;
            v.lift_restriction(id)?;
            let stored = v.request(id)?;
            print_request(&v, &stored)?;
        }
        RequestCmd::Export(a) => {
            let mut v = open_unlocked(data)?;
            let files = access_export(&mut v, a.id, Utc::now())?;
            let (pdf, json) = files.save_in(&a.out)?;
            println!("written: {}\nwritten: {}", pdf.display(), json.display());
            println!(
                "answer the request with `teduh request answer {}` once she has it",
                a.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// ", 5 h 3 min left" or ", 2 h 0 min overdue" for what is still open; nothing once done.
pub(crate) fn time_left(open: bool, minutes: i64) -> String {
    match (open, minutes >= 0) {
        (false, _) => String::new(),
        (true, true) => format!(", {} h {} min left", minutes / 60, minutes % 60),
        (true, false) => format!(", {} h {} min overdue", -minutes / 60, -minutes % 60),
    }
}

/// One line per request: id, client, kind, received, deadline, where it stands and the time
/// left, in the team's zone.
fn print_request(v: &Vault, r: &RequestView) -> anyhow::Result<()> {
    let zone = v.team_zone()?;
    let local = |t: DateTime<Utc>| local_time(t, zone);
    let time_left = time_left(r.is_open(), r.minutes_left);
    let restriction = if r.restricts() {
        "  restriction in force"
    } else if r.lifted_at.is_some() {
        "  restriction lifted"
    } else {
        ""
    };
    println!(
        "{}  {}  {}  received {}  due {}  {}{time_left}{restriction}",
        r.id,
        r.client_code,
        r.request.kind.as_str(),
        r.request.received_at.map(local).unwrap_or_default(),
        local(r.deadline),
        serde_json::to_value(r.standing)?
            .as_str()
            .unwrap_or_default(),
    );
    Ok(())
}
