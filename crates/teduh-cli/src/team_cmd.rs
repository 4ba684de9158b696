//! `teduh team`: people decide who is in the team. A newcomer reads out the safety number her
//! device shows (`teduh team safety-number`); her key manager lists who waits (`teduh team
//! pending`) and types that number (`teduh team confirm`); she removes a member or revokes a lost
//! device the same way (`teduh team remove`, `teduh team revoke-device`). Each decision works
//! offline; the signed roster and a new team key go out at the next `teduh sync`. A member adds
//! a further computer of her own with a code from this one (`teduh team device-code`); it joins
//! with its own keys and waits like any newcomer.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use teduh_core::paths::DataDir;

use crate::{sync_cmd, vault_cmd};

/// `teduh team ...`.
#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// List the devices the server knows but no key manager admitted yet (they wait, with no
    /// key): a new member's, or a further computer of a member already in the team.
    Pending,
    /// Admit a waiting device: type the safety number its screen shows (read out by phone).
    /// Three wrong numbers block her admission from this device and raise a security alarm.
    Confirm {
        /// Her username, as `teduh team pending` lists it.
        username: String,
        /// The 24 digits her screen shows (spaces or dashes between groups are fine).
        safety_number: String,
    },
    /// Show this device's safety number for each supervisor's device, to read out while it
    /// waits.
    SafetyNumber,
    /// Invite a newcomer (a supervisor's or an admin's device): prints a single-use code (valid
    /// 72 hours) to hand her, and a WhatsApp link. She joins with `teduh join --server URL
    /// --invitation CODE` (or in the app); this device admits her at its next `teduh sync`.
    Invite {
        /// The username she gets.
        #[arg(long)]
        username: String,
        /// counselor, outreach, supervisor or admin.
        #[arg(long)]
        role: String,
        /// A volunteer's level: 1 junior, 2 intermediate, 3 senior (the roster lists it once
        /// she is admitted; `teduh team level` changes it later).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
        level: Option<u8>,
    },
    /// List the security alarms this device raised and, on a supervisor's device, those the
    /// team's devices reported to it, newest first.
    Alarms,
    /// Make a single-use code (valid 24 hours) for adding a further computer of your own: run
    /// `teduh join --username YOU --invitation CODE` there. It waits until a supervisor admits it.
    DeviceCode,
    /// List the team as the signed roster on this device has it: members, roles and devices.
    Members,
    /// Remove a member (a key manager's decision): at the next sync the roster marks her
    /// removed and a new team key is sealed to the members who stay.
    Remove {
        /// Her username.
        username: String,
    },
    /// Revoke one device (a lost laptop): at the next sync the roster marks it revoked and a
    /// new team key is sealed without it. Device numbers are in `teduh team members`.
    RevokeDevice {
        /// The device's number.
        device: u64,
    },
    /// Set a volunteer's level (a key manager's decision): junior, intermediate or senior. The
    /// roster signed at the next sync lists it; the permissions table follows it.
    Level {
        /// Her username.
        username: String,
        /// junior, intermediate or senior.
        level: String,
    },
}

