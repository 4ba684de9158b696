//! Laying a document out: each block into drawing operations, page by page, breaking pages
//! between lines and table rows (a table's header row repeats on the next page).

use super::*;
use crate::format;
use crate::metrics;
use crate::model::{BarChart, Block, Cell, Table};

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

pub(super) fn lay_out(doc: &Document) -> Vec<Vec<Op>> {
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
