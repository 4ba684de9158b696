//! The sync subcommands: `join` (register with an invitation, or add this computer as a further
//! device of an existing member with her passphrase alone), `sync` (one round with the server
//! the vault is bound to), `reconnect` (sign in again to a server restored from a backup that
//! lost this device) and `status` (what the binding says, without the passphrase).
//!
//! Failures a script branches on end with their own exit code ([`EXIT_OFFLINE`],
//! [`EXIT_REVOKED`]); every failure is one line on standard error, and a failed `join` leaves
//! the data directory as it found it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use chrono::{DateTime, Local, Offset as _, TimeDelta, Utc};
use clap::Args;
use serde::Serialize;
use teduh_client::HttpTransport;
use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::sync::join::{self, JoinRequest};
use teduh_core::sync::{Binding, Phase, Progress, SyncError, SyncReport};
use teduh_core::vault::{Vault, VaultError};

use crate::vault_cmd;
use crate::Failure;

/// Exit code of `join` and `sync` when the server cannot be reached (records stay for later).
pub const EXIT_OFFLINE: u8 = 2;
/// Exit code of `sync` when this device was revoked or its member removed from the team.
pub const EXIT_REVOKED: u8 = 3;

/// Options of `teduh join`.
#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The sync server's address, starting with https:// (or http:// on a trusted network).
    #[arg(long, env = "TEDUH_SERVER_URL", value_name = "URL")]
    server: String,
    /// Your login name on the server (with a supervisor's invitation, the one it names; it may
    /// be left out).
    #[arg(long, value_name = "NAME")]
    username: Option<String>,
    /// The single-use code: from your supervisor (`teduh team invite`; admitted at her next
    /// sync), from your administrator (registers you with this computer's vault, created first
    /// if there is none), or from `teduh team device-code` on another computer of yours (this
    /// one becomes a further device of yours, with its own keys and passphrase).
    #[arg(long, value_name = "CODE")]
    invitation: String,
    /// A name for this computer, shown to the team's supervisor (default: the host name).
    #[arg(long, value_name = "NAME")]
    device_name: Option<String>,
    /// Trust only this CA certificate (PEM) for https://, for an organisation with its own CA.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// For automated tests only: weak key-derivation parameters for a vault created here.
    #[arg(long, hide = true)]
    insecure_test_kdf: bool,
}

/// Options of `teduh reconnect`.
#[derive(Debug, Args)]
pub struct ReconnectArgs {
    /// An invitation code from your administrator: `teduh-server admin invite --device-of YOU`
    /// when the restored server still knows you, or a new one when it lost your membership too
    /// (you joined after its backup was made).
    #[arg(long, value_name = "CODE")]
    invitation: String,
    /// Trust only this CA certificate (PEM) for https://, for an organisation with its own CA.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
}

/// Options of `teduh sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Trust only this CA certificate (PEM) for https://, for an organisation with its own CA.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
}

/// Options of `teduh status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn transport(url: &str, ca_file: Option<&Path>) -> anyhow::Result<HttpTransport> {
    let mut builder = HttpTransport::builder(url.trim())
        .allow_plain_http(teduh_client::plain_http_allowed_by_env());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("while reading the CA certificate {}", path.display()))?;
        builder = builder.organisation_ca_pem(&pem);
    }
    Ok(builder.build()?)
}

/// The vault in `data`, locked, if there is one. A database without a vault (left by
/// `teduh doctor`, say) counts as none.
fn existing_vault(data: &DataDir) -> anyhow::Result<Option<Vault>> {
    let path = data.database();
    if !path.exists() {
        return Ok(None);
    }
    match Vault::open_path(&path) {
        Ok(v) => Ok(Some(v)),
        Err(VaultError::NotInitialised) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("while opening {}", path.display())),
    }
}

/// The host name, as the default device name (the server takes at most 100 characters).
fn default_device_name() -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("{} (teduh CLI)", h.chars().take(80).collect::<String>()),
        None => "teduh CLI".to_owned(),
    }
}

fn already_joined(b: &Binding) -> anyhow::Error {
    anyhow::anyhow!(
        "this computer has already joined team {} as {} on {}; nothing was changed",
        b.team,
        b.username,
        b.server_url
    )
}

