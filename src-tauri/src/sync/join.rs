//! Joining a team from the app.
//!
//! Every device joins with an invitation (a new member's from an administrator, or one her
//! other device made for a further device of hers) and its own keys; it reads nothing until a
//! key manager admits it by its safety number.
//!
//! - With a vault on this computer: the unlocked vault registers
//!   ([`teduh_core::sync::join::register`]); records written before are sent at the first
//!   round.
//! - On first run (no vault yet): the core's staged join ([`teduh_core::sync::join::first_run`],
//!   which the CLI uses too) makes the vault in a staging file, joins there and only then moves
//!   it into place. A wrong invitation, a wrong passphrase or a dropped link therefore leave no
//!   half-made vault behind: the first-run screen simply stays.

use teduh_core::error::Code;

use teduh_client::HttpTransport;
use teduh_core::crypto::KdfParams;
use teduh_core::sync::join::{self, JoinRequest};
use teduh_core::vault::VaultError;

use crate::ipc::{
    InvitationPreviewView, InvitationView, IpcError, JoinForm, ReconnectForm, SyncStatusView,
};
use crate::state::AppState;

/// The server address as typed: `None` when empty; else an `https://` address, or plain
/// `http://` only to this computer (or anywhere on a test network with
/// `TEDUH_ALLOW_PLAIN_HTTP=1`, which the header then shows).
///
/// Fails with `InvalidServerUrl` otherwise.
pub fn parse_server_url(url: &str) -> Result<Option<String>, IpcError> {
    if url.trim().is_empty() {
        return Ok(None);
    }
    teduh_client::check_server_url(url, teduh_client::plain_http_allowed_by_env())
        .map(Some)
        .map_err(|e| IpcError::new(Code::InvalidServerUrl, e.to_string()))
}

/// Limit on connecting to the server, for every request the app makes.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The transport to the server at `url`, under the same address rule as [`parse_server_url`]
/// and with [`CONNECT_TIMEOUT`].
pub(crate) fn transport_to(url: &str) -> teduh_client::HttpTransportBuilder {
    HttpTransport::builder(url)
        .allow_plain_http(teduh_client::plain_http_allowed_by_env())
        .connect_timeout(CONNECT_TIMEOUT)
}

/// A built transport to `url` (see [`transport_to`]).
///
/// Fails with `InvalidServerUrl`.
fn connect(url: &str) -> Result<HttpTransport, IpcError> {
    transport_to(url)
        .build()
        .map_err(|e| IpcError::new(Code::InvalidServerUrl, e.to_string()))
}

/// The address of the server this computer joined.
///
/// Fails with `NotJoined`.
fn joined_server(state: &AppState) -> Result<String, IpcError> {
    state
        .sync()
        .server_url()
        .ok_or_else(|| IpcError::new(Code::NotJoined, "this computer has not joined a team"))
}

/// The name the team's supervisor sees for this computer.
fn device_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("Teduh desktop ({h})"),
        None => "Teduh desktop".to_owned(),
    }
}

/// `team_join`: see the module documentation. Returns the status after joining; the worker
/// starts the first round at once.
///
/// Fails with `InvalidServerUrl`/`InvalidInput` for the form, `InvalidInvitation` (none, or
/// refused), `WrongPassphrase` (registering this vault), `UsernameTaken`, `ServerUnreachable`
/// or `Locked`.
pub fn join_team(state: &AppState, form: &JoinForm) -> Result<SyncStatusView, IpcError> {
    let url = parse_server_url(&form.server_url)?
        .ok_or_else(|| IpcError::new(Code::InvalidServerUrl, "the server address is empty"))?;
    let username = form.username.trim();
    let invitation = required_invitation(form.invitation.as_deref())?;
    // A supervisor's invitation names the username; any other needs it typed.
    let named = join::is_key_manager_invitation(invitation);
    if (username.is_empty() && !named) || form.passphrase.is_empty() {
        return Err(IpcError::new(
            Code::InvalidInput,
            "username and passphrase are required",
        ));
    }
    let device = device_name();
    let req = JoinRequest {
        server_url: &url,
        username,
        passphrase: &form.passphrase,
        device_name: &device,
    };
    let mut transport = connect(&url)?;
    state.install_joined_vault(|slot| match slot {
        Some(vault) => {
            join::register(vault, &mut transport, &req, invitation)?;
            Ok(None)
        }
        None => {
            let vault = join::first_run(
                &state.data().database(),
                &mut transport,
                &req,
                invitation,
                KdfParams::interactive(),
            )?;
            Ok(Some(vault))
        }
    })?;
    state.update_settings(|s| s.server_url = Some(url.clone()))?;
    Ok(state.sync_status())
}

