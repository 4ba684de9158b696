//! The plain-text renderer, for a copy that can be pasted into a chat message.

use crate::format;
use crate::model::{Block, Cell, Document};

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) | Cell::Hidden(text) => text.clone(),
        Cell::Count(n) => format::count_id(*n),
        Cell::Hours(h) => format::hours_id(*h),
    }
}

/// Renders `doc` as plain text. See [`crate::to_plain_text`].
pub(crate) fn render(doc: &Document) -> String {
    let mut out: Vec<String> = Vec::new();
    if let Some(mark) = &doc.mark {
        out.push(mark.clone());
    }
    out.push(doc.title.clone());
    out.extend(doc.subtitle.iter().cloned());
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                out.push(String::new());
                out.push(text.clone());
            }
            Block::Paragraph(text) => {
                out.push(String::new());
                out.push(text.clone());
            }
            Block::Fields(fields) => {
                out.push(String::new());
                out.extend(
                    fields
                        .iter()
                        .map(|(label, value)| format!("{label}: {value}")),
                );
            }
            Block::Table(table) => {
                out.push(String::new());
                if !table.title.is_empty() {
                    out.push(table.title.clone());
                }
                out.push(table.columns.join(" | "));
                for row in &table.rows {
                    out.push(row.iter().map(cell_text).collect::<Vec<_>>().join(" | "));
                }
                out.extend(table.notes.iter().cloned());
            }
            Block::BarChart(chart) => {
                out.push(String::new());
                if !chart.title.is_empty() {
                    out.push(chart.title.clone());
                }
                out.extend(
                    chart
                        .bars
                        .iter()
                        .map(|bar| format!("{}: {}", bar.label, bar.shown)),
                );
                out.extend(chart.notes.iter().cloned());
            }
            Block::PageBreak => {}
        }
    }
    if !doc.footer.is_empty() {
        out.push(String::new());
        out.push(doc.footer.clone());
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}
