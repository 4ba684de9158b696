//! The record of processing activities (UU PDP No. 27/2022 Ps 31), made from the signed
//! organisation settings ([`teduh_core::team::processing`]): the controller and whom to ask, each
//! activity with its purpose, lawful bases, kinds of data, whose data, recipients and retention,
//! and the security measures Teduh itself takes. A readable PDF in Bahasa Indonesia and a JSON
//! copy with the same content; neither holds any client's data.

use chrono::{DateTime, Utc};
use serde::Serialize;
use teduh_core::team::processing::{
    Activity, Controller, DataSubject, Processing, RecipientGroup, RecordClass,
};
use teduh_core::team::settings::OrgSettings;
use teduh_core::vault::{Vault, VaultError};

use crate::breach::category_words;
use crate::labels::term;
use crate::model::{Block, Document};
use crate::monthly::ReportError;
use crate::printed::{local_time, printed_now, Printed};

/// What Teduh does to protect the data, whatever the organisation sets: true of the code as it
/// is (docs/architecture.md), printed in every record.
pub const SECURITY_MEASURES: [&str; 6] = [
    "Data disimpan terenkripsi di perangkat (AES-256-GCM) dengan kunci yang dibuka kata sandi \
     petugas (Argon2id).",
    "Catatan dienkripsi ujung ke ujung: server sinkronisasi hanya menyimpan data terenkripsi dan \
     tidak dapat membacanya.",
    "Keanggotaan tim dan kunci diputuskan di perangkat pengelola kunci (daftar anggota \
     bertanda tangan, nomor keamanan), bukan oleh server.",
    "Petugas hanya dapat membuka data klien yang ditugaskan kepadanya.",
    "Setiap pembukaan, ekspor dan cetak data klien dicatat dalam jejak audit bertanda tangan \
     dan berantai.",
    "Setiap perubahan ditandatangani perangkat pembuatnya; perangkat penerima menolak data yang \
     dipalsukan atau diubah.",
];

/// The JSON copy: the settings' processing section as signed, with where it comes from and
/// what it still lacks.
#[derive(Debug, Serialize)]
pub struct ProcessingRecord<'a> {
    /// The organisation (the controller).
    pub organisation: &'a str,
    /// The version of the signed settings it comes from; 0 for Teduh's defaults where this
    /// device holds no settings yet.
    pub settings_version: u64,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// The controller's details.
    pub controller: &'a Controller,
    /// The activities.
    pub activities: &'a [Activity],
    /// The retention periods in days.
    pub retention: &'a teduh_core::team::processing::Retention,
    /// The controller's details left empty.
    pub missing: Vec<&'static str>,
    /// Teduh's own security measures.
    pub security_measures: &'static [&'static str],
}

fn subject_words(s: DataSubject) -> &'static str {
    match s {
        DataSubject::Clients => "klien dewasa",
        DataSubject::Children => "anak",
        DataSubject::ParentsGuardians => "orang tua dan wali",
        DataSubject::Callers => "penelepon dan pengguna layanan pesan (sering anonim)",
        DataSubject::ThirdParties => "orang lain yang disebut klien",
        DataSubject::Workers => "petugas dan relawan",
    }
}

fn recipient_words(r: RecipientGroup) -> &'static str {
    match r {
        RecipientGroup::AssignedWorkers => "petugas yang ditugaskan",
        RecipientGroup::Supervisors => "supervisor tim",
        RecipientGroup::ReferralPartners => {
            "mitra rujukan (dinas sosial, UPTD PPA, sekolah, layanan kesehatan, dukcapil, \
             disnaker), sebatas isi surat rujukan"
        }
        RecipientGroup::PublicAuthorities => "instansi berwenang bila diwajibkan undang-undang",
        RecipientGroup::AggregatesOnly => "penyandang dana dan kementerian, hanya angka tanpa nama",
    }
}

fn class_words(c: RecordClass) -> &'static str {
    match c {
        RecordClass::ClosedCases => "kasus yang sudah ditutup, sejak ditutup",
        RecordClass::Contacts => "kontak yang tidak menjadi klien, sejak kontak",
        RecordClass::Drafts => "draf yang tidak difinalkan, sejak perubahan terakhir",
    }
}

/// "5 tahun", "90 hari", "1 tahun 30 hari".
fn period_words(days: u32) -> String {
    let (years, rest) = (days / 365, days % 365);
    match (years, rest) {
        (0, d) => format!("{d} hari"),
        (y, 0) => format!("{y} tahun"),
        (y, d) => format!("{y} tahun {d} hari"),
    }
}

fn joined<T: Copy>(items: &[T], words: impl Fn(T) -> String) -> String {
    items
        .iter()
        .map(|i| words(*i))
        .collect::<Vec<_>>()
        .join("; ")
}

fn or_missing(text: &str) -> String {
    if text.trim().is_empty() {
        "(belum diisi: lengkapi di pengaturan organisasi)".into()
    } else {
        text.to_owned()
    }
}

