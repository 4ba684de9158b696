//! Renders synthetic documents and reads them back: PDF through `pdftotext`, XLSX through
//! calamine, CSV through the csv crate. All names and figures here are made up.

use std::io::Cursor;

mod common;
use common::pdf_pages;

use calamine::{Data, Reader, Xlsx};
use teduh_report::{
    to_csv, to_pdf, to_plain_text, to_xlsx, Bar, BarChart, Block, Cell, Document, Table,
};

const LONG_PARAGRAPH: &str = "Layanan pendampingan psikososial diberikan secara tatap muka \
    maupun daring kepada klien yang dirujuk oleh mitra, dengan kunjungan lanjutan yang dijadwalkan \
    bersama keluarga dan pendamping sekolah apabila diperlukan, serta catatan perkembangan yang \
    ditinjau setiap bulan oleh supervisor tim agar rencana intervensi tetap sesuai kebutuhan.";

fn base(blocks: Vec<Block>) -> Document {
    Document {
        title: "Laporan Bulanan Layanan".into(),
        subtitle: vec![
            "Lembaga Contoh Sejahtera".into(),
            "Periode: November 2026".into(),
        ],
        mark: Some("RAHASIA".into()),
        footer: "Dicetak oleh Supervisor Contoh, 06/12/2026 10.15 WIB".into(),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks,
    }
}

fn gender_table() -> Table {
    Table {
        sheet: "klien_jenis_kelamin".into(),
        title: "Klien menurut jenis kelamin".into(),
        columns: vec!["Jenis kelamin".into(), "Klien".into(), "Jam layanan".into()],
        rows: vec![
            vec![
                Cell::Text("Perempuan".into()),
                Cell::Count(47),
                Cell::Hours(112.5),
            ],
            vec![
                Cell::Text("Laki-laki".into()),
                Cell::Count(1234),
                Cell::Hours(3.25),
            ],
            vec![
                Cell::Text("Tidak disebutkan".into()),
                Cell::Hidden("<5".into()),
                Cell::Hidden("s".into()),
            ],
        ],
        notes: vec!["<5: jumlah di bawah lima disembunyikan untuk melindungi klien.".into()],
    }
}

/// A two-page report: everything before the page break, a chart after it.
fn report() -> Document {
    base(vec![
        Block::Heading("Ringkasan".into()),
        Block::Paragraph(LONG_PARAGRAPH.into()),
        Block::Fields(vec![
            ("Tim".into(), "Tim Konseling Contoh".into()),
            ("Catatan".into(), "Semua angka bersifat sintetis.".into()),
        ]),
        Block::Table(gender_table()),
        Block::PageBreak,
        Block::Heading("Grafik".into()),
        Block::BarChart(BarChart {
            title: "Kasus menurut jenis layanan".into(),
            bars: vec![
                Bar {
                    label: "Konseling individu".into(),
                    value: 38,
                    shown: "38".into(),
                },
                Bar {
                    label: "Konseling keluarga".into(),
                    value: 12,
                    shown: "12".into(),
                },
                Bar {
                    label: "Rujukan hukum".into(),
                    value: 0,
                    shown: "<5".into(),
                },
            ],
            notes: vec!["Batang tanpa isi: angka disembunyikan.".into()],
        }),
    ])
}

/// A table of 120 rows, more than one page holds.
fn long_table_doc() -> Document {
    let rows = (1..=120)
        .map(|i| {
            vec![
                Cell::Text(format!("Kecamatan Contoh {i:03}")),
                Cell::Count(i * 3),
                Cell::Hours(i as f64 / 4.0),
            ]
        })
        .collect();
    base(vec![Block::Table(Table {
        sheet: "klien_kecamatan".into(),
        title: "Klien menurut kecamatan".into(),
        columns: vec!["Kecamatan".into(), "Klien".into(), "Jam layanan".into()],
        rows,
        notes: vec![],
    })])
}