/// Runs a `teduh team` command.
pub fn run(data: &DataDir, cmd: TeamCmd) -> anyhow::Result<ExitCode> {
    let (mut v, b) = sync_cmd::joined_vault(data)?;
    match cmd {
        TeamCmd::Pending => {
            let pending = v.pending_devices()?;
            if pending.is_empty() {
                println!("no one is waiting to be admitted (as of this device's last sync)");
            }
            for p in pending {
                let state = if p.blocked {
                    " BLOCKED after wrong safety numbers".to_owned()
                } else if p.wrong_entries > 0 {
                    format!(" ({} wrong number(s) so far)", p.wrong_entries)
                } else {
                    String::new()
                };
                println!(
                    "{}\t{}\tdevice {}{state}",
                    p.username,
                    p.role.as_str(),
                    p.device
                );
            }
        }
        TeamCmd::Confirm {
            username,
            safety_number,
        } => {
            vault_cmd::unlock(&mut v)?;
            v.confirm_admission(&username, &safety_number)
                .with_context(|| format!("while admitting {username}"))?;
            println!(
                "{username}'s device is admitted; the roster and its team key go out at the next \
                 `teduh sync`"
            );
        }
        TeamCmd::Members => {
            let Some(roster) = v.roster()? else {
                println!("no roster on this device yet: run `teduh sync` first");
                return Ok(ExitCode::SUCCESS);
            };
            for m in &roster.members {
                let state = if m.removed { " (removed)" } else { "" };
                let level = m
                    .level
                    .map(|l| format!(" {}", l.as_str()))
                    .unwrap_or_default();
                println!("{}\t{}{level}{state}", m.username, m.role.as_str());
                for d in roster.devices.iter().filter(|d| d.member == m.member) {
                    let revoked = if d.revoked { " (revoked)" } else { "" };
                    println!("  device {}{revoked}", d.device);
                }
            }
        }
        TeamCmd::Remove { username } => {
            vault_cmd::unlock(&mut v)?;
            v.remove_member(&username)
                .with_context(|| format!("while removing {username}"))?;
            println!("{username} is removed; the roster and a new team key go out at the next `teduh sync`");
        }
        TeamCmd::Level { username, level } => {
            vault_cmd::unlock(&mut v)?;
            let parsed = teduh_core::permissions::Level::parse(&level).with_context(|| {
                format!("unknown level {level}: junior, intermediate or senior")
            })?;
            v.set_member_level(&username, parsed)
                .with_context(|| format!("while setting {username}'s level"))?;
            println!("{username} is {level}; the roster lists it after the next `teduh sync`");
        }
        TeamCmd::RevokeDevice { device } => {
            vault_cmd::unlock(&mut v)?;
            v.revoke_device(device)
                .with_context(|| format!("while revoking device {device}"))?;
            println!("device {device} is revoked; the roster and a new team key go out at the next `teduh sync`");
        }
        TeamCmd::SafetyNumber => {
            let numbers = v.safety_numbers()?;
            if numbers.is_empty() {
                println!(
                    "no supervisor's roster on this device yet: run `teduh sync` first \
                     (joined {} as {})",
                    b.server_url, b.username
                );
            }
            for n in numbers {
                println!(
                    "{} ({}, device {}): {}",
                    n.key_manager,
                    n.role.as_str(),
                    n.device,
                    n.number
                );
            }
        }
        TeamCmd::Invite {
            username,
            role,
            level,
        } => {
            let role = teduh_protocol::sync::Role::parse(&role).with_context(|| {
                format!("unknown role {role:?}: counselor, outreach, supervisor or admin")
            })?;
            vault_cmd::unlock(&mut v)?;
            let made = sync_cmd::invite(&mut v, &b, &username, role, level)?;
            let p = &made.package;
            println!("{}", made.code);
            println!(
                "single-use invitation for {} as {} in {}, valid until {}: she joins with \
                 `teduh join --server {} --invitation CODE` or in the app; this device admits her \
                 at its next `teduh sync`",
                p.username,
                p.role.as_str(),
                p.team_name,
                when(p.expires_at),
                b.server_url
            );
            println!(
                "WhatsApp: {}",
                teduh_core::team::invitation::whatsapp_link(&made.code, &b.server_url)
            );
        }
        TeamCmd::Alarms => {
            let own = v.security_alarms()?;
            let reported = v.reported_alarms()?;
            if own.is_empty() && reported.is_empty() {
                println!("no security alarms");
            }
            for a in own.iter().rev() {
                println!("{}\t{}\t{}", when(a.first_seen), a.kind, a.detail);
            }
            for r in &reported {
                let checked = if r.verified {
                    ""
                } else {
                    " (unverified sender)"
                };
                println!(
                    "{}\t{}\treported by device {}{checked}: {}",
                    when(r.raised_at),
                    r.kind,
                    r.reporter,
                    r.detail
                );
            }
        }
        TeamCmd::DeviceCode => {
            vault_cmd::unlock(&mut v)?;
            let code = sync_cmd::device_code(&mut v, &b)?;
            println!("{code}");
            println!(
                "single-use code for a further computer of {}, valid for 24 hours: run `teduh \
                 join --server {} --username {} --invitation CODE` there; it waits until a \
                 supervisor admits it by its safety number",
                b.username, b.server_url, b.username
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Unix seconds as a UTC date and time.
fn when(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}
