//! The XLSX renderer: a summary sheet, then one worksheet per table.

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::model::{Block, Cell, Document, Table};
use crate::RenderError;

/// The first sheet's name. Table sheets never take it.
pub(crate) const SUMMARY_SHEET: &str = "Ringkasan";
/// Excel's limit on a sheet name's length, in UTF-16 units.
const MAX_SHEET_NAME: usize = 31;
/// A sheet name left empty by cleaning becomes this.
const FALLBACK_SHEET: &str = "Tabel";

/// The tables of `doc`, in order.
pub(crate) fn tables(doc: &Document) -> impl Iterator<Item = &Table> {
    doc.blocks.iter().filter_map(|block| match block {
        Block::Table(table) => Some(table),
        _ => None,
    })
}

/// `s` cut to at most `max` UTF-16 units, on a character boundary.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut len = 0;
    s.chars()
        .take_while(|c| {
            len += c.len_utf16();
            len <= max
        })
        .collect()
}

/// Removes what Excel refuses at a sheet name's ends: spaces and apostrophes.
fn trim_ends(s: &str) -> String {
    s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_owned()
}

/// A sheet name Excel accepts, made from `raw` and unique (case-insensitively, as Excel
/// compares) among `taken`, to which it is added: the characters `[]:*?/\` and control
/// characters become `_`, apostrophes and spaces at the ends are dropped, "History" (reserved by
/// Excel) gets a `_`, the name is cut to 31 UTF-16 units, and a duplicate gets `_2`, `_3`, ….
pub(crate) fn sheet_name(raw: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut base = trim_ends(&truncate_utf16(&trim_ends(&cleaned), MAX_SHEET_NAME));
    if base.is_empty() {
        base = FALLBACK_SHEET.to_owned();
    }
    if base.eq_ignore_ascii_case("history") {
        base.push('_');
    }
    let mut name = base.clone();
    let mut n = 2_u32;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!("_{n}");
        let room = MAX_SHEET_NAME - suffix.len();
        name = format!("{}{suffix}", truncate_utf16(&base, room));
        n += 1;
    }
    taken.push(name.to_lowercase());
    name
}

/// The sheet names of `doc`'s tables, in order (the summary sheet comes before them).
pub(crate) fn sheet_names(doc: &Document) -> Vec<String> {
    let mut taken = vec![SUMMARY_SHEET.to_lowercase()];
    tables(doc)
        .map(|table| sheet_name(&table.sheet, &mut taken))
        .collect()
}

fn row_num(i: usize) -> Result<u32, RenderError> {
    u32::try_from(i).map_err(|_| RenderError::TooLarge)
}

fn col_num(i: usize) -> Result<u16, RenderError> {
    u16::try_from(i).map_err(|_| RenderError::TooLarge)
}

/// A column width in Excel's character units for text of `chars` characters.
fn width_for(chars: usize) -> f64 {
    let chars = u32::try_from(chars).unwrap_or(u32::MAX).clamp(8, 60);
    f64::from(chars) + 2.0
}

/// Renders `doc` to XLSX bytes. See [`crate::to_xlsx`].
pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let bold = Format::new().set_bold();
    let hours = Format::new().set_num_format("0.0");
    let mut workbook = Workbook::new();

    let names = sheet_names(doc);
    let mut summary = Worksheet::new();
    summary.set_name(SUMMARY_SHEET)?;
    summary.write_string_with_format(0, 0, &doc.title, &bold)?;
    let mut row = 1;
    for line in &doc.subtitle {
        summary.write_string(row_num(row)?, 0, line)?;
        row += 1;
    }
    if let Some(mark) = &doc.mark {
        summary.write_string_with_format(row_num(row)?, 0, mark, &bold)?;
        row += 1;
    }
    if !doc.footer.is_empty() {
        summary.write_string(row_num(row)?, 0, &doc.footer)?;
        row += 1;
    }
    row += 1;
    let mut name_w = 8;
    for (name, table) in names.iter().zip(tables(doc)) {
        summary.write_string(row_num(row)?, 0, name)?;
        summary.write_string(row_num(row)?, 1, &table.title)?;
        name_w = name_w.max(name.chars().count());
        row += 1;
    }
    summary.set_column_width(0, width_for(name_w))?;
    summary.set_column_width(1, width_for(60))?;
    workbook.push_worksheet(summary);

    for (name, table) in names.iter().zip(tables(doc)) {
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        sheet.write_string_with_format(0, 0, &table.title, &bold)?;
        let mut widths: Vec<usize> = Vec::new();
        let mut widen = |c: usize, chars: usize| {
            if widths.len() <= c {
                widths.resize(c + 1, 0);
            }
            widths[c] = widths[c].max(chars);
        };
        for (c, header) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(2, col_num(c)?, header, &bold)?;
            widen(c, header.chars().count());
        }
        for (r, cells) in table.rows.iter().enumerate() {
            let r = row_num(r + 3)?;
            for (c, cell) in cells.iter().enumerate() {
                let col = col_num(c)?;
                match cell {
                    Cell::Text(text) | Cell::Hidden(text) => {
                        sheet.write_string(r, col, text)?;
                        widen(c, text.chars().count());
                    }
                    // Counts beyond 2^53 would lose precision as Excel numbers; none are that big.
                    Cell::Count(n) => {
                        sheet.write_number(r, col, *n as f64)?;
                        widen(c, n.to_string().len());
                    }
                    Cell::Hours(h) => {
                        sheet.write_number_with_format(r, col, *h, &hours)?;
                        widen(c, format!("{h:.1}").len());
                    }
                }
            }
        }
        let notes_start = table.rows.len() + 4;
        for (i, note) in table.notes.iter().enumerate() {
            sheet.write_string(row_num(notes_start + i)?, 0, note)?;
        }
        for (c, chars) in widths.iter().enumerate() {
            sheet.set_column_width(col_num(c)?, width_for(*chars))?;
        }
        workbook.push_worksheet(sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &[&str]) -> Vec<String> {
        let mut taken = vec![SUMMARY_SHEET.to_lowercase()];
        raw.iter().map(|r| sheet_name(r, &mut taken)).collect()
    }

    #[test]
    fn duplicate_sheet_names_get_numbered_suffixes_case_insensitively() {
        assert_eq!(
            names(&["klien", "klien", "KLIEN", "ringkasan"]),
            ["klien", "klien_2", "KLIEN_3", "ringkasan_2"],
            "Excel compares sheet names without case and the summary sheet is taken"
        );
    }

    #[test]
    fn invalid_characters_become_underscores_and_empty_names_get_a_fallback() {
        assert_eq!(
            names(&["a[b]:c*d?e/f\\g", "'kutip'", "", "***", "History"]),
            ["a_b__c_d_e_f_g", "kutip", "Tabel", "___", "History_"],
        );
    }

    #[test]
    fn long_names_are_cut_to_31_units_even_with_a_suffix() {
        let long = "layanan_per_jenis_kasus_dan_kelompok_umur";
        let got = names(&[long, long]);
        assert_eq!(got[0], &long[..31]);
        assert_eq!(got[1], format!("{}_2", &long[..29]));
        assert!(got.iter().all(|n| n.encode_utf16().count() <= 31));
        let wide = "漢".repeat(40);
        assert_eq!(names(&[&wide])[0].chars().count(), 31);
    }
}
