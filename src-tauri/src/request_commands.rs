//! Commands of UU PDP's first part (issue 25): the request register (register a data-subject
//! request about a client, answer it, lift a granted restriction, list a client's requests and
//! every open one) and a client's audit trail.
//!
//! Thin like the other command modules: one core call each. Deadlines and "time left" are read
//! with the device's clock as corrected to the server's.

use tauri::State;
use teduh_core::ids::{ClientId, RequestId};
use teduh_core::request::{DataRequest, RequestAnswer};
use teduh_core::vault::RequestView;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Registers a request; returns it as stored, with its deadline.
#[tauri::command(async)]
pub fn request_add(
    state: State<'_, AppState>,
    client: ClientId,
    request: DataRequest,
) -> Result<RequestView, IpcError> {
    state.with_vault_write(|v| {
        let id = v.add_request(client, &request)?;
        v.request(id)
    })
}

/// Records the answer to a request (once); returns it as stored.
#[tauri::command(async)]
pub fn request_answer(
    state: State<'_, AppState>,
    id: RequestId,
    answer: RequestAnswer,
) -> Result<RequestView, IpcError> {
    state.with_vault_write(|v| {
        v.answer_request(id, &answer)?;
        v.request(id)
    })
}

/// Lifts a granted restriction (her handler or a supervisor); returns the request as stored.
#[tauri::command(async)]
pub fn request_lift(state: State<'_, AppState>, id: RequestId) -> Result<RequestView, IpcError> {
    state.with_vault_write(|v| {
        v.lift_restriction(id)?;
        v.request(id)
    })
}

/// A client's requests, newest receipt first.
#[tauri::command(async)]
pub fn requests_of(
    state: State<'_, AppState>,
    client: ClientId,
) -> Result<Vec<RequestView>, IpcError> {
    state.with_vault(|v| v.requests_of(client))
}

/// Every unanswered request this device reads, the nearest deadline first.
#[tauri::command(async)]
pub fn requests_open(state: State<'_, AppState>) -> Result<Vec<RequestView>, IpcError> {
    state.with_vault(|v| v.open_requests())
}

/// "Siapa yang membuka data ini": who opened, exported or printed a client's data, newest
/// first (a supervisor's).
#[tauri::command(async)]
pub fn access_log(
    state: State<'_, AppState>,
    client: ClientId,
) -> Result<Vec<teduh_core::vault::AccessEntry>, IpcError> {
    state.with_vault(|v| v.access_log(client))
}
