//! The PDF renderer: lays the document out into pages first (so the page count is known), then
//! writes each page with its mark, watermark, footer and page label.
//!
//! One file because layout and writing share the page's drawing operations (`Op`): splitting
//! them would make that list public across modules for no reader's gain. Its tests are the last
//! 66 lines.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::format;
use crate::metrics::{self, Font};
use crate::model::{BarChart, Block, Cell, Document, Table};
use crate::RenderError;

/// A4 portrait, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// 20 mm.
const MARGIN: f32 = 56.69;
const LEFT: f32 = MARGIN;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const CONTENT_TOP: f32 = PAGE_H - MARGIN;
const CONTENT_BOTTOM: f32 = MARGIN;

const BODY: f32 = 10.0;
const LEADING: f32 = 13.0;
const TITLE: f32 = 16.0;
const HEADING: f32 = 12.0;
const SMALL: f32 = 8.0;
const SMALL_LEADING: f32 = 10.0;

/// Horizontal and vertical padding inside table cells.
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
/// A bar's height and the spacing of hatch lines.
const BAR_H: f32 = 9.0;
const HATCH_STEP: f32 = 3.5;

const REGULAR_NAME: Name<'static> = Name(b"F1");
const BOLD_NAME: Name<'static> = Name(b"F2");

/// One drawing operation on a laid-out page (coordinates in points from the bottom left).
#[derive(Debug)]
enum Op {
    /// A line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        bytes: Vec<u8>,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
    /// A vertical rule.
    VRule { x: f32, y1: f32, y2: f32 },
    /// A bar with a grey fill, diagonal hatching and a black outline.
    Bar { x: f32, y: f32, w: f32, h: f32 },
    /// A zero bar: a thin outline only.
    EmptyBar { x: f32, y: f32, h: f32 },
}

/// The page layout: finished pages and a cursor on the last one.
struct Layout {
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= CONTENT_TOP - 0.01
    }

    fn fits(&self, height: f32) -> bool {
        self.y - height >= CONTENT_BOTTOM - 0.01
    }

    /// Starts a new page unless `height` fits (or the page is still empty: something taller
    /// than a page is drawn anyway rather than looping).
    fn ensure(&mut self, height: f32) {
        if !self.fits(height) && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space that is dropped at the top of a page.
    fn gap(&mut self, height: f32) {
        if !self.at_top() {
            self.y -= height;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Text with its top at `top` (a line box of `size`), left edge at `x`.
    fn text_at(&mut self, x: f32, top: f32, font: Font, size: f32, text: &str) {
        let bytes = metrics::encode(text);
        if bytes.is_empty() {
            return;
        }
        self.push(Op::Text {
            x,
            y: top - size * 0.8,
            font,
            size,
            bytes,
        });
    }

    /// Wrapped text across the text width, line by line, breaking pages between lines.
    fn lines(&mut self, text: &str, font: Font, size: f32, leading: f32, indent: f32) {
        for line in wrap(text, font, size, TEXT_W - indent) {
            self.ensure(leading);
            let top = self.y;
            self.text_at(LEFT + indent, top, font, size, &line);
            self.y -= leading;
        }
    }
}

/// Splits `text` into lines no wider than `max` points: at `'\n'`, then between words, and
/// inside a word only when the word alone is too wide.
pub(crate) fn wrap(text: &str, font: Font, size: f32, max: f32) -> Vec<String> {
    let space = metrics::width(" ", font, size);
    // Measuring a line word by word may round differently from measuring it whole.
    let max = max + 0.01;
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split_whitespace() {
            let word_w = metrics::width(word, font, size);
            if !line.is_empty() && line_w + space + word_w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if word_w <= max {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // A word wider than the line: break it between characters.
            line_w = 0.0;
            for c in word.chars() {
                let c_w = metrics::width(c.encode_utf8(&mut [0; 4]), font, size);
                if !line.is_empty() && line_w + c_w > max {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += c_w;
            }
        }
        out.push(line);
    }
    out
}

/// Renders `doc` to PDF bytes. See [`crate::to_pdf`].
pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let pages = lay_out(doc);
    Ok(write(doc, &pages))
}

fn lay_out(doc: &Document) -> Vec<Vec<Op>> {
    let mut l = Layout::new();
    if !doc.title.is_empty() {
        l.lines(&doc.title, Font::Bold, TITLE, TITLE * 1.25, 0.0);
    }
    for line in &doc.subtitle {
        l.lines(line, Font::Regular, BODY, LEADING, 0.0);
    }
    if !doc.title.is_empty() || !doc.subtitle.is_empty() {
        l.gap(LEADING);
    }
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                l.gap(6.0);
                // Keep the heading with at least two lines of what follows.
                let lines = wrap(text, Font::Bold, HEADING, TEXT_W).len();
                l.ensure(lines as f32 * HEADING * 1.3 + 2.0 * LEADING);
                l.lines(text, Font::Bold, HEADING, HEADING * 1.3, 0.0);
                l.y -= 3.0;
            }
            Block::Paragraph(text) => {
                l.lines(text, Font::Regular, BODY, LEADING, 0.0);
                l.gap(6.0);
            }
            Block::Fields(fields) => {
                fields_block(&mut l, fields);
                l.gap(6.0);
            }
            Block::Table(table) => {
                table_block(&mut l, table);
                l.gap(10.0);
            }
            Block::BarChart(chart) => {
                chart_block(&mut l, chart);
                l.gap(10.0);
            }
            Block::PageBreak => l.new_page(),
        }
    }
    l.pages
}