/// One clear sentence for a failed join, with the exit code a script can branch on.
fn join_failure(e: SyncError, url: &str, username: &str) -> anyhow::Error {
    let error = e.code();
    let (code, message) = match e {
        SyncError::Offline(detail) => (
            EXIT_OFFLINE,
            format!(
                "cannot reach the server at {url} ({detail}); check the address and the \
                 connection, then try again; nothing was changed"
            ),
        ),
        SyncError::BadInvitation(why) => (
            1,
            format!(
                "the invitation code is not valid ({why}); ask your administrator for a new \
                 one; nothing was changed"
            ),
        ),
        SyncError::Refused { code, .. } if code == "UsernameTaken" => (
            1,
            format!(
                "the username {username:?} is taken on {url}; choose another (the invitation \
                 was not used); nothing was changed"
            ),
        ),
        SyncError::Vault(VaultError::WrongPassphrase) => (
            1,
            "wrong passphrase: it does not open the vault on this computer; nothing was sent \
             to the server"
                .to_owned(),
        ),
        SyncError::Refused { code, message } => (
            1,
            format!("the server refused to join ({code}): {message}; nothing was changed"),
        ),
        SyncError::Protocol(detail) => (
            1,
            format!("the server at {url} answered unexpectedly ({detail}); nothing was changed"),
        ),
        other => (1, format!("{other}; nothing was changed")),
    };
    Failure::new(code, message).coded(error).into()
}

/// `teduh join`.
///
/// Fails (changing nothing locally) when the server cannot be reached, the invitation, the
/// username or the passphrase is refused, or this computer has already joined.
pub fn join(data: &DataDir, args: &JoinArgs) -> anyhow::Result<ExitCode> {
    let code = args.invitation.trim();
    let mut t = transport(&args.server, args.ca_file.as_deref())?;
    let url = t.base_url().to_owned();
    // A supervisor's invitation names who invites and the username: shown before anything is
    // created or a passphrase is asked for.
    let invited = if join::is_key_manager_invitation(code) {
        let preview = join::open_invitation(&mut t, code)
            .map_err(|e| join_failure(e, &url, args.username.as_deref().unwrap_or("")))?;
        let p = &preview.package;
        eprintln!(
            "Diundang oleh {} ({}) · {} · {} — as {} ({})",
            p.inviter,
            p.inviter_role.as_str(),
            p.team_name,
            p.organisation,
            p.username,
            p.role.as_str()
        );
        if let Some(key) = &p.org_key {
            eprintln!(
                "organisation key: {} (compare it with the one your administrator reads out)",
                teduh_core::team::org::fingerprint(key)
            );
        }
        Some(p.username.clone())
    } else {
        None
    };
    // Trimmed: a device invitation names the member by it.
    let username = match (&invited, args.username.as_deref().map(str::trim)) {
        (Some(named), Some(typed)) if !typed.is_empty() && typed != named => {
            bail!("this invitation is for the username {named}, not {typed}; nothing was changed")
        }
        (Some(named), _) => named.as_str(),
        (None, Some(typed)) if !typed.is_empty() => typed,
        (None, _) => bail!("the username is empty: add --username NAME"),
    };
    let device_name = args.device_name.clone().unwrap_or_else(default_device_name);
    let existing = existing_vault(data)?;
    if let Some(b) = existing.as_ref().map(Vault::binding).transpose()?.flatten() {
        return Err(already_joined(&b));
    }
    let kdf = vault_cmd::new_vault_kdf(args.insecure_test_kdf);
    let fail = |e: SyncError| join_failure(e, &url, username);
    let (binding, created) = match existing {
        Some(mut v) => {
            let pass = vault_cmd::passphrase("Passphrase: ")?;
            v.unlock(&pass).map_err(|e| fail(e.into()))?;
            v.set_idle_timeout(None);
            let req = JoinRequest {
                server_url: &url,
                username,
                passphrase: &pass,
                device_name: &device_name,
            };
            (
                join::register(&mut v, &mut t, &req, code).map_err(fail)?,
                false,
            )
        }
        None => {
            // Every device has its own vault and passphrase, a further device of a member too.
            let pass = vault_cmd::new_passphrase()?;
            let created_dir = !data.root().exists();
            data.ensure()?;
            let req = JoinRequest {
                server_url: &url,
                username,
                passphrase: &pass,
                device_name: &device_name,
            };
            // The same staged join as the app's: nothing is left behind when it fails.
            let joined = join::first_run(&data.database(), &mut t, &req, code, kdf)
                .map_err(fail)
                .and_then(|v| {
                    v.binding()?
                        .context("the vault was created but holds no binding to the server")
                });
            match joined {
                Ok(b) => (b, true),
                Err(e) => {
                    if created_dir {
                        // Only when empty: nothing else of the user's is ever removed.
                        let _ = std::fs::remove_dir(data.root());
                    }
                    return Err(e);
                }
            }
        }
    };
    // The desktop app and `teduh doctor` read the server from the settings.
    let remembered = Settings::load(&data.settings()).and_then(|mut s| {
        s.server_url = Some(url.clone());
        s.save(&data.settings())
    });
    if let Err(e) = remembered {
        eprintln!("warning: the server address was not saved in the settings: {e}");
    }
    if created {
        eprintln!("a new vault was created in {}", data.root().display());
    }
    println!(
        "joined team {} as {} ({}) on {}: this computer is device {} of member {}",
        binding.team,
        binding.role.as_str(),
        binding.username,
        binding.server_url,
        binding.device,
        binding.member
    );
    Ok(ExitCode::SUCCESS)
}

