//! Commands for reports: the export folder (Settings), the monthly statistics saved there from
//! the supervisor's dashboard, the dashboard's twelve-month trends, a client's case file, a
//! referral letter, the access export answering a person's request and the organisation's
//! record of processing activities.
//!
//! Thin like the other command modules: parse, one core call, convert.

use std::path::{Path, PathBuf};

use tauri::State;
use teduh_core::error::Code;
use teduh_core::ids::{ClientId, ReferralId, RequestId};
use teduh_core::report::monthly::Month;
use teduh_core::vault::Trends;
use teduh_report::access::access_export;
use teduh_report::case_file::{case_file, CaseFileParts};
use teduh_report::letter::{referral_letter, PartnerAddress};
use teduh_report::monthly::{monthly_report, Format};
use teduh_report::processing::record_of_processing;
use teduh_report::save::save_whole;
use teduh_report::PdfJsonFiles;

use crate::ipc::{IpcError, SavedLetter, SavedPdfJson, SavedReport};
use crate::state::AppState;

/// The folder reports are saved in: the one set in Settings, else `exports` in the data
/// directory.
fn export_dir(state: &AppState) -> Result<PathBuf, IpcError> {
    Ok(match state.settings()?.export_dir {
        Some(dir) => PathBuf::from(dir),
        None => state.data().root().join("exports"),
    })
}

/// The folder reports and prints are saved in.
#[tauri::command(async)]
pub fn export_folder(state: State<'_, AppState>) -> Result<String, IpcError> {
    Ok(export_dir(&state)?.display().to_string())
}

/// Sets the export folder (an absolute path; empty: back to the default). The folder is made
/// if needed and must take a file, so a mistake shows here rather than at the first report.
#[tauri::command(async)]
pub fn set_export_folder(state: State<'_, AppState>, folder: String) -> Result<String, IpcError> {
    let folder = folder.trim();
    if !folder.is_empty() {
        if !Path::new(folder).is_absolute() {
            return Err(IpcError::new(
                Code::InvalidInput,
                format!(
                    "write the whole path of the folder, e.g. /home/rina/Laporan (not {folder:?})"
                ),
            ));
        }
        let probe = save_whole(Path::new(folder), ".teduh-probe", b"")?;
        let _ = std::fs::remove_file(probe);
    }
    let dir = (!folder.is_empty()).then(|| folder.to_string());
    state.update_settings(|s| s.export_dir = dir)?;
    export_folder(state)
}

/// Makes the monthly statistics of `month` (`YYYY-MM`) as `format` and saves them in the export
/// folder as `laporan-bulanan-YYYY-MM.<ext>` (replacing an earlier one of that month).
#[tauri::command(async)]
pub fn report_monthly(
    state: State<'_, AppState>,
    month: String,
    format: Format,
) -> Result<SavedReport, IpcError> {
    let month =
        Month::parse(&month).map_err(|e| IpcError::new(Code::InvalidInput, e.to_string()))?;
    let categories = state.with_directory(|d| d.categories())?;
    let category = |id: &str| categories.get(id).map(|c| c.code().to_string());
    let (bytes, statistics) = state
        .with_vault_for(|v| monthly_report(v, month, format, &category, chrono::Utc::now()))?;
    let name = format!("laporan-bulanan-{month}.{}", format.extension());
    let path = save_whole(&export_dir(&state)?, &name, &bytes)?;
    Ok(SavedReport {
        path: path.display().to_string(),
        statistics,
    })
}

/// Sessions, contacts and red flags in each of the twelve months up to this one, and the
/// contacts by category (the dashboard's charts).
#[tauri::command(async)]
pub fn team_trends(state: State<'_, AppState>) -> Result<Trends, IpcError> {
    state.with_vault(|v| {
        let today = v.today(chrono::Utc::now())?;
        v.trends(Month::of(today))
    })
}

/// Prints `client`'s case file with the chosen `parts` into the export folder; resolves to the
/// file's path.
#[tauri::command(async)]
pub fn report_case_file(
    state: State<'_, AppState>,
    client: ClientId,
    parts: CaseFileParts,
) -> Result<String, IpcError> {
    let (bytes, name) =
        state.with_vault_for(|v| case_file(v, client, parts, chrono::Utc::now()))?;
    let path = save_whole(&export_dir(&state)?, &name, &bytes)?;
    Ok(path.display().to_string())
}

/// Makes the access export answering `request` (an open access or portability request whose
/// identity check is recorded) into the export folder: the PDF and the JSON, with her
/// processing trail and third-party passages redacted.
#[tauri::command(async)]
pub fn report_access_export(
    state: State<'_, AppState>,
    request: RequestId,
) -> Result<SavedPdfJson, IpcError> {
    let files = state.with_vault_for(|v| access_export(v, request, chrono::Utc::now()))?;
    save_pair(&state, &files)
}

/// Saves `bytes` whole as `name` in the export folder; returns the path.
pub(crate) fn save_in_export_folder(
    state: &AppState,
    name: &str,
    bytes: &[u8],
) -> Result<String, IpcError> {
    Ok(save_whole(&export_dir(state)?, name, bytes)?
        .display()
        .to_string())
}

/// Saves a PDF and its JSON copy in the export folder.
fn save_pair(state: &AppState, files: &PdfJsonFiles) -> Result<SavedPdfJson, IpcError> {
    let (pdf, json) = files.save_in(&export_dir(state)?)?;
    Ok(SavedPdfJson {
        pdf: pdf.display().to_string(),
        json: json.display().to_string(),
    })
}

/// Makes the organisation's record of processing activities (UU PDP Ps 31) from the signed
/// settings into the export folder: the PDF and the JSON.
#[tauri::command(async)]
pub fn report_processing_record(state: State<'_, AppState>) -> Result<SavedPdfJson, IpcError> {
    let files = state.with_vault_for(|v| record_of_processing(v, chrono::Utc::now()))?;
    save_pair(&state, &files)
}

/// Prints the letter of `client`'s `referral` into the export folder (the partner's address
/// from the directory); resolves to the file's path and the letter as chat text.
#[tauri::command(async)]
pub fn report_referral_letter(
    state: State<'_, AppState>,
    client: ClientId,
    referral: ReferralId,
) -> Result<SavedLetter, IpcError> {
    // The directory is taken inside the vault (AppState's lock order: vault, then directory).
    let partner = |id: &str| {
        state
            .with_directory(|d| d.entry(id))
            .ok()
            .flatten()
            .map(|e| PartnerAddress {
                address: e.address,
                phones: e.phones.into_iter().map(|p| p.number).collect(),
            })
    };
    let (bytes, text, name) = state
        .with_vault_for(|v| referral_letter(v, client, referral, &partner, chrono::Utc::now()))?;
    Ok(SavedLetter {
        path: save_in_export_folder(&state, &name, &bytes)?,
        text,
    })
}
