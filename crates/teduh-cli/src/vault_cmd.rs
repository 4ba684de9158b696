//! The vault subcommands: `init`, `client`, `note`, `screening`, `export-client`; and the
//! passphrase handling the sync subcommands share.

use std::process::ExitCode;

use anyhow::{bail, Context as _};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{ClientProfile, Contact, ContactKind, Guardian, NoteDraft, Sex};
use teduh_core::ids::NoteId;
use teduh_core::paths::DataDir;
use teduh_core::screening::{answers_in_order, Instrument};
use teduh_core::store::LocalStore;
use teduh_core::vault::{self, Vault};
use zeroize::Zeroizing;

/// Environment variable holding the passphrase for scripts (otherwise it is prompted for).
pub const PASSPHRASE_ENV: &str = "TEDUH_PASSPHRASE";

/// Options of `teduh init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// For automated tests only: weak key-derivation parameters (stored in the vault, so every
    /// later unlock uses them too). Never use for real data.
    #[arg(long, hide = true)]
    insecure_test_kdf: bool,
}

/// `teduh client ...`
#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Add a client.
    Add(Box<ClientArgs>),
    /// List clients (optionally only those matching a search).
    List {
        /// Words that must appear in the code, name or nickname.
        #[arg(long)]
        search: Option<String>,
    },
    /// Assign a worker to a client's case (a supervisor's decision); she gets the client's
    /// keys at her next sync, the case's history included.
    Assign {
        /// The client's code.
        code: String,
        /// The worker's username.
        #[arg(long)]
        to: String,
    },
    /// Take a worker off a client's case (a supervisor's decision): the client gets a new key
    /// her devices never receive.
    Unassign {
        /// The client's code.
        code: String,
        /// The worker's username.
        #[arg(long)]
        from: String,
        /// Why (a transfer or a release); kept in the case's history.
        #[arg(long, default_value = "Dilepas dari kasus")]
        reason: String,
    },
    /// Show who works on a client's case and how that came to be.
    Workers {
        /// The client's code.
        code: String,
    },
    /// Erase a client everywhere, as her erasure request asks (a key manager's decision, UU
    /// PDP): her keys and record bodies are shredded on this computer at once and on every
    /// device of the team at its next sync; only signed headers stay.
    Erase {
        /// The client's code.
        code: String,
        /// The erasure request it answers (`teduh request list`), with her identity checked.
        #[arg(long)]
        request: teduh_core::ids::RequestId,
    },
    /// List the erasures and which devices have confirmed each.
    Erasures,
}

/// A client's fields on the command line.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Pseudonymous code shown in lists (unique).
    #[arg(long)]
    code: String,
    /// Full name.
    #[arg(long)]
    name: String,
    /// Nickname.
    #[arg(long, default_value = "")]
    nickname: String,
    /// female, male or unspecified.
    #[arg(long, default_value = "unspecified")]
    sex: String,
    /// Birth date (YYYY-MM-DD).
    #[arg(long)]
    birth_date: Option<NaiveDate>,
    /// Estimated age in years, when the birth date is unknown.
    #[arg(long)]
    estimated_age: Option<u32>,
    /// Phone number.
    #[arg(long)]
    phone: Option<String>,
    /// WhatsApp number.
    #[arg(long)]
    whatsapp: Option<String>,
    /// Address or area.
    #[arg(long, default_value = "")]
    address: String,
    /// Regency or city (kabupaten/kota), as the monthly statistics count it.
    #[arg(long, default_value = "")]
    regency: String,
    /// Parent's or guardian's name.
    #[arg(long)]
    guardian_name: Option<String>,
    /// Relationship of the guardian (ibu, ayah, wali...).
    #[arg(long, default_value = "")]
    guardian_relationship: String,
    /// Preferred language code.
    #[arg(long, default_value = "id")]
    language: String,
    /// Disability or communication needs.
    #[arg(long, default_value = "")]
    communication_needs: String,
}

/// `teduh note ...`
#[derive(Debug, Subcommand)]
pub enum NoteCmd {
    /// Add a draft session note; prints its id.
    Add(NoteArgs),
    /// Finalise a note: its text becomes immutable.
    Finalise {
        /// The note's id.
        id: NoteId,
    },
    /// Add an addendum to a finalised note.
    Addendum {
        /// The note's id.
        id: NoteId,
        /// The text to add.
        #[arg(long)]
        text: String,
    },
}

