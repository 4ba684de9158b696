use super::layout::lay_out;
use super::write::write;
use super::*;
use crate::metrics;
use crate::model::Block;

#[test]
fn wrapped_lines_fit_the_width_and_keep_every_word_in_order() {
    let text = "Rencana tindak lanjut disusun bersama klien dan keluarga pada pertemuan berikutnya";
    let lines = wrap(text, Font::Regular, BODY, 120.0);
    assert!(
        lines.len() > 2,
        "a long text needs several lines: {lines:?}"
    );
    for line in &lines {
        assert!(
            metrics::width(line, Font::Regular, BODY) <= 120.01,
            "{line:?} fits"
        );
    }
    assert_eq!(lines.join(" "), text, "no word is lost or reordered");
}

#[test]
fn a_word_wider_than_the_line_is_broken_between_characters() {
    let word = "x".repeat(80);
    let lines = wrap(&word, Font::Regular, BODY, 100.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), word);
}

#[test]
fn newlines_start_new_lines_and_empty_lines_stay() {
    assert_eq!(wrap("a\n\nb", Font::Regular, BODY, 100.0), ["a", "", "b"]);
}

#[test]
fn an_empty_document_still_renders_one_page() {
    let pages = lay_out(&Document::default());
    assert_eq!(pages.len(), 1, "a PDF needs at least one page");
    let pdf = write(&Document::default(), &pages);
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF"));
}

#[test]
fn a_heading_at_the_page_end_moves_to_the_next_page_with_its_text() {
    // 52 lines (the last one empty) leave room for the heading alone but not for the heading
    // and two lines of its text.
    let mut blocks = vec![Block::Paragraph("baris\n".repeat(51))];
    blocks.push(Block::Heading("Bagian baru".into()));
    blocks.push(Block::Paragraph("Isi bagian.".into()));
    let pages = lay_out(&Document {
        blocks,
        ..Document::default()
    });
    assert_eq!(pages.len(), 2);
    let on_second = |needle: &[u8]| {
        pages[1]
            .iter()
            .any(|op| matches!(op, Op::Text { bytes, .. } if bytes == needle))
    };
    assert!(
        on_second(b"Bagian baru"),
        "the heading is not left alone at the bottom"
    );
    assert!(on_second(b"Isi bagian."));
}
