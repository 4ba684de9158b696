//! Commands for supervision: the member's role and team, the review queue, reviewing a note,
//! a note's review history, the team dashboard, and the counselor's review news.
//!
//! Thin like the other command modules: parse, one core call, convert.

use tauri::State;
use teduh_core::ids::NoteId;
use teduh_core::vault::{Dashboard, QueueFilter, QueueItem, ReviewDraft, ReviewNews};

use crate::ipc::{IpcError, NoteReviews, TeamView};
use crate::state::AppState;

/// Who this member is in her team (role from the binding, names from the signed roster).
#[tauri::command(async)]
pub fn team_view(state: State<'_, AppState>) -> Result<TeamView, IpcError> {
    state.with_vault(TeamView::collect)
}

/// Admits a waiting member by the safety number her screen shows (read out by phone); the
/// roster goes out at the next sync. Returns the team as it stands now.
#[tauri::command(async)]
pub fn team_confirm(
    state: State<'_, AppState>,
    username: String,
    safety_number: String,
) -> Result<TeamView, IpcError> {
    state.with_vault_write(|v| {
        v.confirm_admission(&username, &safety_number)?;
        TeamView::collect(v)
    })
}

/// Removes a member from the team (a key manager's decision); the roster and a new team key
/// go out at the next sync. Returns the team as it stands now.
#[tauri::command(async)]
pub fn team_remove(state: State<'_, AppState>, username: String) -> Result<TeamView, IpcError> {
    state.with_vault_write(|v| {
        v.remove_member(&username)?;
        TeamView::collect(v)
    })
}

/// Revokes one device of the team (a lost laptop); the roster and a new team key go out at the
/// next sync, and the server is told to refuse it. Returns the team as it stands now.
#[tauri::command(async)]
pub fn team_revoke_device(state: State<'_, AppState>, device: u64) -> Result<TeamView, IpcError> {
    state.with_vault_write(|v| {
        v.revoke_device(device)?;
        TeamView::collect(v)
    })
}

/// Makes the organisation root key on this administrator's device and returns its recovery
/// sheet (shown once, to print); the roster her device signs at the next sync names it.
#[tauri::command(async)]
pub fn org_key_init(state: State<'_, AppState>) -> Result<crate::ipc::OrgKeySheetView, IpcError> {
    state.with_vault_write(|v| {
        let sheet = v.init_org_key()?;
        Ok(crate::ipc::OrgKeySheetView {
            recovery_code: sheet.recovery_code.to_string(),
            fingerprint: sheet.fingerprint,
        })
    })
}

/// On the administrator's device holding the organisation key: signs the organisation settings
/// with a new name and this team's time zone (`WIB`, `WITA` or `WIT`) as the next version; they
/// go out at the next sync. Returns the team as it stands now.
#[tauri::command(async)]
pub fn org_settings_save(
    state: State<'_, AppState>,
    name: String,
    zone: String,
) -> Result<TeamView, IpcError> {
    use teduh_core::team::settings::{OrgSettings, Zone};
    let zone = Zone::parse(&zone).ok_or_else(|| {
        IpcError::from(teduh_core::vault::VaultError::InvalidInput(format!(
            "{zone:?} is not WIB, WITA or WIT"
        )))
    })?;
    state.with_vault_write(|v| {
        let team = v
            .binding()?
            .ok_or(teduh_core::vault::VaultError::NotJoined)?
            .team;
        let mut settings = v
            .org_settings()?
            .unwrap_or_else(|| OrgSettings::initial(&name));
        settings.name = name;
        settings.set_zone(team, zone);
        v.save_org_settings(settings)?;
        TeamView::collect(v)
    })
}

/// Finalised notes of the team waiting for review, most urgent first.
#[tauri::command(async)]
pub fn review_queue(
    state: State<'_, AppState>,
    filter: QueueFilter,
) -> Result<Vec<QueueItem>, IpcError> {
    state.with_vault(|v| v.review_queue(&filter))
}

/// Approves, returns (with a comment) or comments on a finalised note; returns the review's id.
#[tauri::command(async)]
pub fn review_add(
    state: State<'_, AppState>,
    note: NoteId,
    draft: ReviewDraft,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.review_note(note, &draft)?.to_string()))
}

/// A note's supervision state and its reviews, oldest first.
#[tauri::command(async)]
pub fn note_reviews(state: State<'_, AppState>, note: NoteId) -> Result<NoteReviews, IpcError> {
    state.with_vault(|v| {
        Ok(NoteReviews {
            state: v.review_state(note)?,
            reviews: v.reviews(note)?,
        })
    })
}

/// The team dashboard as of today (this computer's calendar day).
#[tauri::command(async)]
pub fn team_dashboard(state: State<'_, AppState>) -> Result<Dashboard, IpcError> {
    state.with_vault(|v| {
        let today = v.today(chrono::Utc::now())?;
        v.dashboard(today)
    })
}

/// This member's reviewed notes (returned ones first), for Home.
#[tauri::command(async)]
pub fn review_news(state: State<'_, AppState>) -> Result<Vec<ReviewNews>, IpcError> {
    state.with_vault(teduh_core::vault::Vault::review_news)
}
