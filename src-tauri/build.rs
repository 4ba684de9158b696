//! Build script: Tauri's code generation and the permission manifest of the app's own commands.

/// Every app command must be listed here to get an `allow-*` permission, and granted in
/// capabilities/ before the UI may call it (least privilege).
const COMMANDS: &[&str] = &[
    "app_info",
    "set_language",
    "server_status",
    "directory_search",
    "emergency_numbers",
    "open_contact",
    "set_auto_lock",
    "passphrase_strength",
    "set_server_url",
    "directory_refresh",
    "set_directory_key",
    "vault_state",
    "vault_create",
    "vault_unlock",
    "vault_lock",
    "clients_search",
    "client_create",
    "client_update",
    "client_detail",
    "note_save_draft",
    "note_finalise",
    "note_addendum",
    "revisions_list",
    "revision_take",
    "revision_dismiss",
    "screening_instruments",
    "screening_add",
    "home_today",
    "task_add",
    "task_done",
    "consent_record",
    "consent_withdraw",
    "case_open",
    "case_update",
    "risk_record",
    "referral_add",
    "referral_update",
    "sync_status",
    "sync_now",
    "team_join",
    "team_device_code",
    "org_key_init",
    "org_settings_save",
    "invitation_preview",
    "team_invite",
    "team_share_invitation",
    "sync_reconnect",
    "security_alarms",
    "team_view",
    "team_confirm",
    "team_remove",
    "team_revoke_device",
    "review_queue",
    "review_add",
    "note_reviews",
    "team_dashboard",
    "review_news",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
