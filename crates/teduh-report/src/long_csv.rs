//! The CSV renderer: every table of the document in one long-format CSV.

use crate::format;
use crate::model::{Cell, Document};
use crate::xlsx::tables;
use crate::RenderError;

/// The CSV value of a cell: plain digits, hours with one decimal and a dot, markers as they are.
fn value(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) | Cell::Hidden(text) => text.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Hours(h) => format::hours_plain(*h),
    }
}

/// Renders `doc` to CSV. See [`crate::to_csv`].
pub(crate) fn render(doc: &Document) -> Result<String, RenderError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["table", "row", "column", "value"])?;
    for table in tables(doc) {
        for row in &table.rows {
            let key = row.first().map(value).unwrap_or_default();
            for (c, cell) in row.iter().enumerate().skip(1) {
                let column = table.columns.get(c).map_or("", String::as_str);
                out.write_record([table.sheet.as_str(), &key, column, &value(cell)])?;
            }
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| RenderError::Csv(e.into_error().into()))?;
    // Every field came from a `str`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
