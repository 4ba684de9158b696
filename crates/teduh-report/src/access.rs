//! The access export for the person herself (UU PDP Ps 32): her data as the case file shows it,
//! her hotline contacts, and the processing trail ("Riwayat pemrosesan": who created, changed,
//! referred, opened, exported or printed what, and when), in Bahasa Indonesia, with a JSON copy
//! beside it. Third-party passages are redacted in both and the document says so (Ps 33).

use chrono::{DateTime, Utc};
use teduh_core::ids::RequestId;
use teduh_core::report::redact::REDACTED;
use teduh_core::request::RequestKind;
use teduh_core::vault::{AccessExport, TrailAction, TrailEvent, Vault};

use crate::case_file::{case_file_document, CaseFileParts};
use crate::labels::term;
use crate::model::{Block, Cell, Document, Table};
use crate::monthly::ReportError;
use crate::printed::{file_safe, local_time, printed_now, Printed};

/// The record kinds as the trail names them.
fn record_words(kind: &str) -> &str {
    match kind {
        "client" => "profil",
        "case" => "kasus",
        "risk" => "penilaian risiko",
        "consent" => "persetujuan",
        "consent_withdrawal" => "pencabutan persetujuan",
        "note" => "catatan sesi",
        "addendum" => "adendum catatan",
        "task" => "tugas tindak lanjut",
        "screening" => "skrining",
        "referral" => "rujukan",
        "referral_status" => "status rujukan",
        "review" => "tinjauan supervisor",
        "contact" => "kontak layanan",
        "episode" => "pendampingan",
        "assignment" => "penugasan petugas",
        "request" => "permintaan data",
        other => other,
    }
}

/// The kinds of request in the forms' words (`request.kind.*` of the UI's catalogue).
fn request_words(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => "akses dan salinan data",
        RequestKind::Correction => "perbaikan data",
        RequestKind::Erasure => "penghapusan data",
        RequestKind::ConsentWithdrawal => "penarikan persetujuan",
        RequestKind::Restriction => "pembatasan pemrosesan",
        RequestKind::Objection => "keberatan atas keputusan otomatis",
        RequestKind::Portability => "data dalam format yang dapat dipindahkan",
    }
}

/// What one step (or a run of the same step) did, in words: "mengubah catatan sesi (3 kali)".
fn action_words(e: &TrailEvent, times: usize) -> String {
    let what = record_words(&e.record);
    let mut words = match e.action {
        TrailAction::Created => format!("membuat {what}"),
        TrailAction::Changed => format!("mengubah {what}"),
        TrailAction::Referred => format!(
            "merujuk ke {}",
            e.detail.as_deref().unwrap_or("mitra rujukan")
        ),
        TrailAction::Viewed => format!("membuka {what}"),
        TrailAction::Exported => "mengekspor data".to_string(),
        TrailAction::Printed => match e.record.as_str() {
            "referral" => "mencetak surat rujukan".to_string(),
            "client" => "mencetak berkas kasus".to_string(),
            _ => format!("mencetak {what}"),
        },
    };
    if times > 1 {
        words.push_str(&format!(" ({times} kali)"));
    }
    words
}

fn who(e: &TrailEvent) -> String {
    e.username.clone().unwrap_or_else(|| {
        let hex = e.device.to_string();
        format!("perangkat {}", hex.get(hex.len() - 6..).unwrap_or(&hex))
    })
}

/// The trail as table rows: a run of the same person doing the same to the same record (a note
/// saved as it was typed) is one row with its first time and a count.
fn trail_rows(trail: &[TrailEvent], printed: &Printed) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < trail.len() {
        let first = &trail[i];
        let same = |e: &TrailEvent| {
            e.device == first.device && e.action == first.action && e.entity == first.entity
        };
        let times = trail[i..].iter().take_while(|e| same(e)).count();
        rows.push(vec![
            Cell::Text(local_time(first.at, printed.zone)),
            Cell::Text(who(first)),
            Cell::Text(action_words(first, times)),
        ]);
        i += times;
    }
    rows
}

/// The access export as a document: the request it answers, her data (every part of the case
/// file), her hotline contacts and the processing trail.
pub fn access_document(export: &AccessExport, printed: &Printed) -> Document {
    let mut doc = case_file_document(
        &export.data,
        &export.reviews,
        CaseFileParts::default(),
        printed,
    );
    doc.title = "Salinan Data Pribadi".into();
    let r = &export.request;
    doc.subtitle.insert(
        2,
        format!(
            "Menjawab permintaan {} yang diterima {}",
            request_words(r.request.kind),
            r.request
                .received_at
                .map_or_else(|| "-".into(), |t| local_time(t, printed.zone))
        ),
    );
    doc.blocks.push(Block::Table(Table {
        sheet: "kontak".into(),
        title: "Kontak layanan (hotline dan pesan)".into(),
        columns: vec!["Waktu".into(), "Saluran".into(), "Tanda bahaya".into()],
        rows: export
            .data
            .contacts
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(local_time(c.logged_at, printed.zone)),
                    Cell::Text(term(&c.entry.channel)),
                    Cell::Text(if c.red_flag { "ya" } else { "tidak" }.into()),
                ]
            })
            .collect(),
        notes: if export.data.contacts.is_empty() {
            vec!["Tidak ada.".into()]
        } else {
            Vec::new()
        },
    }));
    let rows = trail_rows(&export.trail, printed);
    let mut notes = vec![
        "Siapa yang membuat, mengubah, merujuk, membuka, mengekspor atau mencetak data Anda, \
         dan kapan, menurut catatan bertanda tangan perangkat layanan. Tindakan yang sama \
         berturut-turut ditulis sekali dengan jumlahnya."
            .to_string(),
    ];
    if rows.is_empty() {
        notes.insert(0, "Tidak ada.".into());
    }
    doc.blocks.push(Block::Table(Table {
        sheet: "riwayat".into(),
        title: "Riwayat pemrosesan".into(),
        columns: vec!["Waktu".into(), "Oleh".into(), "Tindakan".into()],
        rows,
        notes,
    }));
    doc.blocks.push(Block::Paragraph(format!(
        "Bagian bertanda {REDACTED} memuat data pribadi orang lain dan tidak diberikan \
         (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 33)."
    )));
    doc
}

/// Makes the access export answering `request` (see [`Vault::access_export`]): the PDF and the
/// JSON, and their file names. The export is written to her audit trail.
///
/// Fails with [`ReportError`]: locked, not an open access or portability request, identity not
/// checked, a client this device cannot read, damaged data.
pub fn access_export(
    vault: &mut Vault,
    request: RequestId,
    now: DateTime<Utc>,
) -> Result<crate::PdfJsonFiles, ReportError> {
    let export = vault.access_export(request)?;
    let printed = printed_now(vault, now)?;
    let pdf = crate::to_pdf(&access_document(&export, &printed))?;
    let (json, _) = export.to_json()?;
    let day = now.with_timezone(&printed.zone.offset()).format("%Y%m%d");
    let stem = format!(
        "salinan-data-{}-{day}",
        file_safe(&export.data.client.profile.code)
    );
    Ok(crate::PdfJsonFiles {
        pdf,
        pdf_name: format!("{stem}.pdf"),
        json,
        json_name: format!("{stem}.json"),
    })
}
