//! The words people type: "KDRT", "depresi", "ingin mati" are not in any service's name, but a
//! counselor at 02.00 types them. A [`Synonym`] maps such words to the words the entries use;
//! the list travels in the bundle ([`crate::bundle::Bundle::synonyms`]) so an admin can extend
//! it, and the seed carries the tested default.
//!
//! Expansion happens when the query is built, not when entries are indexed, so a new list takes
//! effect with the bundle that brings it and the FTS index stays the entries' own text.

use serde::{Deserialize, Serialize};

/// One group of words people type and what they mean in the directory's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonym {
    /// What people type: single words or phrases ("kdrt", "kekerasan dalam rumah tangga").
    pub words: Vec<String>,
    /// What to search for instead (any of them): words or phrases found in entries.
    pub finds: Vec<String>,
}

/// Lowercase words of `text` (letters and digits; everything else separates words).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// All words of a phrase, each a quoted prefix term: `"perlindungan"* AND "anak"*`. Quoting
/// makes FTS5 syntax characters in user input harmless.
fn all_of(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Turns user text into an FTS5 query: each word becomes a quoted prefix term (`"anak"*`), all
/// required; a whole word or phrase of a [`Synonym`] becomes "what was typed, or any of what it
/// finds". `None` when the text has no words.
pub fn fts_query(text: &str, synonyms: &[Synonym]) -> Option<String> {
    let typed = words(text);
    let groups: Vec<(Vec<String>, Vec<Vec<String>>)> = synonyms
        .iter()
        .flat_map(|s| {
            let finds: Vec<Vec<String>> = s.finds.iter().map(|f| words(f)).collect();
            s.words.iter().map(move |w| (words(w), finds.clone()))
        })
        .filter(|(w, _)| !w.is_empty())
        .collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < typed.len() {
        // The longest phrase starting here wins ("kekerasan dalam rumah tangga" over "kekerasan").
        let best = groups
            .iter()
            .filter(|(w, _)| typed[i..].starts_with(w))
            .max_by_key(|(w, _)| w.len());
        match best {
            Some((w, finds)) => {
                let mut alternatives = vec![all_of(w)];
                alternatives.extend(finds.iter().filter(|f| !f.is_empty()).map(|f| all_of(f)));
                parts.push(format!(
                    "({})",
                    alternatives
                        .iter()
                        .map(|a| format!("({a})"))
                        .collect::<Vec<_>>()
                        .join(" OR ")
                ));
                i += w.len();
            }
            None => {
                parts.push(all_of(&typed[i..=i]));
                i += 1;
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{DirectoryIndex, Query};
    use chrono::{TimeZone, Utc};

    #[test]
    fn whole_words_and_phrases_expand_and_partial_words_do_not() {
        let synonyms = vec![Synonym {
            words: vec!["kdrt".into(), "kekerasan dalam rumah tangga".into()],
            finds: vec!["kekerasan".into(), "perlindungan anak".into()],
        }];
        assert_eq!(
            fts_query("KDRT padang", &synonyms).as_deref(),
            Some(
                "((\"kdrt\"*) OR (\"kekerasan\"*) OR (\"perlindungan\"* AND \"anak\"*)) AND \"padang\"*"
            )
        );
        let phrase = fts_query("kekerasan dalam rumah tangga", &synonyms).expect("query");
        assert!(
            phrase
                .starts_with("((\"kekerasan\"* AND \"dalam\"* AND \"rumah\"* AND \"tangga\"*) OR"),
            "the phrase is one group: {phrase}"
        );
        assert_eq!(
            fts_query("kdr", &synonyms).as_deref(),
            Some("\"kdr\"*"),
            "no expansion while a word is still being typed"
        );
        assert_eq!(fts_query(" -- ", &synonyms), None);
    }

    /// The words a counselor types and the entries each must find in the seed directory.
    #[test]
    fn the_seed_synonyms_find_the_services_people_mean() {
        let table: &[(&str, &[&str])] = &[
            ("KDRT", &["sapa-129", "polisi-110"]),
            ("kekerasan dalam rumah tangga", &["sapa-129"]),
            ("perkosa", &["sapa-129", "polisi-110"]),
            ("perkosaan", &["sapa-129", "polisi-110"]),
            ("pelecehan", &["sapa-129"]),
            ("depresi", &["sejiwa-119-8", "kemensos-psikososial-24-jam"]),
            ("cemas", &["sejiwa-119-8", "kemensos-psikososial-24-jam"]),
            ("stres", &["sejiwa-119-8", "kemensos-psikososial-24-jam"]),
            ("bunuh diri", &["sejiwa-119-8", "healing119"]),
            ("ingin mati", &["sejiwa-119-8", "healing119"]),
            ("menyakiti diri", &["sejiwa-119-8", "healing119"]),
            ("bullying", &["tepsa-1500-771", "sejiwa-119-8"]),
            ("perundungan", &["tepsa-1500-771", "sejiwa-119-8"]),
            (
                "anak hilang",
                &["polisi-110", "basarnas-115", "tepsa-1500-771"],
            ),
            (
                "anak jalanan",
                &["tepsa-1500-771", "balai-anak-rumbai", "dinsos-kota-padang"],
            ),
            ("narkoba", &["balai-anak-rumbai", "sejiwa-119-8"]),
            ("NAPZA", &["balai-anak-rumbai", "sejiwa-119-8"]),
            (
                "trauma",
                &["bp3s-nurani-institute", "kemensos-psikososial-24-jam"],
            ),
            ("bencana", &["basarnas-115", "bp3s-nurani-institute"]),
            ("pengungsi", &["basarnas-115", "bp3s-nurani-institute"]),
            ("ODGJ", &["sejiwa-119-8", "kemensos-psikososial-24-jam"]),
        ];
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 19, 0, 0)
            .single()
            .expect("valid"); // Tuesday 02.00 WIB
        for (typed, wants) in table {
            let hits = idx
                .search(
                    &Query {
                        text: (*typed).into(),
                        ..Query::default()
                    },
                    now,
                )
                .expect("search");
            let got: Vec<&str> = hits.iter().map(|h| h.entry.id.as_str()).collect();
            for want in *wants {
                assert!(
                    got.contains(want),
                    "{typed:?} must find {want}: a counselor types it at night (got {got:?})"
                );
            }
        }
    }
}
