//! Commands over the encrypted vault: set-up, unlock/lock, clients, notes, screenings, Home.
//!
//! Each is a few lines: parse, call one core function, convert. Domain values cross IPC in their
//! serde form (their TypeScript twins are generated from the core types).

use std::collections::BTreeMap;
use teduh_core::error::Code;

use tauri::State;
use teduh_core::domain::{ClientProfile, NoteDraft};
use teduh_core::ids::{ClientId, EntityId, NoteId};
use teduh_core::screening::Instrument;
use teduh_core::vault::{ClientExport, ConflictRevision};

use crate::ipc::{
    ClientRow, HomeToday, InstrumentView, IpcError, ScreeningView, UnlockView, VaultStateView,
};
use crate::state::AppState;

/// Whether a vault exists and is unlocked.
#[tauri::command(async)]
pub fn vault_state(state: State<'_, AppState>) -> Result<VaultStateView, IpcError> {
    state.vault_state()
}

/// First run on this computer only: creates the identity and keys under `passphrase`.
#[tauri::command(async)]
pub fn vault_create(state: State<'_, AppState>, passphrase: String) -> Result<(), IpcError> {
    state.create_vault(&passphrase)
}

/// Unlocks with the passphrase (`WrongPassphrase` when it does not fit; nothing changes).
#[tauri::command(async)]
pub fn vault_unlock(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<UnlockView, IpcError> {
    state.unlock(&passphrase)
}

/// Locks now: keys are zeroized; the UI drops every decrypted value.
#[tauri::command(async)]
pub fn vault_lock(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.lock()
}

/// A client code no other device of the team can make offline (`K-37-0004`).
#[tauri::command(async)]
pub fn client_code_suggest(state: State<'_, AppState>, prefix: String) -> Result<String, IpcError> {
    state.with_vault(|v| v.suggest_client_code(&prefix))
}

/// Codes two or more clients share (typed by hand on two devices offline).
#[tauri::command(async)]
pub fn clients_duplicate_codes(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    state.with_vault(|v| v.duplicate_codes())
}

/// Clients matching `text` (code, name or nickname); all clients when empty.
#[tauri::command(async)]
pub fn clients_search(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<ClientRow>, IpcError> {
    state.with_vault(|v| {
        let found = if text.trim().is_empty() {
            v.list_clients()?
        } else {
            v.search_clients(&text, 10_000)?
        };
        let facets = v.client_facets()?;
        Ok(found
            .into_iter()
            .map(|c| {
                let f = facets.get(&c.id).copied().unwrap_or_default();
                ClientRow {
                    facets: f,
                    ..ClientRow::from(c)
                }
            })
            .collect())
    })
}

/// Creates a client; returns its id.
#[tauri::command(async)]
pub fn client_create(
    state: State<'_, AppState>,
    profile: ClientProfile,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.add_client(&profile)?.to_string()))
}

/// Everything about one client, decrypted (profile, cases, consents, notes, tasks, screenings).
#[tauri::command(async)]
pub fn client_detail(state: State<'_, AppState>, id: ClientId) -> Result<ClientExport, IpcError> {
    // The opening goes into her audit trail; not a change that asks for a sync at once (the
    // next round carries it), so a profile re-read after a sync does not start another.
    state.with_vault(|v| v.open_client(id))
}

/// Saves a draft note: creates it when `note` is absent, else updates the draft. Finalised
/// notes are refused with `NoteFinalised`.
#[tauri::command(async)]
pub fn note_save_draft(
    state: State<'_, AppState>,
    client: ClientId,
    note: Option<NoteId>,
    draft: NoteDraft,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| match note {
        Some(id) => {
            v.edit_note(id, &draft)?;
            Ok(id.to_string())
        }
        None => Ok(v.add_note(client, &draft)?.to_string()),
    })
}

/// Finalises a note: its text becomes immutable.
#[tauri::command(async)]
pub fn note_finalise(state: State<'_, AppState>, note: NoteId) -> Result<(), IpcError> {
    state.with_vault_write(|v| v.finalise_note(note))
}

/// Adds an addendum to a finalised note.
#[tauri::command(async)]
pub fn note_addendum(
    state: State<'_, AppState>,
    note: NoteId,
    text: String,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.add_addendum(note, &text)?.to_string()))
}

/// Versions of a client's profile or a note's fields that lost to another device's edit and are
/// still to show (see [`teduh_core::vault::Vault::conflict_revisions`]).
#[tauri::command(async)]
pub fn revisions_list(
    state: State<'_, AppState>,
    entity: EntityId,
) -> Result<Vec<ConflictRevision>, IpcError> {
    state.with_vault(|v| v.conflict_revisions(entity))
}

/// Takes a conflict revision over: written as a new edit, so it syncs. A finalised note refuses
/// with `NoteFinalised` (an addendum is the way).
#[tauri::command(async)]
pub fn revision_take(
    state: State<'_, AppState>,
    entity: EntityId,
    field: String,
    device: String,
    seq: u64,
) -> Result<(), IpcError> {
    state.with_vault_write(|v| v.take_revision(entity, &field, &device, seq))
}