/// A note's fields on the command line.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The client's code.
    #[arg(long)]
    client: String,
    /// What happened in the session.
    #[arg(long)]
    narrative: String,
    /// When the session started (RFC 3339, e.g. 2026-03-04T09:30:00+08:00); default now.
    #[arg(long)]
    at: Option<DateTime<chrono::FixedOffset>>,
    /// IANA zone where it happened.
    #[arg(long, default_value = "Asia/Jakarta")]
    zone: String,
    /// Duration in minutes.
    #[arg(long, default_value_t = 60)]
    duration: u32,
    /// in_person, phone, whats_app, video, home_visit or outreach.
    #[arg(long, default_value = "in_person")]
    modality: String,
    /// Where.
    #[arg(long, default_value = "")]
    location: String,
    /// low, medium, high or imminent.
    #[arg(long)]
    risk: Option<String>,
    /// The plan agreed.
    #[arg(long, default_value = "")]
    plan: String,
    /// Next follow-up date (YYYY-MM-DD).
    #[arg(long)]
    next_follow_up: Option<NaiveDate>,
}

/// `teduh screening ...`
#[derive(Debug, Subcommand)]
pub enum ScreeningCmd {
    /// Record a screening; prints the computed score, band and red flags.
    Add {
        /// The client's code.
        #[arg(long)]
        client: String,
        /// srq20, phq9 or gad7.
        #[arg(long)]
        instrument: String,
        /// Answers in item order, comma-separated (SRQ-20: 0/1; PHQ-9, GAD-7: 0-3).
        #[arg(long)]
        answers: String,
    },
}

/// Parses a snake_case enum value the way the core stores it.
pub(crate) fn parse_enum<T: DeserializeOwned>(what: &str, s: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .with_context(|| format!("while reading the {what} {s:?}"))
}

/// The passphrase from [`PASSPHRASE_ENV`], or typed at a prompt.
pub(crate) fn passphrase(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(p) = std::env::var_os(PASSPHRASE_ENV).filter(|p| !p.is_empty()) {
        return Ok(Zeroizing::new(p.into_string().map_err(|_| {
            anyhow::anyhow!("{PASSPHRASE_ENV} is not valid UTF-8")
        })?));
    }
    Ok(Zeroizing::new(
        rpassword::prompt_password(prompt).context("while reading the passphrase")?,
    ))
}

/// A new passphrase: from [`PASSPHRASE_ENV`], or typed twice at a prompt.
pub(crate) fn new_passphrase() -> anyhow::Result<Zeroizing<String>> {
    let pass = passphrase("New passphrase: ")?;
    if std::env::var_os(PASSPHRASE_ENV).is_none() {
        let again = passphrase("Repeat the passphrase: ")?;
        if *again != *pass {
            bail!("the two passphrases differ; nothing was created");
        }
    }
    Ok(pass)
}

/// The key-derivation parameters of a new vault (`insecure`: the hidden test flag).
pub(crate) fn new_vault_kdf(insecure: bool) -> KdfParams {
    if insecure {
        KdfParams::insecure_fast_for_tests()
    } else {
        KdfParams::interactive()
    }
}

pub(crate) fn open_unlocked(data: &DataDir) -> anyhow::Result<Vault> {
    let path = data.database();
    if !path.exists() {
        bail!(
            "no vault in {}; run `teduh init` first",
            data.root().display()
        );
    }
    let mut v =
        Vault::open_path(&path).with_context(|| format!("while opening {}", path.display()))?;
    unlock(&mut v)?;
    Ok(v)
}

/// Unlocks `v` with the passphrase (environment or prompt), warning about damaged records.
pub(crate) fn unlock(v: &mut Vault) -> anyhow::Result<()> {
    let pass = passphrase("Passphrase: ")?;
    v.unlock(&pass).context("while unlocking the vault")?;
    if !v.damaged_records().is_empty() {
        eprintln!("warning: {} damaged record(s):", v.damaged_records().len());
        for r in v.damaged_records() {
            eprintln!("  {r}");
        }
    }
    Ok(())
}

