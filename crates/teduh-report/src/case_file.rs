//! A client's case file for print (a case conference, a transfer to an LKSA): the parts the
//! worker chose of profile, cases and risk history, consents, sessions, screenings, referrals
//! and reviews, with third-party passages redacted (`teduh_core::report::redact`), "RAHASIA"
//! on every page and who printed it when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use teduh_core::domain::{ClientProfile, NoteStatus};
use teduh_core::ids::ClientId;
use teduh_core::report::redact::third_party;
use teduh_core::team::settings::Zone;
use teduh_core::vault::{AccessAction, ClientExport, Review, Vault};

use crate::labels::term;
use crate::model::{Block, Cell, Document, Table};
use crate::monthly::ReportError;
use crate::printed::{file_safe, local_time, printed_now, Printed};

/// Which parts a case file holds (each on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct CaseFileParts {
    /// Identity and intake.
    pub profile: bool,
    /// Cases with their risk history.
    pub cases: bool,
    /// Consents and withdrawals.
    pub consents: bool,
    /// Session notes with their addenda.
    pub sessions: bool,
    /// Screenings with their results.
    pub screenings: bool,
    /// Referrals with their outcome.
    pub referrals: bool,
    /// Supervisors' reviews of the notes.
    pub reviews: bool,
}

impl Default for CaseFileParts {
    fn default() -> Self {
        Self {
            profile: true,
            cases: true,
            consents: true,
            sessions: true,
            screenings: true,
            referrals: true,
            reviews: true,
        }
    }
}

fn when(at: Option<DateTime<Utc>>, zone: Zone) -> String {
    at.map_or_else(|| "-".into(), |t| local_time(t, zone))
}

fn profile_fields(p: &ClientProfile, today: chrono::NaiveDate) -> Vec<(String, String)> {
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let age = match (p.birth_date, p.age_on(today)) {
        (Some(b), Some(a)) => format!("{a} tahun (lahir {})", b.format("%d/%m/%Y")),
        (None, Some(a)) => format!("sekitar {a} tahun"),
        _ => "-".into(),
    };
    let mut fields = vec![
        ("Kode".to_string(), p.code.clone()),
        ("Nama".into(), or_dash(&p.name)),
        ("Panggilan".into(), or_dash(&p.nickname)),
        ("Jenis kelamin".into(), term(&p.sex)),
        ("Umur".into(), age),
        ("Kabupaten/kota".into(), or_dash(&p.regency)),
        ("Alamat".into(), or_dash(&p.address)),
        (
            "Kebutuhan komunikasi".into(),
            or_dash(&p.communication_needs),
        ),
    ];
    if let Some(g) = &p.guardian {
        fields.push((
            "Orang tua/wali".into(),
            format!("{} ({})", g.name, g.relationship),
        ));
    }
    if !p.ppks_categories.is_empty() || !p.ampk_categories.is_empty() {
        let words = |key: &str, codes: &[String]| -> Vec<String> {
            codes
                .iter()
                .map(|c| crate::labels::row_label(key, c).map_or_else(|| c.clone(), str::to_string))
                .collect()
        };
        let mut all = words("clients_by_ppks", &p.ppks_categories);
        all.extend(words("clients_by_ampk", &p.ampk_categories));
        fields.push(("Kategori PPKS/AMPK".into(), all.join("; ")));
    }
    fields
}

