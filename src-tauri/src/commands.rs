//! Tauri commands: adapters of a few lines over the core. Blocking ones are `async` so they run
//! off the main (UI) thread.

use tauri::State;
use teduh_core::error::Code;
use teduh_core::settings::Language;

use teduh_directory::index::Query;
use teduh_directory::model::Category;

use crate::ipc::{
    AppInfo, DirectoryEntryView, DirectoryQuery, DirectoryRefresh, IpcError, PassphraseRatingView,
    ServerStatus, SituationView,
};
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
        plain_http_allowed: teduh_client::plain_http_allowed_by_env(),
    })
}

/// Saves the UI language (`"id"` or `"en"`) so the next start uses it.
#[tauri::command(async)]
pub fn set_language(state: State<'_, AppState>, language: String) -> Result<String, IpcError> {
    let lang = Language::from_code(&language).ok_or_else(|| {
        IpcError::new(Code::InvalidInput, format!("unknown language {language:?}"))
    })?;
    let saved = state.update_settings(|s| s.language = lang)?;
    // The sync status carries sentences in the UI language.
    state.publish_sync_status();
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

/// Searches the offline directory (works before unlock and without a connection).
#[tauri::command(async)]
pub fn directory_search(
    state: State<'_, AppState>,
    query: DirectoryQuery,
) -> Result<Vec<DirectoryEntryView>, IpcError> {
    let mut categories = Vec::new();
    for code in &query.categories {
        categories.push(Category::from_code(code).ok_or_else(|| {
            IpcError::new(Code::InvalidInput, format!("unknown category {code:?}"))
        })?);
    }
    let q = Query {
        text: query.text,
        categories,
        province: query.province.filter(|p| !p.is_empty()),
        open_now: query.open_now,
        limit: None,
    };
    let hits = state.with_directory(|d| d.search(&q, chrono::Utc::now()))?;
    Ok(hits.into_iter().map(DirectoryEntryView::from).collect())
}

/// The emergency panel: one group per situation, in the panel's order.
#[tauri::command(async)]
pub fn emergency_numbers(state: State<'_, AppState>) -> Result<Vec<SituationView>, IpcError> {
    let groups = state.with_directory(|d| d.emergency_panel(chrono::Utc::now()))?;
    Ok(groups.into_iter().map(SituationView::from).collect())
}

/// Hands a contact link to the operating system (phone app, WhatsApp, browser): only a `tel:`
/// number, a `https://wa.me/` chat or the web address of a directory entry
/// ([`teduh_directory::index::DirectoryIndex::may_open`]); the UI cannot open anything else.
#[tauri::command(async)]
pub fn open_contact(state: State<'_, AppState>, url: String) -> Result<(), IpcError> {
    if !state.with_directory(|d| d.may_open(&url))? {
        return Err(IpcError::new(
            Code::InvalidInput,
            format!(
                "refusing to open {url:?}: only phone numbers, WhatsApp chats and the web \
                 addresses of directory entries"
            ),
        ));
    }
    open::that_detached(&url).map_err(|e| {
        IpcError::new(
            Code::OpenFailed,
            format!("the system could not open {url}: {e}"),
        )
    })
}

/// Sets the idle minutes before the vault locks itself (1-120; 0 is refused: a laptop can be
/// lost while unlocked).
#[tauri::command(async)]
pub fn set_auto_lock(state: State<'_, AppState>, minutes: u32) -> Result<u32, IpcError> {
    if !(1..=120).contains(&minutes) {
        return Err(IpcError::new(
            Code::InvalidInput,
            format!("auto-lock must be 1 to 120 minutes, got {minutes}"),
        ));
    }
    state.set_auto_lock(minutes)
}

/// How guessable a passphrase being chosen is (the core's estimator, which the vault applies
/// when it is created or changed): the meter of the first-run screen asks this as it is typed.
#[tauri::command(async)]
pub fn passphrase_strength(passphrase: String) -> PassphraseRatingView {
    PassphraseRatingView::from(teduh_core::passphrase::rate(&passphrase, &[]))
}

/// Sets (or clears, with an empty string) the sync server URL. Once this computer has joined a
/// team, the address is its team's server: it changes only with the vault unlocked, `confirm`
/// set (`ConfirmationNeeded` otherwise) and the server at the new address the same team's
/// ([`crate::sync::join::move_server`]); otherwise a coded error and nothing changes.
#[tauri::command(async)]
pub fn set_server_url(
    state: State<'_, AppState>,
    url: String,
    confirm: Option<bool>,
) -> Result<Option<String>, IpcError> {
    if state.sync().server_url().is_some() {
        return crate::sync::join::move_server(&state, &url, confirm.unwrap_or(false));
    }
    let url = crate::sync::join::parse_server_url(&url)?;
    let saved = state.update_settings(|s| s.server_url = url)?;
    Ok(saved.server_url)
}

/// Fetches the organisation's newest directory bundle when online (conditional request) and
/// applies it if it is signed by the configured directory key and newer than the current one.
/// A refused bundle leaves the current directory in place.
#[tauri::command(async)]
pub fn directory_refresh(state: State<'_, AppState>) -> Result<DirectoryRefresh, IpcError> {
    use teduh_client::DirectoryFetch;
    use teduh_directory::refresh::{apply_fetched, Fetched};
    let Some(url) = state.server_url()? else {
        return Ok(DirectoryRefresh::NoServer);
    };
    let settings = state.settings()?;
    let Some(key) = settings.directory_key.as_deref() else {
        return Ok(DirectoryRefresh::NoKey);
    };
    let key = teduh_directory::bundle::parse_public_key(key)
        .map_err(|e| IpcError::new(Code::InvalidDirectoryKey, e.to_string()))?;
    let server = teduh_client::ServerClient::new(&url);
    let fetched = server
        .directory(settings.directory_etag.as_deref())
        .map_err(|e| IpcError::new(Code::ServerUnreachable, e.to_string()))?;
    let fetched = match fetched {
        DirectoryFetch::NotModified => Fetched::NotModified,
        DirectoryFetch::NotPublished => Fetched::NotPublished,
        DirectoryFetch::Bundle { body, etag } => Fetched::Bundle { body, etag },
    };
    let refresh = state.with_directory(|d| apply_fetched(d, &key, fetched))?;
    // A server restored from a backup serves an older directory: give it back the newest this
    // device holds (a member's device, unlocked: the request needs its token). Until that
    // succeeds the ETag is not stored, so the next refresh tries again.
    let given_back = match &refresh.give_back {
        None => true,
        Some(bundle) => crate::sync::join::transport_to(&url)
            .build()
            .ok()
            .and_then(|mut transport| {
                state
                    .with_vault(|v| {
                        Ok(teduh_core::sync::credentials::current_token(v, &mut transport).ok())
                    })
                    .ok()
                    .flatten()
            })
            .is_some_and(|token| server.give_back_directory(&token, bundle).is_ok()),
    };
    if let (Some(etag), true) = (refresh.remember_etag, given_back) {
        state.update_settings(|s| s.directory_etag = etag)?;
    }
    Ok(refresh.refreshed.into())
}

/// Saves the organisation's directory key (64 hex digits, from `teduh-server admin directory
/// publish`); an empty string clears it. With a vault on this computer it must be unlocked, and
/// replacing a key already set needs `confirm` (`ConfirmationNeeded` otherwise).
#[tauri::command(async)]
pub fn set_directory_key(
    state: State<'_, AppState>,
    key: String,
    confirm: Option<bool>,
) -> Result<(), IpcError> {
    let key = key.trim().to_lowercase();
    if !key.is_empty() {
        teduh_directory::bundle::parse_public_key(&key)
            .map_err(|e| IpcError::new(Code::InvalidDirectoryKey, e.to_string()))?;
    }
    // The key decides which directory (hotline numbers) this computer believes: replacing it
    // is for the person at an unlocked vault, who confirms it.
    if state.vault_is_locked()? {
        return Err(IpcError::new(
            Code::Locked,
            "unlock the vault to change the directory key",
        ));
    }
    // Once the signed roster names the organisation key, it is the directory key.
    let named = state
        .with_vault(|v| Ok(v.roster()?.and_then(|r| r.org_key)))
        .unwrap_or(None);
    if named.is_some_and(|k| k != key) {
        return Err(IpcError::new(
            Code::NotPermitted,
            "the organisation key in the team's signed roster is this computer's directory key",
        ));
    }
    let current = state.settings()?.directory_key;
    let replaces = current.as_deref().is_some_and(|c| c != key);
    if replaces && !confirm.unwrap_or(false) {
        return Err(IpcError::new(
            Code::ConfirmationNeeded,
            "replacing the trusted directory key needs a confirmation",
        ));
    }
    state.update_settings(|s| {
        s.directory_key = (!key.is_empty()).then_some(key);
        s.directory_etag = None;
    })?;
    Ok(())
}