/// An invitation made on this key manager's device (`teduh team invite`).
///
/// Fails when the server cannot be reached or refuses, or this is not a key manager's admitted
/// device.
pub fn invite(
    v: &mut Vault,
    b: &teduh_core::sync::Binding,
    username: &str,
    role: teduh_protocol::sync::Role,
    level: Option<u8>,
) -> anyhow::Result<join::MadeInvitation> {
    let mut t = transport(&b.server_url, None)?;
    join::invite(v, &mut t, username, role, level)
        .map_err(|e| join_failure(e, &b.server_url, username))
}

/// A code for a further computer of this device's member (`teduh team device-code`).
///
/// Fails when the server cannot be reached or refuses (this device was revoked).
pub fn device_code(v: &mut Vault, b: &teduh_core::sync::Binding) -> anyhow::Result<String> {
    let mut t = transport(&b.server_url, None)?;
    join::invite_device(v, &mut t)
        .map(|i| i.code)
        .map_err(|e| join_failure(e, &b.server_url, &b.username))
}

/// `teduh reconnect`: signs this device in again to a server restored from a backup that no
/// longer knows it, under the member and device ids it had; records and unsent work stay, and
/// the next `teduh sync` re-sends what the server lost.
///
/// Fails (changing nothing locally) when not joined, the passphrase or invitation is refused,
/// the ids are held by someone else, or the server cannot be reached.
pub fn reconnect(data: &DataDir, args: &ReconnectArgs) -> anyhow::Result<ExitCode> {
    let mut v = existing_vault(data)?.context("there is no vault here to reconnect")?;
    let b = v
        .binding()?
        .context("this computer has not joined a team: use `teduh join`")?;
    let mut t = transport(&b.server_url, args.ca_file.as_deref())?;
    let pass = vault_cmd::passphrase("Passphrase: ")?;
    let fail = |e: SyncError| join_failure(e, &b.server_url, &b.username);
    v.unlock(&pass).map_err(|e| fail(e.into()))?;
    v.set_idle_timeout(None);
    join::reconnect(
        &mut v,
        &mut t,
        &pass,
        args.invitation.trim(),
        &default_device_name(),
    )
    .map_err(fail)?;
    println!(
        "this computer is device {} of member {} on {} again; run `teduh sync` to send what \
         the server lost",
        b.device, b.member, b.server_url
    );
    Ok(ExitCode::SUCCESS)
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Keys => "keys",
        Phase::Push => "send",
        Phase::Pull => "receive",
    }
}

fn progress_line(p: &Progress) -> String {
    format!(
        "{}: sent {}, pending {}, received {}",
        phase_name(p.phase),
        p.sent,
        p.pending,
        p.received
    )
}

/// The round's summary; `waiting`: this device holds no team key it can use yet (not
/// admitted, or no key shared with it).
fn print_summary(r: &SyncReport, waiting: bool) {
    println!(
        "sync done: pushed {}, pulled {}, pending {}, held {}",
        r.pushed,
        r.pulled,
        r.pending,
        r.held.len()
    );
    for h in &r.held {
        println!("held {h}");
    }
    for a in &r.alarms {
        println!("SECURITY ALARM {a}");
    }
    for a in &r.reported {
        println!("SECURITY ALARM reported: {a}");
    }
    if waiting {
        println!(
            "Waiting for a supervisor to admit this device and share the team key: read her \
             the safety number `teduh team safety-number` shows; nothing can be sent or read \
             until then, and {} record(s) stay on this computer.",
            r.pending
        );
    }
}