/// The words of `text`, so checks do not depend on where lines wrap.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn the_pdf_text_holds_the_title_figures_marks_and_page_labels() {
    let pdf = to_pdf(&report()).expect("the report renders");
    let pages = pdf_pages(&pdf, "report");
    assert_eq!(pages.len(), 2, "the page break makes exactly two pages");
    let all = pages.join("\n");
    assert!(
        all.contains("Laporan Bulanan Layanan"),
        "the title is printed"
    );
    assert!(
        all.contains("Lembaga Contoh Sejahtera"),
        "subtitle lines are printed"
    );
    for figure in ["47", "1.234", "112,5", "3,2", "<5"] {
        assert!(
            all.contains(figure),
            "the table's figure {figure:?} (Indonesian number format) is printed:\n{all}"
        );
    }
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("RAHASIA"), "page {} carries the mark", i + 1);
        let label = format!("Halaman {} dari 2", i + 1);
        assert!(
            page.contains(&label),
            "page {} is labelled {label:?}",
            i + 1
        );
        assert!(
            page.contains("Dicetak oleh Supervisor Contoh"),
            "page {} has the footer",
            i + 1
        );
    }
    assert!(
        words(&all)
            .windows(2)
            .any(|w| w == ["Layanan", "pendampingan"]),
        "the long paragraph's start is readable"
    );
    let paragraph_words = words(LONG_PARAGRAPH);
    let printed = words(&pages[0]);
    for word in &paragraph_words {
        assert!(
            printed.contains(word),
            "the wrapped paragraph keeps {word:?}"
        );
    }
    let longest_line = pages[0].lines().map(|l| l.chars().count()).max();
    assert!(
        longest_line < Some(LONG_PARAGRAPH.len()),
        "the long paragraph is wrapped onto several lines"
    );
    assert!(
        pages[1].contains("Konseling individu") && pages[1].contains("38"),
        "the chart's labels and shown values are text on the second page"
    );
}

#[test]
fn a_table_longer_than_a_page_repeats_its_header_row_on_the_next_page() {
    let pdf = to_pdf(&long_table_doc()).expect("the long table renders");
    let pages = pdf_pages(&pdf, "long-table");
    assert!(
        pages.len() >= 3,
        "120 rows need several pages: {}",
        pages.len()
    );
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Kecamatan") && page.contains("Jam layanan"),
            "page {} repeats the header row",
            i + 1
        );
        let label = format!("Halaman {} dari {}", i + 1, pages.len());
        assert!(
            page.contains(&label),
            "page {} is labelled {label:?}",
            i + 1
        );
    }
    let all = pages.join("\n");
    for i in [1, 60, 120] {
        assert!(
            all.contains(&format!("Kecamatan Contoh {i:03}")),
            "row {i} is printed once the table breaks across pages"
        );
    }
}

#[test]
fn characters_outside_winansi_become_question_marks_while_indonesian_and_accents_survive() {
    let doc = base(vec![
        Block::Paragraph("Catatan kafé: klien datang pukul 09.00 — ditemani kakak.".into()),
        Block::Paragraph("Nama asing 漢字 tetap aman.".into()),
    ]);
    let pdf = to_pdf(&doc).expect("text outside WinAnsi does not stop rendering");
    let text = pdf_pages(&pdf, "charset").join("\n");
    assert!(
        text.contains("kafé"),
        "é is in WinAnsi and survives:\n{text}"
    );
    assert!(text.contains("—"), "the em dash is in WinAnsi and survives");
    assert!(
        text.contains("Nama asing ?? tetap aman."),
        "each character outside WinAnsi is drawn as '?':\n{text}"
    );
}

#[test]
fn rendering_the_same_document_twice_gives_identical_pdf_bytes() {
    let a = to_pdf(&report()).expect("renders");
    let b = to_pdf(&report()).expect("renders");
    assert!(a.starts_with(b"%PDF-"), "a PDF header");
    assert_eq!(a, b, "nothing time- or random-dependent is in the PDF");
}