/// `set_server_url` for a vault that joined a team: the team's server moved to `url`. The
/// vault's binding follows only if the server there accepts this device and lists this member
/// in her team ([`join::move_server`]); then the settings remember it and a round starts.
/// Returns the address now in use.
///
/// Fails with `InvalidServerUrl` (empty or not an address), `ServerUnreachable` (nothing
/// answers there), `ServerMismatch` (something answers, but not as this team's server) or
/// `Locked` (the device's token is sealed in the vault); then nothing changed.
pub fn move_server(
    state: &AppState,
    url: &str,
    confirmed: bool,
) -> Result<Option<String>, IpcError> {
    let url = parse_server_url(url)?.ok_or_else(|| {
        IpcError::new(
            Code::InvalidServerUrl,
            "a device that joined a team needs its server's address",
        )
    })?;
    if state.sync().server_url().as_deref() == Some(url.as_str()) {
        return Ok(Some(url));
    }
    if !confirmed {
        return Err(IpcError::new(
            Code::ConfirmationNeeded,
            "moving this team's server needs a confirmation",
        ));
    }
    let mut transport = connect(&url)?;
    state.install_joined_vault(|slot| {
        let vault = slot.ok_or(VaultError::NotInitialised)?;
        join::move_server(vault, &mut transport, &url)?;
        // What this session learned about the old address no longer applies.
        state.sync().update_session(|s| {
            s.online = None;
            s.last_error = None;
        });
        Ok(None)
    })?;
    state.update_settings(|s| s.server_url = Some(url.clone()))?;
    state.publish_sync_status();
    Ok(Some(url))
}

/// The invitation code typed, trimmed. Fails with `InvalidInvitation` when there is none: every
/// device joins with one.
fn required_invitation(typed: Option<&str>) -> Result<&str, IpcError> {
    typed
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            IpcError::new(
                Code::InvalidInvitation,
                "an invitation code is needed: from an administrator, or for a further device of \
                 yours, from Settings on your other device",
            )
        })
}

/// `invitation_preview`: who invites, to which team, as whom, from a supervisor's invitation
/// code and the server's address, before the newcomer sets her passphrase.
///
/// Fails with `InvalidServerUrl`, `InvalidInvitation` (not such a code, or unknown, used or
/// expired), `ServerProtocol` (the package does not open with the code) or
/// `ServerUnreachable`.
pub fn preview(server_url: &str, code: &str) -> Result<InvitationPreviewView, IpcError> {
    let url = parse_server_url(server_url)?
        .ok_or_else(|| IpcError::new(Code::InvalidServerUrl, "the server address is empty"))?;
    let mut transport = connect(&url)?;
    let preview = join::open_invitation(&mut transport, code)?;
    Ok(InvitationPreviewView::from(&preview.package))
}