/// The vault in `data` (locked) and its binding; fails when there is none.
pub(crate) fn joined_vault(data: &DataDir) -> anyhow::Result<(Vault, Binding)> {
    let v = existing_vault(data)?.with_context(|| {
        format!(
            "no vault in {}; run `teduh join --server URL --username NAME --invitation CODE` \
             first",
            data.root().display()
        )
    })?;
    let b = v.binding()?.context(
        "this computer has not joined a team yet; run `teduh join --server URL --username \
         NAME --invitation CODE` first",
    )?;
    Ok((v, b))
}

/// `teduh sync`: one round.
///
/// Fails with exit code [`EXIT_OFFLINE`] when the server cannot be reached, [`EXIT_REVOKED`]
/// when this device no longer has access, 1 otherwise; records not sent stay in the vault.
pub fn sync(data: &DataDir, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let (mut v, b) = joined_vault(data)?;
    let mut t = transport(&b.server_url, args.ca_file.as_deref())?;
    vault_cmd::unlock(&mut v)?;
    // One round may take long on a slow link; the process ends right after it anyway.
    v.set_idle_timeout(None);
    println!("syncing with {} as {}", b.server_url, b.username);
    let outcome =
        teduh_core::sync::sync_once(&mut v, &mut t, &mut |p| println!("{}", progress_line(p)));
    match outcome {
        Ok(report) => {
            let waiting = report.waiting_for_keys || !v.is_admitted()?;
            print_summary(&report, waiting);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let kept = match v.pending_count() {
                Ok(n) => format!("{n} record(s) not sent yet stay on this computer"),
                Err(_) => "records not sent yet stay on this computer".to_owned(),
            };
            let error = e.code();
            let failure = match e {
                SyncError::Offline(detail) => Failure::new(
                    EXIT_OFFLINE,
                    format!(
                        "offline: cannot reach {} ({detail}); {kept} and are sent at the next sync",
                        b.server_url
                    ),
                ),
                SyncError::Revoked => Failure::new(
                    EXIT_REVOKED,
                    format!(
                        "this device no longer has access to the team (it was revoked, or its \
                         member removed); {kept}; ask your supervisor"
                    ),
                ),
                SyncError::TokenCopied => Failure::new(
                    EXIT_REVOKED,
                    format!(
                        "the server revoked this device: one of its sync tokens was also used \
                         somewhere else, so they were probably copied; {kept}; tell your \
                         supervisor, then join again with a device invitation"
                    ),
                ),
                other => Failure::new(1, format!("{other}; {kept}")),
            };
            Err(failure.coded(error).into())
        }
    }
}

/// `teduh status --json`: everything `status` prints, for scripts.
#[derive(Debug, Serialize)]
struct StatusView {
    data_dir: String,
    /// Whether a vault exists here.
    vault: bool,
    joined: bool,
    server_url: Option<String>,
    username: Option<String>,
    role: Option<&'static str>,
    team: Option<u64>,
    member: Option<u64>,
    device: Option<u64>,
    /// Records of this device the server has not acknowledged.
    pending: u64,
    last_success: Option<DateTime<Utc>>,
    last_attempt: Option<DateTime<Utc>>,
    last_error: Option<String>,
    held: usize,
    held_records: Vec<String>,
    key_epoch: Option<u32>,
    roster_version: Option<u64>,
    acked_seq: Option<u64>,
    pull_cursor: Option<u64>,
    /// When this device last found the server restored from a backup.
    server_restored_at: Option<DateTime<Utc>>,
}

fn utc(unix: Option<i64>) -> Option<DateTime<Utc>> {
    unix.and_then(|s| DateTime::from_timestamp(s, 0))
}

impl StatusView {
    fn read(data: &DataDir) -> anyhow::Result<Self> {
        let mut view = StatusView {
            data_dir: data.root().display().to_string(),
            vault: false,
            joined: false,
            server_url: None,
            username: None,
            role: None,
            team: None,
            member: None,
            device: None,
            pending: 0,
            last_success: None,
            last_attempt: None,
            last_error: None,
            held: 0,
            held_records: Vec::new(),
            key_epoch: None,
            roster_version: None,
            acked_seq: None,
            pull_cursor: None,
            server_restored_at: None,
        };
        let Some(v) = existing_vault(data)? else {
            return Ok(view);
        };
        view.vault = true;
        view.pending = v.pending_count()?;
        view.held_records = v.held_records()?;
        view.held = view.held_records.len();
        if let Some(b) = v.binding()? {
            view.joined = true;
            view.role = Some(b.role.as_str());
            view.team = Some(b.team);
            view.member = Some(b.member);
            view.device = Some(b.device);
            view.last_success = utc(b.last_success);
            view.last_attempt = utc(b.last_attempt);
            view.last_error = b.last_error;
            view.key_epoch = Some(b.current_epoch);
            view.roster_version = Some(b.roster_version);
            view.acked_seq = Some(b.acked_seq);
            view.pull_cursor = Some(b.pull_cursor);
            view.server_restored_at = utc(b.server_restored_at);
            view.server_url = Some(b.server_url);
            view.username = Some(b.username);
        }
        Ok(view)
    }

