//! Commands of erasure by crypto-shredding (issue 26, UU PDP Ps 43-44): a key manager approves
//! an open erasure request, and everyone follows which devices confirmed.
//!
//! Thin like the other command modules: one core call each.

use tauri::State;
use teduh_core::ids::RequestId;
use teduh_core::vault::ErasureView;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Approves the erasure `request` asks for (a supervisor or admin): the client is shredded on
/// this device at once, and on every other at its next sync. Returns the erasure as it stands.
#[tauri::command(async)]
pub fn erasure_approve(
    state: State<'_, AppState>,
    request: RequestId,
) -> Result<ErasureView, IpcError> {
    state.with_vault_write(|v| {
        let id = v.approve_erasure(request)?;
        v.erasure(id)
    })
}

/// Every erasure, the newest first, each with the devices that confirmed ("3 dari 5").
#[tauri::command(async)]
pub fn erasures_list(state: State<'_, AppState>) -> Result<Vec<ErasureView>, IpcError> {
    state.with_vault(|v| v.erasures())
}
