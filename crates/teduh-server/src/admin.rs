//! `teduh-server admin ...`: organisation, teams, invitations, members and devices, run
//! directly against the configured storage (the server need not be running).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use teduh_protocol::sync::Role;

use crate::auth;
use crate::storage::{DeviceFilter, DirectoryBundle, NewInvitation, Storage, Team};

/// One administrative command.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum AdminCommand {
    /// Name the organisation (once).
    InitOrg {
        /// The organisation's name, e.g. "Rumah Teduh Kupang".
        name: String,
    },
    /// Create a team.
    CreateTeam {
        /// A unique team name.
        name: String,
    },
    /// List teams.
    ListTeams,
    /// Issue a single-use invitation code for a team. It creates an account that waits: only a
    /// key manager's device admits anyone into the team's signed roster.
    Invite {
        /// Team name or id.
        #[arg(long)]
        team: String,
        /// counselor, outreach, supervisor or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Instead of a new member: a further device of this existing member (e.g. her only
        /// laptop was lost). It joins with fresh keys and waits to be admitted.
        #[arg(long)]
        device_of: Option<String>,
        /// Hours until the code expires.
        #[arg(long, default_value_t = 72)]
        expires_in_hours: u32,
    },
    /// List invitations (codes are not kept, only whether each is open, used or expired).
    ListInvitations {
        /// Team name or id.
        #[arg(long)]
        team: Option<String>,
    },
    /// Make an unused invitation expire now (e.g. a code sent to the wrong number).
    RevokeInvitation {
        /// Invitation id (see list-invitations).
        invitation: u64,
    },
    /// List a team's members.
    ListMembers {
        /// Team name or id.
        #[arg(long)]
        team: String,
    },
    /// List devices (of one team, or all).
    ListDevices {
        /// Team name or id.
        #[arg(long)]
        team: Option<String>,
    },
    /// Revoke a device: its token stops working at once.
    RevokeDevice {
        /// Device id (see list-devices).
        device: u64,
    },
    /// Publish a signed directory bundle (the exact file is served to devices).
    PublishDirectory {
        /// The signed bundle file (a `SignedBundle` JSON from the directory tooling).
        file: std::path::PathBuf,
        /// Its version; read from the bundle's payload when left out.
        #[arg(long)]
        version: Option<u64>,
    },
    /// Run once after restoring a backup, before starting the server: moves every team's
    /// sequence past any cursor a device may hold, so records pushed after the restore are not
    /// skipped by devices that had pulled further than the backup.
    AfterRestore {
        /// How far to move the sequences (more than the records written since the backup).
        #[arg(long, default_value_t = 1_000_000_000)]
        by: u64,
    },
    /// The directory of services: import, export, publish (see `admin directory --help`).
    Directory {
        /// What to do.
        #[command(subcommand)]
        command: crate::directory_admin::DirectoryCommand,
    },
    /// Remove a member and revoke all her devices. Rotate the team key afterwards.
    RemoveMember {
        /// Member id (see list-members).
        member: u64,
    },
    /// Show the organisation key an administrator's device registered (the server checks
    /// uploads against it; devices trust only the key their signed roster names), or replace
    /// it when the wrong device registered one: the settings signed by the old key are
    /// forgotten, and the administrator's device uploads them again at its next sync.
    OrgKey {
        /// The replacement (64 hex digits, as `teduh org sheet` shows it on her device).
        #[arg(long, conflicts_with = "clear")]
        replace: Option<String>,
        /// Forget the registered key: the next administrator's device to upload registers hers.
        #[arg(long)]
        clear: bool,
    },
}

/// The `version` inside a signed bundle: `{"payload": "<bundle JSON with version>", ...}`.
fn bundle_version(bytes: &[u8]) -> Option<u64> {
    serde_json::from_slice::<teduh_directory::bundle::SignedBundle>(bytes)
        .ok()?
        .claimed_version()
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "use counselor, outreach, supervisor or admin".to_owned())
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

async fn find_team(storage: &dyn Storage, team: &str) -> anyhow::Result<Team> {
    let teams = storage.teams().await?;
    teams
        .into_iter()
        .find(|t| t.name == team || t.id.to_string() == team)
        .with_context(|| format!("no team named {team:?}; see `teduh-server admin list-teams`"))
}

