//! Third-party passages: what a worker wrote about someone other than the client (a neighbour's
//! name, what a relative confided) is marked in the text with double square brackets,
//! `[[like this]]`, and left out of every print and export made for someone else (a case file,
//! an access request's copy), with a mark saying so (UU PDP Ps 33: access must not reveal other
//! people's data).

/// What a redacted passage is replaced with.
pub const REDACTED: &str = "[disamarkan: informasi pihak ketiga]";

/// `text` with every `[[...]]` passage replaced by [`REDACTED`], and how many were. An opening
/// `[[` without its `]]` hides everything after it: a passage cut short is still a third
/// party's.
pub fn third_party(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut count = 0;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        out.push_str(REDACTED);
        count += 1;
        match rest[start + 2..].find("]]") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_passage_is_replaced_and_counted_and_the_rest_stays() {
        let (text, n) = third_party(
            "Klien cemas. [[Tetangga, Bu Sintetis, bercerita soal suaminya.]] Latihan napas.",
        );
        assert_eq!(n, 1);
        assert_eq!(text, format!("Klien cemas. {REDACTED} Latihan napas."));
        assert!(
            !text.contains("Sintetis"),
            "the third party's words are gone"
        );
    }

    #[test]
    fn several_passages_an_unclosed_one_and_none_at_all() {
        assert_eq!(third_party("a [[b]] c [[d]] e").1, 2);
        let (cut, n) = third_party("awal [[rahasia tanpa penutup");
        assert_eq!(
            (cut.as_str(), n),
            ("awal [disamarkan: informasi pihak ketiga]", 1)
        );
        assert_eq!(third_party("tanpa tanda"), ("tanpa tanda".to_string(), 0));
        assert_eq!(third_party("[[]]").1, 1, "an empty mark is still a mark");
    }
}
