//! Commands of need-to-know access (issue 23): who works on a client's case and how that came
//! to be, a supervisor's assignment, transfer and release, and a volunteer's level.
//!
//! Thin like the other command modules: parse, one core call, convert.

use tauri::State;
use teduh_core::ids::ClientId;
use teduh_core::permissions::Level;
use teduh_core::vault::CaseAssignment;

use crate::ipc::{IpcError, TeamView};
use crate::state::AppState;

/// A client's workers now, every change with its reason, and whether this member may change
/// them.
#[tauri::command(async)]
pub fn case_assignment(
    state: State<'_, AppState>,
    client: ClientId,
) -> Result<CaseAssignment, IpcError> {
    state.with_vault(|v| v.case_assignment(client))
}

/// A supervisor sets a case's workers (member numbers), with a reason when one is taken off
/// (a transfer or a release); returns the case as it stands now.
#[tauri::command(async)]
pub fn case_assign(
    state: State<'_, AppState>,
    client: ClientId,
    workers: Vec<u64>,
    reason: Option<String>,
) -> Result<CaseAssignment, IpcError> {
    state.with_vault_write(|v| {
        v.assign_case(client, &workers, reason.as_deref())?;
        v.case_assignment(client)
    })
}

/// A key manager sets a volunteer's level; the roster lists it after the next sync. Returns
/// the team as it stands now.
#[tauri::command(async)]
pub fn team_set_level(
    state: State<'_, AppState>,
    username: String,
    level: Level,
) -> Result<TeamView, IpcError> {
    state.with_vault_write(|v| {
        v.set_member_level(&username, level)?;
        TeamView::collect(v)
    })
}
