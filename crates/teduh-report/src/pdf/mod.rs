//! The PDF renderer: lays the document out into pages first (so the page count is known), then
//! writes each page with its mark, watermark, footer and page label.
//!
//! - this module: the page's measures and the drawing operations (`Op`) both halves share;
//! - `layout`: blocks (headings, fields, tables, charts) into pages of operations;
//! - `write`: pages of operations into PDF objects, with each page's mark and footer.

use pdf_writer::Name;

use crate::metrics::Font;
use crate::model::Document;
use crate::RenderError;

mod layout;
mod write;

pub(crate) use layout::wrap;

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

/// Renders `doc` to PDF bytes. See [`crate::to_pdf`].
pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let pages = layout::lay_out(doc);
    Ok(write::write(doc, &pages))
}

#[cfg(test)]
mod tests;