/// The record as a document, from `settings` (version 0: Teduh's defaults).
pub fn processing_document(settings: &OrgSettings, printed: &Printed) -> Document {
    let p: &Processing = &settings.processing;
    let source = if settings.version == 0 {
        "Disusun dari bawaan Teduh: organisasi belum menandatangani pengaturannya.".to_string()
    } else {
        format!(
            "Disusun dari pengaturan organisasi versi {}",
            settings.version
        )
    };
    let mut blocks = vec![
        Block::Paragraph(
            "Catatan ini memenuhi Pasal 31 Undang-Undang Nomor 27 Tahun 2022 tentang \
             Pelindungan Data Pribadi: pengendali data pribadi wajib merekam seluruh kegiatan \
             pemrosesan data pribadi."
                .into(),
        ),
        Block::Heading("Pengendali data pribadi".into()),
        Block::Fields(vec![
            ("Nama".into(), or_missing(&settings.name)),
            ("Alamat".into(), or_missing(&p.controller.address)),
            ("Kontak".into(), or_missing(&p.controller.contact)),
            (
                "Pejabat pelindungan data pribadi".into(),
                or_missing(&p.controller.protection_officer),
            ),
        ]),
    ];
    for (n, a) in p.activities.iter().enumerate() {
        blocks.push(Block::Heading(format!("{}. {}", n + 1, a.id)));
        let mut fields = vec![
            ("Kode tujuan".to_string(), a.purpose.clone()),
            (
                "Dasar pemrosesan".into(),
                joined(&a.lawful_bases, |b| term(&b)),
            ),
            (
                "Jenis data pribadi".into(),
                joined(&a.categories, |c| category_words(c).to_string()),
            ),
            (
                "Subjek data".into(),
                joined(&a.subjects, |s| subject_words(s).to_string()),
            ),
            (
                "Penerima".into(),
                joined(&a.recipients, |r| recipient_words(r).to_string()),
            ),
            (
                "Masa simpan".into(),
                format!(
                    "{} ({})",
                    period_words(p.retention.days(a.retention)),
                    class_words(a.retention)
                ),
            ),
        ];
        if !a.notes.trim().is_empty() {
            fields.push(("Keterangan".into(), a.notes.clone()));
        }
        blocks.push(Block::Fields(fields));
    }
    blocks.push(Block::Heading("Masa simpan".into()));
    blocks.push(Block::Fields(
        RecordClass::ALL
            .iter()
            .map(|c| {
                (
                    class_words(*c).to_string(),
                    period_words(p.retention.days(*c)),
                )
            })
            .collect(),
    ));
    blocks.push(Block::Fields(vec![(
        "Salinan cadangan server".into(),
        period_words(p.retention.backup_days),
    )]));
    blocks.push(Block::Paragraph(
        "Setelah masa simpan berakhir, data dimusnahkan dengan penghapusan kriptografis setelah \
         disetujui pengelola kunci. Data yang dimusnahkan atau dihapus atas permintaan hilang dari \
         setiap perangkat tim dan dari server; salinan cadangan server yang dibuat sebelumnya \
         dihapus setelah masa simpan cadangan di atas."
            .into(),
    ));
    blocks.push(Block::Heading("Langkah keamanan".into()));
    blocks.push(Block::Paragraph(
        SECURITY_MEASURES
            .iter()
            .map(|m| format!("- {m}"))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    Document {
        subtitle: vec![
            settings.name.clone(),
            source,
            format!("Tanggal: {}", local_time(printed.at, printed.zone)),
        ],
        blocks,
        ..printed.document("Catatan Kegiatan Pemrosesan Data Pribadi")
    }
}

/// The record's JSON copy.
///
/// Fails only if serialising fails (it does not for these plain types).
pub fn processing_json(
    settings: &OrgSettings,
    made_at: DateTime<Utc>,
) -> Result<Vec<u8>, serde_json::Error> {
    let p = &settings.processing;
    serde_json::to_vec_pretty(&ProcessingRecord {
        organisation: &settings.name,
        settings_version: settings.version,
        made_at,
        controller: &p.controller,
        activities: &p.activities,
        retention: &p.retention,
        missing: p.missing(),
        security_measures: &SECURITY_MEASURES,
    })
}

/// The record of processing activities from the settings this device holds (Teduh's defaults,
/// said so, where it holds none yet): the PDF, the JSON and their file names.
///
/// Fails with [`ReportError`] when the vault cannot be read.
pub fn record_of_processing(
    vault: &Vault,
    now: DateTime<Utc>,
) -> Result<crate::PdfJsonFiles, ReportError> {
    let settings = vault.org_settings()?.unwrap_or_else(|| {
        let mut defaults = OrgSettings::initial("");
        defaults.version = 0;
        defaults
    });
    let printed = printed_now(vault, now)?;
    let pdf = crate::to_pdf(&processing_document(&settings, &printed))?;
    let json = processing_json(&settings, now)
        .map_err(|e| VaultError::Log(format!("record of processing: {e}")))?;
    let day = now.with_timezone(&printed.zone.offset()).format("%Y%m%d");
    Ok(crate::PdfJsonFiles {
        pdf,
        pdf_name: format!("catatan-pemrosesan-{day}.pdf"),
        json,
        json_name: format!("catatan-pemrosesan-{day}.json"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_people_say_them() {
        assert_eq!(period_words(90), "90 hari");
        assert_eq!(period_words(5 * 365), "5 tahun");
        assert_eq!(period_words(395), "1 tahun 30 hari");
    }
}
