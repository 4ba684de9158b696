//! Commands of erasure by crypto-shredding (issue 26, UU PDP Ps 43-44): a key manager approves
//! an open erasure request or the destruction of what outlived its retention period, and
//! everyone follows which devices confirmed.
//!
//! Thin like the other command modules: one core call each.

use serde::Serialize;
use tauri::State;
use teduh_core::ids::{EntityId, RequestId};
use teduh_core::team::processing::RecordClass;
use teduh_core::vault::{ErasureView, RetentionCheck};
use ts_rs::TS;

use crate::ipc::IpcError;
use crate::state::AppState;

/// An approved erasure and the notice to the person (UU PDP Ps 43-44), as text to send or print:
/// it names her, so it is shown once and never saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ErasureApproved {
    /// The erasure as it stands.
    pub erasure: ErasureView,
    /// The notice to the person, made just before she was erased; `None` when her record could
    /// not be read for it (the erasure goes ahead: her right does not wait on a letter).
    pub notice: Option<String>,
}

/// Approves the erasure `request` asks for (a supervisor or admin): the notice to the person is
/// made first (afterwards nothing of her opens), then the client is shredded on this device at
/// once, and on every other at its next sync.
#[tauri::command(async)]
pub fn erasure_approve(
    state: State<'_, AppState>,
    request: RequestId,
) -> Result<ErasureApproved, IpcError> {
    state.with_vault_write(|v| {
        let notice = teduh_report::erasure::erasure_notice(v, request, chrono::Utc::now()).ok();
        let id = v.approve_erasure(request)?;
        Ok(ErasureApproved {
            erasure: v.erasure(id)?,
            notice,
        })
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
