//! Commands of erasure by crypto-shredding (issue 26, UU PDP Ps 43-44): a key manager approves
//! an open erasure request or the destruction of what outlived its retention period, and
//! everyone follows which devices confirmed.
//!
//! Thin like the other command modules: one core call each.

use tauri::State;
use teduh_core::ids::{EntityId, RequestId};
use teduh_core::team::processing::RecordClass;
use teduh_core::vault::{ErasureView, RetentionCheck};

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

/// The retention check: what outlived the organisation's periods on this device.
#[tauri::command(async)]
pub fn retention_check(state: State<'_, AppState>) -> Result<RetentionCheck, IpcError> {
    state.with_vault(|v| v.retention_check())
}

/// Destroys what the check listed of `class` and the key manager chose, as erasures every
/// device applies at its next sync. Returns the check as it stands afterwards.
#[tauri::command(async)]
pub fn retention_approve(
    state: State<'_, AppState>,
    class: RecordClass,
    chosen: Vec<EntityId>,
) -> Result<RetentionCheck, IpcError> {
    state.with_vault_write(|v| {
        v.approve_retention(class, &chosen)?;
        v.retention_check()
    })
}
