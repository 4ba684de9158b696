//! Commands of the contact log (issue 20): save a contact as the volunteer types (created at
//! the first save, changed after), the list and its filter, earlier contacts of a number,
//! "Jadikan klien", the supervisor's queue of red-flagged contacts and her "seen", the
//! dashboard's contact figures, and the form's choices.
//!
//! Thin like the other command modules: parse, one core call, convert.

use tauri::State;
use teduh_core::domain::{ClientProfile, Consent};
use teduh_core::ids::{ClientId, ContactId};
use teduh_core::vault::{
    ContactFilter, ContactInput, ContactList, ContactStats, ContactView, ReviewDraft,
};

use crate::ipc::{ContactFormChoices, ContactLineChoice, IpcError};
use crate::state::AppState;

/// Saves a contact: creates it when `id` is absent, else writes what changed. Returns it as
/// stored.
#[tauri::command(async)]
pub fn contact_save(
    state: State<'_, AppState>,
    id: Option<ContactId>,
    input: ContactInput,
) -> Result<ContactView, IpcError> {
    state.with_vault_write(|v| {
        let id = match id {
            Some(id) => {
                v.update_contact(id, &input)?;
                id
            }
            None => v.add_contact(&input)?,
        };
        v.contact(id)
    })
}

/// The contact list, newest first, narrowed by `filter`.
#[tauri::command(async)]
pub fn contacts_list(
    state: State<'_, AppState>,
    filter: ContactFilter,
) -> Result<ContactList, IpcError> {
    state.with_vault(|v| v.contacts(&filter))
}

/// Earlier contacts from `number` (compared by its hash), leaving out `except`.
#[tauri::command(async)]
pub fn contact_previous(
    state: State<'_, AppState>,
    number: String,
    except: Option<ContactId>,
) -> Result<Vec<ContactView>, IpcError> {
    state.with_vault(|v| v.previous_contacts(&number, except))
}

/// "Jadikan klien": the caller of `contacts` becomes a client with the consent given now;
/// returns the client's id.
#[tauri::command(async)]
pub fn contact_convert(
    state: State<'_, AppState>,
    contacts: Vec<ContactId>,
    profile: ClientProfile,
    consent: Consent,
) -> Result<String, IpcError> {
    state.with_vault_write(|v| {
        Ok(v.convert_contacts(&contacts, &profile, &consent)?
            .to_string())
    })
}

/// The contacts in a client's timeline, oldest first.
#[tauri::command(async)]
pub fn client_contacts(
    state: State<'_, AppState>,
    client: ClientId,
) -> Result<Vec<ContactView>, IpcError> {
    state.with_vault(|v| v.client_contacts(client))
}

/// Red-flagged contacts no supervisor has marked seen.
#[tauri::command(async)]
pub fn contact_queue(state: State<'_, AppState>) -> Result<Vec<ContactView>, IpcError> {
    state.with_vault(|v| v.contact_queue())
}

/// A supervisor marks a contact seen (approve) or anyone comments; returns it as it stands.
#[tauri::command(async)]
pub fn contact_review(
    state: State<'_, AppState>,
    contact: ContactId,
    draft: ReviewDraft,
) -> Result<ContactView, IpcError> {
    state.with_vault_write(|v| {
        v.review_contact(contact, &draft)?;
        v.contact(contact)
    })
}

/// The dashboard's contact figures: the last seven days in the team's zone, overdue callbacks.
#[tauri::command(async)]
pub fn contact_stats(state: State<'_, AppState>) -> Result<ContactStats, IpcError> {
    state.with_vault(|v| {
        let now = chrono::Utc::now();
        v.contact_stats(v.today(now)?, now)
    })
}

/// The contact form's choices: zone, categories, lines (from the directory, with today's
/// number) and this member's last line.
#[tauri::command(async)]
pub fn contact_form_choices(state: State<'_, AppState>) -> Result<ContactFormChoices, IpcError> {
    let lines: Vec<ContactLineChoice> = state
        .with_directory(|d| d.contact_lines(chrono::Utc::now()))?
        .into_iter()
        .filter_map(|h| {
            Some(ContactLineChoice {
                number: h.number_today?,
                rota: h.entry.rota.is_some(),
                entry: h.entry.id,
                name: h.entry.name,
            })
        })
        .collect();
    state.with_vault(|v| {
        Ok(ContactFormChoices {
            zone: v.team_zone()?,
            categories: v.contact_categories()?,
            lines,
            last_line: v.my_last_line()?,
        })
    })
}