fn fields_block(l: &mut Layout, fields: &[(String, String)]) {
    let widest = fields
        .iter()
        .map(|(label, _)| metrics::width(label, Font::Bold, BODY))
        .fold(0.0, f32::max);
    let label_w = widest.min(TEXT_W * 0.35) + 10.0;
    for (label, value) in fields {
        let labels = wrap(label, Font::Bold, BODY, label_w - 10.0);
        let values = wrap(value, Font::Regular, BODY, TEXT_W - label_w);
        let rows = labels.len().max(values.len());
        // Short fields stay whole; a long value may continue on the next page.
        l.ensure(LEADING * rows.min(3) as f32);
        for i in 0..rows {
            l.ensure(LEADING);
            let top = l.y;
            if let Some(text) = labels.get(i) {
                l.text_at(LEFT, top, Font::Bold, BODY, text);
            }
            if let Some(text) = values.get(i) {
                l.text_at(LEFT + label_w, top, Font::Regular, BODY, text);
            }
            l.y -= LEADING;
        }
        l.y -= 2.0;
    }
}

/// The text a cell shows in the PDF.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) | Cell::Hidden(text) => text.clone(),
        Cell::Count(n) => format::count_id(*n),
        Cell::Hours(h) => format::hours_id(*h),
    }
}

/// Column widths: natural widths when they fit, otherwise shrunk towards each column's longest
/// word (and below that proportionally, breaking words).
fn column_widths(natural: &[f32], minimum: &[f32], max: f32) -> Vec<f32> {
    let sum_nat: f32 = natural.iter().sum();
    if sum_nat <= max {
        return natural.to_vec();
    }
    let sum_min: f32 = minimum.iter().sum();
    if sum_min <= max {
        let share = (max - sum_min) / (sum_nat - sum_min).max(f32::EPSILON);
        return natural
            .iter()
            .zip(minimum)
            .map(|(n, m)| m + (n - m) * share)
            .collect();
    }
    minimum.iter().map(|m| m * max / sum_min).collect()
}

/// A laid-out table row: wrapped lines per column, and its height.
struct Row {
    cells: Vec<Vec<String>>,
    height: f32,
}

