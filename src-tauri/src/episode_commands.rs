//! Commands of the red-flag protocol (issue 22): a client's or contact's risk episodes, the
//! workers' assessment and safety plan, a supervisor's acknowledgement and closure, the team's
//! open episodes, and the on-call rota with the supervisors on call now.
//!
//! Thin like the other command modules: parse, one core call, convert. Times are the device's
//! clock as corrected to the server's ([`teduh_core::vault::Vault::corrected_now`]).

use tauri::State;
use teduh_core::episode::{EpisodeWork, OnCallRota, Subject};
use teduh_core::ids::EpisodeId;
use teduh_core::vault::{EpisodeDecision, EpisodeView, OnCallNow};

use crate::ipc::IpcError;
use crate::state::AppState;

/// Opens an episode on a client or contact (or returns the open one).
#[tauri::command(async)]
pub fn episode_open(state: State<'_, AppState>, subject: Subject) -> Result<EpisodeView, IpcError> {
    state.with_vault_write(|v| {
        let id = v.open_episode(subject)?;
        v.episode(id, v.corrected_now())
    })
}

/// Saves the assessment, safety plan and actions; returns the episode as stored.
#[tauri::command(async)]
pub fn episode_save(
    state: State<'_, AppState>,
    id: EpisodeId,
    work: EpisodeWork,
) -> Result<EpisodeView, IpcError> {
    state.with_vault_write(|v| {
        v.update_episode(id, &work)?;
        v.episode(id, v.corrected_now())
    })
}

/// A supervisor acknowledges or closes an episode.
#[tauri::command(async)]
pub fn episode_decide(
    state: State<'_, AppState>,
    id: EpisodeId,
    decision: EpisodeDecision,
) -> Result<EpisodeView, IpcError> {
    state.with_vault_write(|v| {
        v.decide_episode(id, &decision)?;
        v.episode(id, v.corrected_now())
    })
}

/// A client's or contact's episodes, newest first.
#[tauri::command(async)]
pub fn episodes_of(
    state: State<'_, AppState>,
    subject: Subject,
) -> Result<Vec<EpisodeView>, IpcError> {
    state.with_vault(|v| v.episodes_of(subject, v.corrected_now()))
}

/// The team's open episodes, the most urgent first.
#[tauri::command(async)]
pub fn episodes_open(state: State<'_, AppState>) -> Result<Vec<EpisodeView>, IpcError> {
    state.with_vault(|v| v.open_episodes(v.corrected_now()))
}

/// The on-call rota.
#[tauri::command(async)]
pub fn on_call_rota(state: State<'_, AppState>) -> Result<OnCallRota, IpcError> {
    state.with_vault(|v| v.on_call_rota())
}

/// A supervisor or admin saves the on-call rota; returns it as stored.
#[tauri::command(async)]
pub fn on_call_save(state: State<'_, AppState>, rota: OnCallRota) -> Result<OnCallRota, IpcError> {
    state.with_vault_write(|v| {
        v.save_on_call_rota(&rota)?;
        v.on_call_rota()
    })
}

/// The supervisors on call now with their numbers (the emergency panel, offline too).
#[tauri::command(async)]
pub fn on_call_now(state: State<'_, AppState>) -> Result<Vec<OnCallNow>, IpcError> {
    state.with_vault(|v| v.on_call_now(v.corrected_now()))
}
