//! The plain document model that every renderer reads.
//!
//! The model holds only what is printed: text, counts, hours and already suppressed figures.
//! Whoever builds a [`Document`] has done every computation and every suppression decision; the
//! renderers only lay it out.

/// A document to render: a monthly statistics report, a case file or a referral letter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The title, printed bold at the top of the first page (e.g. "Laporan Bulanan Layanan") and
    /// written as the PDF's document title and the XLSX summary sheet's first cell.
    pub title: String,
    /// Lines under the title: organisation, period, team. One entry is one line (wrapped if long).
    pub subtitle: Vec<String>,
    /// A classification mark such as "RAHASIA": when set, printed bold at the top of every PDF
    /// page and as a light diagonal watermark behind it, and written on the XLSX summary sheet.
    pub mark: Option<String>,
    /// Printed at the bottom of every PDF page, e.g. who printed the document and when
    /// ("Dicetak oleh ..., 06/12/2026 10.15 WIB"). The renderers never read the clock themselves.
    pub footer: String,
    /// The page label printed at the bottom right of every PDF page: a template in which `{page}`
    /// is replaced by the page number and `{pages}` by the page count, e.g.
    /// "Halaman {page} dari {pages}". An empty template prints no label.
    pub page_label: String,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

/// One piece of content of a [`Document`].
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (bold, larger), kept on the same page as what follows it.
    Heading(String),
    /// Body text, wrapped to the text width; a `'\n'` starts a new line.
    Paragraph(String),
    /// Label and value pairs, e.g. a client profile or a letter's header ("Nomor", "Perihal"):
    /// labels in a left column, values wrapped in the right one.
    Fields(Vec<(String, String)>),
    /// A table of figures, also exported as an XLSX sheet and as CSV lines.
    Table(Table),
    /// A horizontal bar chart (PDF only; its figures belong in a table too for exports).
    BarChart(BarChart),
    /// Starts a new PDF page (ignored by the other renderers).
    PageBreak,
}

/// A table: a header row and rows of cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// A short unique id such as "klien_jenis_kelamin": the XLSX sheet name (made valid and unique
    /// by the renderer) and the `table` column of the CSV export.
    pub sheet: String,
    /// The table's title, printed above it (and in the first row of its XLSX sheet).
    pub title: String,
    /// The header row. Rows with fewer cells are padded with empty cells; extra cells are dropped.
    pub columns: Vec<String>,
    /// The rows. The first cell of a row names it (a category such as "Perempuan"); the CSV export
    /// uses it as the row's key.
    pub rows: Vec<Vec<Cell>>,
    /// Footnotes printed under the table, e.g. what "<5" means.
    pub notes: Vec<String>,
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A count, right-aligned; a number in XLSX.
    Count(u64),
    /// Hours, printed with one decimal and a comma as decimal separator in the PDF ("12,5"); a
    /// number (unrounded) in XLSX and one decimal with a dot in CSV ("12.5").
    Hours(f64),
    /// A suppressed statistic, shown only as its marker ("<5", "s"); a string in XLSX and CSV.
    Hidden(String),
}

/// A horizontal bar chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    /// The chart's title, printed above it.
    pub title: String,
    /// The bars, drawn top to bottom in this order.
    pub bars: Vec<Bar>,
    /// Footnotes printed under the chart.
    pub notes: Vec<String>,
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bar {
    /// The category, printed left of the bar.
    pub label: String,
    /// The bar's length, relative to the largest value of the chart. A suppressed figure should
    /// carry a value that reveals nothing (e.g. 0) and its marker in `shown`.
    pub value: u64,
    /// The text printed at the bar's end ("12", "<5"), so the chart reads without colour.
    pub shown: String,
}
