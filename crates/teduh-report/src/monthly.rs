//! The monthly statistics as a [`Document`] in Bahasa Indonesia: a summary, every protected
//! table, two charts and each worker's hours, with the rule for hidden figures beside them.

use chrono::{DateTime, Utc};
use teduh_core::error::Code;
use teduh_core::report::disclosure::{PublishedTable, Shown};
use teduh_core::report::monthly::{Month, MonthlyStatistics, WorkerHours};
use teduh_core::vault::{Vault, VaultError};

use crate::labels::{month_name, row_label, table_title};
use crate::model::{Bar, BarChart, Block, Cell, Document, Table};

/// Who printed the report and when (already in the team's zone, e.g. "06/12/2026 10.15 WIB"),
/// and the organisation's words for codes the statistics carry.
#[derive(Debug, Clone, Default)]
pub struct Printing {
    /// The member who made it.
    pub by: String,
    /// When, as it is printed.
    pub at: String,
    /// The contact-category taxonomy: (code, Indonesian name).
    pub contact_categories: Vec<(String, String)>,
}

/// What a hidden figure means, printed once under the summary.
pub const RULE: &str = "Angka 1 sampai 4 ditampilkan sebagai \"<5\". Tanda \"s\" menandai angka 5 \
atau lebih yang disamarkan agar angka kecil lain tidak dapat dihitung dari total. Tabel yang \
populasinya di bawah 5 orang tidak dirinci.";

fn cell(shown: Shown) -> Cell {
    match shown {
        Shown::Count(n) => Cell::Count(n),
        other => Cell::Hidden(other.text()),
    }
}

fn words(stats: &MonthlyStatistics, printing: &Printing, table: &str, key: &str) -> String {
    if table.ends_with("_by_worker") {
        return stats
            .workers
            .get(key)
            .cloned()
            .unwrap_or_else(|| match key.get(..6) {
                // A worker the roster does not name (a device not in a team): a short id.
                Some(short) => format!("Petugas {short}"),
                None => "Tidak diketahui".into(),
            });
    }
    if table == "contacts_by_category" {
        if let Some((_, name)) = printing.contact_categories.iter().find(|(c, _)| c == key) {
            return name.clone();
        }
    }
    row_label(table, key).map_or_else(|| key.to_string(), str::to_string)
}

fn table(stats: &MonthlyStatistics, printing: &Printing, t: &PublishedTable) -> Table {
    let (title, first) = table_title(&t.id);
    let mut rows: Vec<Vec<Cell>> = t
        .rows
        .iter()
        .map(|(key, shown)| vec![Cell::Text(words(stats, printing, &t.id, key)), cell(*shown)])
        .collect();
    if let Some(total) = t.total {
        rows.push(vec![Cell::Text("Total".into()), cell(total)]);
    }
    let mut notes = Vec::new();
    if t.withheld {
        notes.push(
            "Tidak dirinci: jumlahnya di bawah 5, atau rinciannya dapat membuka angka kecil."
                .into(),
        );
    }
    if !t.withheld && t.rows.is_empty() {
        notes.push("Tidak ada bulan ini.".into());
    }
    if t.population.is_none() && !t.rows.is_empty() {
        notes.push(
            "Satu orang atau kontak dapat masuk lebih dari satu kategori: tidak ada total.".into(),
        );
    }
    Table {
        sheet: t.id.clone(),
        title: title.to_string(),
        columns: vec![first.to_string(), "Jumlah".into()],
        rows,
        notes,
    }
}

fn chart(stats: &MonthlyStatistics, printing: &Printing, id: &str) -> Option<Block> {
    let t = stats.table(id)?;
    if t.withheld {
        return None;
    }
    Some(Block::BarChart(BarChart {
        title: table_title(id).0.to_string(),
        bars: t
            .rows
            .iter()
            .map(|(key, shown)| Bar {
                label: words(stats, printing, id, key),
                // A hidden figure gets no length: the bar would give its size away.
                value: shown.count().unwrap_or(0),
                shown: shown.text(),
            })
            .collect(),
        notes: Vec::new(),
    }))
}

fn total_text(stats: &MonthlyStatistics, id: &str) -> String {
    stats
        .table(id)
        .and_then(|t| t.total)
        .map_or_else(|| "-".into(), Shown::text)
}