/// `teduh init`.
pub fn init(data: &DataDir, args: &InitArgs) -> anyhow::Result<ExitCode> {
    data.ensure()?;
    let store = LocalStore::open(&data.database())
        .with_context(|| format!("while opening {}", data.database().display()))?;
    if vault::is_initialised(&store)? {
        bail!(
            "a vault already exists in {}; it was not touched",
            data.root().display()
        );
    }
    let pass = new_passphrase()?;
    let kdf = new_vault_kdf(args.insecure_test_kdf);
    let v = Vault::create_with_params(store, &pass, kdf).context("while creating the vault")?;
    println!("vault created in {}", data.root().display());
    println!("member {}", v.member_id());
    println!("device {}", v.device_id());
    Ok(ExitCode::SUCCESS)
}

fn contact(kind: ContactKind, value: Option<String>) -> Option<Contact> {
    value.map(|value| Contact {
        kind,
        value,
        safe_to_contact: true,
    })
}

/// `teduh client ...`.
pub fn client(data: &DataDir, cmd: ClientCmd) -> anyhow::Result<ExitCode> {
    let mut v = open_unlocked(data)?;
    match cmd {
        ClientCmd::Add(a) => {
            let a = *a;
            let profile = ClientProfile {
                code: a.code,
                name: a.name,
                nickname: a.nickname,
                sex: parse_enum::<Sex>("sex", &a.sex)?,
                birth_date: a.birth_date,
                estimated_age: a.estimated_age,
                contacts: [
                    contact(ContactKind::Phone, a.phone),
                    contact(ContactKind::WhatsApp, a.whatsapp),
                ]
                .into_iter()
                .flatten()
                .collect(),
                address: a.address,
                regency: a.regency,
                guardian: a.guardian_name.map(|name| Guardian {
                    name,
                    relationship: a.guardian_relationship,
                    contacts: vec![],
                }),
                language: a.language,
                communication_needs: a.communication_needs,
                ..ClientProfile::default()
            };
            let id = v.add_client(&profile)?;
            let c = v.client(id)?;
            let child = match c.is_child {
                Some(true) => " (child)",
                _ => "",
            };
            println!("client {} added: {id}{child}", profile.code);
        }
        ClientCmd::List { search } => {
            let list = match search {
                Some(q) => v.search_clients(&q, usize::MAX)?,
                None => v.list_clients()?,
            };
            for c in &list {
                println!("{}\t{}\t{}\t{}", c.code, c.name, c.nickname, c.id);
            }
            eprintln!("{} client(s)", list.len());
        }
        ClientCmd::Assign { code, to } => {
            let id = v.client_by_code(&code)?;
            let done = v
                .assign_member(id, &to)
                .with_context(|| format!("while assigning {to} to {code}"))?;
            println!(
                "{to} is assigned to {code}; {} key wrap(s) go out at the next `teduh sync`",
                done.wraps
            );
        }
        ClientCmd::Unassign { code, from, reason } => {
            let id = v.client_by_code(&code)?;
            v.unassign_member(id, &from, &reason)
                .with_context(|| format!("while taking {from} off {code}"))?;
            println!(
                "{from} is taken off {code}; the client has a new key for the workers who stay, \
                 sent at the next `teduh sync`"
            );
        }
        ClientCmd::Erase { code, request } => {
            let id = v.client_by_code(&code)?;
            let asked = v.request(request)?;
            anyhow::ensure!(
                asked.client == id,
                "request {request} is about {}, not {code}",
                asked.client_code
            );
            // Made first: afterwards nothing of her opens. Her right does not wait on it.
            let notice = teduh_report::erasure::erasure_notice(&mut v, request, chrono::Utc::now());
            let erasure = v
                .approve_erasure(request)
                .with_context(|| format!("while erasing {code}"))?;
            println!(
                "{code} is erased on this computer (erasure {erasure}); every device of the team \
                 shreds her at its next sync and confirms (`teduh client erasures`)"
            );
            match notice {
                Ok(text) => println!(
                    "\nThe notice to her (send or print it now; it is not kept):\n\n{text}"
                ),
                Err(e) => eprintln!("the notice to her could not be made ({e}): write it by hand"),
            }
        }
        ClientCmd::Erasures => {
            for e in v.erasures()? {
                println!(
                    "{}  {}: {} of {} devices confirmed",
                    e.approved_at
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_default(),
                    e.subjects
                        .iter()
                        .map(|s| s.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.confirmed,
                    e.expected
                );
                for d in &e.devices {
                    println!(
                        "  device {} ({}): {}",
                        d.device,
                        d.username.as_deref().unwrap_or("this computer"),
                        match d.state {
                            teduh_core::vault::ErasureState::Confirmed => "confirmed",
                            teduh_core::vault::ErasureState::Waiting => "waiting",
                            teduh_core::vault::ErasureState::Unreachable => "unreachable (revoked)",
                        }
                    );
                }
            }
        }
        ClientCmd::Workers { code } => {
            let id = v.client_by_code(&code)?;
            let a = v.case_assignment(id)?;
            let names: Vec<&str> = a.workers.iter().map(|w| w.username.as_str()).collect();
            println!("{code}: {}", names.join(", "));
            for change in &a.history {
                let names: Vec<&str> = change.workers.iter().map(|w| w.username.as_str()).collect();
                println!(
                    "  {}  by {}: {}{}",
                    change.at.format("%Y-%m-%d %H:%M UTC"),
                    change.by.username,
                    names.join(", "),
                    change
                        .reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `teduh note ...`.
pub fn note(data: &DataDir, cmd: NoteCmd) -> anyhow::Result<ExitCode> {
    let mut v = open_unlocked(data)?;
    match cmd {
        NoteCmd::Add(a) => {
            let client = v.client_by_code(&a.client)?;
            let draft = NoteDraft {
                occurred_at: Some(a.at.map_or_else(Utc::now, |t| t.with_timezone(&Utc))),
                zone: a.zone,
                duration_minutes: a.duration,
                modality: parse_enum("modality", &a.modality)?,
                location: a.location,
                narrative: a.narrative,
                risk: a.risk.map(|r| parse_enum("risk level", &r)).transpose()?,
                plan: a.plan,
                next_follow_up: a.next_follow_up,
                ..NoteDraft::default()
            };
            let id = v.add_note(client, &draft)?;
            println!("{id}");
        }
        NoteCmd::Finalise { id } => {
            v.finalise_note(id)?;
            println!("note {id} finalised");
        }
        NoteCmd::Addendum { id, text } => {
            let a = v.add_addendum(id, &text)?;
            println!("addendum {a} added to note {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `teduh screening add`.
pub fn screening(data: &DataDir, cmd: ScreeningCmd) -> anyhow::Result<ExitCode> {
    let ScreeningCmd::Add {
        client,
        instrument,
        answers,
    } = cmd;
    let inst = Instrument::from_code(&instrument)
        .with_context(|| format!("unknown instrument {instrument:?} (srq20, phq9 or gad7)"))?;
    let values: Vec<u8> = answers
        .split(',')
        .map(|x| x.trim().parse::<u8>())
        .collect::<Result<_, _>>()
        .context("while reading the answers (numbers separated by commas)")?;
    let answers = answers_in_order(inst, &values)?;
    let mut v = open_unlocked(data)?;
    let client = v.client_by_code(&client)?;
    let s = v.record_screening(client, inst, answers, "id")?;
    let band = serde_json::to_value(s.result.band)?;
    println!(
        "{} total {} band {} flagged {}",
        inst.code(),
        s.result.total,
        band.as_str().unwrap_or_default(),
        s.result.flagged
    );
    for f in &s.result.red_flags {
        println!("RED FLAG: {f}");
    }
    println!("{}", s.result.attribution);
    Ok(ExitCode::SUCCESS)
}

/// `teduh export-client <code>`.
pub fn export_client(data: &DataDir, code: &str) -> anyhow::Result<ExitCode> {
    let mut v = open_unlocked(data)?;
    let id = v.client_by_code(code)?;
    let export = v.export_client(id)?;
    // Every export is in the client's audit trail (issue 25).
    v.record_access(id, teduh_core::vault::AccessAction::Exported, id.into())?;
    println!("{}", serde_json::to_string_pretty(&export)?);
    Ok(ExitCode::SUCCESS)
}
