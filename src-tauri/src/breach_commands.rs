//! Commands of the breach register (issue 26, UU PDP Ps 46): register an incident, record a
//! notice, list the register, and save a notice letter in the export folder.
//!
//! Thin like the other command modules: one core call each. Deadlines and "time left" are read
//! with the device's clock as corrected to the server's.

use chrono::{DateTime, Utc};
use tauri::State;
use teduh_core::breach::{Breach, Recipient};
use teduh_core::ids::BreachId;
use teduh_core::vault::BreachView;
use teduh_report::breach::breach_notice;

use crate::ipc::{IpcError, SavedLetter};
use crate::report_commands::save_in_export_folder;
use crate::state::AppState;

/// Every incident, the most recently known first, each with its deadline and standing.
#[tauri::command(async)]
pub fn breaches_list(state: State<'_, AppState>) -> Result<Vec<BreachView>, IpcError> {
    state.with_vault(|v| v.breaches())
}

/// Registers an incident (anyone in the team); returns it as stored, with its deadline.
#[tauri::command(async)]
pub fn breach_add(state: State<'_, AppState>, breach: Breach) -> Result<BreachView, IpcError> {
    state.with_vault_write(|v| {
        let id = v.add_breach(&breach)?;
        v.breach(id)
    })
}

/// Records that `to` was notified at `at` (a supervisor or admin, once); returns the incident.
#[tauri::command(async)]
pub fn breach_notified(
    state: State<'_, AppState>,
    id: BreachId,
    to: Recipient,
    at: DateTime<Utc>,
) -> Result<BreachView, IpcError> {
    state.with_vault_write(|v| {
        v.record_breach_notice(id, to, at)?;
        v.breach(id)
    })
}

/// Saves the notice of incident `id` to `to` in the export folder; resolves to the file's path
/// and the letter as text for a message.
#[tauri::command(async)]
pub fn report_breach_notice(
    state: State<'_, AppState>,
    id: BreachId,
    to: Recipient,
) -> Result<SavedLetter, IpcError> {
    let (bytes, text, name) = state.with_vault_for(|v| breach_notice(v, id, to, Utc::now()))?;
    Ok(SavedLetter {
        path: save_in_export_folder(&state, &name, &bytes)?,
        text,
    })
}