/// One worker's hours, rounded to a tenth. Her session hours (and so her total) are hidden when
/// her session count is: with sessions of a usual length, hours would give the count back.
fn hours_row(stats: &MonthlyStatistics, printing: &Printing, h: &WorkerHours) -> Vec<Cell> {
    #[allow(clippy::cast_precision_loss)]
    let hours = |m: u64| Cell::Hours((m as f64 / 6.0).round() / 10.0);
    // Her session count as printed, when it is hidden; a withheld table hides every count.
    let hidden = match stats.table("sessions_by_worker") {
        Some(t) if t.withheld => (h.session_minutes > 0).then_some(Shown::Masked),
        Some(t) => t
            .rows
            .iter()
            .find(|(k, _)| *k == h.worker)
            .map(|(_, s)| *s)
            .filter(|s| s.count().is_none()),
        None => None,
    };
    let (sessions, total) = match hidden {
        None => (
            hours(h.session_minutes),
            hours(h.session_minutes + h.contact_minutes),
        ),
        Some(s) => (Cell::Hidden(s.text()), Cell::Hidden(Shown::Masked.text())),
    };
    vec![
        Cell::Text(words(stats, printing, "sessions_by_worker", &h.worker)),
        sessions,
        hours(h.contact_minutes),
        total,
    ]
}

/// The monthly statistics as a document: title, organisation and period, a summary, the rule
/// for hidden figures, each table, charts of sessions by modality and clients by age, and the
/// workers' hours.
pub fn monthly_document(stats: &MonthlyStatistics, printing: &Printing) -> Document {
    let period = month_name(stats.month.year, stats.month.month);
    let mut blocks = vec![
        Block::Heading("Ringkasan".into()),
        Block::Fields(vec![
            ("Klien dilayani".into(), total_text(stats, "clients_by_sex")),
            ("Sesi".into(), total_text(stats, "sessions_by_modality")),
            (
                "Kontak hotline".into(),
                total_text(stats, "contacts_by_channel"),
            ),
            (
                "Skrining".into(),
                total_text(stats, "screenings_by_instrument"),
            ),
            ("Tanda bahaya".into(), total_text(stats, "red_flags")),
            ("Rujukan".into(), total_text(stats, "referrals_by_outcome")),
        ]),
        Block::Paragraph(RULE.into()),
    ];
    blocks.extend(chart(stats, printing, "sessions_by_modality"));
    blocks.extend(chart(stats, printing, "clients_by_age"));
    for t in &stats.tables {
        blocks.push(Block::Table(table(stats, printing, t)));
    }
    blocks.push(Block::Table(Table {
        sheet: "hours_by_worker".into(),
        title: "Jam layanan per petugas".into(),
        columns: vec![
            "Petugas".into(),
            "Jam sesi".into(),
            "Jam kontak".into(),
            "Total jam".into(),
        ],
        rows: stats
            .hours
            .iter()
            .map(|h| hours_row(stats, printing, h))
            .collect(),
        notes: vec![
            "Durasi sesi dan kontak yang dicatat, dibulatkan ke 0,1 jam. Jam sesi petugas yang \
             jumlah sesinya disamarkan ikut disamarkan."
                .into(),
        ],
    }));
    Document {
        title: "Laporan Bulanan Layanan".into(),
        subtitle: vec![
            stats.organisation.clone(),
            format!("Periode: {period}"),
            "Dihitung di perangkat dari catatan yang dapat dibaca perangkat ini.".into(),
        ],
        mark: None,
        footer: format!("Dicetak oleh {}, {}", printing.by, printing.at),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
    }
}

/// The file formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A printable report with tables and charts.
    Pdf,
    /// A workbook, one sheet per table.
    Xlsx,
    /// Every table in one long-format CSV.
    Csv,
}

impl Format {
    /// Reads `pdf`, `xlsx` or `csv`.
    ///
    /// Fails with [`ReportError::BadFormat`].
    pub fn parse(text: &str) -> Result<Format, ReportError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            _ => Err(ReportError::BadFormat(text.to_string())),
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the vault failed (locked, not permitted, damaged).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] crate::RenderError),
    /// Not one of pdf, xlsx, csv.
    #[error("`{0}` is not a report format: choose pdf, xlsx or csv")]
    BadFormat(String),
}

