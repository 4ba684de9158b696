//! The wire form of an erased record (UU PDP erasure, issue 26): what stays of a record once its
//! body is crypto-shredded.
//!
//! ```text
//! 0x7F | the record's first byte (its format) | its sealed header, byte for byte | SHA-256 of
//! its sealed payload (32 B)
//! ```
//!
//! The sealed header still opens (it holds the payload's length and the author's signature, which
//! covers the header and the payload's length and hash), so a receiver verifies an erased record
//! like any other and every device's log stays gapless. The payload and its padding are gone.
//!
//! The server cannot open the header, but it can check that a tombstone was made from the record
//! it stores ([`erases`]): same first byte and sealed header, and a digest that is the SHA-256 of
//! the stored payload (its length is sealed, so every length the zero padding allows is tried).
//! Nobody can replace a stored record with anything but its own tombstone.

use sha2::{Digest as _, Sha256};

/// First byte of a tombstone: `0x40` (a versioned body) with the format bits all set, above any
/// record format.
pub const TOMBSTONE: u8 = 0x7F;

/// Length of the payload digest a tombstone ends with.
pub const DIGEST_LEN: usize = 32;

/// The first byte and sealed header of a record whose body starts with `first`: 145 bytes in
/// format 3 (its header carries a 12-byte nonce), 133 in format 4. `None` for a format without a
/// sealed header (format 2 cannot be erased and still verify) or one this build does not know.
pub fn sealed_prefix_len(first: u8) -> Option<usize> {
    match first {
        0x43 => Some(1 + 12 + 116 + 16),
        0x44 => Some(1 + 116 + 16),
        _ => None,
    }
}

/// A parsed tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tombstone<'a> {
    /// The erased record's first byte and sealed header.
    pub prefix: &'a [u8],
    /// SHA-256 of its sealed payload.
    pub sha256: [u8; DIGEST_LEN],
}

impl<'a> Tombstone<'a> {
    /// Reads a tombstone; `None` when `body` is not one, or is malformed.
    pub fn parse(body: &'a [u8]) -> Option<Self> {
        let (&first, rest) = body.split_first()?;
        if first != TOMBSTONE {
            return None;
        }
        let prefix_len = sealed_prefix_len(*rest.first()?)?;
        if rest.len() != prefix_len + DIGEST_LEN {
            return None;
        }
        let (prefix, digest) = rest.split_at(prefix_len);
        Some(Self {
            prefix,
            sha256: digest.try_into().ok()?,
        })
    }

    /// The tombstone's bytes.
    pub fn encode(prefix: &[u8], sha256: &[u8; DIGEST_LEN]) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + prefix.len() + DIGEST_LEN);
        out.push(TOMBSTONE);
        out.extend_from_slice(prefix);
        out.extend_from_slice(sha256);
        out
    }
}

/// Whether `body` is a tombstone (well-formed or not).
pub fn is_tombstone(body: &[u8]) -> bool {
    body.first() == Some(&TOMBSTONE)
}

/// Whether `tombstone` is the tombstone of the record body `stored`: the same first byte and
/// sealed header, and the SHA-256 of the stored payload for one of the lengths its zero padding
/// allows (the payload ends at or after the last non-zero byte).
pub fn erases(stored: &[u8], tombstone: &[u8]) -> bool {
    let Some(t) = Tombstone::parse(tombstone) else {
        return false;
    };
    let Some(rest) = stored.strip_prefix(t.prefix) else {
        return false;
    };
    let last = rest.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let mut hash = Sha256::new();
    hash.update(&rest[..last]);
    for _ in last..=rest.len() {
        if hash.clone().finalize().as_slice() == t.sha256 {
            return true;
        }
        hash.update([0u8]);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A format-4 body: first byte, a stand-in sealed header, `payload`, then `padding` zeros.
    fn body(payload: &[u8], padding: usize) -> Vec<u8> {
        let mut b = vec![0x44];
        b.extend((0..132).map(|i| i as u8 ^ 0x5a));
        b.extend_from_slice(payload);
        b.extend(std::iter::repeat_n(0, padding));
        b
    }

    fn tombstone_of(payload: &[u8]) -> Vec<u8> {
        let stored = body(payload, 0);
        Tombstone::encode(&stored[..133], &Sha256::digest(payload).into())
    }

    #[test]
    fn a_tombstone_erases_the_record_it_was_made_from_and_nothing_else() {
        let payload = b"sealed payload bytes".to_vec();
        let t = tombstone_of(&payload);
        assert_eq!(t.len(), 1 + 133 + 32);
        assert!(erases(&body(&payload, 0), &t));
        assert!(
            erases(&body(&payload, 17), &t),
            "padding is not the payload"
        );
        // A payload that itself ends in zeros, then padding.
        let zeros = [&payload[..], &[0, 0]].concat();
        assert!(erases(&body(&zeros, 9), &tombstone_of(&zeros)));
        // Another payload, another header, or a damaged tombstone: no.
        assert!(!erases(&body(b"another payload", 3), &t));
        let mut other_header = body(&payload, 0);
        other_header[5] ^= 1;
        assert!(!erases(&other_header, &t));
        let mut bad_digest = t.clone();
        bad_digest[150] ^= 1;
        assert!(!erases(&body(&payload, 0), &bad_digest));
        assert!(!erases(&body(&payload, 0), &t[..t.len() - 1]));
    }

    #[test]
    fn only_sealed_formats_have_tombstones() {
        assert_eq!(sealed_prefix_len(0x44), Some(133));
        assert_eq!(sealed_prefix_len(0x43), Some(145));
        // Format 2 starts with a kind code; a tombstone of a tombstone is no tombstone.
        for first in [0x01, 0x81, TOMBSTONE, 0x45] {
            assert_eq!(sealed_prefix_len(first), None);
        }
        let t = tombstone_of(b"x");
        assert!(Tombstone::parse(&t).is_some());
        assert!(Tombstone::parse(&t[1..]).is_none());
        assert!(is_tombstone(&t) && !is_tombstone(&t[1..]));
    }
}