    fn print(&self, now: DateTime<Utc>) {
        println!("data directory: {}", self.data_dir);
        if !self.vault {
            println!("vault: none (run `teduh join` or `teduh init`)");
            return;
        }
        if !self.joined {
            println!("joined: no (this computer only; `teduh join` connects it to a team)");
            println!("records pending: {}", self.pending);
            return;
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        println!("joined: yes");
        println!("server: {}", text(&self.server_url));
        println!("username: {}", text(&self.username));
        println!("role: {}", self.role.unwrap_or_default());
        println!("team: {}", num(self.team));
        println!("member: {}", num(self.member));
        println!("device: {}", num(self.device));
        println!("records pending: {}", self.pending);
        let when =
            |t: Option<DateTime<Utc>>| t.map_or_else(|| "never".to_owned(), |t| local(t, now));
        println!("last success: {}", when(self.last_success));
        println!("last attempt: {}", when(self.last_attempt));
        println!(
            "last error: {}",
            self.last_error.as_deref().unwrap_or("none")
        );
        println!("held records: {}", self.held);
        for h in &self.held_records {
            println!("  {h}");
        }
        if let Some(t) = self.server_restored_at {
            // Information, not an alarm: the devices re-publish what the server lost.
            println!(
                "server restored from a backup: noticed {}; what it lost is sent again by the \
                 team's devices",
                local(t, now)
            );
        }
    }
}

/// Indonesian zone names for the offsets they stand for, else the offset.
fn zone_label(offset_secs: i32) -> String {
    match offset_secs {
        25_200 => "WIB".to_owned(),
        28_800 => "WITA".to_owned(),
        32_400 => "WIT".to_owned(),
        0 => "UTC".to_owned(),
        s => {
            let sign = if s < 0 { '-' } else { '+' };
            let a = s.unsigned_abs();
            format!("UTC{sign}{:02}.{:02}", a / 3600, a % 3600 / 60)
        }
    }
}

fn ago(d: TimeDelta) -> String {
    let s = d.num_seconds();
    let unit = |n: i64, word: &str| {
        if n == 1 {
            format!("1 {word} ago")
        } else {
            format!("{n} {word}s ago")
        }
    };
    match s {
        ..-60 => "in the future: check this computer's clock".to_owned(),
        -60..60 => "just now".to_owned(),
        60..3_600 => unit(s / 60, "minute"),
        3_600..86_400 => unit(s / 3_600, "hour"),
        _ => unit(s / 86_400, "day"),
    }
}

/// `dd/MM/yyyy HH.mm ZONE (… ago)` in this computer's time zone.
fn local(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let l = t.with_timezone(&Local);
    format!(
        "{} {} ({})",
        l.format("%d/%m/%Y %H.%M"),
        zone_label(l.offset().fix().local_minus_utc()),
        ago(now - t)
    )
}

/// `teduh status`: needs no passphrase (nothing it shows is encrypted).
///
/// Fails when the database cannot be read.
pub fn status(data: &DataDir, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let view = StatusView::read(data)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        view.print(Utc::now());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_offsets_are_named_and_others_shown_as_offsets() {
        assert_eq!(zone_label(7 * 3600), "WIB", "Jakarta");
        assert_eq!(zone_label(8 * 3600), "WITA", "Makassar");
        assert_eq!(zone_label(9 * 3600), "WIT", "Jayapura");
        assert_eq!(zone_label(0), "UTC");
        assert_eq!(zone_label(-(3 * 3600 + 30 * 60)), "UTC-03.30");
    }

    #[test]
    fn ages_read_as_words_with_singular_and_plural() {
        assert_eq!(ago(TimeDelta::seconds(5)), "just now");
        assert_eq!(ago(TimeDelta::seconds(60)), "1 minute ago");
        assert_eq!(ago(TimeDelta::seconds(7_300)), "2 hours ago");
        assert_eq!(ago(TimeDelta::days(3)), "3 days ago");
        assert!(
            ago(TimeDelta::seconds(-3_600)).contains("clock"),
            "a time ahead of now points at the clock"
        );
    }
}