impl ReportError {
    /// The code the app and the CLI show.
    pub fn code(&self) -> Code {
        match self {
            ReportError::Vault(e) => e.code(),
            ReportError::Render(_) => Code::Internal,
            ReportError::BadFormat(_) => Code::InvalidInput,
        }
    }
}

/// The monthly statistics of `month` from this device's vault, protected, as a file of
/// `format`, with the statistics themselves (for the screen). `partner_category` gives a
/// directory entry's category code; `now` is when it is printed.
///
/// Fails with [`ReportError`]: locked, not permitted (a device that reads only its own clients),
/// damaged data, or rendering.
pub fn monthly_report(
    vault: &mut Vault,
    month: Month,
    format: Format,
    partner_category: &dyn Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, MonthlyStatistics), ReportError> {
    let facts = vault.month_facts(month)?;
    let stats = MonthlyStatistics::count(&facts, partner_category);
    let printed = crate::printed::printed_now(vault, now)?;
    let printing = Printing {
        by: printed.by,
        at: crate::printed::local_time(now, printed.zone),
        contact_categories: vault
            .contact_categories()?
            .into_iter()
            .map(|c| (c.code, c.id))
            .collect(),
    };
    let doc = monthly_document(&stats, &printing);
    let bytes = match format {
        Format::Pdf => crate::to_pdf(&doc)?,
        Format::Xlsx => crate::to_xlsx(&doc)?,
        Format::Csv => crate::to_csv(&doc)?.into_bytes(),
    };
    Ok((bytes, stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use teduh_core::domain::Modality;
    use teduh_core::report::monthly::{MonthFacts, SessionFact};

    fn stats(sessions: &[(&str, u32)]) -> MonthlyStatistics {
        let facts = MonthFacts {
            month: Month {
                year: 2026,
                month: 11,
            },
            organisation: String::new(),
            clients: Vec::new(),
            sessions: sessions
                .iter()
                .flat_map(|(w, n)| {
                    (0..*n).map(|_| SessionFact {
                        modality: Modality::InPerson,
                        worker: (*w).into(),
                        minutes: 60,
                    })
                })
                .collect(),
            contacts: Vec::new(),
            screenings: Vec::new(),
            red_flags: Vec::new(),
            referrals: Vec::new(),
            workers: Default::default(),
        };
        MonthlyStatistics::count(&facts, &|_| None)
    }

    fn hours_rows(doc: &Document) -> Vec<Vec<Cell>> {
        doc.blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) if t.sheet == "hours_by_worker" => Some(t.rows.clone()),
                _ => None,
            })
            .expect("the hours table")
    }

    #[test]
    fn a_workers_session_hours_are_hidden_when_her_session_count_is() {
        // 3 sessions of an hour: "3,0 h" beside "<5" would give the 3 back.
        let doc = monthly_document(
            &stats(&[
                ("aaaaaaaa", 30),
                ("bbbbbbbb", 3),
                ("cccccccc", 12),
                ("dddddddd", 20),
            ]),
            &Printing::default(),
        );
        let rows = hours_rows(&doc);
        let of = |who: &str| {
            rows.iter()
                .find(|r| matches!(&r[0], Cell::Text(t) if t.contains(who)))
                .cloned()
                .expect("a row")
        };
        assert_eq!(of("bbbbbb")[1], Cell::Hidden("<5".into()));
        assert_eq!(
            of("bbbbbb")[3],
            Cell::Hidden("s".into()),
            "nor the total that holds them"
        );
        assert_eq!(
            of("aaaaaa")[1],
            Cell::Hours(30.0),
            "a visible count keeps its hours"
        );
    }

    #[test]
    fn hours_are_rounded_to_a_tenth_even_in_the_workbook() {
        let mut s = stats(&[("aaaaaaaa", 6)]);
        s.hours[0].session_minutes = 367; // 6.1166... h
        let rows = hours_rows(&monthly_document(&s, &Printing::default()));
        assert_eq!(rows[0][1], Cell::Hours(6.1));
    }
}