fn table_block(l: &mut Layout, table: &Table) {
    let ncols = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.columns.len()])
        .max()
        .unwrap_or(0);
    let header: Vec<String> = (0..ncols)
        .map(|c| table.columns.get(c).cloned().unwrap_or_default())
        .collect();
    let body: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            (0..ncols)
                .map(|c| row.get(c).map(cell_text).unwrap_or_default())
                .collect()
        })
        .collect();
    // Numeric columns (all figures, no text) are right-aligned; the first column never is.
    let numeric: Vec<bool> = (0..ncols)
        .map(|c| {
            c > 0
                && table
                    .rows
                    .iter()
                    .all(|row| !matches!(row.get(c), Some(Cell::Text(_))))
        })
        .collect();

    let title_lines = if table.title.is_empty() {
        Vec::new()
    } else {
        wrap(&table.title, Font::Bold, BODY, TEXT_W)
    };
    let title_h = if title_lines.is_empty() {
        0.0
    } else {
        title_lines.len() as f32 * LEADING + 2.0
    };

    if ncols > 0 {
        let pad = 2.0 * CELL_PAD_X;
        let mut natural = vec![0.0_f32; ncols];
        let mut minimum = vec![0.0_f32; ncols];
        let cells = header.iter().map(|h| (h, Font::Bold)).enumerate().chain(
            body.iter()
                .flat_map(|row| row.iter().map(|t| (t, Font::Regular)).enumerate()),
        );
        for (c, (text, font)) in cells {
            natural[c] = natural[c].max(metrics::width(text, font, BODY) + pad);
            let longest_word = text
                .split_whitespace()
                .map(|w| metrics::width(w, font, BODY))
                .fold(0.0, f32::max);
            minimum[c] = minimum[c].max(longest_word + pad);
        }
        let widths = column_widths(&natural, &minimum, TEXT_W);
        let mut xs = Vec::with_capacity(ncols);
        let mut x = LEFT;
        for w in &widths {
            xs.push(x);
            x += w;
        }
        let right = x;
        let layout_row = |texts: &[String], font: Font| -> Row {
            let cells: Vec<Vec<String>> = texts
                .iter()
                .zip(&widths)
                .map(|(t, w)| wrap(t, font, BODY, w - pad))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            Row {
                cells,
                height: lines as f32 * LEADING + 2.0 * CELL_PAD_Y,
            }
        };
        let head = layout_row(&header, Font::Bold);
        let rows: Vec<Row> = body.iter().map(|r| layout_row(r, Font::Regular)).collect();
        let first_h = rows.first().map_or(0.0, |r| r.height);

        // Keep the title, the header and the first row together.
        l.ensure(title_h + head.height + first_h);
        for line in &title_lines {
            let top = l.y;
            l.text_at(LEFT, top, Font::Bold, BODY, line);
            l.y -= LEADING;
        }
        l.y -= title_h - title_lines.len() as f32 * LEADING;

        let draw_row = |l: &mut Layout, row: &Row, font: Font| {
            let top = l.y;
            for (c, lines) in row.cells.iter().enumerate() {
                for (i, line) in lines.iter().enumerate() {
                    let line_top = top - CELL_PAD_Y - i as f32 * LEADING;
                    let x = if numeric[c] {
                        xs[c] + widths[c] - CELL_PAD_X - metrics::width(line, font, BODY)
                    } else {
                        xs[c] + CELL_PAD_X
                    };
                    l.text_at(x, line_top, font, BODY, line);
                }
            }
            l.y -= row.height;
        };
        let draw_header = |l: &mut Layout| {
            let top = l.y;
            l.push(Op::Rule {
                x1: LEFT,
                x2: right,
                y: top,
                width: 0.8,
                gray: 0.0,
            });
            draw_row(l, &head, Font::Bold);
            let y = l.y;
            l.push(Op::Rule {
                x1: LEFT,
                x2: right,
                y,
                width: 0.8,
                gray: 0.0,
            });
        };

        draw_header(l);
        let last = rows.len().saturating_sub(1);
        for (i, row) in rows.iter().enumerate() {
            if !l.fits(row.height) {
                // Continue on the next page under a repeated header row.
                l.new_page();
                draw_header(l);
            }
            draw_row(l, row, Font::Regular);
            let y = l.y;
            let (width, gray) = if i == last { (0.8, 0.0) } else { (0.3, 0.55) };
            l.push(Op::Rule {
                x1: LEFT,
                x2: right,
                y,
                width,
                gray,
            });
        }
    } else {
        l.ensure(title_h);
        l.lines(&table.title, Font::Bold, BODY, LEADING, 0.0);
    }
    notes(l, &table.notes);
}

