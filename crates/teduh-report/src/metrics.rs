//! Helvetica and Helvetica-Bold glyph widths and the WinAnsiEncoding of text.
//!
//! The PDF uses the standard base-14 fonts, which every reader has, so nothing is embedded; text
//! is measured here to wrap it and size columns. The widths are the `WX` advance widths (in
//! 1/1000 em) of Adobe's Core14 AFM files `Helvetica.afm` and `Helvetica-Bold.afm` (version
//! 002.000, 1997, distributed by Adobe with the Core14 AFM set), mapped to the WinAnsiEncoding
//! code points 0x20..=0xFF by glyph name (PDF 32000-1:2008, Annex D). Unused codes are 0.

/// A character that WinAnsiEncoding cannot carry is drawn as this byte (`?`).
pub(crate) const REPLACEMENT: u8 = b'?';

/// The byte of `c` in WinAnsiEncoding, or `None` if the encoding has no such character.
pub(crate) fn win_ansi(c: char) -> Option<u8> {
    let u = u32::from(c);
    match u {
        0x20..=0x7E => u8::try_from(u).ok(),
        // Latin-1 supplement is identical in WinAnsi (0xA0 is a space, 0xAD a hyphen).
        0xA0..=0xFF => u8::try_from(u).ok(),
        _ => Some(match c {
            '\u{20AC}' => 0x80, // Euro
            '\u{201A}' => 0x82,
            '\u{0192}' => 0x83,
            '\u{201E}' => 0x84,
            '\u{2026}' => 0x85, // ellipsis
            '\u{2020}' => 0x86,
            '\u{2021}' => 0x87,
            '\u{02C6}' => 0x88,
            '\u{2030}' => 0x89,
            '\u{0160}' => 0x8A,
            '\u{2039}' => 0x8B,
            '\u{0152}' => 0x8C,
            '\u{017D}' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '\u{2022}' => 0x95, // bullet
            '\u{2013}' => 0x96, // en dash
            '\u{2014}' => 0x97, // em dash
            '\u{02DC}' => 0x98,
            '\u{2122}' => 0x99,
            '\u{0161}' => 0x9A,
            '\u{203A}' => 0x9B,
            '\u{0153}' => 0x9C,
            '\u{017E}' => 0x9E,
            '\u{0178}' => 0x9F,
            _ => return None,
        }),
    }
}

/// `text` in WinAnsiEncoding: tabs become spaces, other control characters are dropped, and
/// characters outside the encoding become [`REPLACEMENT`].
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(b' '),
            c if c.is_control() => None,
            c => Some(win_ansi(c).unwrap_or(REPLACEMENT)),
        })
        .collect()
}

/// The two fonts the PDF uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

/// The advance width of WinAnsi byte `b` in 1/1000 em.
fn byte_width(font: Font, b: u8) -> u16 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    usize::from(b)
        .checked_sub(0x20)
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or(0)
}

/// The width in points of encoded `bytes` set in `font` at `size` points.
pub(crate) fn width_bytes(bytes: &[u8], font: Font, size: f32) -> f32 {
    let units: u32 = bytes.iter().map(|&b| u32::from(byte_width(font, b))).sum();
    // Widths of real text stay far below f32's exact integer range.
    #[allow(clippy::cast_precision_loss)]
    let units = units as f32;
    units * size / 1000.0
}

/// The width in points of `text` set in `font` at `size` points, as it will be drawn.
pub(crate) fn width(text: &str, font: Font, size: f32) -> f32 {
    width_bytes(&encode(text), font, size)
}

/// Helvetica advance widths for WinAnsi codes 0x20..=0xFF.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

/// Helvetica-Bold advance widths for WinAnsi codes 0x20..=0xFF.
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_match_adobes_helvetica_metrics() {
        // Known AFM values: space 278, 'A' 667, 'i' 222 (regular) and 'i' 278 (bold), 'é' 556.
        assert_eq!(width(" Ai", Font::Regular, 1000.0), 278.0 + 667.0 + 222.0);
        assert_eq!(width("i", Font::Bold, 1000.0), 278.0);
        assert_eq!(width("é", Font::Regular, 1000.0), 556.0);
        assert_eq!(
            width("abc", Font::Regular, 10.0),
            (556.0 + 556.0 + 500.0) / 100.0
        );
    }

    #[test]
    fn text_outside_winansi_is_encoded_as_question_marks() {
        assert_eq!(
            encode("kafé"),
            b"kaf\xe9",
            "Latin-1 letters keep their code"
        );
        assert_eq!(encode("“a” – €"), b"\x93a\x94 \x96 \x80", "WinAnsi extras");
        assert_eq!(encode("漢😀"), b"??", "one '?' per character, not per byte");
        assert_eq!(
            encode("a\tb\u{7}c"),
            b"a bc",
            "tabs become spaces, controls go"
        );
        assert_eq!(
            width("漢", Font::Regular, 10.0),
            width("?", Font::Regular, 10.0)
        );
    }
}
