//! Number formatting shared by the renderers.

/// `digits` with a dot between groups of three, the Indonesian thousands separator.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A count as printed for people: "7", "1.234".
pub(crate) fn count_id(n: u64) -> String {
    group(&n.to_string())
}

/// Hours as printed for people: one decimal, comma as decimal separator ("12,5", "1.234,0").
pub(crate) fn hours_id(h: f64) -> String {
    if !h.is_finite() {
        return "-".to_owned();
    }
    let fixed = format!("{:.1}", h.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, "0"));
    let sign = if h < 0.0 && fixed != "0.0" { "-" } else { "" };
    format!("{sign}{},{frac}", group(int))
}

/// Hours for machines (CSV): one decimal with a dot ("12.5"), as printed in the PDF.
pub(crate) fn hours_plain(h: f64) -> String {
    if !h.is_finite() {
        return String::new();
    }
    let fixed = format!("{h:.1}");
    if fixed == "-0.0" {
        "0.0".to_owned()
    } else {
        fixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_indonesian_thousands_separators() {
        assert_eq!(count_id(0), "0");
        assert_eq!(count_id(999), "999");
        assert_eq!(count_id(1234), "1.234");
        assert_eq!(count_id(1_234_567), "1.234.567");
    }

    #[test]
    fn hours_have_one_decimal_with_a_comma_for_people_and_a_dot_for_machines() {
        assert_eq!(hours_id(12.5), "12,5");
        assert_eq!(hours_id(12.04), "12,0");
        assert_eq!(
            hours_id(1234.25),
            "1.234,2",
            "rounding to one decimal, grouped"
        );
        assert_eq!(hours_id(-0.01), "0,0", "no negative zero");
        assert_eq!(hours_plain(12.5), "12.5");
        assert_eq!(hours_plain(1234.0), "1234.0");
    }
}
