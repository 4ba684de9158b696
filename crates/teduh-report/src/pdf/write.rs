//! Writing laid-out pages as PDF objects: the fonts (base-14 Helvetica, WinAnsi), each page's
//! operations, its mark, watermark, footer and page label, and the document's title.

use pdf_writer::{Content, Finish, Pdf, Rect, Ref, Str, TextStr};

use super::*;
use crate::metrics;

/// Writes the laid-out pages, adding to each the watermark, the mark, the footer and the label.
pub(super) fn write(doc: &Document, pages: &[Vec<Op>]) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let info_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let mut next_id = Ref::new(6);
    let page_ids: Vec<(Ref, Ref)> = pages
        .iter()
        .map(|_| (next_id.bump(), next_id.bump()))
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    pdf.document_info(info_id)
        .title(TextStr(&doc.title))
        .producer(TextStr("teduh-report"));
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));

    let total = pages.len();
    for (i, (ops, (page_id, content_id))) in pages.iter().zip(&page_ids).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR_NAME, regular_id)
            .pair(BOLD_NAME, bold_id);
        page.finish();

        let mut content = Content::new();
        if let Some(mark) = doc.mark.as_deref().filter(|m| !m.trim().is_empty()) {
            watermark(&mut content, mark);
            let bytes = metrics::encode(mark);
            let w = metrics::width_bytes(&bytes, Font::Bold, BODY);
            text(
                &mut content,
                (PAGE_W - w) / 2.0,
                PAGE_H - MARGIN / 2.0 - 4.0,
                Font::Bold,
                BODY,
                &bytes,
            );
        }
        for op in ops {
            draw(&mut content, op);
        }
        footer(&mut content, doc, i + 1, total);
        pdf.stream(*content_id, &content.finish());
    }
    pdf.finish()
}

fn font_name(font: Font) -> Name<'static> {
    match font {
        Font::Regular => REGULAR_NAME,
        Font::Bold => BOLD_NAME,
    }
}

fn text(content: &mut Content, x: f32, y: f32, font: Font, size: f32, bytes: &[u8]) {
    content
        .begin_text()
        .set_font(font_name(font), size)
        .next_line(x, y)
        .show(Str(bytes))
        .end_text();
}

/// The mark as a large light-grey diagonal text across the page, drawn first so that the page's
/// content lies on top of it.
fn watermark(content: &mut Content, mark: &str) {
    let bytes = metrics::encode(mark);
    let units = metrics::width_bytes(&bytes, Font::Bold, 1.0);
    if units <= 0.0 {
        return;
    }
    let size = (640.0 / units).min(110.0);
    let w = units * size;
    let h = 0.718 * size; // cap height of Helvetica-Bold
    let (s, c) = std::f32::consts::FRAC_PI_4.sin_cos();
    let (cx, cy) = (PAGE_W / 2.0, PAGE_H / 2.0);
    let x = cx - (c * w / 2.0 - s * h / 2.0);
    let y = cy - (s * w / 2.0 + c * h / 2.0);
    content
        .save_state()
        .set_fill_gray(0.9)
        .begin_text()
        .set_font(BOLD_NAME, size)
        .set_text_matrix([c, s, -s, c, x, y])
        .show(Str(&bytes))
        .end_text()
        .restore_state();
}

fn footer(content: &mut Content, doc: &Document, page: usize, pages: usize) {
    let label = doc
        .page_label
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string());
    let label = metrics::encode(&label);
    let label_w = metrics::width_bytes(&label, Font::Regular, SMALL);
    let rule_y = MARGIN - 14.0;
    content
        .set_line_width(0.4)
        .set_stroke_gray(0.5)
        .move_to(LEFT, rule_y)
        .line_to(LEFT + TEXT_W, rule_y)
        .stroke()
        .set_stroke_gray(0.0);
    let baseline = rule_y - 11.0;
    text(
        content,
        LEFT + TEXT_W - label_w,
        baseline,
        Font::Regular,
        SMALL,
        &label,
    );
    let footer_w = (TEXT_W - label_w - 12.0).max(TEXT_W / 2.0);
    for (i, line) in wrap(&doc.footer, Font::Regular, SMALL, footer_w)
        .iter()
        .enumerate()
    {
        text(
            content,
            LEFT,
            baseline - i as f32 * SMALL_LEADING,
            Font::Regular,
            SMALL,
            &metrics::encode(line),
        );
    }
}

fn draw(content: &mut Content, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            font,
            size,
            bytes,
        } => text(content, *x, *y, *font, *size, bytes),
        Op::Rule {
            x1,
            x2,
            y,
            width,
            gray,
        } => {
            content
                .set_line_width(*width)
                .set_stroke_gray(*gray)
                .move_to(*x1, *y)
                .line_to(*x2, *y)
                .stroke()
                .set_stroke_gray(0.0);
        }
        Op::VRule { x, y1, y2 } => {
            content
                .set_line_width(0.6)
                .move_to(*x, *y1)
                .line_to(*x, *y2)
                .stroke();
        }
        Op::Bar { x, y, w, h } => {
            content
                .save_state()
                .set_fill_gray(0.85)
                .rect(*x, *y, *w, *h)
                .fill_nonzero()
                .rect(*x, *y, *w, *h)
                .clip_nonzero()
                .end_path()
                .set_line_width(0.6)
                .set_stroke_gray(0.25);
            // Diagonal hatching across the bar, clipped to it.
            let mut offset = -*h;
            while offset < *w {
                content
                    .move_to(x + offset, *y)
                    .line_to(x + offset + h, y + h);
                offset += HATCH_STEP;
            }
            content
                .stroke()
                .restore_state()
                .set_line_width(0.6)
                .rect(*x, *y, *w, *h)
                .stroke();
        }
        Op::EmptyBar { x, y, h } => {
            content.set_line_width(0.5).rect(*x, *y, 1.5, *h).stroke();
        }
    }
}