/// Runs one command, writing its human-readable result to `out`.
///
/// Fails with a one-line explanation (unknown team, duplicate name, ...) or when the storage
/// fails.
pub async fn run(
    storage: &dyn Storage,
    data_dir: &std::path::Path,
    cmd: AdminCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let now = now_secs();
    match cmd {
        AdminCommand::Directory { command } => {
            crate::directory_admin::run(storage, data_dir, command, out).await?;
        }
        AdminCommand::OrgKey { replace, clear } => {
            if clear || replace.is_some() {
                let key = replace
                    .map(|hex| {
                        teduh_directory::bundle::parse_public_key(&hex)
                            .map(|k| k.to_bytes())
                            .context("the organisation key is 64 hex digits")
                    })
                    .transpose()?;
                storage.replace_org_key(key).await?;
            }
            let docs = storage.org_documents().await?;
            match docs.org_key {
                Some(k) => writeln!(
                    out,
                    "organisation key: {}",
                    teduh_directory::bundle::public_key_hex(
                        &ed25519_dalek::VerifyingKey::from_bytes(&k)?
                    )
                )?,
                None => writeln!(out, "no organisation key is registered")?,
            }
        }
        AdminCommand::InitOrg { name } => {
            storage
                .init_org(name.clone(), now)
                .await
                .context("cannot initialise the organisation")?;
            writeln!(out, "organisation {name:?} initialised")?;
        }
        AdminCommand::CreateTeam { name } => {
            if storage.org_name().await?.is_none() {
                anyhow::bail!(
                    "initialise the organisation first: teduh-server admin init-org NAME"
                );
            }
            let team = storage
                .create_team(name, now)
                .await
                .context("cannot create the team")?;
            writeln!(out, "team {} created with id {}", team.name, team.id)?;
        }
        AdminCommand::ListTeams => {
            for t in storage.teams().await? {
                writeln!(
                    out,
                    "{}\t{}\tkey epoch {}\t{} records",
                    t.id, t.name, t.key_epoch, t.last_seq
                )?;
            }
        }
        AdminCommand::Invite {
            team,
            role,
            device_of,
            expires_in_hours,
        } => {
            let team = find_team(storage, &team).await?;
            let member = match &device_of {
                None => None,
                Some(name) => Some(
                    storage
                        .members(team.id)
                        .await?
                        .into_iter()
                        .find(|m| &m.username == name && m.removed_at.is_none())
                        .with_context(|| {
                            format!("team {} has no active member {name:?}", team.name)
                        })?,
                ),
            };
            let role = member.as_ref().map_or(role, |m| m.role);
            let (code, code_hash) = auth::new_invitation_code();
            let expires_at = now + i64::from(expires_in_hours) * 3600;
            storage
                .create_invitation(NewInvitation {
                    team_id: team.id,
                    role,
                    member_id: member.as_ref().map(|m| m.id),
                    package: None,
                    code_hash,
                    created_at: now,
                    expires_at,
                })
                .await?;
            writeln!(out, "{code}")?;
            match &device_of {
                Some(name) => writeln!(
                    out,
                    "single-use invitation for a further device of {name} in team {}, valid \
                     for {expires_in_hours} h; it waits until a supervisor admits it",
                    team.name
                )?,
                None => writeln!(
                    out,
                    "single-use invitation to team {} as {}, valid for {expires_in_hours} h; \
                     the account waits until a supervisor admits it",
                    team.name,
                    role.as_str()
                )?,
            }
        }
        AdminCommand::ListInvitations { team } => {
            let team = match team {
                Some(t) => Some(find_team(storage, &t).await?.id),
                None => None,
            };
            for i in storage.invitations(team).await? {
                let state = match i.used_at {
                    Some(_) => "used",
                    None if i.expires_at <= now => "expired",
                    None => "open",
                };
                writeln!(
                    out,
                    "{}\tteam {}\t{}\t{state}\texpires at {}",
                    i.id,
                    i.team_id,
                    i.role.as_str(),
                    i.expires_at
                )?;
            }
        }
        AdminCommand::RevokeInvitation { invitation } => {
            storage
                .revoke_invitation(invitation, now)
                .await
                .context("cannot revoke the invitation")?;
            writeln!(out, "invitation {invitation} revoked")?;
        }
        AdminCommand::ListMembers { team } => {
            let team = find_team(storage, &team).await?;
            for m in storage.members(team.id).await? {
                let state = if m.removed_at.is_some() {
                    "removed"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{state}",
                    m.id,
                    m.username,
                    m.role.as_str()
                )?;
            }
        }
        AdminCommand::ListDevices { team } => {
            let filter = match team {
                Some(t) => DeviceFilter::Team(find_team(storage, &t).await?.id),
                None => DeviceFilter::All,
            };
            for d in storage.devices(filter).await? {
                let state = if d.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\tteam {}\t{state}\tstored through {}",
                    d.id, d.username, d.name, d.team_id, d.contiguous_seq
                )?;
            }
        }
        AdminCommand::RevokeDevice { device } => {
            storage
                .revoke_device(device, now)
                .await
                .context("cannot revoke the device")?;
            writeln!(out, "device {device} revoked")?;
        }
        AdminCommand::PublishDirectory { file, version } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let version = match version {
                Some(v) => v,
                None => bundle_version(&bytes).with_context(|| {
                    format!(
                        "cannot find the version inside {}; pass --version",
                        file.display()
                    )
                })?,
            };
            let sha256 = auth::sha256(&bytes);
            storage
                .publish_directory(
                    DirectoryBundle {
                        version,
                        sha256,
                        bundle: bytes,
                    },
                    now,
                )
                .await
                .context("cannot publish the directory")?;
            writeln!(out, "directory version {version} published")?;
        }
        AdminCommand::AfterRestore { by } => {
            storage.advance_team_sequences(by, now_millis()).await?;
            writeln!(
                out,
                "team sequences moved forward by {by}; devices re-send what the restore lost when they next push"
            )?;
        }
        AdminCommand::RemoveMember { member } => {
            storage
                .remove_member(member, now)
                .await
                .context("cannot remove the member")?;
            writeln!(
                out,
                "member {member} removed and her devices revoked; a supervisor should now start a new team-key epoch"
            )?;
        }
    }
    Ok(())
}
