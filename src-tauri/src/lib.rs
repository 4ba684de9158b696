//! The Teduh desktop shell.
//!
//! Thin by design: [`state::AppState`] holds what the window needs (data directory, settings,
//! server URL, the vault); [`commands`], [`vault_commands`], [`contact_commands`], [`episode_commands`], [`review_commands`] and [`sync_commands`] adapt core
//! calls to IPC in a few lines each; [`ipc`] holds the views and the one error shape
//! ([`ipc::IpcError`]) that cross into the UI; [`sync`] is the glue between the core's sync
//! engine and the app (the background worker, joining, the `sync-status` event). The app is
//! assembled by [`register`], generic over [`tauri::Runtime`] so tests drive real commands on
//! the mock runtime, and started by [`start_background`].

pub mod breach_commands;
pub mod case_commands;
pub mod commands;
pub mod contact_commands;
pub mod episode_commands;
pub mod erasure_commands;
pub mod ipc;
pub mod report_commands;
pub mod request_commands;
pub mod review_commands;
pub mod state;
pub mod sync;
pub mod sync_commands;
pub mod vault_commands;

use tauri::{AppHandle, Runtime};

/// Installs the app's state and commands on a builder (real or mock runtime).
pub fn register<R: Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::server_status,
            commands::directory_search,
            commands::emergency_numbers,
            commands::open_contact,
            commands::set_auto_lock,
            commands::passphrase_strength,
            commands::set_server_url,
            commands::directory_refresh,
            commands::set_directory_key,
            vault_commands::vault_state,
            vault_commands::vault_create,
            vault_commands::vault_unlock,
            vault_commands::vault_lock,
            vault_commands::clients_search,
            vault_commands::client_code_suggest,
            vault_commands::clients_duplicate_codes,
            vault_commands::client_create,
            vault_commands::client_update,
            vault_commands::client_detail,
            vault_commands::note_save_draft,
            vault_commands::note_finalise,
            vault_commands::note_addendum,
            vault_commands::revisions_list,
            vault_commands::revision_take,
            vault_commands::revision_dismiss,
            vault_commands::screening_instruments,
            vault_commands::screening_add,
            vault_commands::home_today,
            vault_commands::task_add,
            vault_commands::task_done,
            vault_commands::consent_record,
            vault_commands::consent_withdraw,
            vault_commands::case_open,
            vault_commands::case_update,
            vault_commands::risk_record,
            vault_commands::referral_add,
            vault_commands::referral_update,
            contact_commands::contact_save,
            contact_commands::contacts_list,
            contact_commands::contact_previous,
            contact_commands::contact_convert,
            contact_commands::client_contacts,
            contact_commands::contact_queue,
            contact_commands::contact_review,
            contact_commands::contact_stats,
            contact_commands::contact_form_choices,
            episode_commands::episode_open,
            episode_commands::episode_save,
            episode_commands::episode_decide,
            episode_commands::episodes_of,
            episode_commands::episodes_open,
            erasure_commands::erasure_approve,
            erasure_commands::erasures_list,
            erasure_commands::retention_check,
            erasure_commands::retention_approve,
            request_commands::request_add,
            request_commands::request_answer,
            request_commands::request_lift,
            request_commands::requests_of,
            request_commands::requests_open,
            request_commands::access_log,
            episode_commands::on_call_rota,
            episode_commands::on_call_save,
            episode_commands::on_call_now,
            case_commands::case_assignment,
            case_commands::case_assign,
            case_commands::team_set_level,
            review_commands::team_view,
            review_commands::team_confirm,
            review_commands::team_remove,
            review_commands::team_revoke_device,
            review_commands::review_queue,
            review_commands::review_add,
            review_commands::note_reviews,
            review_commands::team_dashboard,
            report_commands::export_folder,
            report_commands::set_export_folder,
            report_commands::report_monthly,
            report_commands::team_trends,
            report_commands::report_case_file,
            report_commands::report_referral_letter,
            report_commands::report_access_export,
            report_commands::report_processing_record,
            breach_commands::breaches_list,
            breach_commands::breach_add,
            breach_commands::breach_notified,
            breach_commands::report_breach_notice,
            review_commands::review_news,
            sync_commands::sync_status,
            sync_commands::sync_now,
            sync_commands::team_join,
            sync_commands::team_device_code,
            review_commands::org_key_init,
            review_commands::org_settings_save,
            sync_commands::invitation_preview,
            sync_commands::team_invite,
            sync_commands::team_share_invitation,
            sync_commands::sync_reconnect,
            sync_commands::security_alarms,
        ])
}

/// Starts what runs beside the window: the background sync worker. The app calls it from its
/// set-up hook; tests on the mock runtime (where set-up hooks do not run) call it themselves.
///
/// Fails when the worker thread cannot be started.
pub fn start_background<R: Runtime>(app: &AppHandle<R>) -> Result<(), ipc::IpcError> {
    sync::worker::start(app)
}

/// Runs the desktop app. Returns an error message when start-up fails.
pub fn run() -> Result<(), String> {
    let state = state::AppState::from_environment().map_err(|e| e.to_string())?;
    register(tauri::Builder::default(), state)
        .setup(|app| Ok(start_background(app.handle())?))
        .run(tauri::generate_context!())
        .map_err(|e| format!("the window could not be started: {e}"))
}
