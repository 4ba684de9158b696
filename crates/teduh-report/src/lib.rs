//! Teduh's documents for print and export.
//!
//! A caller (the statistics and letters code of the app) builds a [`Document`] from plain parts —
//! [`Block`]s such as headings, paragraphs, label/value [`Block::Fields`], [`Table`]s of
//! [`Cell`]s and [`BarChart`]s of [`Bar`]s — and this crate renders it, with no access to any
//! data and no clock:
//!
//! - [`to_pdf`]: A4 pages for printing, every page marked (e.g. "RAHASIA"), footed and numbered;
//! - [`to_xlsx`]: a workbook with a summary sheet and one sheet per table;
//! - [`to_csv`]: every table in one long-format CSV;
//! - [`to_plain_text`]: a readable text copy, e.g. of a letter for a chat message.
//!
//! Failures are [`RenderError`]s.
//!
//! [`monthly::monthly_document`] builds the monthly statistics' document (Bahasa Indonesia) from
//! the core's protected [`teduh_core::report::monthly::MonthlyStatistics`]; [`labels`] holds
//! the words printed for the statistics' codes; [`case_file::case_file`] prints a client's case
//! file ("RAHASIA", third-party passages redacted); [`letter::referral_letter`] the referral
//! letter as PDF and chat text; [`access::access_export`] the access export answering a
//! person's request (PDF and JSON, with the processing trail); [`breach::breach_notice`] the
//! breach notices to the people concerned and to the authority;
//! [`processing::record_of_processing`] the record of processing activities from the
//! organisation settings; [`save::save_whole`] writes a
//! file whole.
//!
//! ```
//! use teduh_report::{to_csv, to_pdf, Block, Cell, Document, Table};
//!
//! let doc = Document {
//!     title: "Laporan Bulanan Layanan".into(),
//!     mark: Some("RAHASIA".into()),
//!     page_label: "Halaman {page} dari {pages}".into(),
//!     blocks: vec![Block::Table(Table {
//!         sheet: "klien_jenis_kelamin".into(),
//!         title: "Klien menurut jenis kelamin".into(),
//!         columns: vec!["Jenis kelamin".into(), "Klien".into()],
//!         rows: vec![
//!             vec![Cell::Text("Perempuan".into()), Cell::Count(12)],
//!             vec![Cell::Text("Laki-laki".into()), Cell::Hidden("<5".into())],
//!         ],
//!         notes: vec!["<5: kurang dari lima, disembunyikan.".into()],
//!     })],
//!     ..Document::default()
//! };
//! let pdf = to_pdf(&doc)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! assert_eq!(
//!     to_csv(&doc)?,
//!     "table,row,column,value\n\
//!      klien_jenis_kelamin,Perempuan,Klien,12\n\
//!      klien_jenis_kelamin,Laki-laki,Klien,<5\n"
//! );
//! # Ok::<(), teduh_report::RenderError>(())
//! ```
//!
//! # Text in PDFs
//!
//! The PDF uses the standard Helvetica and Helvetica-Bold fonts, which every PDF reader has, in
//! WinAnsiEncoding: nothing is embedded, so files stay small. That encoding covers Indonesian and
//! Western European text (ASCII, Latin-1 letters such as "é", typographic quotes, dashes, "€");
//! any other character (e.g. "漢", emoji, combining accents) is drawn as `?`.

pub mod access;
pub mod breach;
pub mod case_file;
pub mod erasure;
mod format;
pub mod labels;
pub mod letter;
mod long_csv;
mod metrics;
pub mod model;
pub mod monthly;
mod pdf;
mod plain;
pub mod printed;
pub mod processing;
pub mod save;
mod xlsx;

pub use model::{Bar, BarChart, Block, Cell, Document, Table};

/// A report made as a readable PDF and a machine-readable JSON copy of the same content (the
/// access export, the record of processing activities), with the names they are saved under.
#[derive(Debug, Clone)]
pub struct PdfJsonFiles {
    /// The readable document.
    pub pdf: Vec<u8>,
    /// Its file name (`<what>-<yyyymmdd>.pdf`).
    pub pdf_name: String,
    /// The machine-readable copy.
    pub json: Vec<u8>,
    /// Its file name (`<what>-<yyyymmdd>.json`).
    pub json_name: String,
}