/// `team_invite`: an invitation made on this key manager's device for `username` as `role`
/// (and `level`), stored at the server as an id and a sealed package ([`join::invite`]).
///
/// Fails with `NotJoined`, `Locked`, `NotPermitted` (not a key manager's admitted device),
/// `InvalidInput` (the username is taken in the team, or an unknown role), `ServerUnreachable`
/// or `ServerRefused`.
pub fn invite(
    state: &AppState,
    username: &str,
    role: &str,
    level: Option<u8>,
) -> Result<InvitationView, IpcError> {
    let role = teduh_protocol::sync::Role::parse(role)
        .ok_or_else(|| IpcError::new(Code::InvalidInput, format!("unknown role {role:?}")))?;
    let url = joined_server(state)?;
    let mut transport = connect(&url)?;
    let mut made = None;
    state.install_joined_vault(|slot| {
        let vault = slot.ok_or(VaultError::NotInitialised)?;
        made = Some(join::invite(vault, &mut transport, username, role, level)?);
        Ok(None)
    })?;
    let made = made.ok_or_else(|| IpcError::new(Code::Internal, "no invitation was made"))?;
    Ok(InvitationView {
        code: made.code,
        username: made.package.username,
        role: made.package.role.as_str().to_owned(),
        expires_at: made.package.expires_at,
    })
}

/// `team_share_invitation`: opens WhatsApp with the invitation `code` and this team's server
/// address in a message ("Kirim lewat WhatsApp"); only a supervisor's invitation code is sent.
///
/// Fails with `InvalidInput` (not an invitation code), `NotJoined` or `OpenFailed`.
pub fn share_whatsapp(state: &AppState, code: &str) -> Result<(), IpcError> {
    if !join::is_key_manager_invitation(code) {
        return Err(IpcError::new(
            Code::InvalidInput,
            "only a supervisor's invitation code is shared",
        ));
    }
    let url = joined_server(state)?;
    let link = teduh_core::team::invitation::whatsapp_link(code.trim(), &url);
    open::that_detached(&link).map_err(|e| {
        IpcError::new(
            Code::OpenFailed,
            format!("the system could not open WhatsApp: {e}"),
        )
    })
}

/// `team_device_code`: a single-use code (valid 24 hours) with which this device's member adds
/// a further device of hers ([`join::invite_device`]). Returns the code.
///
/// Fails with `NotJoined`, `Locked`, `ServerUnreachable` or `DeviceRevoked`.
pub fn device_code(state: &AppState) -> Result<String, IpcError> {
    let url = joined_server(state)?;
    let mut transport = connect(&url)?;
    let mut code = None;
    state.install_joined_vault(|slot| {
        let vault = slot.ok_or(VaultError::NotInitialised)?;
        code = Some(join::invite_device(vault, &mut transport)?.code);
        Ok(None)
    })?;
    code.ok_or_else(|| IpcError::new(Code::Internal, "no code was made"))
}

/// `sync_reconnect`: signs this device in again to a server restored from a backup that no
/// longer knows it, under the ids it had ([`join::reconnect`]); records and unsent work stay,
/// and a round starts (it re-sends what the server lost). Returns the status.
///
/// Fails with `WrongPassphrase`, `InvalidInvitation` (none, or refused: the administrator makes
/// one with `admin invite --device-of`), `ServerMismatch`, `ServerUnreachable`, `NotJoined` or
/// `Locked`; then nothing changed.
pub fn reconnect(state: &AppState, form: &ReconnectForm) -> Result<SyncStatusView, IpcError> {
    let url = joined_server(state)?;
    let invitation = required_invitation(form.invitation.as_deref())?;
    let mut transport = connect(&url)?;
    let device = device_name();
    state.install_joined_vault(|slot| {
        let vault = slot.ok_or(VaultError::NotInitialised)?;
        join::reconnect(vault, &mut transport, &form.passphrase, invitation, &device)?;
        state.sync().update_session(|s| {
            s.last_error = None;
            s.revoked = false;
        });
        Ok(None)
    })?;
    Ok(state.sync_status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_must_be_http_or_https() {
        assert_eq!(
            parse_server_url(" https://sync.example.org/ ").ok(),
            Some(Some("https://sync.example.org".into()))
        );
        assert_eq!(parse_server_url("").ok(), Some(None));
        for bad in [
            "ftp://x",
            "sync.example.org",
            "https://",
            "http://a b",
            "http://sync.example.org",
        ] {
            assert_eq!(
                parse_server_url(bad).map_err(|e| e.code),
                Err(Code::InvalidServerUrl),
                "{bad}"
            );
        }
    }
}
