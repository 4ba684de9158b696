//! How guessable a new passphrase is: [`rate`] gives a [`PassphraseStrength`], from the
//! `zxcvbn` estimator (patterns, dates, keyboard walks, l33t, English dictionaries) with an
//! Indonesian word list added, so that `bismillah123` or `sayangku2024` rate as weak as
//! `password1234`. The vault refuses a new passphrase that is too short or weak
//! ([`crate::vault::VaultError::PassphraseTooShort`], [`crate::vault::VaultError::PassphraseTooWeak`]);
//! the UI shows the same rating while it is typed, by asking the core.

use serde::Serialize;

/// The shortest passphrase a vault accepts when it is created or changed, in characters: the
/// Argon2id cost protects a passphrase only as far as it is not guessable in a few thousand
/// tries. The UI says so before the core refuses.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Indonesian words common in passwords, most guessable first (see the file's header).
const INDONESIAN_WORDS: &str = include_str!("passphrase_words_id.txt");

/// How guessable a passphrase is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum PassphraseStrength {
    /// Fewer than [`MIN_PASSPHRASE_CHARS`] characters: refused whatever its content.
    TooShort,
    /// Guessed in under about 10^8 tries (a common word with a year, a name with digits):
    /// refused.
    Weak,
    /// Accepted: about 10^8 to 10^10 tries.
    Fair,
    /// More than about 10^10 tries (several unrelated words).
    Strong,
}

impl PassphraseStrength {
    /// Whether a vault accepts it as a new passphrase.
    pub fn is_acceptable(self) -> bool {
        self >= PassphraseStrength::Fair
    }
}

fn indonesian_words<'a>() -> impl Iterator<Item = &'a str> {
    let all: &'a str = INDONESIAN_WORDS;
    all.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Rates `passphrase`. `personal` are words the passphrase should not be built from either
/// (the username, the organisation): they count as the most guessable.
pub fn rate(passphrase: &str, personal: &[&str]) -> PassphraseStrength {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return PassphraseStrength::TooShort;
    }
    let inputs: Vec<&str> = personal.iter().copied().chain(indonesian_words()).collect();
    match zxcvbn::zxcvbn(passphrase, &inputs).score() {
        zxcvbn::Score::Zero | zxcvbn::Score::One | zxcvbn::Score::Two => PassphraseStrength::Weak,
        zxcvbn::Score::Three => PassphraseStrength::Fair,
        _ => PassphraseStrength::Strong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_indonesian_and_english_passwords_rate_weak() {
        for p in [
            "bismillah123",
            "indonesia1945",
            "sayangku2024",
            "password1234",
            "Bismillah2024!",
            "merdeka17081945",
        ] {
            assert_eq!(
                rate(p, &[]),
                PassphraseStrength::Weak,
                "{p:?} is among the first guesses of anyone attacking an Indonesian vault"
            );
        }
    }

    #[test]
    fn a_few_unrelated_words_rate_strong_and_short_ones_too_short() {
        assert_eq!(
            rate("kopi pagi di teras rumah", &[]),
            PassphraseStrength::Strong,
            "five words"
        );
        assert_eq!(
            rate("Ab1!Cd2@xY", &[]),
            PassphraseStrength::TooShort,
            "varied but under the minimum"
        );
        assert!(!PassphraseStrength::Weak.is_acceptable());
        assert!(PassphraseStrength::Fair.is_acceptable());
    }

    #[test]
    fn personal_words_count_as_guessable() {
        assert!(
            rate("yayasanpelangi", &["yayasanpelangi"]) < rate("yayasanpelangi", &[]),
            "the organisation's name is an early guess"
        );
    }

    #[test]
    fn the_word_list_has_no_blank_or_upper_case_entries() {
        let words: Vec<&str> = indonesian_words().collect();
        assert!(words.len() > 100, "a real list");
        for w in words {
            assert_eq!(w, w.to_lowercase(), "zxcvbn matches lower case");
        }
    }
}
