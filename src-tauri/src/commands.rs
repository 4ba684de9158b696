//! Tauri commands: adapters of a few lines over the core. Blocking ones are `async` so they run
//! off the main (UI) thread.

use tauri::State;
use teduh_core::settings::Language;

use crate::ipc::{AppInfo, IpcError, ServerStatus};
use crate::state::AppState;

/// Version, data directory, schema and server of this installation.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    let settings = state.settings()?;
    Ok(AppInfo {
        core_version: teduh_core::VERSION.to_owned(),
        data_dir: state.data().root().display().to_string(),
        schema_version: state.schema_version(),
        server_url: state.server_url()?,
        language: settings.language.code().to_owned(),
    })
}

/// Saves the UI language (`"id"` or `"en"`) so the next start uses it.
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: String) -> Result<String, IpcError> {
    let lang = Language::from_code(&language)
        .ok_or_else(|| IpcError::new("InvalidInput", format!("unknown language {language:?}")))?;
    let saved = state.update_settings(|s| s.language = lang)?;
    Ok(saved.language.code().to_owned())
}

/// Asks the configured sync server whether it is there (never fails: offline is a status).
#[tauri::command(async)]
pub fn server_status(state: State<'_, AppState>) -> Result<ServerStatus, IpcError> {
    let Some(url) = state.server_url()? else {
        return Ok(ServerStatus::NotConfigured);
    };
    let client = teduh_client::ServerClient::new(&url);
    Ok(match client.version() {
        Ok(v) => ServerStatus::Online {
            url,
            version: v.version,
        },
        Err(e) => ServerStatus::Offline {
            url,
            detail: e.to_string(),
        },
    })
}
