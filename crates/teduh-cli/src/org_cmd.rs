//! `teduh org`: the organisation root key on an administrator's computer. `teduh org init`
//! makes it and prints its recovery sheet; the roster her computer signs at the next
//! `teduh sync` names it and grants the team's key managers their role. From then on a
//! supervisor or an admin counts as one only with the organisation key's grant
//! (`teduh org grant`). The key never leaves her computers: `teduh org restore` brings it to
//! another from the sheet. The same computer signs the organisation settings (`teduh org set`)
//! and the directory of services (`teduh org publish-directory`), which every device verifies
//! against the key its roster names.

use std::process::ExitCode;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use teduh_core::paths::DataDir;
use teduh_core::sync::founding::RoleDecision;
use teduh_core::team::processing::RecordClass;
use teduh_core::team::settings::{OrgSettings, Zone};
use teduh_core::team::Binding;
use teduh_core::vault::{OrgKeySheet, Vault};
use teduh_directory::bundle::SignedBundle;

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
        /// In another team of the organisation (its roster names the key), at once.
        #[arg(long)]
        team_id: Option<u64>,
        /// Trust this CA certificate (PEM) for the server, as `teduh sync --ca-file` does.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Remove a supervisor or an admin from another team of the organisation, her granted role
    /// with her (the team's key managers then revoke her devices and make a new team key).
    RemoveFrom {
        /// The team's id.
        #[arg(long)]
        team_id: u64,
        /// Her username.
        username: String,
        /// Trust this CA certificate (PEM) for the server, as `teduh sync --ca-file` does.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Show the organisation settings this computer holds: name, team time zones, deadlines,
    /// contact categories.
    Settings,
    /// Change the organisation settings on the computer holding the organisation key: signed
    /// as the next version, sent at the next `teduh sync`, and verified by every device.
    Set {
        /// The organisation's name.
        #[arg(long)]
        name: Option<String>,
        /// A team's time zone, `TEAM_ID=WIB`, `WITA` or `WIT` (repeat for several teams).
        #[arg(long = "zone", value_name = "TEAM=ZONE")]
        zones: Vec<String>,
        /// Hours to answer a person's request about her data (1-72).
        #[arg(long)]
        request_hours: Option<u32>,
        /// Hours to notify a breach (1-72).
        #[arg(long)]
        breach_hours: Option<u32>,
        /// Hours a supervisor has to acknowledge a risk episode before every supervisor and
        /// admin of the team is asked (1-72; 24 unless set).
        #[arg(long)]
        episode_ack_hours: Option<u32>,
        /// A JSON array of contact categories (`code`, `id`, `en`) that replaces the list.
        #[arg(long, value_name = "FILE")]
        categories: Option<PathBuf>,
        /// The processing section (controller, activities, retention) as JSON, e.g. the file
        /// `teduh org processing` wrote, edited: it replaces the section.
        #[arg(long, value_name = "FILE")]
        processing: Option<PathBuf>,
        /// How long a class of records is kept, `closed-cases=DAYS`, `contacts=DAYS` or
        /// `drafts=DAYS`, or the server's backups, `backups=DAYS` (repeat for several).
        #[arg(long = "retain", value_name = "CLASS=DAYS")]
        retain: Vec<String>,
    },
    /// Write the record of processing activities (UU PDP Ps 31) made from the organisation
    /// settings: a PDF and a JSON file whose section `teduh org set --processing` reads back.
    Processing {
        /// The folder to write both files to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Found another team of the organisation (the server's operator made it, empty): its first
    /// roster is signed with the organisation key, and the invitation printed is for its first
    /// supervisor, admitted at this computer's next `teduh sync`.
    FoundTeam {
        /// The team's id (`teduh-server admin list-teams`).
        #[arg(long)]
        team_id: u64,
        /// Her username.
        #[arg(long)]
        username: String,
        /// Her role: supervisor (the default) or admin.
        #[arg(long, default_value = "supervisor")]
        role: String,
        /// Trust this CA certificate (PEM) for the server, as `teduh sync --ca-file` does.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Sign a directory file (.csv or .json, as `teduh-server admin directory export` writes
    /// it) with the organisation key and publish it: devices whose roster names the key accept
    /// only bundles it signed.
    PublishDirectory {
        /// The directory file.
        file: PathBuf,
        /// A JSON array of holidays replacing the seed's (`date`, `name`, `kind`, `source`).
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
        /// A JSON array of search synonyms replacing the seed's (`words`, `finds`).
        #[arg(long, value_name = "FILE")]
        synonyms: Option<PathBuf>,
        /// Trust this CA certificate (PEM) for the server, as `teduh sync --ca-file` does.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
}

fn print_settings(s: &OrgSettings, own_team: u64) {
    println!("{} (settings version {})", s.name, s.version);
    println!("this team ({own_team}): {}", s.zone_of(own_team).label());
    for z in &s.team_zones {
        println!("team {}: {}", z.team, z.zone.label());
    }
    println!(
        "deadlines: requests {} h, breach notices {} h, episode acknowledgement {} h",
        s.deadlines.request_hours, s.deadlines.breach_notice_hours, s.deadlines.episode_ack_hours
    );
    println!("contact categories:");
    for c in &s.taxonomies.contact_categories {
        println!("  {}: {} / {}", c.code, c.id, c.en);
    }
    let r = &s.processing.retention;
    println!(
        "retention: closed cases {} days, contacts {} days, drafts {} days; backups {} days",
        r.closed_case_days, r.contact_days, r.draft_days, r.backup_days
    );
    println!("processing activities:");
    for a in &s.processing.activities {
        println!("  {}: {} / {}", a.purpose, a.id, a.en);
    }
}

/// A class of records as typed: `closed-cases`, `contacts` or `drafts`.
pub(crate) fn parse_class(class: &str) -> anyhow::Result<RecordClass> {
    Ok(match class.trim() {
        "closed-cases" => RecordClass::ClosedCases,
        "contacts" => RecordClass::Contacts,
        "drafts" => RecordClass::Drafts,
        other => anyhow::bail!("{other:?}: the classes are closed-cases, contacts and drafts"),
    })
}

/// `CLASS=DAYS` as typed: the class (`None`: the backups) and the new period.
fn parse_retain(arg: &str) -> anyhow::Result<(Option<RecordClass>, u32)> {
    let (class, days) = arg.split_once('=').with_context(|| {
        format!("{arg:?}: write closed-cases=DAYS, contacts=DAYS, drafts=DAYS or backups=DAYS")
    })?;
    let class = match class.trim() {
        "backups" => None,
        other => Some(parse_class(other)?),
    };
    let days = days
        .trim()
        .parse()
        .with_context(|| format!("{days:?} is not a number of days"))?;
    Ok((class, days))
}

/// `TEAM=ZONE` as typed.
fn parse_zone(arg: &str) -> anyhow::Result<(u64, Zone)> {
    let (team, zone) = arg
        .split_once('=')
        .with_context(|| format!("{arg:?}: write TEAM_ID=WIB, WITA or WIT"))?;
    let team: u64 = team
        .trim()
        .parse()
        .with_context(|| format!("{team:?} is not a team id"))?;
    let zone = Zone::parse(zone).with_context(|| format!("{zone:?}: use WIB, WITA or WIT"))?;
    Ok((team, zone))
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
    let (mut v, b) = sync_cmd::joined_vault(data)?;
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
        OrgCmd::Grant {
            username,
            team_id: None,
            ..
        } => {
            v.grant_key_manager(&username)?;
            println!(
                "{username}'s role is granted under the organisation key at the next `teduh sync`"
            );
        }
        OrgCmd::Grant {
            username,
            team_id: Some(team),
            ca_file,
        } => {
            decide_in_team(&mut v, &b, ca_file, (team, &username), RoleDecision::Grant)?;
            println!("{username}'s role in team {team} is granted under the organisation key");
        }
        OrgCmd::RemoveFrom {
            team_id,
            username,
            ca_file,
        } => {
            decide_in_team(
                &mut v,
                &b,
                ca_file,
                (team_id, &username),
                RoleDecision::Remove,
            )?;
            println!(
                "{username} is removed from team {team_id} under the organisation key; its key \
                 managers revoke her devices at their next sync"
            );
        }
        OrgCmd::Settings => match v.org_settings()? {
            Some(s) => print_settings(&s, b.team),
            None => println!(
                "no organisation settings yet: the administrator's computer holding the \
                 organisation key makes them at its next `teduh sync`"
            ),
        },
        OrgCmd::Set {
            name,
            zones,
            request_hours,
            breach_hours,
            episode_ack_hours,
            categories,
            processing,
            retain,
        } => {
            let mut s = v
                .org_settings()?
                .unwrap_or_else(|| OrgSettings::initial(name.as_deref().unwrap_or("Organisasi")));
            if let Some(name) = name {
                s.name = name;
            }
            for z in &zones {
                let (team, zone) = parse_zone(z)?;
                s.set_zone(team, zone);
            }
            if let Some(h) = request_hours {
                s.deadlines.request_hours = h;
            }
            if let Some(h) = breach_hours {
                s.deadlines.breach_notice_hours = h;
            }
            if let Some(h) = episode_ack_hours {
                s.deadlines.episode_ack_hours = h;
            }
            if let Some(file) = categories {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                s.taxonomies.contact_categories = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a list of categories", file.display()))?;
            }
            if let Some(file) = processing {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                s.processing = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a processing section", file.display()))?;
            }
            for r in &retain {
                let retention = &mut s.processing.retention;
                match parse_retain(r)? {
                    (Some(class), days) => *retention.days_mut(class) = days,
                    (None, days) => retention.backup_days = days,
                }
            }
            let saved = v.save_org_settings(s)?;
            println!(
                "organisation settings version {} signed; sent at the next `teduh sync`",
                saved.version
            );
        }
        OrgCmd::Processing { out } => {
            let files = teduh_report::processing::record_of_processing(&v, chrono::Utc::now())?;
            let (pdf, json) = files.save_in(&out)?;
            println!("{}\n{}", pdf.display(), json.display());
        }
        OrgCmd::FoundTeam {
            team_id,
            username,
            role,
            ca_file,
        } => {
            let role = teduh_protocol::sync::Role::parse(&role)
                .filter(|r| r.manages_keys())
                .with_context(|| {
                    format!("{role:?}: a team is founded by a supervisor or an admin")
                })?;
            let mut t = sync_cmd::transport(&b.server_url, ca_file.as_deref())?;
            let made = teduh_core::sync::founding::found_team(
                &mut v,
                &mut t,
                team_id,
                (&username, role, None),
            )?;
            println!("{}", made.code);
            println!(
                "{} is founded under the organisation key; the code is a single-use invitation \
                 for {} as {}: she joins with `teduh join --server {} --invitation CODE` or in \
                 the app, and this computer admits her at its next `teduh sync`",
                made.package.team_name,
                made.package.username,
                made.package.role.as_str(),
                b.server_url
            );
        }
        OrgCmd::PublishDirectory {
            file,
            holidays,
            synonyms,
            ca_file,
        } => {
            let version = publish_directory(&mut v, &b, &file, holidays, synonyms, ca_file)?;
            println!("directory version {version} signed with the organisation key and published");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The organisation's `decision` about `username`'s role in another `team`, sent at once.
fn decide_in_team(
    v: &mut Vault,
    b: &Binding,
    ca_file: Option<PathBuf>,
    (team, username): (u64, &str),
    decision: RoleDecision,
) -> anyhow::Result<()> {
    let mut t = sync_cmd::transport(&b.server_url, ca_file.as_deref())?;
    teduh_core::sync::founding::decide_role_in_team(v, &mut t, team, username, decision)?;
    Ok(())
}

/// The highest directory version a server may claim before the next is signed (a new version a
/// day for a thousand years is below it).
const MAX_CLAIMED_VERSION: u64 = 1_000_000;

/// Signs `file` as the directory's next version with the organisation key and sends it to the
/// server. Returns the version.
fn publish_directory(
    v: &mut Vault,
    b: &Binding,
    file: &Path,
    holidays: Option<PathBuf>,
    synonyms: Option<PathBuf>,
    ca_file: Option<PathBuf>,
) -> anyhow::Result<u64> {
    use teduh_directory::publish;
    let entries = publish::read_entries(file)?;
    let seed = teduh_directory::seed::seed_bundle();
    let holidays = match holidays {
        Some(f) => Some(publish::read_holidays(&f)?),
        None => seed.holidays,
    };
    let synonyms = match synonyms {
        Some(f) => Some(publish::read_synonyms(&f)?),
        None => seed.synonyms,
    };
    let mut transport = sync_cmd::transport(&b.server_url, ca_file.as_deref())?;
    let server = transport.server_client();
    let previous = match server.directory(None)? {
        teduh_client::DirectoryFetch::Bundle { body, .. } => {
            serde_json::from_slice::<SignedBundle>(&body)
                .ok()
                .and_then(|s| s.claimed_version())
        }
        _ => None,
    };
    // The server's claim is unverified: a version no organisation could have reached would
    // make this the last one devices ever accept.
    if previous.is_some_and(|p| p > MAX_CLAIMED_VERSION) {
        anyhow::bail!(
            "the server claims directory version {}, which no organisation published; ask its \
             operator, nothing was signed",
            previous.unwrap_or_default()
        );
    }
    let signed = v.with_org_key(|key| {
        publish::sign_next_with(
            entries,
            synonyms,
            holidays,
            key,
            previous,
            chrono::Utc::now(),
        )
    })??;
    let version = previous.map_or(2, |p| p.max(1) + 1);
    let token = teduh_core::sync::credentials::current_token(v, &mut transport)?;
    let stored = server.give_back_directory(&token, &serde_json::to_vec(&signed)?)?;
    anyhow::ensure!(
        stored,
        "the server already has directory version {version} or a newer one; nothing was published"
    );
    Ok(version)
}