/// Hides a conflict revision on this computer (the version itself is kept).
#[tauri::command(async)]
pub fn revision_dismiss(
    state: State<'_, AppState>,
    entity: EntityId,
    field: String,
    device: String,
    seq: u64,
) -> Result<(), IpcError> {
    state.with_vault(|v| v.dismiss_revision(entity, &field, &device, seq))
}

/// The screening instruments with their items and answer options in both languages.
#[tauri::command]
pub fn screening_instruments() -> Vec<InstrumentView> {
    Instrument::ALL
        .into_iter()
        .map(InstrumentView::from)
        .collect()
}

/// Records a screening; the core computes the score, band and red flags.
#[tauri::command(async)]
pub fn screening_add(
    state: State<'_, AppState>,
    client: ClientId,
    instrument: String,
    answers: BTreeMap<String, u8>,
    language: String,
) -> Result<ScreeningView, IpcError> {
    let instrument = Instrument::from_code(&instrument).ok_or_else(|| {
        IpcError::new(
            Code::InvalidInput,
            format!("unknown instrument {instrument:?}"),
        )
    })?;
    state.with_vault_write(|v| {
        let saved = v.record_screening(client, instrument, answers, &language)?;
        Ok(ScreeningView::from(saved))
    })
}

/// Home ("Hari ini") over her caseload: drafts, red flags, follow-ups due (by the calendar day
/// of her team's zone, `Vault::today`).
#[tauri::command(async)]
pub fn home_today(state: State<'_, AppState>) -> Result<HomeToday, IpcError> {
    state
        .with_vault(|v| {
            let today = v.today(chrono::Utc::now())?;
            teduh_core::home::HomeDay::collect(v, today)
        })
        .map(HomeToday::from)
}

/// Records a consent (append-only).
#[tauri::command(async)]
pub fn consent_record(
    state: State<'_, AppState>,
    client: ClientId,
    consent: teduh_core::domain::Consent,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.record_consent(client, &consent)?.to_string()))
}

/// Records the withdrawal of a consent (the consent itself stays in the history).
#[tauri::command(async)]
pub fn consent_withdraw(
    state: State<'_, AppState>,
    consent: teduh_core::ids::ConsentId,
    reason: String,
) -> Result<(), IpcError> {
    let withdrawal = teduh_core::domain::ConsentWithdrawal {
        withdrawn_at: Some(chrono::Utc::now()),
        reason,
    };
    state.with_vault_write(|v| v.withdraw_consent(consent, &withdrawal))
}

/// Opens a case for a client.
#[tauri::command(async)]
pub fn case_open(
    state: State<'_, AppState>,
    client: ClientId,
    details: teduh_core::domain::CaseDetails,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.open_case(client, &details)?.to_string()))
}

/// Replaces a case's details (its stage as the work moves on, the problem, closure reason).
#[tauri::command(async)]
pub fn case_update(
    state: State<'_, AppState>,
    case: teduh_core::ids::CaseId,
    details: teduh_core::domain::CaseDetails,
) -> Result<(), IpcError> {
    state.with_vault_write(|v| v.update_case(case, &details))
}

/// Records a risk assessment on a case (kept as history).
#[tauri::command(async)]
pub fn risk_record(
    state: State<'_, AppState>,
    case: teduh_core::ids::CaseId,
    level: teduh_core::domain::RiskLevel,
    reason: String,
) -> Result<(), IpcError> {
    let entry = teduh_core::domain::RiskEntry {
        level,
        reason,
        assessed_at: Some(chrono::Utc::now()),
        assessed_by: None,
    };
    state.with_vault_write(|v| v.record_risk(case, &entry).map(|_| ()))
}

/// Refers a client to a directory partner (creates the follow-up task too).
#[tauri::command(async)]
pub fn referral_add(
    state: State<'_, AppState>,
    client: ClientId,
    referral: teduh_core::domain::Referral,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.add_referral(client, &referral)?.to_string()))
}

/// Records a referral's next status with a note.
#[tauri::command(async)]
pub fn referral_update(
    state: State<'_, AppState>,
    client: ClientId,
    referral: teduh_core::ids::ReferralId,
    status: teduh_core::domain::ReferralStatus,
    note: String,
) -> Result<(), IpcError> {
    let update = teduh_core::domain::ReferralUpdate {
        status,
        at: Some(chrono::Utc::now()),
        note,
    };
    state.with_vault_write(|v| v.update_referral(client, referral, &update))
}

/// Replaces a client's profile (same rules as creating: unique code, guardian for a child).
#[tauri::command(async)]
pub fn client_update(
    state: State<'_, AppState>,
    id: ClientId,
    profile: ClientProfile,
) -> Result<(), IpcError> {
    state.with_vault_write(|v| v.update_client(id, &profile))
}

/// Adds a follow-up task to a client (due on a day: it shows on Today from then on).
#[tauri::command(async)]
pub fn task_add(
    state: State<'_, AppState>,
    client: ClientId,
    task: teduh_core::domain::Task,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| Ok(v.add_task(client, &task)?.to_string()))
}

/// Marks a follow-up task done (it leaves Today).
#[tauri::command(async)]
pub fn task_done(
    state: State<'_, AppState>,
    client: ClientId,
    task: teduh_core::ids::TaskId,
) -> Result<(), IpcError> {
    state.with_vault_write(|v| v.complete_task(client, task))
}