fn notes(l: &mut Layout, notes: &[String]) {
    if !notes.is_empty() {
        l.y -= 4.0;
    }
    for note in notes {
        l.lines(note, Font::Regular, SMALL, SMALL_LEADING, 0.0);
    }
}

fn chart_block(l: &mut Layout, chart: &BarChart) {
    let label_w = chart
        .bars
        .iter()
        .map(|b| metrics::width(&b.label, Font::Regular, BODY))
        .fold(0.0, f32::max)
        .min(TEXT_W * 0.35);
    let shown_w = chart
        .bars
        .iter()
        .map(|b| metrics::width(&b.shown, Font::Regular, BODY))
        .fold(0.0, f32::max);
    let bar_x = LEFT + label_w + 8.0;
    let bar_max = (TEXT_W - label_w - 8.0 - shown_w - 6.0).max(20.0);
    let max_value = chart.bars.iter().map(|b| b.value).max().unwrap_or(0);

    let rows: Vec<(Vec<String>, f32)> = chart
        .bars
        .iter()
        .map(|b| {
            let lines = wrap(&b.label, Font::Regular, BODY, label_w);
            let h = (lines.len() as f32 * LEADING).max(BAR_H) + 4.0;
            (lines, h)
        })
        .collect();
    let title_h = if chart.title.is_empty() {
        0.0
    } else {
        wrap(&chart.title, Font::Bold, BODY, TEXT_W).len() as f32 * LEADING + 4.0
    };
    l.ensure(title_h + rows.first().map_or(0.0, |r| r.1));
    if !chart.title.is_empty() {
        l.lines(&chart.title, Font::Bold, BODY, LEADING, 0.0);
        l.y -= 4.0;
    }
    for (bar, (lines, h)) in chart.bars.iter().zip(rows) {
        l.ensure(h);
        let top = l.y;
        for (i, line) in lines.iter().enumerate() {
            l.text_at(LEFT, top - i as f32 * LEADING, Font::Regular, BODY, line);
        }
        // The bar sits on the first label line: its bottom on the text's baseline.
        let bar_bottom = top - BODY * 0.8 - 1.0;
        l.push(Op::VRule {
            x: bar_x,
            y1: top,
            y2: top - h,
        });
        let length = if max_value == 0 {
            0.0
        } else {
            bar.value as f32 / max_value as f32 * bar_max
        };
        if bar.value == 0 || length < 1.0 {
            l.push(Op::EmptyBar {
                x: bar_x,
                y: bar_bottom,
                h: BAR_H,
            });
        } else {
            l.push(Op::Bar {
                x: bar_x,
                y: bar_bottom,
                w: length,
                h: BAR_H,
            });
        }
        let shown_x = bar_x + length.max(2.0) + 4.0;
        l.text_at(shown_x, top, Font::Regular, BODY, &bar.shown);
        l.y -= h;
    }
    notes(l, &chart.notes);
}

/// Writes the laid-out pages, adding to each the watermark, the mark, the footer and the label.
fn write(doc: &Document, pages: &[Vec<Op>]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_the_width_and_keep_every_word_in_order() {
        let text =
            "Rencana tindak lanjut disusun bersama klien dan keluarga pada pertemuan berikutnya";
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
}