#[test]
fn the_pdf_names_its_title_in_the_document_info() {
    let pdf = to_pdf(&report()).expect("renders");
    let needle = b"/Title (Laporan Bulanan Layanan)";
    assert!(
        pdf.windows(needle.len()).any(|w| w == needle),
        "the info dictionary carries the title for viewers and search"
    );
}

#[test]
fn xlsx_has_a_summary_sheet_then_one_sheet_per_table_with_numbers_as_numbers() {
    let mut second = gender_table();
    second.title = "Salinan dengan nama lembar yang sama".into();
    let mut doc = report();
    doc.blocks.push(Block::Table(second));
    let bytes = to_xlsx(&doc).expect("the workbook renders");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a readable XLSX");
    assert_eq!(
        book.sheet_names(),
        ["Ringkasan", "klien_jenis_kelamin", "klien_jenis_kelamin_2"],
        "a summary first, then one uniquely named sheet per table"
    );

    let summary = book
        .worksheet_range("Ringkasan")
        .expect("the summary sheet");
    assert_eq!(
        summary.get_value((0, 0)),
        Some(&Data::String("Laporan Bulanan Layanan".into())),
        "the document's title is in A1 of the summary"
    );

    let sheet = book
        .worksheet_range("klien_jenis_kelamin")
        .expect("the table's sheet");
    // calamine's range starts at the first used cell, A1 here (the title).
    assert_eq!(
        sheet.get_value((0, 0)),
        Some(&Data::String("Klien menurut jenis kelamin".into())),
        "the table's title is in A1"
    );
    assert_eq!(
        sheet.get_value((2, 1)),
        Some(&Data::String("Klien".into())),
        "the header is in row 3"
    );
    assert_eq!(
        sheet.get_value((3, 1)),
        Some(&Data::Float(47.0)),
        "a count is a number, so it can be summed"
    );
    assert_eq!(
        sheet.get_value((3, 2)),
        Some(&Data::Float(112.5)),
        "hours are numbers"
    );
    assert_eq!(
        sheet.get_value((5, 1)),
        Some(&Data::String("<5".into())),
        "a hidden figure stays a string marker, never a number"
    );
    assert_eq!(
        sheet.get_value((7, 0)),
        Some(&Data::String(
            "<5: jumlah di bawah lima disembunyikan untuk melindungi klien.".into()
        )),
        "the notes follow the table after an empty row"
    );
}

#[test]
fn csv_is_long_format_with_markers_for_hidden_cells() {
    let mut doc = report();
    if let Some(Block::Table(table)) = doc.blocks.get_mut(3) {
        table.rows[0][0] = Cell::Text("Perempuan, dewasa \"18+\"".into());
    }
    let text = to_csv(&doc).expect("the CSV renders");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header row").clone();
    assert_eq!(header, vec!["table", "row", "column", "value"]);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.expect("a valid record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert_eq!(records.len(), 6, "three rows by two figure columns");
    assert_eq!(
        records[0],
        [
            "klien_jenis_kelamin",
            "Perempuan, dewasa \"18+\"",
            "Klien",
            "47"
        ],
        "commas and quotes survive the round trip"
    );
    assert_eq!(
        records[1][3], "112.5",
        "hours with a dot, for statistics software"
    );
    assert_eq!(records[2][3], "1234", "counts as plain digits");
    assert_eq!(
        records[4],
        ["klien_jenis_kelamin", "Tidak disebutkan", "Klien", "<5"],
        "a hidden cell's value is its marker"
    );
}

#[test]
fn plain_text_reads_like_the_document() {
    let text = to_plain_text(&report());
    assert!(text.starts_with("RAHASIA\nLaporan Bulanan Layanan\n"));
    assert!(
        text.contains("Tim: Tim Konseling Contoh"),
        "fields as 'Label: value'"
    );
    assert!(
        text.contains("Laki-laki | 1.234 | 3,2"),
        "tables as simple lines"
    );
    assert!(
        text.contains("Rujukan hukum: <5"),
        "charts as 'label: shown'"
    );
}