impl PdfJsonFiles {
    /// Writes both files whole into `dir` ([`save::save_whole`]); returns the PDF's path, then
    /// the JSON's.
    ///
    /// Fails with [`save::SaveError`] (folder not writable, disk full).
    pub fn save_in(
        &self,
        dir: &std::path::Path,
    ) -> Result<(std::path::PathBuf, std::path::PathBuf), save::SaveError> {
        Ok((
            save::save_whole(dir, &self.pdf_name, &self.pdf)?,
            save::save_whole(dir, &self.json_name, &self.json)?,
        ))
    }
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The XLSX writer refused the workbook.
    #[error("could not write the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A table has more rows or columns than a worksheet can hold.
    #[error("a table is larger than a worksheet can hold")]
    TooLarge,
}

/// Renders `doc` as a PDF: A4 portrait, 20 mm margins, Helvetica 10 pt.
///
/// The title (bold, 16 pt) and subtitle lines open the first page. Headings (12 pt) stay with
/// what follows them; paragraphs and field values are wrapped to the text width. Tables size
/// their columns from their widest text (shrinking and wrapping when the page is too narrow),
/// right-align figure columns, and continue on the next page under a repeated header row. Bar
/// charts draw hatched horizontal bars scaled to the largest value, each with its label on the
/// left and its `shown` text at its end; a zero bar is a thin outline. Every page carries the
/// mark (if any) at the top and as a light diagonal watermark, and the footer and page label at
/// the bottom.
///
/// The output depends only on `doc`: rendering the same document twice gives the same bytes.
/// Characters outside WinAnsiEncoding are drawn as `?` (see the crate documentation). This
/// currently never fails; the `Result` leaves room for limits.
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, RenderError> {
    pdf::render(doc)
}

/// Renders `doc` as an XLSX workbook.
///
/// The first sheet, "Ringkasan", holds the title (bold, in A1), the subtitle lines, the mark, the
/// footer and a list of the table sheets with their titles. Then each [`Table`] gets a sheet
/// named after [`Table::sheet`], made valid for Excel (the characters `[]:*?/\` become `_`, at
/// most 31 characters, no apostrophe at either end) and unique (a repeated name gets `_2`, `_3`,
/// …). A table's sheet has its title in bold in row 1, its header row in bold in row 3, then its
/// rows: [`Cell::Count`] and [`Cell::Hours`] as numbers (hours shown with one decimal),
/// [`Cell::Text`] and [`Cell::Hidden`] as strings. Its notes follow after an empty row.
/// Headings, paragraphs, fields and charts are not exported.
pub fn to_xlsx(doc: &Document) -> Result<Vec<u8>, RenderError> {
    xlsx::render(doc)
}

/// Renders every [`Table`] of `doc` as one CSV in long format, for statistics software.
///
/// The header is `table,row,column,value`, then one line per cell other than a row's first:
///
/// - `table`: the table's [`Table::sheet`] id, as given (not shortened like XLSX sheet names);
/// - `row`: the text of the row's first cell (its category);
/// - `column`: the column's header;
/// - `value`: a count as plain digits (`1234`), hours with one decimal and a dot (`12.5`), a
///   hidden cell's marker (`<5`), or a text cell's text.
///
/// The CSV is UTF-8 without a byte order mark, lines end with `\n`, and fields are quoted when
/// they hold a comma, a quote or a line break (RFC 4180 style). Other blocks are not exported.
pub fn to_csv(doc: &Document) -> Result<String, RenderError> {
    long_csv::render(doc)
}

/// Renders `doc` as readable plain text: the mark, title and subtitle lines, then headings,
/// paragraphs, fields as "Label: value", tables as lines of cells joined by " | ", bar charts as
/// "label: shown", and the footer. Numbers are written as in the PDF ("1.234", "12,5").
pub fn to_plain_text(doc: &Document) -> String {
    plain::render(doc)
}
