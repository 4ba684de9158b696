//! Admission by people: the safety number a newcomer's screen shows and her key manager types.
//!
//! The number is computed on both devices from what each believes: the team, its organisation
//! key (once the roster names one), the key manager's device's signing key and the newcomer
//! device's public keys. A server that swapped either key (to get team
//! keys sealed to itself, or to pose as the key manager) makes the two numbers differ, and the
//! key manager's device refuses the admission. 24 digits (about 80 bits) in six groups of four:
//! long enough to compare without a commit-then-reveal step, short enough to read over a phone.

use sha2::{Digest, Sha256};

/// Digits in a safety number.
pub const SAFETY_NUMBER_DIGITS: usize = 24;

/// Wrong entries after which an admission is blocked (and an alarm raised).
pub const MAX_WRONG_ENTRIES: u32 = 3;

/// The safety number of `newcomer_keys` (X25519 || Ed25519 public keys) joining `team` (whose
/// roster names organisation key `org_key`, hex, if any) under the key manager's device whose
/// Ed25519 public key is `key_manager`, as "1234 5678 ...".
pub fn safety_number(
    team: u64,
    org_key: Option<&str>,
    key_manager: &[u8; 32],
    newcomer_keys: &[u8],
) -> String {
    let mut h = Sha256::new();
    h.update(b"teduh/safety-number/v1");
    h.update(team.to_be_bytes());
    let org = org_key.unwrap_or("").as_bytes();
    h.update((org.len() as u32).to_be_bytes());
    h.update(org);
    h.update(key_manager);
    h.update((newcomer_keys.len() as u32).to_be_bytes());
    h.update(newcomer_keys);
    let digest = h.finalize();
    digest
        .chunks_exact(4)
        .take(SAFETY_NUMBER_DIGITS / 4)
        .map(|c| {
            let n = u32::from_be_bytes([c[0], c[1], c[2], c[3]]) % 10_000;
            format!("{n:04}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether what the key manager typed is `expected`, ignoring spaces, dashes and dots between
/// the digits (people group them as they read them out).
pub fn typed_matches(typed: &str, expected: &str) -> bool {
    let digits = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{a0}'))
            .collect()
    };
    let t = digits(typed);
    t.len() == SAFETY_NUMBER_DIGITS
        && t.chars().all(|c| c.is_ascii_digit())
        && t == digits(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_changes_with_every_input_and_reads_in_groups() {
        let n = safety_number(7, None, &[1; 32], &[2; 64]);
        assert_eq!(n.len(), SAFETY_NUMBER_DIGITS + 5, "{n}");
        assert_eq!(n.split(' ').count(), 6);
        assert_eq!(
            n,
            safety_number(7, None, &[1; 32], &[2; 64]),
            "deterministic"
        );
        assert_ne!(
            n,
            safety_number(8, None, &[1; 32], &[2; 64]),
            "another team"
        );
        assert_ne!(
            n,
            safety_number(7, Some(&"ab".repeat(32)), &[1; 32], &[2; 64]),
            "another organisation key"
        );
        assert_ne!(
            n,
            safety_number(7, None, &[3; 32], &[2; 64]),
            "a swapped key manager key"
        );
        let mut swapped = [2u8; 64];
        swapped[40] = 9;
        assert_ne!(
            n,
            safety_number(7, None, &[1; 32], &swapped),
            "a swapped newcomer key"
        );
    }

    #[test]
    fn typing_accepts_the_digits_however_grouped_and_nothing_else() {
        let n = safety_number(7, None, &[1; 32], &[2; 64]);
        assert!(typed_matches(&n, &n));
        assert!(typed_matches(&n.replace(' ', ""), &n));
        assert!(typed_matches(&n.replace(' ', "-"), &n));
        let mut wrong: Vec<char> = n.chars().collect();
        wrong[0] = if wrong[0] == '1' { '2' } else { '1' };
        assert!(!typed_matches(&wrong.iter().collect::<String>(), &n));
        assert!(!typed_matches(&n[..10], &n), "a prefix is not the number");
        assert!(!typed_matches("", &n));
    }
}