/// The case file of `export` as a document: the chosen `parts`, third-party passages redacted,
/// "RAHASIA" on every page. `reviews` are the notes' reviews.
pub fn case_file_document(
    export: &ClientExport,
    reviews: &[Review],
    parts: CaseFileParts,
    printed: &Printed,
) -> Document {
    let zone = printed.zone;
    let today = printed.at.with_timezone(&zone.offset()).date_naive();
    let mut redacted = 0;
    let mut clean = |text: &str| {
        let (t, n) = third_party(text);
        redacted += n;
        t
    };
    let mut blocks = Vec::new();
    if parts.profile {
        blocks.push(Block::Heading("Profil".into()));
        blocks.push(Block::Fields(profile_fields(&export.client.profile, today)));
    }
    if parts.cases {
        blocks.push(Block::Heading("Kasus dan riwayat risiko".into()));
        if export.cases.is_empty() {
            blocks.push(Block::Paragraph("Belum ada kasus.".into()));
        }
        for case in &export.cases {
            let d = &case.details;
            blocks.push(Block::Fields(vec![
                ("Masalah".into(), clean(&d.presenting_problem)),
                ("Tahap".into(), term(&d.stage)),
                (
                    "Risiko terakhir".into(),
                    case.current_risk.as_ref().map_or("-".into(), term),
                ),
                (
                    "Alasan penutupan".into(),
                    d.closure_reason.clone().unwrap_or_else(|| "-".into()),
                ),
            ]));
            if !case.risk_history.is_empty() {
                blocks.push(Block::Table(Table {
                    sheet: "risiko".into(),
                    title: "Riwayat risiko".into(),
                    columns: vec!["Waktu".into(), "Tingkat".into(), "Alasan".into()],
                    rows: case
                        .risk_history
                        .iter()
                        .map(|r| {
                            vec![
                                Cell::Text(when(r.assessed_at, zone)),
                                Cell::Text(term(&r.level)),
                                Cell::Text(clean(&r.reason)),
                            ]
                        })
                        .collect(),
                    notes: Vec::new(),
                }));
            }
        }
    }
    if parts.consents {
        blocks.push(Block::Table(Table {
            sheet: "persetujuan".into(),
            title: "Persetujuan".into(),
            columns: vec![
                "Diberikan".into(),
                "Oleh".into(),
                "Tujuan".into(),
                "Dasar".into(),
                "Dicabut".into(),
            ],
            rows: export
                .consents
                .iter()
                .map(|c| {
                    vec![
                        Cell::Text(when(c.consent.given_at, zone)),
                        Cell::Text(term(&c.consent.given_by)),
                        Cell::Text(c.consent.purposes.join(", ")),
                        Cell::Text(term(&c.consent.lawful_basis)),
                        Cell::Text(
                            c.withdrawals
                                .first()
                                .map_or("-".into(), |w| when(w.withdrawn_at, zone)),
                        ),
                    ]
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    if parts.sessions {
        blocks.push(Block::Heading("Sesi".into()));
        if export.notes.is_empty() {
            blocks.push(Block::Paragraph("Belum ada sesi.".into()));
        }
        for note in &export.notes {
            let c = &note.content;
            let state = match &note.status {
                NoteStatus::Draft => "draf".to_string(),
                NoteStatus::Finalised { at, .. } => format!("final {}", local_time(*at, zone)),
            };
            blocks.push(Block::Fields(vec![
                (
                    "Sesi".into(),
                    format!("{} ({state})", when(c.occurred_at, zone)),
                ),
                (
                    "Cara, durasi".into(),
                    format!("{}, {} menit", term(&c.modality), c.duration_minutes),
                ),
                ("Risiko".into(), c.risk.as_ref().map_or("-".into(), term)),
            ]));
            blocks.push(Block::Paragraph(clean(&c.narrative)));
            if !c.plan.trim().is_empty() {
                blocks.push(Block::Fields(vec![("Rencana".into(), clean(&c.plan))]));
            }
            for a in &note.addenda {
                blocks.push(Block::Fields(vec![(
                    format!("Adendum {}", when(a.addendum.written_at, zone)),
                    clean(&a.addendum.text),
                )]));
            }
            if parts.reviews {
                for r in reviews.iter().filter(|r| r.note == note.id) {
                    blocks.push(Block::Fields(vec![(
                        format!("Tinjauan {}", local_time(r.at, zone)),
                        format!("{}: {}", term(&r.action), clean(&r.comment)),
                    )]));
                }
            }
        }
    }
    if parts.screenings {
        blocks.push(Block::Table(Table {
            sheet: "skrining".into(),
            title: "Skrining".into(),
            columns: vec![
                "Waktu".into(),
                "Instrumen".into(),
                "Skor".into(),
                "Kategori".into(),
                "Tanda bahaya".into(),
            ],
            rows: export
                .screenings
                .iter()
                .map(|s| {
                    vec![
                        Cell::Text(when(s.answers.administered_at, zone)),
                        Cell::Text(
                            crate::labels::row_label(
                                "screenings_by_instrument",
                                &crate::labels::code_of(&s.answers.instrument),
                            )
                            .map_or_else(
                                || crate::labels::code_of(&s.answers.instrument),
                                str::to_string,
                            ),
                        ),
                        Cell::Count(u64::from(s.result.total)),
                        Cell::Text(term(&s.result.band)),
                        Cell::Text(if s.result.flagged { "ya" } else { "tidak" }.into()),
                    ]
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    if parts.referrals {
        blocks.push(Block::Table(Table {
            sheet: "rujukan".into(),
            title: "Rujukan".into(),
            columns: vec![
                "Mitra".into(),
                "Alasan".into(),
                "Urgensi".into(),
                "Hasil".into(),
            ],
            rows: export
                .referrals
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.referral.partner_name.clone()),
                        Cell::Text(clean(&r.referral.reason)),
                        Cell::Text(term(&r.referral.urgency)),
                        Cell::Text(term(&r.status)),
                    ]
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    for block in &mut blocks {
        if let Block::Table(t) = block {
            if t.rows.is_empty() {
                t.notes.push("Tidak ada.".into());
            }
        }
    }
    let mut subtitle = vec![
        printed.organisation.clone(),
        format!("Klien {}", export.client.profile.code),
    ];
    if redacted > 0 {
        subtitle.push(format!(
            "{redacted} bagian berisi informasi pihak ketiga disamarkan."
        ));
    }
    Document {
        title: "Berkas Kasus".into(),
        subtitle,
        mark: Some("RAHASIA".into()),
        footer: format!(
            "Dicetak oleh {}, {}",
            printed.by,
            local_time(printed.at, zone)
        ),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
    }
}

/// The case file of `client` as a PDF with the chosen `parts`, and its file name
/// (`berkas-kasus-<code>-<yyyymmdd>.pdf`).
///
/// Fails with [`ReportError`]: locked, a client this device cannot read, damaged data.
pub fn case_file(
    vault: &mut Vault,
    client: ClientId,
    parts: CaseFileParts,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String), ReportError> {
    let export = vault.export_client(client)?;
    let reviews = if parts.reviews {
        vault.reviews_of(&export.notes)?
    } else {
        Vec::new()
    };
    let printed = printed_now(vault, now)?;
    let doc = case_file_document(&export, &reviews, parts, &printed);
    let day = now.with_timezone(&printed.zone.offset()).format("%Y%m%d");
    let name = format!(
        "berkas-kasus-{}-{day}.pdf",
        file_safe(&export.client.profile.code)
    );
    let pdf = crate::to_pdf(&doc)?;
    // Every print is in the client's audit trail (issue 25).
    vault.record_access(client, AccessAction::Printed, client.into())?;
    Ok((pdf, name))
}
