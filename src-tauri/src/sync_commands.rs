//! Commands over sync: the status, a round now, joining a team. Each is a few lines; the glue
//! lives in [`crate::sync`].

use tauri::State;

use crate::ipc::{AlarmRow, IpcError, JoinForm, ReconnectForm, SyncStatusView};
use crate::state::AppState;

/// The sync status now (joined, server, pending records, last success and error, progress).
/// Never waits for a running round; changes also arrive as `sync-status` events.
#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, IpcError> {
    Ok(state.sync_status())
}

/// Runs a round now (after the one running, if any); the outcome is in the returned status.
/// `Locked` while locked, `NotJoined` before joining.
#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> Result<SyncStatusView, IpcError> {
    crate::sync::round::sync_now(&state)
}

/// Joins a team with an invitation: as a new member (first run, or this computer's vault), or
/// as a further device of a member, with a code her other device made.
#[tauri::command(async)]
pub fn team_join(state: State<'_, AppState>, form: JoinForm) -> Result<SyncStatusView, IpcError> {
    crate::sync::join::join_team(&state, &form)
}

/// Who invites, to which team, as whom: a supervisor's invitation as its newcomer sees it.
#[tauri::command(async)]
pub fn invitation_preview(
    server_url: String,
    code: String,
) -> Result<crate::ipc::InvitationPreviewView, IpcError> {
    crate::sync::join::preview(&server_url, &code)
}

/// An invitation made on this supervisor's device (the code to hand the newcomer).
#[tauri::command(async)]
pub fn team_invite(
    state: State<'_, AppState>,
    username: String,
    role: String,
    level: Option<u8>,
) -> Result<crate::ipc::InvitationView, IpcError> {
    crate::sync::join::invite(&state, &username, &role, level)
}

/// Opens WhatsApp with the invitation code and the server's address ("Kirim lewat WhatsApp").
#[tauri::command(async)]
pub fn team_share_invitation(state: State<'_, AppState>, code: String) -> Result<(), IpcError> {
    crate::sync::join::share_whatsapp(&state, &code)
}

/// A single-use code (valid 24 hours) for adding a further device of this member.
#[tauri::command(async)]
pub fn team_device_code(state: State<'_, AppState>) -> Result<String, IpcError> {
    crate::sync::join::device_code(&state)
}

/// Signs this device in again to a server restored from a backup that no longer knows it.
#[tauri::command(async)]
pub fn sync_reconnect(
    state: State<'_, AppState>,
    form: ReconnectForm,
) -> Result<SyncStatusView, IpcError> {
    crate::sync::join::reconnect(&state, &form)
}

/// The security alarms this device raised, newest first (forged keys or rosters, equivocation,
/// a blocked admission...).
#[tauri::command(async)]
pub fn security_alarms(state: State<'_, AppState>) -> Result<Vec<AlarmRow>, IpcError> {
    state.with_vault(|v| AlarmRow::collect(v))
}
